import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { decryptCosignKey } from '../../../electron/core/keys/cosign-key';
import { KeyRing } from '../../../electron/core/keys/key-ring';
import { unprotectedKeychainReason } from '../../../electron/core/keys/keychain';
import { KeychainSecretStore } from '../../../electron/core/keys/secrets';
import { startKeyring, useKeyringInProcess, type KeyringHandle } from '../../harness';

async function ok<T>(result: Promise<unknown>): Promise<T> {
  const r = (await result) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value as T;
}
const temp = () => mkdtempSync(path.join(tmpdir(), 'signet-keys-'));

describe('keys in the real OS keychain (gnome-keyring), checked by openssl and gpg', () => {
  let keyring: KeyringHandle;
  let restoreEnv: () => void = () => undefined;
  let core: Core;
  beforeAll(async () => {
    keyring = await startKeyring();
    restoreEnv = useKeyringInProcess(keyring);
    core = createCore({ dataDir: temp(), host: 'cli' });
  });
  afterAll(async () => {
    restoreEnv();
    await keyring?.stop();
  });

  it.each([
    ['ecdsa-p256', 'ecdsa-p256-sha256', ['dgst', '-sha256']],
    ['ecdsa-p384', 'ecdsa-p384-sha384', ['dgst', '-sha384']],
    ['rsa-2048', 'rsa-pkcs1v15-sha256', ['dgst', '-sha256']],
    ['ed25519', 'ed25519', null],
  ] as const)('%s: the private part is in the keychain and its signatures verify with openssl', async (type, algorithm, dgst) => {
    const info = await ok<{ id: string; algorithm: string; spkiSha256: string }>(
      core.dispatch('keys.generate', { name: `key-${type}`, type }),
    );
    expect(info.algorithm).toBe(algorithm);
    const stored = execFileSync('secret-tool', ['lookup', 'service', 'Signet keys', 'account', info.id], {
      env: { ...process.env, ...keyring.env },
      encoding: 'utf8',
    });
    expect(stored.length).toBeGreaterThan(40);
    const { exports } = await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: `key-${type}` }));
    const dir = temp();
    writeFileSync(path.join(dir, 'pub.pem'), exports.pem);
    const data = Buffer.from('{"critical":{"type":"cosign container image signature"}}');
    writeFileSync(path.join(dir, 'data'), data);
    const sig = await new KeyRing(core.dataDir, new KeychainSecretStore()).signer(info.id).then((signer) => signer.sign(data));
    writeFileSync(path.join(dir, 'sig'), sig);
    const args = dgst
      ? [...dgst, '-verify', 'pub.pem', '-signature', 'sig', 'data']
      : ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'data', '-sigfile', 'sig'];
    expect(execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' })).toMatch(/Verified OK|Signature Verified Successfully/);
  });

  it('exports cosign.key that opens with the password, and refuses export in read-only mode', async () => {
    const out = await ok<{ key: string; pub: string }>(
      core.dispatch('keys.exportCosign', { key: 'key-ecdsa-p256', password: 'export pw' }),
    );
    const { privateKey } = await decryptCosignKey(out.key, Buffer.from('export pw'));
    expect(privateKey.asymmetricKeyType).toBe('ec');
    const reviewer = createCore({ dataDir: core.dataDir, host: 'web', readOnly: true });
    expect(await reviewer.dispatch('keys.exportCosign', { key: 'key-ecdsa-p256', password: 'x' })).toMatchObject({
      ok: false,
      code: 'READ_ONLY',
    });
    expect(await reviewer.dispatch('keys.delete', { key: 'key-ecdsa-p256', confirmName: 'key-ecdsa-p256' })).toMatchObject({
      ok: false,
      code: 'READ_ONLY',
    });
  });

  it('makes OpenPGP v4 keys that gpg imports with the same fingerprint', async () => {
    const info = await ok<{ pgpFingerprint: string }>(
      core.dispatch('keys.generate', { name: 'release-pgp', type: 'pgp-ed25519', userId: 'Release Team <release@example.com>' }),
    );
    const { exports } = await ok<{ exports: { pgp: string } }>(core.dispatch('keys.get', { key: 'release-pgp' }));
    const home = temp();
    execFileSync('gpg', ['--batch', '--homedir', home, '--import'], { input: exports.pgp, stdio: ['pipe', 'ignore', 'ignore'] });
    const listed = execFileSync('gpg', ['--batch', '--homedir', home, '--with-colons', '--list-keys'], { encoding: 'utf8' });
    expect(listed).toContain(`fpr:::::::::${info.pgpFingerprint}:`);
    expect(listed).toContain('Release Team <release@example.com>');
  });

  it('retires and deletes only with the name typed, removing the keychain entry', async () => {
    const info = await ok<{ id: string }>(core.dispatch('keys.generate', { name: 'temporary', type: 'ecdsa-p256' }));
    expect(await ok<{ retired: boolean }>(core.dispatch('keys.retire', { key: 'temporary' }))).toMatchObject({ retired: true });
    expect(await core.dispatch('keys.delete', { key: 'temporary', confirmName: 'temporar' })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    await ok(core.dispatch('keys.delete', { key: 'temporary', confirmName: 'temporary' }));
    expect(() =>
      execFileSync('secret-tool', ['lookup', 'service', 'Signet keys', 'account', info.id], { env: { ...process.env, ...keyring.env } }),
    ).toThrow();
    const audit = await ok<{ entries: Array<{ type: string }> }>(core.dispatch('audit.list', {}));
    expect(audit.entries.map((e) => e.type)).toEqual(
      expect.arrayContaining(['key.generated', 'key.retired', 'key.deleted', 'key.exported']),
    );
  });

  it('recognises gnome-keyring’s password-protected login keyring as encrypted (the unprotected-keychain check lets it through)', () => {
    const file = path.join(keyring.env.XDG_DATA_HOME as string, 'keyrings', 'login.keyring');
    expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('GnomeKeyring\n\r\0\n');
    expect(unprotectedKeychainReason(keyring.env, 'linux')).toBeUndefined();
  });

  it('refuses to generate a second key with the same name', async () => {
    expect(await core.dispatch('keys.generate', { name: 'key-ed25519', type: 'ed25519' })).toMatchObject({ ok: false, code: 'CONFLICT' });
  });
});
