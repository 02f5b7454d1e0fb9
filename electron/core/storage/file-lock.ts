import { promises as fs } from 'node:fs';
import os from 'node:os';
import { SignetError } from '../../../shared/errors';

const STALE_MS = 30_000;
const WAIT_MS = 15_000;

/** Locks held by this process, so its own callers queue instead of polling the file. */
const held = new Map<string, Promise<unknown>>();

interface Owner {
  pid: number;
  host: string;
  at: number;
}

async function readOwner(lock: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(lock, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.at === 'number' ? (o as Owner) : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock that the desktop app, `signet serve` and CLI processes on one data directory respect:
 * `<file>.lock`, created exclusively, holding the owner's pid, host and time. A lock whose owner
 * is gone (same host, no such process) or that is older than 30 s is stale and taken over;
 * otherwise the caller waits, up to 15 s, then gets UNAVAILABLE. Hold it only for a
 * read-modify-write, never across network calls.
 */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const previous = held.get(lock) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    await acquire(lock);
    try {
      return await work();
    } finally {
      await fs.rm(lock, { force: true });
    }
  });
  const tail = run.catch(() => undefined);
  held.set(lock, tail);
  void tail.then(() => {
    if (held.get(lock) === tail) held.delete(lock);
  });
  return run;
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      const handle = await fs.open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }));
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await fs.mkdir(lock.slice(0, lock.lastIndexOf('/')) || '/', { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(lock);
    const stat = await fs.stat(lock).catch(() => undefined);
    if (!stat) continue;
    const age = Date.now() - (owner?.at ?? stat.mtimeMs);
    const gone = owner !== undefined && owner.host === os.hostname() && owner.pid !== process.pid && !alive(owner.pid);
    // A lock file never completed (no owner yet) is given a moment before it counts as stale.
    if (gone || age > STALE_MS || (!owner && Date.now() - stat.mtimeMs > 2_000)) {
      await fs.rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new SignetError('UNAVAILABLE', `Another Signet process holds ${lock} (pid ${owner?.pid ?? 'unknown'}); try again, or remove the file if no Signet process is running.`);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}
