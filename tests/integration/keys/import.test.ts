import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { vector } from '../../vectors';

function fresh() {
  const secrets = new MemorySecretStore();
  return { secrets, core: createCore({ dataDir: mkdtempSync(path.join(tmpdir(), 'signet-import-')), host: 'cli', keySecrets: secrets }) };
}
const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex');

describe('importing keys made by other tools', () => {
  it('imports policy-controller’s cosign.key (empty password) to the key in cosign.pub', async () => {
    const { core } = fresh();
    const result = await core.dispatch('keys.import', {
      name: 'pc',
      text: readFileSync(vector('sigstore-policy-controller', 'cosign.key'), 'utf8'),
      password: '',
    });
    expect(result).toMatchObject({ ok: true, value: { found: 'cosign private key (ENCRYPTED COSIGN PRIVATE KEY)' } });
    const got = (await core.dispatch('keys.get', { key: 'pc' })) as { value: { exports: { pem: string } } };
    expect(spki(got.value.exports.pem)).toBe(spki(readFileSync(vector('sigstore-policy-controller', 'cosign.pub'), 'utf8')));
  });

  it.each([
    [
      'the SEC1-inner cosign key',
      () => readFileSync(vector('sigstore-cosign', 'extracted-from-keys_test.go', 'pemcosigneckey.pem'), 'utf8'),
      'hello',
      /not PKCS#8/,
    ],
    [
      'a wrong password',
      () => readFileSync(vector('sigstore-cosign', 'extracted-from-keys_test.go', 'pemsigstorekey.pem'), 'utf8'),
      'wrong',
      /password does not open/,
    ],
    [
      'a truncated PEM',
      () => readFileSync(vector('sigstore-cosign', 'extracted-from-keys_test.go', 'pemsigstorekey.pem'), 'utf8').slice(0, 200),
      'hello',
      /cut short/,
    ],
    ['a public key', () => readFileSync(vector('sigstore-policy-controller', 'cosign.pub'), 'utf8'), '', /can verify .* but not sign/],
  ])('refuses %s, saying why, and stores nothing', async (_label, text, password, reason) => {
    const { core, secrets } = fresh();
    const result = await core.dispatch('keys.import', { name: 'x', text: text(), password });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(reason) });
    expect(secrets.entries.size).toBe(0);
    expect(await core.dispatch('keys.list', {})).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['PKCS#1 RSA', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-outform', 'PEM'], true],
    ['SEC1 EC P-384', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout'], false],
  ])('imports an openssl-made %s key to the same public key', async (_label, args, toPkcs1) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-openssl-key-'));
    let pem = execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (toPkcs1)
      pem = execFileSync('openssl', ['rsa', '-traditional'], { input: pem, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const pub = execFileSync('openssl', ['pkey', '-pubout'], { input: pem, encoding: 'utf8', cwd: dir });
    const { core } = fresh();
    const result = (await core.dispatch('keys.import', { name: 'ossl', text: pem, password: '' })) as {
      ok: boolean;
      value: { found: string };
    };
    expect(result.value.found).toBe(toPkcs1 ? 'PKCS#1 RSA private key' : 'SEC1 EC private key');
    const got = (await core.dispatch('keys.get', { key: 'ossl' })) as { value: { exports: { pem: string } } };
    expect(spki(got.value.exports.pem)).toBe(spki(pub));
  });

  it('imports a gpg-made secret key with the fingerprint gpg shows', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-gpg-'));
    execFileSync(
      'gpg',
      [
        '--batch',
        '--homedir',
        home,
        '--passphrase',
        'gpg pw',
        '--pinentry-mode',
        'loopback',
        '--quick-gen-key',
        'GPG Made <gpg@example.com>',
        'ed25519',
        'sign',
        'never',
      ],
      { stdio: 'ignore' },
    );
    const fpr = /fpr:::::::::([0-9A-F]{40}):/.exec(
      execFileSync('gpg', ['--batch', '--homedir', home, '--with-colons', '--list-secret-keys'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    )?.[1];
    const secret = execFileSync(
      'gpg',
      [
        '--batch',
        '--homedir',
        home,
        '--passphrase',
        'gpg pw',
        '--pinentry-mode',
        'loopback',
        '--armor',
        '--export-secret-keys',
        fpr as string,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const { core } = fresh();
    expect(await core.dispatch('keys.import', { name: 'g', text: secret, password: 'nope' })).toMatchObject({
      ok: false,
      code: 'BAD_PASSPHRASE',
    });
    const result = (await core.dispatch('keys.import', { name: 'g', text: secret, password: 'gpg pw' })) as {
      ok: boolean;
      value: { info: { pgpFingerprint: string } };
    };
    expect(result.value.info.pgpFingerprint).toBe(fpr);
  });
});
