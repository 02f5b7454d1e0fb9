import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { SignetError } from '../../../shared/errors';

const STALE_MS = 30_000;
const WAIT_MS = 15_000;

export interface FileLockTimes {
  /** A lock older than this is stale and may be broken (default 30 s); every user of one lock file must pass the same. */
  staleMs?: number;
  /** How long a waiter waits before UNAVAILABLE (default 15 s). */
  waitMs?: number;
}

/** Locks held by this process, so its own callers queue instead of polling the file. */
const held = new Map<string, Promise<unknown>>();

interface Owner {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

async function readOwner(lock: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(lock, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.at === 'number' && typeof o.nonce === 'string'
      ? (o as Owner)
      : undefined;
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
 * `<file>.lock`, created exclusively, holding the owner's pid, host, time and a random nonce. A
 * lock whose owner is gone (same host, no such process) or that is older than 30 s is stale and
 * broken — under a second exclusive `<file>.lock.break`, after checking it is still the same stale
 * lock, so two waiters never both take over. A holder removes the lock only while it still holds
 * its own nonce. Otherwise the caller waits, up to 15 s, then gets UNAVAILABLE. Hold it only for a
 * read-modify-write, never across network calls — unless `times` allows for them and the work asks
 * `stillHeld()` before relying on having been alone (a lock held past `staleMs` may have been broken).
 */
export async function withFileLock<T>(
  file: string,
  work: (stillHeld: () => Promise<boolean>) => Promise<T>,
  times: FileLockTimes = {},
): Promise<T> {
  const lock = `${file}.lock`;
  const previous = held.get(lock) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const nonce = await acquire(lock, times);
      try {
        return await work(async () => (await readOwner(lock))?.nonce === nonce);
      } finally {
        if ((await readOwner(lock))?.nonce === nonce) await fs.rm(lock, { force: true });
      }
    });
  const tail = run.catch(() => undefined);
  held.set(lock, tail);
  void tail.then(() => {
    if (held.get(lock) === tail) held.delete(lock);
  });
  return run;
}

const isStale = (owner: Owner | undefined, mtimeMs: number, staleMs: number): boolean => {
  if (!owner) return Date.now() - mtimeMs > 2_000; // created but never completed
  const gone = owner.host === os.hostname() && owner.pid !== process.pid && !alive(owner.pid);
  return gone || Date.now() - owner.at > staleMs;
};

/** Breaks a stale lock only if it is still the very lock judged stale, one breaker at a time. */
async function breakStale(lock: string, judged: Owner | undefined, staleMs: number): Promise<void> {
  const breaker = `${lock}.break`;
  try {
    const handle = await fs.open(breaker, 'wx', 0o600);
    await handle.close();
  } catch {
    const stat = await fs.stat(breaker).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > 5_000) await fs.rm(breaker, { force: true });
    return;
  }
  try {
    const now = await readOwner(lock);
    const stat = await fs.stat(lock).catch(() => undefined);
    if (stat && now?.nonce === judged?.nonce && isStale(now, stat.mtimeMs, staleMs)) await fs.rm(lock, { force: true });
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

async function acquire(lock: string, times: FileLockTimes): Promise<string> {
  const staleMs = times.staleMs ?? STALE_MS;
  const deadline = Date.now() + (times.waitMs ?? WAIT_MS);
  const nonce = randomBytes(12).toString('hex');
  let delay = 5;
  for (;;) {
    try {
      const handle = await fs.open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now(), nonce }));
      } finally {
        await handle.close();
      }
      return nonce;
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
    if (isStale(owner, stat.mtimeMs, staleMs)) {
      await breakStale(lock, owner, staleMs);
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 5));
      continue;
    }
    if (Date.now() > deadline)
      throw new SignetError(
        'UNAVAILABLE',
        `Another Signet process holds ${lock} (pid ${owner?.pid ?? 'unknown'}); try again, or remove the file if no Signet process is running.`,
      );
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}
