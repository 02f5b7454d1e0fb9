import { z } from 'zod';
import type { Result } from '../errors';

/**
 * A place on the user's disk that a call reads or writes. In the Electron app such a field never
 * carries a path the page typed: the main process shows a file dialog and gives the page an opaque
 * handle, which it swaps back for the chosen path before the call is dispatched (`electron/main`).
 * The CLI and the loopback web host take paths as typed (their user is the one at the keyboard).
 *
 * - `file`: an existing file is opened; `directory`: an existing directory; `save`: a new name is
 *   chosen (a file or a directory that the call creates).
 * - `urls`: an `http(s)://` URL is also accepted as typed, in every host (a lookaside on a server).
 */
export type PathChoice = 'file' | 'directory' | 'save';

export interface HostPathMeta {
  readonly choices: readonly PathChoice[];
  readonly urls?: boolean;
}

export const hostPathFields = z.registry<HostPathMeta>();

/** Marks a string schema as a host path; returns the same schema. */
export function hostPath<S extends z.ZodString>(schema: S, meta: HostPathMeta): S {
  hostPathFields.add(schema, meta);
  return schema;
}

/** What a handle looks like: `hostpath:` and 24 random base64url characters. */
export const HOST_PATH_HANDLE = /^hostpath:[A-Za-z0-9_-]{24}$/;

/** The request to the Electron main process to show a file dialog. */
export const ChoosePathRequest = z
  .object({
    /**
     * The one call and field the chosen place is for (`credential.path`: nested fields joined by
     * dots). The handle is accepted there only: a folder chosen to read a lookaside cannot become a
     * storage folder that Signet lists, overwrites or serves.
     */
    purpose: z.object({ call: z.string().max(64), field: z.string().max(128) }).strict(),
    choice: z.enum(['file', 'directory', 'save']),
    title: z.string().min(1).max(200),
    /** Offer only files with these extensions (without the dot), as the dialog's filter. */
    extensions: z
      .array(z.string().regex(/^[a-z0-9]{1,10}$/))
      .max(8)
      .optional(),
    defaultName: z
      .string()
      .max(255)
      .regex(/^[^/\\\0]*$/, 'a file name, not a path')
      .optional(),
  })
  .strict();
export type ChoosePathRequest = z.infer<typeof ChoosePathRequest>;

/** What the page gets back: the handle to pass in the call, and the path to show. */
export const ChosenPath = z.object({ handle: z.string().regex(HOST_PATH_HANDLE), path: z.string() }).strict();
export type ChosenPath = z.infer<typeof ChosenPath>;

/** The channel the preload uses to ask for a file dialog (not a contract call: only the desktop app has dialogs). */
export const CHOOSE_PATH_CHANNEL = 'signet:choose-path';

/** `window.signetHost`, set by the Electron preload only: what the desktop shell adds to the contract. */
export interface HostBridge {
  /** Shows a file dialog; null when the person cancelled it. */
  choosePath(request: ChoosePathRequest): Promise<Result<ChosenPath | null>>;
}

/** Where in a request a host path sits: object keys, and `*` for every element of an array. */
export interface HostPathLocation {
  readonly at: readonly string[];
  readonly meta: HostPathMeta;
}

/** Schema types that hold no other schema. */
const LEAF_TYPES: ReadonlySet<string> = new Set([
  'string',
  'number',
  'boolean',
  'bigint',
  'date',
  'enum',
  'literal',
  'null',
  'undefined',
  'void',
  'any',
  'unknown',
  'never',
  'nan',
  'template_literal',
  'transform',
]);

/**
 * Every host-path field a request schema can hold. Unions contribute each option's fields (the
 * same key in two options is listed once, with both options' choices), so a value is looked at
 * once however the union is resolved later.
 */
