import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { loopbackOnly } from '../../harness/kms/loopback';
import { startFakeTencentKms, type FakeTencentKms } from '../../harness/kms/tencent';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectCode, expectVerifies } from './support';

/**
 * The SDK derives the TC3 signing service from the endpoint's first label, so it keeps the real
 * host name kms.tencentcloudapi.com and reaches the fake through the SDK's own proxy support
 * (http_proxy); a guard refuses any connection that is not to 127.0.0.1.
 */
describe('Tencent Cloud KMS: tencentcloud-sdk-nodejs-common (TC3-HMAC-SHA256) against a signature-checking fake', () => {
  let fake: FakeTencentKms;
  let dir: TempDir;
  let kms: KmsService;
  let lift: () => void;
  const previousProxy = process.env.http_proxy;
  let id: (i: number) => string;

  beforeAll(async () => {
    lift = loopbackOnly();
    fake = await startFakeTencentKms([
      { type: 'rsa-2048', alias: 'release-rsa' },
      { type: 'ec-p256', alias: 'release-ec' },
      { type: 'sm2', alias: 'release-sm2' },
      { type: 'ec-p256', state: 'Disabled' },
      { type: 'ec-p256', state: 'PendingDelete' },
      { type: 'rsa-2048', usage: 'ASYMMETRIC_DECRYPT_RSA_2048' },
      { type: 'rsa-2048', misbehave: 'pss-instead-of-pkcs1' },
    ]);
    id = (i) => `tencentkms://${fake.region}/${fake.keyIds[i]}`;
    process.env.http_proxy = fake.url;
    dir = tempDir('kms-tencent');
    kms = new KmsService({ dataDir: dir.path, secrets: new MemorySecretStore(), env: {}, home: dir.path });
    await kms.add({
      name: 'tencent',
      provider: 'tencentkms',
      region: fake.region,
      endpoint: 'http://kms.tencentcloudapi.com',
      credential: { source: 'keychain', secret: { secretId: fake.secretId, secretKey: fake.secretKey } },
    });
  });

  afterAll(async () => {
    if (previousProxy === undefined) delete process.env.http_proxy;
    else process.env.http_proxy = previousProxy;
    await fake?.stop();
    dir?.remove();
    lift?.();
  });

  it('lists keys with usage, state and algorithms', async () => {
    const keys = await kms.keys('tencent');
    expect(keys.map((k) => [k.label ?? '', k.state, k.canSign, k.algorithms])).toEqual([
      ['release-rsa', 'enabled', true, ['rsa-pkcs1v15-sha256', 'rsa-pss-sha256']],
      ['release-ec', 'enabled', true, ['ecdsa-p256-sha256']],
      ['release-sm2', 'enabled', true, ['sm2-sm3']],
      ['', 'disabled', true, ['ecdsa-p256-sha256']],
      ['', 'pending-deletion', true, ['ecdsa-p256-sha256']],
      ['', 'enabled', false, []],
      ['', 'enabled', true, ['rsa-pkcs1v15-sha256', 'rsa-pss-sha256']],
    ]);
    expect(fake.tunnels.every((t) => t === 'kms.tencentcloudapi.com:80')).toBe(true);
    expect(
      fake.seen.every(
        (r) => r.headers.host === 'kms.tencentcloudapi.com' && /^TC3-HMAC-SHA256 Credential=AKID/.test(String(r.headers.authorization)),
      ),
    ).toBe(true);
  });

  it.each([
    [0, 'rsa-pkcs1v15-sha256'],
    [0, 'rsa-pss-sha256'],
    [1, 'ecdsa-p256-sha256'],
    [2, 'sm2-sm3'],
  ] as const)('key %i signs with %s; openssl and Signet verify it; the key id is recorded', async (index, algorithm) => {
    const signer = await kms.signer(id(index), { algorithm });
    const data = Buffer.from(`tencent ${algorithm}`);
    const result = await signer.signDetailed(data);
    expect(result.keyVersion).toBe(fake.keyIds[index]);
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('maps Tencent errors and refuses a wrong padding', async () => {
    await expectCode(kms.test(id(3)), 'KMS_ERROR', /is disabled in Tencent Cloud KMS/);
    await expectCode(kms.test(id(4)), 'KMS_ERROR', /scheduled for deletion/);
    await expectCode(kms.test(id(5)), 'KMS_ERROR', /not a signing key/);
    await expectCode(kms.test(id(6), { algorithm: 'rsa-pkcs1v15-sha256' }), 'SIGNING_FAILED', /PSS signature where PKCS#1 v1\.5 was asked/);
    await expectCode(kms.test(id(0), { algorithm: 'rsa-pss-sha384' }), 'UNSUPPORTED', /allows rsa-pkcs1v15-sha256, rsa-pss-sha256/);
    await expectCode(kms.test(`tencentkms://${fake.region}/00000000-0000-0000-0000-000000000000`), 'KEY_NOT_FOUND', /has no key/);
  });

  it('says when the key’s region is not the connection’s', async () => {
    await expectCode(
      kms.test(`tencentkms://ap-beijing/${fake.keyIds[0]}`, { connection: 'tencent' }),
      'KMS_ERROR',
      /not in the region the connection uses \(the key is in ap-beijing, the connection "tencent" uses ap-guangzhou\)/,
    );
  });

  it('reads ~/.tencentcloud/credentials, and a wrong SecretKey fails the TC3 check', async () => {
    mkdirSync(path.join(dir.path, '.tencentcloud'), { recursive: true });
    writeFileSync(
      path.join(dir.path, '.tencentcloud', 'credentials'),
      `[default]\nsecret_id = ${fake.secretId}\nsecret_key = ${fake.secretKey}\n\n[stale]\nsecret_id = ${fake.secretId}\nsecret_key = not-the-key\n`,
    );
    await kms.add({
      name: 'tencent-profile',
      provider: 'tencentkms',
      region: fake.region,
      endpoint: 'http://kms.tencentcloudapi.com',
      credential: { source: 'default' },
    });
    expect((await kms.test(id(1), { connection: 'tencent-profile' })).verifiedLocally).toBe(true);
    await kms.add({
      name: 'tencent-stale',
      provider: 'tencentkms',
      region: fake.region,
      endpoint: 'http://kms.tencentcloudapi.com',
      credential: { source: 'profile', profile: 'stale' },
    });
    await expectCode(kms.test(id(1), { connection: 'tencent-stale' }), 'AUTH_REQUIRED', /AuthFailure\.SignatureFailure/);
  });

  it('backs off on RequestLimitExceeded', async () => {
    fake.throttleNext(2);
    expect((await kms.test(id(1))).verifiedLocally).toBe(true);
    fake.throttleNext(100);
    await expectCode(kms.test(id(1)), 'RATE_LIMITED', /throttling/);
    fake.throttleNext(0);
  });
});
