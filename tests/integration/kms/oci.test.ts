import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { loopbackOnly } from '../../harness/kms/loopback';
import { startFakeOciVault, type FakeOciVault } from '../../harness/kms/oci';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectCode, expectVerifies } from './support';

describe('OCI Vault: oci-keymanagement + oci-common (HTTP signatures) against a signature-checking fake', () => {
  let fake: FakeOciVault;
  let dir: TempDir;
  let kms: KmsService;
  let lift: () => void;
  const uri = (name: string, version?: string) => `ocikms://${fake.host}/${fake.keyId(name)}${version ? `/${version}` : ''}`;

  beforeAll(async () => {
    lift = loopbackOnly();
    dir = tempDir('kms-oci');
    fake = await startFakeOciVault(
      [
        { name: 'rsa', type: 'rsa-2048', versions: 2 },
        { name: 'rsa3072', type: 'rsa-3072' },
        { name: 'p256', type: 'ec-p256' },
        { name: 'p384', type: 'ec-p384' },
        { name: 'p521', type: 'ec-p521' },
        { name: 'aes', type: 'aes' },
        { name: 'disabled', type: 'ec-p256', state: 'DISABLED' },
        { name: 'doomed', type: 'ec-p256', state: 'PENDING_DELETION' },
        { name: 'bad', type: 'rsa-2048', misbehave: 'pkcs1-instead-of-pss' },
      ],
      { dir: dir.path },
    );
    kms = new KmsService({ dataDir: dir.path, secrets: new MemorySecretStore(), env: {}, home: dir.path });
    await kms.add({
      name: 'oci',
      provider: 'ocikms',
      endpoint: fake.url,
      scope: fake.compartmentId,
      credential: { source: 'file', path: fake.configFile },
    });
  });

  afterAll(async () => {
    await fake?.stop();
    dir?.remove();
    lift?.();
  });

  it('lists the compartment’s keys with versions, shapes and algorithms, every request signed', async () => {
    const keys = await kms.keys('oci');
    expect(keys.map((k) => [k.label, k.keySpec, k.state, k.canSign, k.algorithms.length])).toEqual([
      ['rsa', 'RSA 2048', 'enabled', true, 7],
      ['rsa3072', 'RSA 3072', 'enabled', true, 7],
      ['p256', 'ECDSA NIST_P256', 'enabled', true, 1],
      ['p384', 'ECDSA NIST_P384', 'enabled', true, 1],
      ['p521', 'ECDSA NIST_P521', 'enabled', true, 1],
      ['aes', 'AES 256', 'enabled', false, 0],
      ['disabled', 'ECDSA NIST_P256', 'disabled', true, 1],
      ['doomed', 'ECDSA NIST_P256', 'pending-deletion', true, 1],
      ['bad', 'RSA 2048', 'enabled', true, 7],
    ]);
    expect(keys[0]!.versions.map((v) => [v.version, v.current])).toEqual([
      [fake.versionIds('rsa')[0], false],
      [fake.versionIds('rsa')[1], true],
    ]);
    expect(
      fake.seen.every((r) =>
        String(r.headers.authorization).startsWith(
          `Signature version="1",keyId="${fake.tenancy}/${fake.user}/${fake.fingerprint}",algorithm="rsa-sha256"`,
        ),
      ),
    ).toBe(true);
  });

  const cases: Array<[string, KmsAlgorithm]> = [
    ['rsa', 'rsa-pss-sha224'],
    ['rsa', 'rsa-pss-sha256'],
    ['rsa', 'rsa-pss-sha384'],
    ['rsa', 'rsa-pss-sha512'],
    ['rsa', 'rsa-pkcs1v15-sha256'],
    ['rsa3072', 'rsa-pkcs1v15-sha512'],
    ['p256', 'ecdsa-p256-sha256'],
    ['p384', 'ecdsa-p384-sha384'],
    ['p521', 'ecdsa-p521-sha512'],
  ];
  it.each(cases)('%s signs with %s; openssl and Signet verify it; the key version OCID is recorded', async (name, algorithm) => {
    const signer = await kms.signer(uri(name), { algorithm });
    const data = Buffer.from(`oci ${name} ${algorithm}`);
    const result = await signer.signDetailed(data);
    expect(result.keyVersion).toBe(fake.versionIds(name).at(-1));
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('signs with a pinned older version, recorded in the URI', async () => {
    const older = fake.versionIds('rsa')[0]!;
    const result = await kms.test(uri('rsa', older), { algorithm: 'rsa-pss-sha256' });
    expect(result.keyVersion).toBe(older);
  });

  it('refuses what must not sign, and a PKCS#1 v1.5 answer to a PSS request', async () => {
    await expectCode(kms.test(uri('disabled')), 'KMS_ERROR', /is disabled in OCI Vault/);
    await expectCode(kms.test(uri('doomed')), 'KMS_ERROR', /scheduled for deletion/);
    await expectCode(kms.test(uri('aes')), 'KMS_ERROR', /not a signing key/);
    await expectCode(kms.test(uri('bad'), { algorithm: 'rsa-pss-sha256' }), 'SIGNING_FAILED', /PKCS#1 v1\.5 signature where PSS was asked/);
  });

  it('credentials from the keychain sign the same way; a wrong API key is refused by the signature check', async () => {
    await kms.add({
      name: 'oci-keychain',
      provider: 'ocikms',
      credential: {
        source: 'keychain',
        secret: { tenancy: fake.tenancy, user: fake.user, fingerprint: fake.fingerprint, privateKey: fake.apiPrivateKey },
      },
    });
    expect((await kms.test(uri('p256'), { connection: 'oci-keychain' })).verifiedLocally).toBe(true);
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await kms.add({
      name: 'oci-wrong',
      provider: 'ocikms',
      credential: {
        source: 'keychain',
        secret: { tenancy: fake.tenancy, user: fake.user, fingerprint: fake.fingerprint, privateKey: other },
      },
    });
    await expectCode(kms.test(uri('p256'), { connection: 'oci-wrong' }), 'AUTH_REQUIRED', /NotAuthenticated/);
  });

  it('backs off when throttled', async () => {
    fake.throttleNext(2);
    expect((await kms.test(uri('p256'))).verifiedLocally).toBe(true);
    fake.throttleNext(100);
    await expectCode(kms.test(uri('p256')), 'RATE_LIMITED', /throttling/);
    fake.throttleNext(0);
  });
});
