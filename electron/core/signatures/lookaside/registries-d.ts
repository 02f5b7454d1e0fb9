import { describeSystemError } from '../../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isNode, isScalar, LineCounter as YamlLineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SignetError } from '../../../../shared/errors';
import { readRegularFileIfPresent } from '../../storage/bounded-read';
import { policyIdentity, policyNamespaces, type DockerRef } from '../../trust/docker-reference';

/**
 * containers-registries.d(5): where simple signatures live for a Docker reference, merged from
 * every `*.yaml` file of a directory exactly as containers/image does (docker/registries_d.go):
 * one definition per scope across all files; for a reference the exact identity, then each
 * parent namespace (most specific first, `*.domain` wildcards last), then `default-docker` are
 * asked in turn, and the first that sets the wanted field answers (a scope without `lookaside`
 * falls through to the next one).
 */
export interface RegistryNamespace {
  lookaside?: string;
  lookasideStaging?: string;
  /** Deprecated aliases, still honoured. */
  sigstore?: string;
  sigstoreStaging?: string;
  useSigstoreAttachments?: boolean;
}

export interface RegistriesConfig {
  defaultDocker?: RegistryNamespace;
  docker: Record<string, RegistryNamespace>;
  /** Which file defined each scope (`default-docker` for the default), for messages. */
  sources: Record<string, string>;
}

const MAX_BYTES = 1024 * 1024;

/**
 * How the `yaml` library is asked to read a registries.d file. Strictness is the security
 * feature here: podman (go-yaml) and Signet must never read one file two ways, so everything
 * beyond plain mappings of strings is refused rather than interpreted: anchors and aliases (no
 * alias bombs, no value that means two things), duplicate keys, several documents, tags,
 * sequences, block or multi-line scalars, non-string keys. The failsafe schema gives every
 * scalar as a string; booleans and nulls are read by hand below, as go-yaml reads them.
 */
const STRICT = { uniqueKeys: true, schema: 'failsafe', strict: true, prettyErrors: true, maxAliasCount: 0, version: '1.2' } as const;

/** A plain value go-yaml reads as null for a struct field. */
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };

type Plain = string | null | { [key: string]: Plain };

function refuse(
  file: string,
  lines: LineCounter,
  node: { range?: [number, number, number] | null } | null | undefined,
  problem: string,
): SignetError {
  const at = node?.range ? lines.linePos(node.range[0]) : undefined;
  return new SignetError(
    'MALFORMED',
    `${file}${at ? ` line ${at.line}` : ''} ${problem}; registries.d files are read as plain YAML mappings of strings.`,
  );
}

/** Turns the checked document into plain data: mappings, strings, and null for an absent value. */
function plain(node: unknown, file: string, lines: LineCounter, path: string[]): Plain {
  if (isAlias(node)) throw refuse(file, lines, node, 'uses an alias');
  if (!isNode(node)) return null; // `key:` with nothing after it
  if (node.anchor) {
    const at = lines.source.lastIndexOf(`&${node.anchor}`, node.range?.[0] ?? 0);
    throw refuse(file, lines, at >= 0 ? { range: [at, at, at] } : node, 'sets an anchor');
  }
  if (node.tag) throw refuse(file, lines, node, `uses the tag ${node.tag}`);
  if (isMap(node)) {
    const out: Record<string, Plain> = Object.create(null) as Record<string, Plain>;
    for (const pair of node.items) {
      const key = pair.key;
      if (
        !isScalar(key) ||
        typeof key.value !== 'string' ||
        key.anchor ||
        key.tag ||
        !['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE'].includes(key.type ?? '')
      )
        throw refuse(file, lines, isNode(key) ? key : node, 'has a key that is not a plain or quoted string');
      out[key.value] = plain(pair.value, file, lines, [...path, key.value]);
    }
    return out;
  }
  if (isScalar(node)) {
    const text = node.value;
    if (typeof text !== 'string') throw refuse(file, lines, node, 'has a value that is not a string');
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') throw refuse(file, lines, node, 'uses a block scalar');
    const [start, end] = node.range ?? [0, 0];
    if (/[\r\n]/.test(lines.source.slice(start, end))) throw refuse(file, lines, node, 'continues a value over several lines');
    if (node.type === 'PLAIN') return NULLS.has(text) ? null : text;
    // go-yaml refuses a quoted "true" for a bool field; so does Signet.
    if (isField(path, 'use-sigstore-attachments'))
      throw refuse(file, lines, node, 'quotes use-sigstore-attachments, which must be a plain true or false');
    return text;
  }
  throw refuse(file, lines, node, 'uses a sequence');
}

