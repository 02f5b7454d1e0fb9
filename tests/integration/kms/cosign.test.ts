import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore as KeySecrets } from '../../../electron/core/keys/secrets';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { KmsService } from '../../../electron/core/kms/service';
import { RegistryClient } from '../../../electron/core/registry/client';
import { readCosignSignatures, signCosign } from '../../../electron/core/signatures/cosign';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { startFakeVault, type FakeVault } from '../../harness/kms/vault';
import { opensslVerify } from '../../harness/kms/openssl';
import { expectCode } from './support';

async function ok<T>(result: Promise<unknown>): Promise<T> {
  const r = (await result) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value as T;
}

describe('a KMS key signs images in cosign format (Vault transit fake, real registry)', () => {
  let registry: RegistryHandle;
  let vault: FakeVault;
  let core: Core;
  let kms: KmsService;
  let id: string;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  let other: Awaited<ReturnType<typeof pushTestImage>>;

  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0');
    other = await pushTestImage(registry.url, 'team/app', '2.0', { seed: 'kms-other' });
    vault = await startFakeVault([
      { name: 'release', type: 'ecdsa-p256' },
      { name: 'rsa', type: 'rsa-2048' },
      { name: 'bad', type: 'rsa-2048', misbehave: 'pss-instead-of-pkcs1' },
    ]);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-kms-cosign-'));
    core = createCore({ dataDir, host: 'cli', keySecrets: new KeySecrets() });
    id = (await ok<{ id: string }>(core.dispatch('registry.add', { host: registry.host }))).id;
    kms = new KmsService({
      dataDir,
      secrets: new MemorySecretStore(),
      env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.token },
      home: dataDir,
    });
  });

  afterAll(async () => {
    await vault?.stop();
    await registry?.stop();
  });

  it.each([
    ['release', 'ecdsa-p256-sha256'],
    ['rsa', 'rsa-pkcs1v15-sha256'],
  ] as const)(
    'hashivault://%s signs the image; Signet verifies it with the exported public key, openssl verifies the payload',
    async (key, algorithm) => {
      const signer = await kms.signer(`hashivault://${key}`, { algorithm });
      const source = new RegistryClient({ registry: registry.host });
      const signed = await signCosign({ source, registryHost: registry.host, repository: 'team/app', digest: image.digest, signer });
      const pem = await signer.publicKeyPem();
      const report = await ok<{ verdict: string }>(
        core.dispatch('signatures.verify', { id, repository: 'team/app', digest: image.digest, publicKeys: [pem] }),
      );
      expect(report.verdict).toBe('verified');
      // Both keys sign the same payload; the stored layer is the one carrying this signature.
      const stored = (await readCosignSignatures(source, 'team/app', image.digest)).find(
        (s) => s.signature.toString('base64') === signed.signature,
      );
      expect(stored).toBeDefined();
      expect(opensslVerify(pem, stored!.payload, stored!.signature, algorithm)).toBe(true);
    },
  );

  it('a signature the self-check refuses is never published', async () => {
    const signer = await kms.signer('hashivault://bad', { algorithm: 'rsa-pkcs1v15-sha256' });
    const source = new RegistryClient({ registry: registry.host });
    await expectCode(
      signCosign({ source, registryHost: registry.host, repository: 'team/app', digest: other.digest, signer }),
      'SIGNING_FAILED',
      /PSS signature where PKCS#1 v1\.5 was asked.*nothing was published/,
    );
    expect(await readCosignSignatures(source, 'team/app', other.digest)).toEqual([]);
  });
});
