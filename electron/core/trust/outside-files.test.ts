import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialsFromFiles } from '../registry/credentials';
import { loadRegistriesDir } from '../signatures/lookaside/registries-d';
import { DirectoryLookaside } from '../signatures/lookaside/store';
import { lookasideDir, readLookaside } from '../signatures/simple';
import { DirectoryStore } from '../storage/directory-store';
import { diskKeyFiles } from './evaluate';
import { loadDirImage } from './images';

/**
 * Files from outside (a removable medium, a lookaside directory, a dir: image) that would hang a
 * plain read (a FIFO) or read without end (a link to /dev/zero) are refused at once with a code.
 * Each test has a short timeout: a hang fails it.
 */
const root = mkdtempSync(path.join(tmpdir(), 'signet-outside-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const DIGEST = `sha256:${'a'.repeat(64)}`;
let count = 0;
const fresh = () => {
  const dir = path.join(root, String((count += 1)));
  mkdirSync(dir, { recursive: true });
  return dir;
};
const fifo = (file: string) => execFileSync('mkfifo', [file]);
const zero = (file: string) => symlinkSync('/dev/zero', file);

describe('lookaside signature-N files', () => {
  it('reads up to the first gap, and refuses a FIFO or /dev/zero as a signature', { timeout: 3000 }, async () => {
    const base = fresh();
    const dir = lookasideDir(base, 'team/app', DIGEST);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'signature-1'), 'one');
    writeFileSync(path.join(dir, 'signature-3'), 'three');
    expect((await readLookaside(base, 'team/app', DIGEST)).map((e) => e.name)).toEqual(['signature-1']);
    fifo(path.join(dir, 'signature-2'));
    await expect(readLookaside(base, 'team/app', DIGEST)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/signature-2.*FIFO/),
    });
    rmSync(path.join(dir, 'signature-2'));
    zero(path.join(dir, 'signature-2'));
    await expect(new DirectoryLookaside(base).read('team/app', DIGEST)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/character device/),
    });
    rmSync(path.join(dir, 'signature-2'));
    writeFileSync(path.join(dir, 'signature-2'), Buffer.alloc(4 * 1024 * 1024 + 1));
    await expect(readLookaside(base, 'team/app', DIGEST)).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });
});

describe('containers dir: images', () => {
  it(
    'refuses a FIFO or /dev/zero as manifest.json or signature-N, and a signature linked out of the image',
    { timeout: 3000 },
    async () => {
      const dir = fresh();
      writeFileSync(path.join(dir, 'manifest.json'), '{}');
      writeFileSync(path.join(dir, 'signature-1'), 'x');
      expect((await loadDirImage(dir)).signatures).toHaveLength(1);
      fifo(path.join(dir, 'signature-2'));
      await expect(loadDirImage(dir)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/FIFO/) });
      rmSync(path.join(dir, 'signature-2'));
      zero(path.join(dir, 'signature-2'));
      await expect(loadDirImage(dir)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/character device/) });
      rmSync(path.join(dir, 'signature-2'));
      const elsewhere = path.join(fresh(), 'sig');
      writeFileSync(elsewhere, 'x');
      symlinkSync(elsewhere, path.join(dir, 'signature-2'));
      await expect(loadDirImage(dir)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/symbolic link leading out/),
      });
      rmSync(path.join(dir, 'manifest.json'));
      fifo(path.join(dir, 'manifest.json'));
      await expect(loadDirImage(dir)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/manifest\.json.*FIFO/),
      });
    },
  );
});

describe('policy keyPath files', () => {
  it('refuses a FIFO or /dev/zero as a key file', { timeout: 3000 }, async () => {
    const dir = fresh();
    fifo(path.join(dir, 'key.gpg'));
    await expect(diskKeyFiles.read(path.join(dir, 'key.gpg'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    zero(path.join(dir, 'key.pub'));
    await expect(diskKeyFiles.read(path.join(dir, 'key.pub'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(diskKeyFiles.read(path.join(dir, 'absent.pub'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('registries.d', () => {
  it('refuses a FIFO or /dev/zero named *.yaml, skips a folder', { timeout: 3000 }, async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'a.yaml'), 'default-docker:\n  lookaside: file:///sigs\n');
    mkdirSync(path.join(dir, 'sub.yaml'));
    expect((await loadRegistriesDir(dir)).defaultDocker?.lookaside).toBe('file:///sigs');
    fifo(path.join(dir, 'b.yaml'));
    await expect(loadRegistriesDir(dir)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/b\.yaml.*FIFO/) });
    rmSync(path.join(dir, 'b.yaml'));
    zero(path.join(dir, 'b.yaml'));
    await expect(loadRegistriesDir(dir)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('directory object store (lookaside publishing from a folder)', () => {
  it('refuses a FIFO or /dev/zero stored under a key', { timeout: 3000 }, async () => {
    const dir = fresh();
    const store = new DirectoryStore(dir);
    await store.put('a/ok', Buffer.from('fine'));
    expect(Buffer.from(await store.get('a/ok')).toString()).toBe('fine');
    fifo(path.join(dir, 'a', 'fifo'));
    await expect(store.get('a/fifo')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // A link out of the folder was refused already (by the store's own confinement).
    zero(path.join(dir, 'a', 'zero'));
    await expect(store.get('a/zero')).rejects.toMatchObject({ name: 'SignetError' });
  });
});

describe('registry auth files', () => {
  it('skips a FIFO as auth.json instead of hanging, and still reads the next file', { timeout: 3000 }, async () => {
    const home = fresh();
    mkdirSync(path.join(home, '.docker'));
    writeFileSync(
      path.join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'reg.example': { auth: Buffer.from('u:p').toString('base64') } } }),
    );
    fifo(path.join(home, 'auth.json'));
    expect(await credentialsFromFiles('reg.example', { HOME: home, REGISTRY_AUTH_FILE: path.join(home, 'auth.json') })).toEqual({
      username: 'u',
      password: 'p',
    });
  });
});