function isField(path: string[], field: string): boolean {
  return path.at(-1) === field && ((path.length === 2 && path[0] === 'default-docker') || (path.length === 3 && path[0] === 'docker'));
}

interface LineCounter {
  source: string;
  linePos(offset: number): { line: number; col: number };
}

const value = z
  .string()
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');
const namespaceSchema = z
  .object({
    lookaside: value.nullish(),
    'lookaside-staging': value.nullish(),
    sigstore: value.nullish(),
    'sigstore-staging': value.nullish(),
    'use-sigstore-attachments': z
      .string()
      .nullish()
      .refine((s) => s == null || Object.hasOwn(BOOLEANS, s), 'must be true or false'),
  })
  .passthrough(); // containers/image ignores fields it does not know
const fileSchema = z
  .object({
    'default-docker': namespaceSchema.nullish(),
    docker: z.record(z.string(), namespaceSchema.nullish()).nullish(),
  })
  .passthrough();

function namespace(ns: z.infer<typeof namespaceSchema> | null | undefined): RegistryNamespace {
  const out: RegistryNamespace = {};
  if (ns?.lookaside) out.lookaside = ns.lookaside;
  if (ns?.['lookaside-staging']) out.lookasideStaging = ns['lookaside-staging'];
  if (ns?.sigstore) out.sigstore = ns.sigstore;
  if (ns?.['sigstore-staging']) out.sigstoreStaging = ns['sigstore-staging'];
  const attachments = ns?.['use-sigstore-attachments'];
  if (attachments != null) out.useSigstoreAttachments = BOOLEANS[attachments]!;
  return out;
}

/** Parses one registries.d file. */
export function parseRegistriesYaml(
  text: string,
  file: string,
): { defaultDocker?: RegistryNamespace; docker: Record<string, RegistryNamespace> } {
  if (Buffer.byteLength(text) > MAX_BYTES) throw new SignetError('TOO_LARGE', `${file} is larger than 1 MiB.`);
  const source = text.replace(/^\uFEFF/, '');
  const counter = new YamlLineCounter();
  const lines: LineCounter = { source, linePos: (offset) => counter.linePos(offset) };
  const doc = parseDocument(source, { ...STRICT, lineCounter: counter });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem)
    throw new SignetError(
      'MALFORMED',
      `${file}: ${problem.message.split('\n')[0]}; registries.d files are read as plain YAML mappings of strings.`,
    );
  const root = doc.contents == null ? {} : plain(doc.contents, file, lines, []);
  if (root === null) return { docker: {} };
  if (typeof root === 'string') throw refuse(file, lines, doc.contents, 'is not a mapping');
  const parsed = fileSchema.safeParse(root);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.map((p) => JSON.stringify(String(p))).join(' → ') : 'the file';
    throw new SignetError('MALFORMED', `${file}: ${where} ${describeIssue(issue)}.`);
  }
  const out: { defaultDocker?: RegistryNamespace; docker: Record<string, RegistryNamespace> } = { docker: {} };
  if (parsed.data['default-docker']) out.defaultDocker = namespace(parsed.data['default-docker']);
  for (const [scope, ns] of Object.entries(parsed.data.docker ?? {})) out.docker[scope] = namespace(ns);
  return out;
}

function describeIssue(issue: z.ZodIssue): string {
  if (issue.code === 'invalid_type')
    return issue.expected === 'object'
      ? 'must be a mapping'
      : issue.expected === 'string'
        ? 'must be a single value'
        : `must be ${issue.expected}`;
  return issue.message;
}

