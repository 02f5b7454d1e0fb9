import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';

/** Signatures, .asc files and probes are small; anything bigger is refused before it is read. */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

export interface PutOptions {
  /** Replace an existing object. Only ever set when a person confirmed it. */
  overwrite?: boolean;
  contentType?: string;
}

export interface PutOutcome {
  key: string;
  url: string;
  size: number;
  sha256: string;
  overwritten: boolean;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  lastModified?: string;
}

export interface ListOutcome {
  objects: ObjectInfo[];
  /** False when `limit` cut the listing short. */
  complete: boolean;
}

/**
 * One interface for every place objects go (architecture rule 4): S3, OBS, a plain directory.
 * Keys are relative to the store's prefix or root and are checked by `checkKey`.
 */
export interface ObjectStore {
  /** A person-readable name of the destination: `s3://bucket/prefix` or a folder path. */
  readonly description: string;
  /**
   * Writes, then reads back and compares the bytes. Refuses (CONFLICT) when the key exists,
   * unless `overwrite` is set.
   */
  put(key: string, data: Uint8Array, options?: PutOptions): Promise<PutOutcome>;
  /** The object's bytes; NOT_FOUND when there is none. */
  get(key: string): Promise<Uint8Array>;
  /** Size and etag, or undefined when there is no such object. */
  head(key: string): Promise<ObjectInfo | undefined>;
  exists(key: string): Promise<boolean>;
  /** Objects whose key starts with `prefix` (relative), in key order, at most `limit`. */
  list(prefix: string, limit?: number): Promise<ListOutcome>;
  /** Removes one object (used for connection-test probes only). */
  delete(key: string): Promise<void>;
  /** Where the object can be read. */
  url(key: string): string;
  /** Where the store's root can be read (the base for registries.d). */
  baseUrl(): string;
}

/**
 * Object keys are relative paths: non-empty segments separated by `/`, none of them `.` or `..`,
 * no NUL, no backslash, no leading `/` — so a key can never leave its root or prefix.
 */
export function checkKey(key: string, what = 'The object key'): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024)
    throw new SignetError('INVALID_INPUT', `${what} must be 1-1024 characters.`);
  if (key.includes('\0')) throw new SignetError('INVALID_INPUT', `${what} contains a NUL character.`);
  if (key.includes('\\')) throw new SignetError('INVALID_INPUT', `${what} contains a backslash; use / between folders.`);
  if (key.startsWith('/')) throw new SignetError('INVALID_INPUT', `${what} must be relative (it starts with /).`);
  if (/^[A-Za-z]:/.test(key)) throw new SignetError('INVALID_INPUT', `${what} must be relative (it starts with a drive letter).`);
  for (const segment of key.split('/')) {
    if (segment === '') throw new SignetError('INVALID_INPUT', `${what} has an empty path segment (// or a trailing /).`);
    if (segment === '.' || segment === '..') throw new SignetError('INVALID_INPUT', `${what} may not contain "." or ".." segments.`);
  }
  return key;
}

/** A prefix is empty or a key; stored without a trailing slash. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  return checkKey(trimmed, 'The prefix');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
  );
}
