import { lookup } from 'node:dns/promises';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRegistryErrorCode, describeSystemError, systemErrorCode } from './system-errors';

const SYSTEM_CODE = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+|ERR_[A-Z_]+)\b/;

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('describeSystemError', () => {
  it('puts real file-system errors into words without their codes or syscalls', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'signet-words-'));
    try {
      const missing = await caught(() => fs.readFile(path.join(dir, 'nothing-here')));
      expect(systemErrorCode(missing)).toBe('ENOENT');
      expect(describeSystemError(missing)).toBe('there is no such file or folder');
      const folder = await caught(() => fs.readFile(dir));
      expect(describeSystemError(folder)).toBe('it is a folder, not a file');
      const exists = await caught(() => fs.mkdir(dir));
      expect(describeSystemError(exists)).not.toMatch(SYSTEM_CODE);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the code a fetch failure nests in its cause (refused connection)', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await caught(() => fetch(`http://127.0.0.1:${port}/v2/`));
    expect(systemErrorCode(refused)).toBe('ECONNREFUSED');
    expect(describeSystemError(refused)).toMatch(/nothing is listening/);
    expect(describeSystemError(refused)).not.toMatch(SYSTEM_CODE);
  });

  it('turns an unresolvable name into words', async () => {
    const failed = await caught(() => lookup('no-such-host.invalid'));
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(systemErrorCode(failed));
    expect(describeSystemError(failed)).toMatch(/host name/);
  });

  it('keeps the words of an unknown code and drops the code itself', () => {
    const odd = Object.assign(new Error("EWEIRD: the frobnicator jammed, open '/x'"), { code: 'EWEIRD' });
    expect(describeSystemError(odd)).toBe('the frobnicator jammed');
    expect(describeSystemError(new Error('ESOMETHING'))).toBe('an unexpected system error');
    expect(describeSystemError('plain words')).toBe('plain words');
  });
});

describe('describeRegistryErrorCode', () => {
  it('knows the distribution spec codes and strips unknown ones', () => {
    expect(describeRegistryErrorCode('MANIFEST_UNKNOWN', 'manifest unknown')).toBe('the image is not there');
    expect(describeRegistryErrorCode('NAME_UNKNOWN', 'repository name not known to registry')).toBe('the repository does not exist');
    expect(describeRegistryErrorCode('VENDOR_SPECIFIC', 'quota QUOTA_EXCEEDED reached')).toBe('quota reached');
    expect(describeRegistryErrorCode(undefined, undefined)).toBe('');
  });
});