/** Merges several files (name → text); a scope defined twice is an error, as in containers/image. */
export function mergeRegistries(files: ReadonlyArray<{ name: string; text: string }>): RegistriesConfig {
  const merged: RegistriesConfig = { docker: {}, sources: {} };
  for (const file of files) {
    const config = parseRegistriesYaml(file.text, file.name);
    if (config.defaultDocker) {
      if (merged.defaultDocker)
        throw new SignetError('MALFORMED', `"default-docker" is defined both in ${merged.sources['default-docker']} and ${file.name}.`);
      merged.defaultDocker = config.defaultDocker;
      merged.sources['default-docker'] = file.name;
    }
    for (const [scope, ns] of Object.entries(config.docker)) {
      if (Object.hasOwn(merged.docker, scope))
        throw new SignetError(
          'MALFORMED',
          `The "docker" namespace ${JSON.stringify(scope)} is defined both in ${merged.sources[`docker:${scope}`]} and ${file.name}.`,
        );
      merged.docker[scope] = ns;
      merged.sources[`docker:${scope}`] = file.name;
    }
  }
  return merged;
}

/** Reads every `*.yaml` file of a registries.d directory (none there: an empty configuration). */
export async function loadRegistriesDir(dir: string): Promise<RegistriesConfig> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { docker: {}, sources: {} };
    throw new SignetError('IO_ERROR', `Could not read the registries.d directory ${dir}: ${describeSystemError(error)}.`);
  }
  const files: Array<{ name: string; text: string }> = [];
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isDirectory()) continue;
    const bytes = await readRegularFileIfPresent(file, { maxBytes: 1024 * 1024, what: 'The registries.d file' });
    if (!bytes) continue;
    files.push({ name: file, text: bytes.toString('utf8') });
  }
  return mergeRegistries(files);
}

export interface LookasideChoice {
  url: string;
  /** The scope that supplied it: an identity, a namespace, `default-docker`, or `built-in default`. */
  scope: string;
  field: 'lookaside' | 'lookaside-staging' | 'sigstore' | 'sigstore-staging' | 'built-in';
}

function topLevel(ns: RegistryNamespace, write: boolean): Omit<LookasideChoice, 'scope'> | undefined {
  if (write && ns.lookasideStaging) return { url: ns.lookasideStaging, field: 'lookaside-staging' };
  if (write && ns.sigstoreStaging) return { url: ns.sigstoreStaging, field: 'sigstore-staging' };
  if (ns.lookaside) return { url: ns.lookaside, field: 'lookaside' };
  if (ns.sigstore) return { url: ns.sigstore, field: 'sigstore' };
  return undefined;
}

function scopesFor(ref: DockerRef): string[] {
  return [policyIdentity(ref), ...policyNamespaces(ref)];
}

/**
 * The lookaside base for a reference (tagged or digested), for reading or writing. Without any
 * configuration, containers/image falls back to a built-in local directory; pass it as
 * `builtinDefault` to get the same answer, or leave it out to get undefined.
 */
export function lookasideFor(
  config: RegistriesConfig,
  ref: DockerRef,
  write: boolean,
  builtinDefault?: string,
): LookasideChoice | undefined {
  for (const scope of scopesFor(ref)) {
    const ns = config.docker[scope];
    const hit = ns && topLevel(ns, write);
    if (hit) return { ...hit, scope };
  }
  const def = config.defaultDocker && topLevel(config.defaultDocker, write);
  if (def) return { ...def, scope: 'default-docker' };
  return builtinDefault ? { url: builtinDefault, scope: 'built-in default', field: 'built-in' } : undefined;
}

export function useSigstoreAttachments(config: RegistriesConfig, ref: DockerRef): boolean {
  for (const scope of scopesFor(ref)) {
    const value = config.docker[scope]?.useSigstoreAttachments;
    if (value !== undefined) return value;
  }
  return config.defaultDocker?.useSigstoreAttachments ?? false;
}

/** containers/image's built-in default: /var/lib/containers/sigstore for root, else ~/.local/share/containers/sigstore. */
export function builtinLookaside(home: string, root: boolean): string {
  return root ? 'file:///var/lib/containers/sigstore' : `file://${path.join(home, '.local/share/containers/sigstore')}`;
}
