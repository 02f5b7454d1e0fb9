import { describeSystemError } from '../../../shared/system-errors';
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignetError } from '../../../shared/errors';
import {
  checkKey,
  MAX_OBJECT_BYTES,
  sameBytes,
  sha256Hex,
  type ListOutcome,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutOutcome,
} from './object-store';
import { readRegularFile } from './bounded-read';

const TEMP = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * A plain directory as an object store (a lookaside folder a web server serves, a USB stick).
 * Keys map to files under the root and can never leave it: `..`, absolute paths and NUL are
 * refused by `checkKey`, and symbolic links that lead out of the root are refused here. Writes
 * are atomic (temporary file, flush, link into place) and never replace an existing file unless
 * asked.
 */
export class DirectoryStore implements ObjectStore {
  readonly description: string;
  private readonly root: string;

  constructor(
    root: string,
    private readonly publicUrl?: string,
  ) {
    if (!root || root.includes('\0')) throw new SignetError('INVALID_INPUT', 'The directory path is empty or contains a NUL character.');
    this.root = path.resolve(root);
    this.description = this.root;
  }

  async put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<PutOutcome> {
    checkKey(key);
    if (data.length > MAX_OBJECT_BYTES)
      throw new SignetError('TOO_LARGE', `The object is larger than ${MAX_OBJECT_BYTES / 1024 / 1024} MiB.`);
    const target = this.file(key);
    const dir = path.dirname(target);
    await this.makeFolders(key);
    await this.confine(dir);
    const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await this.io(() => fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644), 'write to');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
      throw this.ioError(error, 'write to');
    }
    await handle.close();
    let overwritten = false;
    try {
      if (options.overwrite) {
        overwritten = (await fs.lstat(target).catch(() => undefined)) !== undefined;
        await fs.rename(temp, target);
      } else {
        await this.linkExclusive(temp, target, data);
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
    await syncDirectory(dir);
    const back = await this.get(key);
    if (!sameBytes(back, data))
      throw new SignetError(
        'STORAGE_ERROR',
        `${target} does not read back as written; the disk or another program changed it. Check the folder before using it.`,
      );
    return { key, url: this.url(key), size: data.length, sha256: sha256Hex(data), overwritten };
  }

  async get(key: string): Promise<Uint8Array> {
    checkKey(key);
    const file = this.file(key);
    const info = await fs.lstat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw this.ioError(error, 'read');
    });
    if (!info) throw new SignetError('NOT_FOUND', `There is no ${key} in ${this.root}.`);
    if (info.isSymbolicLink()) await this.confine(file);
    else await this.confine(path.dirname(file));
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw new SignetError('NOT_FOUND', `${key} in ${this.root} is not a file.`);
    if (stat.size > MAX_OBJECT_BYTES) throw new SignetError('TOO_LARGE', `${key} is larger than ${MAX_OBJECT_BYTES / 1024 / 1024} MiB.`);
    return new Uint8Array(await readRegularFile(file, { maxBytes: MAX_OBJECT_BYTES, what: `The object ${key}` }));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key);
    const file = this.file(key);
    const info = await fs.lstat(file).catch(() => undefined);
    if (!info) return undefined;
    if (info.isSymbolicLink()) await this.confine(file);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    return { key, size: stat.size, lastModified: stat.mtime.toISOString() };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async list(prefix: string, limit = 10_000): Promise<ListOutcome> {
    if (prefix.includes('\0') || prefix.includes('\\') || prefix.startsWith('/') || prefix.split('/').some((s) => s === '..'))
      throw new SignetError('INVALID_INPUT', 'The listing prefix must be a relative path without "..".');
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const found: ObjectInfo[] = [];
    const walk = async (relative: string): Promise<void> => {
      const dir = relative ? path.join(this.root, ...relative.split('/')) : this.root;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw this.ioError(error, 'list');
      }
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const key = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || key.startsWith(prefix) || `${key}/`.startsWith(prefix)) await walk(key);
        } else if (entry.isFile() && !TEMP.test(entry.name) && key.startsWith(prefix)) {
          const stat = await fs.stat(path.join(dir, entry.name));
          found.push({ key, size: stat.size, lastModified: stat.mtime.toISOString() });
        }
      }
    };
    await walk(start);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { objects: found.slice(0, limit), complete: found.length <= limit };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    const file = this.file(key);
    await this.confine(path.dirname(file));
    await fs.rm(file, { force: true });
  }

  url(key: string): string {
    checkKey(key);
    if (this.publicUrl) return `${this.publicUrl.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
    return pathToFileURL(this.file(key)).href;
  }

  baseUrl(): string {
    return this.publicUrl ? this.publicUrl.replace(/\/+$/, '') : pathToFileURL(this.root).href;
  }

  private file(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** Creates the key's folders one by one, refusing a symbolic link that leads out of the root before anything is made through it. */
  private async makeFolders(key: string): Promise<void> {
    await this.io(() => fs.mkdir(this.root, { recursive: true, mode: 0o755 }), 'create');
    let current = this.root;
    for (const segment of key.split('/').slice(0, -1)) {
      current = path.join(current, segment);
      const info = await fs.lstat(current).catch(() => undefined);
      if (!info) {
        await fs.mkdir(current, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw this.ioError(error, 'create a folder in');
        });
        continue;
      }
      if (info.isSymbolicLink()) await this.confine(current);
      else if (!info.isDirectory()) throw new SignetError('CONFLICT', `${current} is a file where ${key} needs a folder.`);
    }
  }

  /** Refuses a path whose real location (symbolic links followed) is outside the root. */
  private async confine(target: string): Promise<void> {
    const [realRoot, realTarget] = await Promise.all([fs.realpath(this.root), fs.realpath(target)]).catch((error: unknown) => {
      throw this.ioError(error, 'resolve a path in');
    });
    if (realTarget !== realRoot && !realTarget.startsWith(realRoot + path.sep)) {
      throw new SignetError('FORBIDDEN', `A symbolic link leads outside ${this.root}; Signet does not follow it.`);
    }
  }

  /** link(2) fails when the name exists, which makes "never overwrite" atomic. */
  private async linkExclusive(temp: string, target: string, data: Uint8Array): Promise<void> {
    try {
      await fs.link(temp, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw this.conflict(target);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw this.ioError(error, 'write to');
    }
    // File systems without hard links: create the name exclusively and write into it.
    let handle: import('node:fs/promises').FileHandle;
    try {
      handle = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw this.conflict(target);
      throw this.ioError(error, 'write to');
    }
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(target, { force: true });
      throw this.ioError(error, 'write to');
    }
    await handle.close();
  }

  private conflict(target: string): SignetError {
    return new SignetError(
      'CONFLICT',
      `${target} exists already; Signet does not overwrite it. Remove it yourself, or confirm the overwrite.`,
    );
  }

  private async io<T>(run: () => Promise<T>, verb: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.ioError(error, verb);
    }
  }

  private ioError(error: unknown, verb: string): Error {
    if (error instanceof SignetError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      return new SignetError('FORBIDDEN', `Signet may not ${verb} ${this.root} ; check the folder's permissions.`);
    if (code === 'ENOSPC') return new SignetError('IO_ERROR', `The disk holding ${this.root} is full.`);
    if (code === 'ENOTDIR' || code === 'EEXIST') return new SignetError('CONFLICT', `A file stands where ${this.root} needs a folder.`);
    return new SignetError('IO_ERROR', `Cannot ${verb} ${this.root}: ${describeSystemError(error)}.`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