export function hostPathLocations(schema: z.ZodType): HostPathLocation[] {
  const found = new Map<string, { at: string[]; choices: Set<PathChoice>; urls: boolean }>();
  const walk = (node: z.ZodType, at: string[], depth: number): void => {
    // Fail closed: a shape this walker cannot see into could hide a host path that would then pass as typed.
    if (depth > 16) throw new Error(`host paths: ${at.join('.')} nests deeper than the walker looks`);
    const meta = hostPathFields.get(node);
    if (meta) {
      const key = at.join('\u0000');
      const entry = found.get(key) ?? { at, choices: new Set<PathChoice>(), urls: false };
      for (const choice of meta.choices) entry.choices.add(choice);
      entry.urls ||= meta.urls === true;
      found.set(key, entry);
      return;
    }
    if (node instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(node.shape as Record<string, z.ZodType>)) walk(child, [...at, key], depth + 1);
    } else if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) {
      walk(node.unwrap() as z.ZodType, at, depth + 1);
    } else if (node instanceof z.ZodUnion) {
      for (const option of node.options as readonly z.ZodType[]) walk(option, at, depth + 1);
    } else if (node instanceof z.ZodArray) {
      walk(node.element as z.ZodType, [...at, '*'], depth + 1);
    } else if (node instanceof z.ZodPipe) {
      // z.preprocess is a pipe from a transform: the schema that sees the value is its `out`.
      walk((node.in instanceof z.ZodTransform ? node.out : node.in) as z.ZodType, at, depth + 1);
    } else if (node instanceof z.ZodRecord) {
      const inside = hostPathLocations(node.valueType as z.ZodType);
      if (inside.length > 0) throw new Error(`host paths: ${at.join('.')} is a record of host paths, which cannot be swapped`);
    } else if (!LEAF_TYPES.has(node._zod.def.type)) {
      throw new Error(`host paths: ${at.join('.') || 'the request'} is a ${node._zod.def.type}, which the walker cannot see into`);
    }
  };
  walk(schema, [], 0);
  return [...found.values()].map(({ at, choices, urls }) => ({ at, meta: { choices: [...choices], ...(urls ? { urls } : {}) } }));
}

/** How a location is named in a purpose: its keys joined by dots, array steps left out. */
export function fieldName(location: Pick<HostPathLocation, 'at'>): string {
  return location.at.filter((part) => part !== '*').join('.');
}

/** Whether a host-path value is a URL the field takes as typed. */
export function isTypedUrl(value: string, meta: HostPathMeta): boolean {
  return meta.urls === true && /^https?:\/\/\S+$/i.test(value);
}

/**
 * A copy of `input` with the string at each location replaced by `swap(value, location)`; other
 * values (absent, null, not a string) are left for the contract's validation to judge.
 */
export function swapHostPaths(
  input: unknown,
  locations: readonly HostPathLocation[],
  swap: (value: string, location: HostPathLocation) => string,
): unknown {
  let result = input;
  for (const location of locations) result = swapAt(result, location.at, 0, (value) => swap(value, location));
  return result;
}

function swapAt(node: unknown, at: readonly string[], index: number, swap: (value: string) => string): unknown {
  if (index === at.length) return typeof node === 'string' ? swap(node) : node;
  const key = at[index] as string;
  if (key === '*') return Array.isArray(node) ? node.map((item) => swapAt(item, at, index + 1, swap)) : node;
  if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return node;
  const record = node as Record<string, unknown>;
  return { ...record, [key]: swapAt(record[key], at, index + 1, swap) };
}

/** A directory Signet reads or writes (a lookaside staging directory, registries.d, a storage folder). */
export const DirectoryPath = hostPath(z.string().min(1).max(4096), { choices: ['directory'] });

/** Where simple signatures are read: a directory, or a lookaside server's URL. */
export const LookasideReadPath = hostPath(z.string().min(1).max(4096), { choices: ['directory'], urls: true });

/** A file Signet reads (a credentials file, a PKCS#11 module). */
export const FilePath = hostPath(z.string().min(1).max(4096), { choices: ['file'] });
