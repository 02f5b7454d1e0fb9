import { closeSync, constants, fstatSync, openSync, promises as fs, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';

/**
 * The one way Signet reads a file that comes from outside (a removable medium, an OCI layout, a
 * lookaside directory, a file named on the command line): only regular files, never more than a
 * cap, never blocking. ARCHITECTURE.md rule 11.
 *
 * - The path is stat'ed first, so a device, FIFO or socket is refused without being opened.
 * - It is then opened O_RDONLY|O_NONBLOCK|O_NOCTTY (a FIFO swapped in meanwhile does not block the
 *   open, a terminal does not become the controlling one) and the open handle is fstat'ed again.
 * - It is read in chunks and refused as soon as more than `maxBytes` arrive, whatever the size
 *   fstat reported (a file can grow while it is read).
 */
export interface BoundedReadOptions {
  /** The most bytes accepted. */
  maxBytes: number;
  /** What the file is, for the sentence: "The signature", "The OCI layout's index.json". */
  what?: string;
  /**
   * A directory the file must really be in once symlinks are resolved (an OCI layout's root, a
   * dir: image): a symlink that leads out of the tree is refused.
   */
  within?: string;
}

export const MiB = 1024 * 1024;
/** The default cap for signatures, JSON documents, keys, certificates and configuration files. */
export const SMALL_FILE_MAX = 4 * MiB;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 1 * MiB;
/** The most one read() call asks for (the OS takes at most 2 GiB per call). */
const MAX_READ = 64 * MiB;

/** Reads a regular file of at most `maxBytes`; a missing file is NOT_FOUND. */
export async function readRegularFile(file: string, options: BoundedReadOptions): Promise<Buffer> {
  const bytes = await readRegularFileIfPresent(file, options);
  if (bytes === undefined) throw new SignetError('NOT_FOUND', `${label(file, options)} does not exist.`);
  return bytes;
}

/**
 * As readRegularFile, but a file that is not there (ENOENT, or a missing parent folder) is
 * `undefined`: for probing signature-1, -2, … up to the first gap.
 */
export async function readRegularFileIfPresent(file: string, options: BoundedReadOptions): Promise<Buffer | undefined> {
  const opened = await openRegularFile(file, options);
  if (!opened) return undefined;
  try {
    return await readCapped(opened.handle, file, options, opened.stat.size);
  } finally {
    await opened.handle.close();
  }
}

/**
 * Opens a regular file for reading after the same checks (for a caller that streams from the
 * handle); `undefined` when it does not exist. The caller closes the handle, and still must not
 * read more than `maxBytes` (the size is checked only as it is now).
 */
export async function openRegularFile(
  file: string,
  options: BoundedReadOptions,
): Promise<{ handle: fs.FileHandle; stat: Stats } | undefined> {
  let target = file;
  try {
    checkStat(await fs.stat(file), file, options);
    if (options.within !== undefined) target = await resolveWithin(file, options);
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw mapError(error, file, options);
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(target, OPEN_FLAGS);
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw mapError(error, file, options);
  }
  try {
    const stat = await handle.stat();
    checkStat(stat, file, options);
    return { handle, stat };
  } catch (error) {
    await handle.close();
    throw mapError(error, file, options);
  }
}

/** The synchronous form, for the CLI reading a file named on its command line. */
export function readRegularFileSync(file: string, options: BoundedReadOptions): Buffer {
  let target = file;
  let fd: number;
  try {
    checkStat(statSync(file), file, options);
    if (options.within !== undefined) target = resolveWithinSync(file, options);
    fd = openSync(target, OPEN_FLAGS);
  } catch (error) {
    if (isAbsent(error)) throw new SignetError('NOT_FOUND', `${label(file, options)} does not exist.`);
    throw mapError(error, file, options);
  }
  try {
    checkStat(fstatSync(fd), file, options);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, options.maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > options.maxBytes) throw tooLarge(file, options);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    throw mapError(error, file, options);
  } finally {
    closeSync(fd);
  }
}

async function readCapped(handle: fs.FileHandle, file: string, options: BoundedReadOptions, sizeHint: number): Promise<Buffer> {
  // One buffer of the size fstat gave (plus the one byte that shows the file grew): a large blob
  // is not held twice. If more arrives, it grows, never past the cap plus that byte.
  let buffer = Buffer.allocUnsafe(Math.min(sizeHint, options.maxBytes) + 1);
  let total = 0;
  try {
    for (;;) {
      if (total === buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, Math.max(buffer.length * 2, total + CHUNK)));
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, total, Math.min(buffer.length - total, MAX_READ), null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes) throw tooLarge(file, options);
    }
  } catch (error) {
    throw mapError(error, file, options);
  }
  return buffer.subarray(0, total);
}

function checkStat(stat: Stats, file: string, options: BoundedReadOptions): void {
  if (!stat.isFile()) {
    const kind = describeKind(stat);
    const hint = stat.isDirectory() ? 'name the file inside it' : 'copy its content into a regular file and name that';
    throw new SignetError(
      'INVALID_INPUT',
      `${label(file, options)} is ${kind}, not a regular file; Signet reads only regular files, so ${hint}.`,
    );
  }
  if (stat.size > options.maxBytes) throw tooLarge(file, options);
}

function describeKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

async function resolveWithin(file: string, options: BoundedReadOptions): Promise<string> {
  const root = await fs.realpath(options.within as string);
  const real = await fs.realpath(file);
  assertWithin(root, real, file, options);
  return real;
}

function resolveWithinSync(file: string, options: BoundedReadOptions): string {
  const root = realpathSync(options.within as string);
  const real = realpathSync(file);
  assertWithin(root, real, file, options);
  return real;
}

function assertWithin(root: string, real: string, file: string, options: BoundedReadOptions): void {
  if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    throw new SignetError(
      'INVALID_INPUT',
      `${label(file, options)} is a symbolic link leading out of ${options.within} (to ${real}); Signet does not follow links out of the folder it was given.`,
    );
  }
}

function tooLarge(file: string, options: BoundedReadOptions): SignetError {
  return new SignetError(
    'TOO_LARGE',
    `${label(file, options)} is larger than ${formatBytes(options.maxBytes)}, more than Signet accepts for it.`,
  );
}

function label(file: string, options: BoundedReadOptions): string {
  return options.what ? `${options.what} (${file})` : file;
}

function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function mapError(error: unknown, file: string, options: BoundedReadOptions): SignetError {
  if (error instanceof SignetError) return error;
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SignetError('NOT_FOUND', `${label(file, options)} does not exist.`);
    case 'ELOOP':
      return new SignetError('INVALID_INPUT', `${label(file, options)} is a loop of symbolic links.`);
    case 'EACCES':
    case 'EPERM':
      return new SignetError('FORBIDDEN', `Signet may not read ${label(file, options)}: check its permissions.`);
    case 'EAGAIN':
      return new SignetError(
        'INVALID_INPUT',
        `${label(file, options)} is not a regular file that can be read now; Signet reads only regular files.`,
      );
    default:
      return new SignetError('IO_ERROR', `Could not read ${label(file, options)}: ${e.message ?? String(error)}.`);
  }
}
