import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { startFakeHuaweiKms, type FakeHuaweiKms } from '../../harness/kms/huawei';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectCode, expectVerifies } from './support';

describe('Huawei Cloud KMS: REST with AK/SK signing against a signature-checking fake (SM2 included)', () => {
  let fake: FakeHuaweiKms;
  let dir: TempDir;
  let kms: KmsService;
  const uri = (i: number) => `huaweikms://${fake.region}/${fake.projectId}/${fake.keyIds[i]}`;

  beforeAll(async () => {
    fake = await startFakeHuaweiKms([
      { type: 'rsa-2048', alias: 'release-rsa' },
      { type: 'ec-p256', alias: 'release-p256' },
      { type: 'ec-p384', alias: 'release-p384' },
      { type: 'sm2', alias: 'release-sm2' },
      { type: 'ec-p256', state: '3' },
      { type: 'ec-p256', state: '4' },
      { type: 'rsa-2048', usage: 'ENCRYPT_DECRYPT' },
      { type: 'sm2', misbehave: 'raw-ecdsa' },
      { type: 'rsa-3072', misbehave: 'ecdsa-wrapped-rsa' },
    ]);
    dir = tempDir('kms-huawei');
    kms = new KmsService({ dataDir: dir.path, secrets: new MemorySecretStore(), env: {}, home: dir.path });
    await kms.add({
      name: 'huawei',
      provider: 'huaweikms',
      region: fake.region,
      endpoint: fake.url,
      scope: fake.projectId,
      credential: { source: 'keychain', secret: { accessKey: fake.accessKey, secretKey: fake.secretKey } },
    });
  });

  afterAll(async () => {
    await fake?.stop();
    dir?.remove();
  });

  it('lists the project’s keys with spec, usage, state and algorithms; every request AK/SK-signed', async () => {
    const keys = await kms.keys('huawei');
    expect(keys.map((k) => [k.label ?? '', k.keySpec, k.state, k.canSign, k.algorithms.length])).toEqual([
      ['release-rsa', 'RSA_2048', 'enabled', true, 6],
      ['release-p256', 'EC_P256', 'enabled', true, 1],
      ['release-p384', 'EC_P384', 'enabled', true, 1],
      ['release-sm2', 'SM2', 'enabled', true, 1],
      ['', 'EC_P256', 'disabled', true, 1],
      ['', 'EC_P256', 'pending-deletion', true, 1],
      ['', 'RSA_2048', 'enabled', false, 0],
      ['', 'SM2', 'enabled', true, 1],
      ['', 'RSA_3072', 'enabled', true, 6],
    ]);
    expect(
      fake.seen.every((r) =>
        /^SDK-HMAC-SHA256 Access=[0-9A-F]+, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=/.test(
          String(r.headers.authorization),
        ),
      ),
    ).toBe(true);
  });

  const cases: Array<[number, KmsAlgorithm]> = [
    [0, 'rsa-pkcs1v15-sha256'],
    [0, 'rsa-pkcs1v15-sha384'],
    [0, 'rsa-pss-sha256'],
    [0, 'rsa-pss-sha512'],
    [1, 'ecdsa-p256-sha256'],
    [2, 'ecdsa-p384-sha384'],
    [3, 'sm2-sm3'],
  ];
  it.each(cases)('key %i signs with %s; openssl and Signet verify it (SM2 with the pure-JS verifier)', async (index, algorithm) => {
    const signer = await kms.signer(uri(index), { algorithm });
    const data = Buffer.from(`huawei ${algorithm}`);
    const result = await signer.signDetailed(data);
    expect(result.keyVersion).toBe(fake.keyIds[index]);
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('SM2 is the default for an SM2 key, with its padding named', async () => {
    expect(await kms.test(uri(3))).toMatchObject({
      algorithm: 'sm2-sm3',
      padding: 'SM2 with SM3, Z_A over ID 1234567812345678, ASN.1 DER (r, s)',
    });
  });

  it('maps Huawei errors and refuses mis-encoded signatures', async () => {
    await expectCode(kms.test(uri(4)), 'KMS_ERROR', /is disabled in Huawei Cloud KMS/);
    await expectCode(kms.test(uri(5)), 'KMS_ERROR', /scheduled for deletion/);
    await expectCode(kms.test(uri(6)), 'KMS_ERROR', /not a signing key/);
    await expectCode(kms.test(uri(7)), 'SIGNING_FAILED', /raw r‖s SM2 signature where ASN\.1 DER was expected/);
    await expectCode(kms.test(uri(8)), 'SIGNING_FAILED', /ECDSA-style ASN\.1 \(r, s\) signature for an RSA-3072 key/);
    await expectCode(
      kms.test(`huaweikms://${fake.region}/${fake.projectId}/00000000-0000-0000-0000-000000000000`),
      'KEY_NOT_FOUND',
      /KMS\.0205/,
    );
    await expectCode(
      kms.test(`huaweikms://${fake.region}/${'0'.repeat(32)}/${fake.keyIds[0]}`, { connection: 'huawei' }),
      'KMS_ERROR',
      /the key is in project 0{32}, the connection "huawei" lists project/,
    );
    await expectCode(
      kms.test(`huaweikms://ap-southeast-1/${fake.projectId}/${fake.keyIds[0]}`, { connection: 'huawei' }),
      'KMS_ERROR',
      /the key is in ap-southeast-1/,
    );
  });

  it('reads ~/.huaweicloud/credentials; a wrong SK fails the AK/SK check', async () => {
    mkdirSync(path.join(dir.path, '.huaweicloud'), { recursive: true });
    writeFileSync(
      path.join(dir.path, '.huaweicloud', 'credentials'),
      `[basic]\nak = ${fake.accessKey}\nsk = ${fake.secretKey}\nproject_id = ${fake.projectId}\n\n[old]\nak = ${fake.accessKey}\nsk = wrong\n`,
    );
    await kms.add({
      name: 'huawei-file',
      provider: 'huaweikms',
      region: fake.region,
      endpoint: fake.url,
      credential: { source: 'default' },
    });
    expect((await kms.keys('huawei-file')).length).toBe(9);
    await kms.add({
      name: 'huawei-old',
      provider: 'huaweikms',
      region: fake.region,
      endpoint: fake.url,
      credential: { source: 'profile', profile: 'old' },
    });
    await expectCode(kms.test(uri(1), { connection: 'huawei-old' }), 'AUTH_REQUIRED', /APIGW\.0301/);
  });

  it('backs off on APIGW.0308 throttling', async () => {
    fake.throttleNext(2);
    expect((await kms.test(uri(1))).verifiedLocally).toBe(true);
    fake.throttleNext(100);
    await expectCode(kms.test(uri(1)), 'RATE_LIMITED', /APIGW\.0308/);
    fake.throttleNext(0);
  });
});
