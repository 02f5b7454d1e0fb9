import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { startFakeVault, type FakeVault } from '../../harness/kms/vault';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectCode, expectVerifies } from './support';

describe('HashiCorp Vault transit: REST with X-Vault-Token against a fake with real keys', () => {
  let vault: FakeVault;
  let dir: TempDir;
  let kms: KmsService;

  beforeAll(async () => {
    vault = await startFakeVault(
      [
        { name: 'release', type: 'ecdsa-p256', versions: 3 },
        { name: 'p384', type: 'ecdsa-p384' },
        { name: 'p521', type: 'ecdsa-p521' },
        { name: 'rsa', type: 'rsa-2048', versions: 2, minEncryptionVersion: 2 },
        { name: 'rsa4096', type: 'rsa-4096' },
        { name: 'secrets', type: 'aes256-gcm96' },
        { name: 'bad-pss', type: 'rsa-2048', misbehave: 'pss-instead-of-pkcs1' },
      ],
      { mount: 'signing-transit', namespace: 'release-team' },
    );
    dir = tempDir('kms-vault');
    // The "default" source: VAULT_ADDR, ~/.vault-token, VAULT_NAMESPACE and TRANSIT_SECRET_ENGINE_PATH, as cosign reads them.
    writeFileSync(path.join(dir.path, '.vault-token'), `${vault.token}\n`);
    kms = new KmsService({
      dataDir: dir.path,
      secrets: new MemorySecretStore(),
      env: { VAULT_ADDR: vault.url, VAULT_NAMESPACE: 'release-team', TRANSIT_SECRET_ENGINE_PATH: 'signing-transit' },
      home: dir.path,
    });
  });

  afterAll(async () => {
    await vault?.stop();
    dir?.remove();
  });

  it('reads the key, its versions and their states through the default credentials', async () => {
    const key = await kms.key('hashivault://rsa');
    expect(key).toMatchObject({ provider: 'hashivault', keySpec: 'rsa-2048', canSign: true });
    expect(key.versions.map((v) => [v.version, v.state, v.current])).toEqual([
      ['1', 'disabled', false],
      ['2', 'enabled', true],
    ]);
    expect(vault.seen.every((r) => r.headers['x-vault-token'] === vault.token && r.headers['x-vault-namespace'] === 'release-team')).toBe(
      true,
    );
  });

  const cases: Array<[string, KmsAlgorithm]> = [
    ['release', 'ecdsa-p256-sha256'],
    ['p384', 'ecdsa-p384-sha384'],
    ['p521', 'ecdsa-p521-sha512'],
    ['rsa', 'rsa-pkcs1v15-sha256'],
    ['rsa', 'rsa-pkcs1v15-sha512'],
    ['rsa', 'rsa-pss-sha256'],
    ['rsa', 'rsa-pss-sha384'],
    ['rsa4096', 'rsa-pss-sha512'],
  ];
  it.each(cases)('hashivault://%s signs with %s; openssl and Signet verify it', async (name, algorithm) => {
    const signer = await kms.signer(`hashivault://${name}`, { algorithm });
    const data = Buffer.from(`vault ${name} ${algorithm}`);
    const result = await signer.signDetailed(data);
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('signs with the latest version by default and with an older one when asked, recording which', async () => {
    const latest = await kms.test('hashivault://release');
    expect(latest.keyVersion).toBe('3');
    const older = await kms.test('hashivault://release', { version: '1' });
    expect(older.keyVersion).toBe('1');
    expect(older.publicKeyFingerprint).not.toBe(latest.publicKeyFingerprint);
    const body = JSON.parse(vault.seen.at(-1)!.body.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({ prehashed: true, key_version: 1, marshaling_algorithm: 'asn1' });
  });

  it('asks for salt length = hash length for PSS (Vault’s default maximal salt would not verify elsewhere)', async () => {
    await kms.test('hashivault://rsa', { algorithm: 'rsa-pss-sha256' });
    const body = JSON.parse(vault.seen.at(-1)!.body.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({ signature_algorithm: 'pss', salt_length: 'hash' });
  });

  it('refuses what cannot or should not sign', async () => {
    await expectCode(
      kms.test('hashivault://bad-pss', { algorithm: 'rsa-pkcs1v15-sha256' }),
      'SIGNING_FAILED',
      /PSS signature where PKCS#1 v1\.5 was asked/,
    );
    await expectCode(kms.test('hashivault://rsa', { version: '1' }), 'KMS_ERROR', /version 1\) is disabled/);
    await expectCode(kms.test('hashivault://secrets'), 'KMS_ERROR', /not a signing key/);
    await expectCode(
      kms.test('hashivault://missing'),
      'KEY_NOT_FOUND',
      /has no key hashivault:\/\/missing.*transit mount "signing-transit" of namespace release-team/,
    );
    await expectCode(kms.test('hashivault://release', { algorithm: 'rsa-pss-sha256' }), 'UNSUPPORTED', /allows ecdsa-p256-sha256/);
  });

  it('tells an expired token from a missing policy', async () => {
    const store = new MemorySecretStore();
    const other = new KmsService({ dataDir: path.join(dir.path, 'other'), secrets: store, env: {}, home: path.join(dir.path, 'nohome') });
    await other.add({
      name: 'vault-expired',
      provider: 'hashivault',
      endpoint: vault.url,
      scope: 'signing-transit|release-team',
      credential: { source: 'keychain', secret: { token: 'hvs.revoked' } },
    });
    await expectCode(
      other.test('hashivault://release', { connection: 'vault-expired' }),
      'AUTH_REQUIRED',
      /token is expired, revoked or wrong/,
    );
    await other.add({
      name: 'vault-limited',
      provider: 'hashivault',
      endpoint: vault.url,
      scope: 'signing-transit|release-team',
      credential: { source: 'keychain', secret: { token: vault.limitedToken } },
    });
    await expectCode(
      other.test('hashivault://release', { connection: 'vault-limited' }),
      'FORBIDDEN',
      /policy needs "update" on signing-transit\/sign\/KEY/,
    );
    mkdirSync(path.join(dir.path, 'nohome'), { recursive: true });
    await other.add({ name: 'vault-none', provider: 'hashivault', endpoint: vault.url, credential: { source: 'default' } });
    await expectCode(
      other.test('hashivault://release', { connection: 'vault-none' }),
      'AUTH_REQUIRED',
      /No HashiCorp Vault credentials were found.*VAULT_TOKEN/,
    );
  });

  it('backs off when Vault rate-limits, then signs', async () => {
    vault.throttleNext(2);
    expect((await kms.test('hashivault://release')).verifiedLocally).toBe(true);
    vault.throttleNext(100);
    await expectCode(kms.test('hashivault://release'), 'RATE_LIMITED', /throttling/);
    vault.throttleNext(0);
  });

  it('lists the keys of the mount', async () => {
    const keys = await (async () => {
      await kms.add({ name: 'vault', provider: 'hashivault', credential: { source: 'default' } });
      return kms.keys('vault');
    })();
    expect(keys.map((k) => [k.name, k.canSign, k.algorithms.length])).toEqual([
      ['release', true, 1],
      ['p384', true, 1],
      ['p521', true, 1],
      ['rsa', true, 6],
      ['rsa4096', true, 6],
      ['secrets', false, 0],
      ['bad-pss', true, 6],
    ]);
  });
});
