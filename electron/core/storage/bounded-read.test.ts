import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError } from '../../../shared/errors';
import { openRegularFile, readRegularFile, readRegularFileIfPresent, readRegularFileSync } from './bounded-read';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'signet-bounded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A FIFO nobody writes to: a plain read of it would block forever. */
function makeFifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignetError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'resolved';
}

function codeOfSync(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SignetError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'resolved';
}

const opts = { maxBytes: 1024, what: 'The test file' };

describe('readRegularFile', () => {
  it('reads a regular file within the cap', async () => {
    const file = path.join(dir, 'ok');
    await writeFile(file, 'hello');
    expect((await readRegularFile(file, opts)).toString()).toBe('hello');
    expect((await readRegularFileIfPresent(file, opts))?.toString()).toBe('hello');
    expect(readRegularFileSync(file, opts).toString()).toBe('hello');
  });

  it('reads a file of several MiB back exactly', async () => {
    const file = path.join(dir, 'large');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    await writeFile(file, bytes);
    expect((await readRegularFile(file, { maxBytes: 8 * 1024 * 1024 })).equals(bytes)).toBe(true);
    expect(readRegularFileSync(file, { maxBytes: 8 * 1024 * 1024 }).equals(bytes)).toBe(true);
  });

  it('reads a file of exactly the cap, and an empty one', async () => {
    const file = path.join(dir, 'exact');
    await writeFile(file, Buffer.alloc(1024, 7));
    expect((await readRegularFile(file, opts)).length).toBe(1024);
    expect(readRegularFileSync(file, opts).length).toBe(1024);
    await writeFile(file, '');
    expect((await readRegularFile(file, opts)).length).toBe(0);
  });

  it('refuses a FIFO without blocking', { timeout: 2000 }, async () => {
    const file = path.join(dir, 'fifo');
    makeFifo(file);
    expect(await codeOf(readRegularFile(file, opts))).toMatch(
      /^INVALID_INPUT: The test file .* is a FIFO \(named pipe\), not a regular file/,
    );
    expect(await codeOf(readRegularFileIfPresent(file, opts))).toMatch(/^INVALID_INPUT/);
    expect(codeOfSync(() => readRegularFileSync(file, opts))).toMatch(/^INVALID_INPUT: .*FIFO/);
  });

  it('refuses a symlink to /dev/zero (a device) without reading it', { timeout: 2000 }, async () => {
    const file = path.join(dir, 'zero');
    await symlink('/dev/zero', file);
    expect(await codeOf(readRegularFile(file, opts))).toMatch(/^INVALID_INPUT: .* is a character device/);
    expect(codeOfSync(() => readRegularFileSync(file, opts))).toMatch(/^INVALID_INPUT: .* is a character device/);
  });

  it('refuses a directory and a socket', { timeout: 2000 }, async () => {
    const sub = path.join(dir, 'sub');
    await mkdir(sub);
    expect(await codeOf(readRegularFile(sub, opts))).toMatch(
      /^INVALID_INPUT: .* is a directory, not a regular file; .*name the file inside it/,
    );
    expect(codeOfSync(() => readRegularFileSync(sub, opts))).toMatch(/^INVALID_INPUT: .* is a directory/);
    const sock = path.join(dir, 's.sock');
    const server = net.createServer().listen(sock);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      expect(await codeOf(readRegularFile(sock, opts))).toMatch(/^INVALID_INPUT: .* is a socket/);
    } finally {
      server.close();
    }
  });

  it('refuses a file over the cap with TOO_LARGE', async () => {
    const file = path.join(dir, 'big');
    await writeFile(file, Buffer.alloc(1025));
    expect(await codeOf(readRegularFile(file, opts))).toMatch(/^TOO_LARGE: The test file .* is larger than 1 KiB/);
    expect(codeOfSync(() => readRegularFileSync(file, opts))).toMatch(/^TOO_LARGE/);
  });

  it.skipIf(!existsSync('/proc/self/status'))('refuses when more bytes arrive than the cap, whatever fstat said', async () => {
    // /proc files are regular files whose fstat size is 0 but which yield bytes when read, as a
    // file growing between the size check and the read would.
    const opened = await openRegularFile('/proc/self/status', opts);
    expect(opened?.stat.size).toBe(0);
    await opened?.handle.close();
    expect(await codeOf(readRegularFile('/proc/self/status', { maxBytes: 16 }))).toMatch(/^TOO_LARGE/);
    expect(codeOfSync(() => readRegularFileSync('/proc/self/status', { maxBytes: 16 }))).toMatch(/^TOO_LARGE/);
    expect((await readRegularFile('/proc/self/status', { maxBytes: 1024 * 1024 })).toString()).toContain('Pid:');
  });

  it('tells a missing file apart: NOT_FOUND, or undefined from the IfPresent form', async () => {
    const file = path.join(dir, 'absent');
    expect(await readRegularFileIfPresent(file, opts)).toBeUndefined();
    expect(await readRegularFileIfPresent(path.join(dir, 'no-dir', 'signature-1'), opts)).toBeUndefined();
    expect(await codeOf(readRegularFile(file, opts))).toMatch(/^NOT_FOUND: The test file .* does not exist/);
    expect(codeOfSync(() => readRegularFileSync(file, opts))).toMatch(/^NOT_FOUND/);
  });

  it('refuses a symlink that leads out of `within`, and follows one that stays inside', async () => {
    const root = path.join(dir, 'root');
    await mkdir(root);
    const outside = path.join(dir, 'secret');
    await writeFile(outside, 'secret');
    await symlink(outside, path.join(root, 'out'));
    await writeFile(path.join(root, 'real'), 'inside');
    await symlink('real', path.join(root, 'in'));
    expect(await codeOf(readRegularFile(path.join(root, 'out'), { ...opts, within: root }))).toMatch(
      /^INVALID_INPUT: .* symbolic link leading out of/,
    );
    expect(codeOfSync(() => readRegularFileSync(path.join(root, 'out'), { ...opts, within: root }))).toMatch(/^INVALID_INPUT/);
    expect((await readRegularFile(path.join(root, 'in'), { ...opts, within: root })).toString()).toBe('inside');
  });

  it('refuses a symlink loop', async () => {
    await symlink('b', path.join(dir, 'a'));
    await symlink('a', path.join(dir, 'b'));
    expect(await codeOf(readRegularFile(path.join(dir, 'a'), opts))).toMatch(/^INVALID_INPUT: .* loop/);
  });
});
