import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { startFakeGcpKms, type FakeGcpKms } from '../../harness/kms/gcp';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectCode, expectVerifies } from './support';

describe('Google Cloud KMS: @google-cloud/kms (REST fallback) against a fake checking service-account JWTs', () => {
  let fake: FakeGcpKms;
  let dir: TempDir;
  let kms: KmsService;
  let base: string;

  beforeAll(async () => {
    dir = tempDir('kms-gcp');
    fake = await startFakeGcpKms(
      [
        {
          ring: 'release',
          name: 'ec',
          versions: [
            { algorithm: 'EC_SIGN_P256_SHA256', state: 'DISABLED' },
            { algorithm: 'EC_SIGN_P256_SHA256' },
            { algorithm: 'EC_SIGN_P256_SHA256', state: 'DESTROY_SCHEDULED' },
          ],
        },
        { ring: 'release', name: 'p384', versions: [{ algorithm: 'EC_SIGN_P384_SHA384' }] },
        { ring: 'release', name: 'pss', versions: [{ algorithm: 'RSA_SIGN_PSS_2048_SHA256' }, { algorithm: 'RSA_SIGN_PSS_4096_SHA512' }] },
        {
          ring: 'release',
          name: 'pkcs1',
          versions: [{ algorithm: 'RSA_SIGN_PKCS1_2048_SHA256' }, { algorithm: 'RSA_SIGN_PKCS1_4096_SHA512' }],
        },
        { ring: 'other', name: 'data', versions: [{ algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] },
        { ring: 'other', name: 'bad', versions: [{ algorithm: 'RSA_SIGN_PKCS1_2048_SHA256', misbehave: 'pss-instead-of-pkcs1' }] },
        { ring: 'other', name: 'wrapped', versions: [{ algorithm: 'RSA_SIGN_PKCS1_2048_SHA256', misbehave: 'ecdsa-wrapped-rsa' }] },
      ],
      { dir: dir.path },
    );
    base = `gcpkms://projects/${fake.project}/locations/${fake.location}/keyRings`;
    kms = new KmsService({ dataDir: dir.path, secrets: new MemorySecretStore(), env: {}, home: dir.path });
    await kms.add({
      name: 'gcp',
      provider: 'gcpkms',
      endpoint: fake.url,
      scope: `projects/${fake.project}/locations/${fake.location}`,
      credential: { source: 'file', path: fake.credentialsFile },
    });
  });

  afterAll(async () => {
    await fake?.stop();
    dir?.remove();
  });

  it('lists rings, keys and versions with their states and algorithms', async () => {
    const keys = await kms.keys('gcp');
    expect(keys.map((k) => k.name.split('/').slice(-3).join('/'))).toEqual([
      'release/cryptoKeys/ec',
      'release/cryptoKeys/p384',
      'release/cryptoKeys/pss',
      'release/cryptoKeys/pkcs1',
      'other/cryptoKeys/data',
      'other/cryptoKeys/bad',
      'other/cryptoKeys/wrapped',
    ]);
    const ec = keys[0]!;
    expect(ec.versions.map((v) => [v.version, v.state, v.current])).toEqual([
      ['1', 'disabled', false],
      ['2', 'enabled', true],
      ['3', 'pending-deletion', false],
    ]);
    expect(keys[2]!.algorithms).toEqual(['rsa-pss-sha256', 'rsa-pss-sha512']);
    expect(keys[4]).toMatchObject({ canSign: false, usage: 'ENCRYPT_DECRYPT' });
    expect(fake.seen.every((r) => /^Bearer ey/.test(String(r.headers.authorization)))).toBe(true);
  });

  const cases: Array<[string, string | undefined, KmsAlgorithm]> = [
    ['release/cryptoKeys/ec', undefined, 'ecdsa-p256-sha256'],
    ['release/cryptoKeys/p384', '1', 'ecdsa-p384-sha384'],
    ['release/cryptoKeys/pss', '1', 'rsa-pss-sha256'],
    ['release/cryptoKeys/pss', '2', 'rsa-pss-sha512'],
    ['release/cryptoKeys/pkcs1', '1', 'rsa-pkcs1v15-sha256'],
    ['release/cryptoKeys/pkcs1', '2', 'rsa-pkcs1v15-sha512'],
  ];
  it.each(cases)('%s version %s signs with %s; openssl and Signet verify it', async (key, version, algorithm) => {
    const uri = `${base}/${key}${version ? `/cryptoKeyVersions/${version}` : ''}`;
    const signer = await kms.signer(uri);
    expect(signer.algorithm).toBe(algorithm);
    const data = Buffer.from(`gcp ${key} ${algorithm}`);
    const result = await signer.signDetailed(data);
    expect(result.keyVersion).toBe(version ?? '2');
    expect(result.versionUri).toBe(`${base}/${key}/cryptoKeyVersions/${version ?? '2'}`);
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('credentials from the keychain work the same as the key file', async () => {
    await kms.add({
      name: 'gcp-keychain',
      provider: 'gcpkms',
      endpoint: fake.url,
      credential: { source: 'keychain', secret: { credentialsJson: fake.credentialsJson } },
    });
    const result = await kms.test(`${base}/release/cryptoKeys/pss/cryptoKeyVersions/2`, { connection: 'gcp-keychain' });
    expect(result).toMatchObject({ algorithm: 'rsa-pss-sha512', keyVersion: '2', padding: 'PSS (MGF1-SHA-512, salt = 64 bytes)' });
  });

  it('refuses versions, keys and signatures that must not be used', async () => {
    await expectCode(kms.test(`${base}/release/cryptoKeys/ec/cryptoKeyVersions/1`), 'KMS_ERROR', /version 1\) is disabled/);
    await expectCode(kms.test(`${base}/release/cryptoKeys/ec/cryptoKeyVersions/3`), 'KMS_ERROR', /scheduled for deletion/);
    await expectCode(kms.test(`${base}/release/cryptoKeys/ec/cryptoKeyVersions/9`), 'KEY_NOT_FOUND', /version 9/);
    await expectCode(kms.test(`${base}/other/cryptoKeys/data`), 'KMS_ERROR', /not a signing key/);
    await expectCode(
      kms.test(`${base}/release/cryptoKeys/pss/cryptoKeyVersions/1`, { algorithm: 'rsa-pkcs1v15-sha256' }),
      'UNSUPPORTED',
      /allows rsa-pss-sha256/,
    );
    await expectCode(kms.test(`${base}/other/cryptoKeys/bad`), 'SIGNING_FAILED', /PSS signature where PKCS#1 v1\.5 was asked/);
    await expectCode(kms.test(`${base}/other/cryptoKeys/wrapped`), 'SIGNING_FAILED', /ECDSA-style ASN\.1/);
    await expectCode(kms.test(`${base}/nope/cryptoKeys/nope`), 'KEY_NOT_FOUND', /has no key/);
  });

  it('a bearer token from another service account is refused by the fake, and said so', async () => {
    const other = JSON.parse(fake.credentialsJson) as Record<string, string>;
    const { generateKeyPairSync } = await import('node:crypto');
    other.private_key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await kms.add({
      name: 'gcp-wrong',
      provider: 'gcpkms',
      endpoint: fake.url,
      credential: { source: 'keychain', secret: { credentialsJson: JSON.stringify(other) } },
    });
    await expectCode(kms.test(`${base}/release/cryptoKeys/ec`, { connection: 'gcp-wrong' }), 'AUTH_REQUIRED', /rejected the credentials/);
  });

  it('backs off when the quota is exhausted', async () => {
    fake.throttleNext(2);
    expect((await kms.test(`${base}/release/cryptoKeys/p384`)).verifiedLocally).toBe(true);
    fake.throttleNext(100);
    await expectCode(kms.test(`${base}/release/cryptoKeys/p384`), 'RATE_LIMITED', /throttling/);
    fake.throttleNext(0);
  });
});
