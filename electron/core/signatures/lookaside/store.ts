import { describeSystemError } from '../../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignetError } from '../../../../shared/errors';
import { assertOnline, isOfflineError, OFFLINE_MESSAGE } from '../../net/gate';
import { parseDigest } from '../../registry/digest';
import { lookasideDir, readLookaside, writeLookaside } from '../simple';

const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
const MAX_SIGNATURES = 1000;

export interface LookasideEntry {
  /** `signature-N` */
  name: string;
  /** Where it was read from (a path or URL), for the report. */
  location: string;
  bytes: Buffer;
  /** When the store says the file was last written (a file's mtime, an HTTP Last-Modified), ISO 8601. */
  modified?: string;
}

/**
 * Lookaside storage for simple signatures: `<base>/<repository path>@<alg>=<hex>/signature-N`.
 * Read enumerates signature-1, -2, … until the first gap; write takes the first free N and never
 * overwrites. HTTP(S) stores are read-only, as in containers/image.
 */
export interface LookasideStore {
  readonly base: string;
  readonly writable: boolean;
  read(repositoryPath: string, digest: string): Promise<LookasideEntry[]>;
  /** signature-N alone, or undefined when there is none (the read ends there); for readers that may stop early. */
  readOne?(repositoryPath: string, digest: string, n: number): Promise<LookasideEntry | undefined>;
  write(repositoryPath: string, digest: string, signature: Uint8Array): Promise<string>;
}

export class DirectoryLookaside implements LookasideStore {
  readonly writable = true;
  constructor(readonly base: string) {}

  async read(repositoryPath: string, digest: string): Promise<LookasideEntry[]> {
    const dir = lookasideDir(this.base, repositoryPath, digest);
    const entries = await readLookaside(this.base, repositoryPath, digest);
    return Promise.all(
      entries.map(async (e) => {
        const location = path.join(dir, e.name);
        const modified = await fs.stat(location).then(
          (st) => st.mtime.toISOString(),
          () => undefined,
        );
        return { name: e.name, location, bytes: e.bytes, ...(modified ? { modified } : {}) };
      }),
    );
  }

  write(repositoryPath: string, digest: string, signature: Uint8Array): Promise<string> {
    return writeLookaside(this.base, repositoryPath, digest, signature);
  }
}

export class HttpLookaside implements LookasideStore {
  readonly writable = false;
  constructor(
    readonly base: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    const url = new URL(base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new SignetError('INVALID_INPUT', `${base} is not an http(s) lookaside URL.`);
    if (url.username || url.password) throw new SignetError('INVALID_INPUT', 'Put lookaside credentials elsewhere, not in the URL.');
  }

  url(repositoryPath: string, digest: string, n: number): string {
    if (repositoryPath.split('/').some((c) => c === '..' || c === '.' || c === '' || /[?#%\\]/.test(c)))
      throw new SignetError('INVALID_INPUT', 'The repository path is not valid for lookaside storage.');
    const d = parseDigest(digest);
    return `${this.base.replace(/\/+$/, '')}/${repositoryPath}@${d.replace(':', '=')}/signature-${n}`;
  }

  async read(repositoryPath: string, digest: string): Promise<LookasideEntry[]> {
    const out: LookasideEntry[] = [];
    for (let n = 1; n <= MAX_SIGNATURES; n += 1) {
      const entry = await this.readOne(repositoryPath, digest, n);
      if (!entry) break;
      out.push(entry);
    }
    return out;
  }

  async readOne(repositoryPath: string, digest: string, n: number): Promise<LookasideEntry | undefined> {
    assertOnline();
    if (n < 1 || n > MAX_SIGNATURES) return undefined;
    const url = this.url(repositoryPath, digest, n);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { redirect: 'error', headers: { Accept: '*/*' } });
    } catch (error) {
      if (isOfflineError(error) || isOfflineError((error as { cause?: unknown }).cause)) throw new SignetError('OFFLINE', OFFLINE_MESSAGE);
      throw new SignetError('IO_ERROR', `Could not read ${url}: ${describeSystemError(error)}.`);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SignetError('IO_ERROR', `${url} answered HTTP ${response.status}.`);
    }
    const lastModified = Date.parse(response.headers.get('last-modified') ?? '');
    return {
      name: `signature-${n}`,
      location: url,
      bytes: await readCapped(response, url),
      ...(Number.isFinite(lastModified) ? { modified: new Date(lastModified).toISOString() } : {}),
    };
  }

  write(): Promise<string> {
    return Promise.reject(
      new SignetError(
        'UNSUPPORTED',
        `${this.base} is read-only lookaside storage: configure a lookaside-staging directory to write signatures.`,
      ),
    );
  }
}

async function readCapped(response: Response, url: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_SIGNATURE_BYTES) {
    await response.body?.cancel();
    throw new SignetError('TOO_LARGE', `${url} is larger than 4 MiB.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_SIGNATURE_BYTES) {
      await reader.cancel();
      throw new SignetError('TOO_LARGE', `${url} is larger than 4 MiB.`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** A lookaside URL as registries.d writes it (`file:///…`, `http(s)://…`) or a plain directory path. */
export function openLookaside(location: string, fetchImpl?: typeof fetch): LookasideStore {
  if (location.startsWith('file://')) return new DirectoryLookaside(fileURLToPath(location));
  if (/^https?:\/\//i.test(location)) return new HttpLookaside(location, fetchImpl);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location))
    throw new SignetError('UNSUPPORTED', `Lookaside storage at ${location.slice(0, 80)} is not supported (file, http and https are).`);
  return new DirectoryLookaside(path.resolve(location));
}
