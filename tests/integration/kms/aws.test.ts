import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignetError } from '../../../shared/errors';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { installNetworkGate } from '../../../electron/core/net/gate';
import { startFakeAwsKms, type FakeAwsKms } from '../../harness/kms/aws';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectVerifies, expectCode } from './support';

describe('AWS KMS: @aws-sdk/client-kms against a SigV4-checking fake with real keys', () => {
  let fake: FakeAwsKms;
  let dir: TempDir;
  let kms: KmsService;
  const secrets = new MemorySecretStore();

  beforeAll(async () => {
    fake = await startFakeAwsKms([
      { type: 'ec-p256', alias: 'release', description: 'release key' },
      { type: 'ec-p384', alias: 'p384' },
      { type: 'ec-p521', alias: 'p521' },
      { type: 'rsa-2048', alias: 'rsa' },
      { type: 'rsa-3072', alias: 'rsa3072' },
      { type: 'sm2', alias: 'sm2' },
      { type: 'rsa-2048', alias: 'bad-pss', misbehave: 'pss-instead-of-pkcs1' },
      { type: 'rsa-2048', alias: 'bad-wrap', misbehave: 'ecdsa-wrapped-rsa' },
      { type: 'rsa-2048', alias: 'bad-salt', misbehave: 'pss-max-salt' },
      { type: 'ec-p256', alias: 'bad-key', misbehave: 'other-key' },
      { type: 'ec-p256', alias: 'disabled', state: 'Disabled' },
      { type: 'ec-p256', alias: 'doomed', state: 'PendingDeletion' },
      { type: 'rsa-2048', alias: 'enc', usage: 'ENCRYPT_DECRYPT' },
    ]);
    dir = tempDir('kms-aws');
    kms = new KmsService({ dataDir: dir.path, secrets, env: {}, home: dir.path });
    await kms.add({
      name: 'aws',
      provider: 'awskms',
      region: fake.region,
      endpoint: fake.url,
      credential: { source: 'keychain', secret: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey } },
    });
  });

  afterAll(async () => {
    await fake?.stop();
    dir?.remove();
  });

  it('keeps the secret in the keychain store, never in kms.json', async () => {
    const file = readFileSync(path.join(dir.path, 'kms.json'), 'utf8');
    expect(file).not.toContain(fake.secretAccessKey);
    expect(file).toContain(fake.accessKeyId); // the non-secret half identifies the credential
    expect([...secrets.entries.values()].join()).toContain(fake.secretAccessKey);
    const [connection] = await kms.list();
    expect(connection?.credential).toEqual({ source: 'keychain', keychainEntry: 'kms:aws', identity: fake.accessKeyId });
  });

  it('lists keys with aliases, usage and the algorithms AWS offers for each', async () => {
    const keys = await kms.keys('aws');
    expect(keys).toHaveLength(13);
    const release = keys.find((k) => k.label === 'alias/release');
    expect(release).toMatchObject({ canSign: true, state: 'enabled', keySpec: 'ECC_NIST_P256', algorithms: ['ecdsa-p256-sha256'] });
    expect(release?.uri).toBe(`awskms:///${fake.arnOf('release')}`);
    expect(keys.find((k) => k.label === 'alias/rsa')?.algorithms).toEqual([
      'rsa-pkcs1v15-sha256',
      'rsa-pkcs1v15-sha384',
      'rsa-pkcs1v15-sha512',
      'rsa-pss-sha256',
      'rsa-pss-sha384',
      'rsa-pss-sha512',
    ]);
    expect(keys.find((k) => k.label === 'alias/enc')).toMatchObject({ canSign: false, usage: 'ENCRYPT_DECRYPT' });
    expect(keys.find((k) => k.label === 'alias/doomed')?.state).toBe('pending-deletion');
    // Every request carried a SigV4 signature the fake recomputed; none carried the secret.
    expect(fake.seen.every((r) => !JSON.stringify(r.headers).includes(fake.secretAccessKey))).toBe(true);
  });

  const cases: Array<[string, KmsAlgorithm]> = [
    ['release', 'ecdsa-p256-sha256'],
    ['p384', 'ecdsa-p384-sha384'],
    ['p521', 'ecdsa-p521-sha512'],
    ['rsa', 'rsa-pkcs1v15-sha256'],
    ['rsa', 'rsa-pkcs1v15-sha384'],
    ['rsa', 'rsa-pkcs1v15-sha512'],
    ['rsa', 'rsa-pss-sha256'],
    ['rsa', 'rsa-pss-sha384'],
    ['rsa3072', 'rsa-pss-sha512'],
    ['sm2', 'sm2-sm3'],
  ];
  it.each(cases)('alias/%s signs with %s; openssl and Signet verify it; the key ARN is recorded', async (alias, algorithm) => {
    const signer = await kms.signer(`awskms:///alias/${alias}`, { algorithm });
    const data = Buffer.from(`payload for ${alias} ${algorithm}`);
    const result = await signer.signDetailed(data);
    expect(result.keyVersion).toBe(fake.arnOf(alias));
    expect(result.algorithm).toBe(algorithm);
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('kms.test reports algorithm, padding, key version and fingerprint', async () => {
    const result = await kms.test(`awskms:///${fake.arnOf('rsa')}`, { algorithm: 'rsa-pss-sha256' });
    expect(result).toMatchObject({
      provider: 'awskms',
      algorithm: 'rsa-pss-sha256',
      padding: 'PSS (MGF1-SHA-256, salt = 32 bytes)',
      keyVersion: fake.arnOf('rsa'),
      verifiedLocally: true,
      signatureBytes: 256,
    });
    expect(result.publicKeyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const defaults = await kms.test('awskms:///alias/rsa');
    expect(defaults.algorithm).toBe('rsa-pkcs1v15-sha256');
    expect(defaults.padding).toBe('PKCS#1 v1.5');
  });

  it('refuses a PSS signature where PKCS#1 v1.5 was asked', async () => {
    await expectCode(
      kms.test('awskms:///alias/bad-pss', { algorithm: 'rsa-pkcs1v15-sha256' }),
      'SIGNING_FAILED',
      /PSS signature where PKCS#1 v1\.5 was asked/,
    );
  });

  it('refuses an RSA signature wrapped as ECDSA (r, s)', async () => {
    await expectCode(
      kms.test('awskms:///alias/bad-wrap', { algorithm: 'rsa-pkcs1v15-sha256' }),
      'SIGNING_FAILED',
      /ECDSA-style ASN\.1 \(r, s\) signature for an RSA-2048 key/,
    );
  });

  it('refuses a PSS signature with a maximal salt, and one from another key', async () => {
    await expectCode(kms.test('awskms:///alias/bad-salt', { algorithm: 'rsa-pss-sha256' }), 'SIGNING_FAILED', /PSS salt of 222 bytes/);
    await expectCode(kms.test('awskms:///alias/bad-key'), 'SIGNING_FAILED', /does not verify with the KMS public key/);
  });

  it('maps AWS errors to sentences a person can act on', async () => {
    await expectCode(kms.test('awskms:///alias/disabled'), 'KMS_ERROR', /is disabled in AWS KMS/);
    await expectCode(kms.test('awskms:///alias/doomed'), 'KMS_ERROR', /scheduled for deletion/);
    await expectCode(kms.test('awskms:///alias/enc'), 'KMS_ERROR', /not a signing key/);
    await expectCode(kms.test('awskms:///alias/release', { algorithm: 'rsa-pss-sha256' }), 'UNSUPPORTED', /allows ecdsa-p256-sha256/);
    await expectCode(kms.test('awskms:///alias/nope'), 'KEY_NOT_FOUND', /has no key awskms:\/\/\/alias\/nope/);
    await expectCode(
      kms.test('awskms:///arn:aws:kms:us-west-2:111122223333:alias/release', { connection: 'aws' }),
      'KMS_ERROR',
      /not in the region the connection uses.*use an endpoint \(or connection\) for that region/,
    );
  });

  it('rejects wrong credentials with the SigV4 check, saying to sign in again', async () => {
    await kms.add({
      name: 'aws-wrong',
      provider: 'awskms',
      region: fake.region,
      endpoint: fake.url,
      credential: { source: 'keychain', secret: { accessKeyId: fake.accessKeyId, secretAccessKey: 'not-the-secret' } },
    });
    await expectCode(kms.test('awskms:///alias/release', { connection: 'aws-wrong' }), 'AUTH_REQUIRED', /rejected the credentials/);
    await kms.remove('aws-wrong');
  });

  it('reads a named profile from ~/.aws/credentials', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(dir.path, '.aws'), { recursive: true });
    writeFileSync(
      path.join(dir.path, '.aws', 'credentials'),
      `[signing]\naws_access_key_id = ${fake.accessKeyId}\naws_secret_access_key = ${fake.secretAccessKey}\n`,
    );
    await kms.add({
      name: 'aws-profile',
      provider: 'awskms',
      region: fake.region,
      endpoint: fake.url,
      credential: { source: 'profile', profile: 'signing' },
    });
    const result = await kms.test('awskms:///alias/release', { connection: 'aws-profile' });
    expect(result.algorithm).toBe('ecdsa-p256-sha256');
    await kms.remove('aws-profile');
  });

  it('retries when throttled, and says so when AWS keeps throttling', async () => {
    fake.throttleNext(2);
    expect((await kms.test('awskms:///alias/release')).verifiedLocally).toBe(true);
    fake.throttleNext(1000);
    await expectCode(kms.test('awskms:///alias/release'), 'RATE_LIMITED', /throttling requests.*retried with backoff/);
    fake.throttleNext(0);
  });

  it('makes no connection in offline mode', async () => {
    const before = fake.seen.length;
    installNetworkGate({ offline: () => true });
    try {
      await expectCode(kms.test('awskms:///alias/release'), 'OFFLINE', /Offline mode is on/);
    } finally {
      installNetworkGate({ offline: () => false });
    }
    expect(fake.seen.length).toBe(before);
  });

  it('refuses malformed key references before any request', async () => {
    const before = fake.seen.length;
    for (const bad of [
      'awskms://alias/release',
      'awskms:///alias/aws/ebs',
      'awskms:///not-a-key',
      'awskms:///arn:aws:kms:eu-central-1:1234:key/x',
      './cosign.key://x',
    ]) {
      await expect(kms.test(bad)).rejects.toSatisfy(
        (e: unknown) => e instanceof SignetError && e.code === 'INVALID_INPUT' && e.message.startsWith('Invalid KMS key reference'),
      );
    }
    expect(fake.seen.length).toBe(before);
  });
});
