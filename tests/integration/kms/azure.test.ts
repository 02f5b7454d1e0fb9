import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { startFakeAzure, type FakeAzure } from '../../harness/kms/azure';
import { tempDir, type TempDir } from '../../harness/tools';
import { expectCode, expectVerifies } from './support';

describe('Azure Key Vault: @azure/keyvault-keys + @azure/identity over HTTPS against a fake Entra ID and vault', () => {
  let fake: FakeAzure;
  let dir: TempDir;
  let kms: KmsService;
  const VAULT = 'azurekms://signet-release.vault.azure.net';

  beforeAll(async () => {
    dir = tempDir('kms-azure');
    fake = await startFakeAzure(
      [
        { name: 'ec', type: 'ec-p256', versions: [{ enabled: false }, {}] },
        { name: 'p384', type: 'ec-p384' },
        { name: 'p521', type: 'ec-p521' },
        { name: 'rsa', type: 'rsa-2048' },
        { name: 'wrap-only', type: 'rsa-2048', keyOps: ['wrapKey', 'unwrapKey'] },
        { name: 'bad', type: 'rsa-2048', versions: [{ misbehave: 'pss-instead-of-pkcs1' }] },
      ],
      { dir: dir.path },
    );
    kms = new KmsService({ dataDir: dir.path, secrets: new MemorySecretStore(), env: {}, home: dir.path });
    await kms.add({
      name: 'azure',
      provider: 'azurekms',
      endpoint: fake.url,
      authorityHost: fake.url,
      caCertificates: fake.ca,
      credential: { source: 'keychain', secret: { tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: fake.clientSecret } },
    });
  });

  afterAll(async () => {
    await fake?.stop();
    dir?.remove();
  });

  it('goes through the challenge flow and lists keys, versions and what each may sign with', async () => {
    const keys = await kms.keys('azure');
    expect(keys.map((k) => [k.name, k.canSign, k.algorithms.length])).toEqual([
      ['ec', true, 1],
      ['p384', true, 1],
      ['p521', true, 1],
      ['rsa', true, 6],
      ['wrap-only', false, 0],
      ['bad', true, 6],
    ]);
    const ec = keys[0]!;
    expect(ec.versions.map((v) => [v.version, v.state, v.current])).toEqual([
      [fake.versionsOf('ec')[0], 'disabled', false],
      [fake.versionsOf('ec')[1], 'enabled', true],
    ]);
    // The first request had no token and was challenged; every later one carried the bearer token.
    expect(fake.seen[0]?.headers.authorization).toBeUndefined();
    expect(fake.seen.some((r) => r.url.includes('/oauth2/v2.0/token'))).toBe(true);
    expect(fake.tokensIssued()).toBeGreaterThan(0);
  });

  const cases: Array<[string, KmsAlgorithm]> = [
    ['ec', 'ecdsa-p256-sha256'],
    ['p384', 'ecdsa-p384-sha384'],
    ['p521', 'ecdsa-p521-sha512'],
    ['rsa', 'rsa-pkcs1v15-sha256'],
    ['rsa', 'rsa-pkcs1v15-sha512'],
    ['rsa', 'rsa-pss-sha256'],
    ['rsa', 'rsa-pss-sha384'],
    ['rsa', 'rsa-pss-sha512'],
  ];
  it.each(cases)('%s signs with %s (ECDSA turned from r‖s into DER); openssl and Signet verify it', async (name, algorithm) => {
    const signer = await kms.signer(`${VAULT}/${name}`, { algorithm });
    const data = Buffer.from(`azure ${name} ${algorithm}`);
    const result = await signer.signDetailed(data);
    expect(result.keyVersion).toBe(fake.versionsOf(name).at(-1));
    await expectVerifies(await signer.publicKeyPem(), data, result.signature, algorithm);
  });

  it('refuses disabled versions, keys without "sign", and a PSS signature for PKCS#1 v1.5', async () => {
    await expectCode(kms.test(`${VAULT}/ec/${fake.versionsOf('ec')[0]}`), 'KMS_ERROR', /is disabled in Azure Key Vault/);
    await expectCode(kms.test(`${VAULT}/wrap-only`), 'KMS_ERROR', /not a signing key/);
    await expectCode(kms.test(`${VAULT}/bad`), 'SIGNING_FAILED', /PSS signature where PKCS#1 v1\.5 was asked/);
    await expectCode(
      kms.test(`${VAULT}/missing`),
      'KEY_NOT_FOUND',
      /has no key azurekms:\/\/signet-release\.vault\.azure\.net\/missing.*can be recovered/,
    );
  });

  it('a wrong client secret is refused by Entra ID and said so', async () => {
    await kms.add({
      name: 'azure-wrong',
      provider: 'azurekms',
      endpoint: fake.url,
      authorityHost: fake.url,
      caCertificates: fake.ca,
      credential: { source: 'keychain', secret: { tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: 'wrong' } },
    });
    await expectCode(kms.test(`${VAULT}/ec`, { connection: 'azure-wrong' }), 'AUTH_REQUIRED', /rejected the credentials.*AADSTS7000215/);
  });

  it('an untrusted certificate is refused (no CA given)', async () => {
    await kms.add({
      name: 'azure-untrusted',
      provider: 'azurekms',
      endpoint: fake.url,
      authorityHost: fake.url,
      credential: { source: 'keychain', secret: { tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: fake.clientSecret } },
    });
    await expectCode(kms.test(`${VAULT}/ec`, { connection: 'azure-untrusted' }), 'UNAVAILABLE', /cannot be reached/);
  });

  it('retries when the vault throttles', async () => {
    fake.throttleNext(2);
    expect((await kms.test(`${VAULT}/rsa`)).verifiedLocally).toBe(true);
    fake.throttleNext(100);
    await expectCode(kms.test(`${VAULT}/rsa`), 'RATE_LIMITED', /throttling/);
    fake.throttleNext(0);
  });
});
