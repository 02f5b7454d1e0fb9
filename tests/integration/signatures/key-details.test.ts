import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore } from '../../harness/core';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { startFakeVault, type FakeVault, type VaultKeySpec } from '../../harness/kms/vault';

/**
 * View key details and "Verify signature" for a KMS key: the signature's fingerprint leads to the
 * Signet key (its hashivault:// URI) and the trust entry; asked, the KMS (a fake Vault transit
 * engine on loopback) says whether the version that signed is still enabled — and once it is
 * rotated out, says so, while the local verdict stays what the checks say.
 */

interface Details {
  fingerprint: string;
  padding?: string;
  keys: Array<{ id: string; name: string; kind: string; uri?: string }>;
  trust: Array<{ id: string; name: string }>;
  kms?: { uri: string; enabled: boolean; version?: string; versionState?: string; keyState?: string; reason: string };
}

describe('signature key details with a KMS key', () => {
  let registry: RegistryHandle;
  let vault: FakeVault;
  let registryId: string;
  let ok: ReturnType<typeof startCore>['ok'];
  let call: ReturnType<typeof startCore>['call'];
  let restore = () => {};
  const spec: VaultKeySpec = { name: 'release', type: 'ecdsa-p256' };

  beforeAll(async () => {
    registry = await startRegistry();
    vault = await startFakeVault([spec]);
    ({ ok, call, restore } = startCore({ kmsEnv: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.token } }));
    registryId = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    await ok('keys.addKms', { name: 'vault-release', uri: 'hashivault://release' });
  });
  afterAll(async () => {
    restore();
    await vault?.stop();
    await registry?.stop();
  });

  it('links the signature to its Signet key and trust entry, names the padding, and shows the KMS’s answer beside the local verdict', async () => {
    const image = await pushTestImage(registry.url, 'team/kms', '1.0', { seed: 'key-details' });
    await ok('signatures.sign', { id: registryId, repository: 'team/kms', digest: image.digest, key: 'vault-release' });
    const report = await ok<{ signatures: Array<{ verdict: string; fingerprint: string; algorithm: string }> }>('signatures.verify', {
      id: registryId,
      repository: 'team/kms',
      digest: image.digest,
    });
    const sig = report.signatures[0]!;
    expect(sig.verdict).toBe('verified');

    const details = await ok<Details & { recorded?: Record<string, string> }>('signatures.keyDetails', {
      fingerprint: sig.fingerprint,
      algorithm: sig.algorithm,
      digest: image.digest,
      askKms: true,
    });
    // The audit log's record of signing it: the key URI and the KMS key version.
    expect(details.recorded).toMatchObject({ key: 'vault-release', provider: 'hashivault', keyVersion: '1' });
    expect(details.keys).toEqual([expect.objectContaining({ name: 'vault-release', kind: 'kms', uri: 'hashivault://release' })]);
    expect(details.trust).toHaveLength(1);
    expect(details.padding).toBe('ECDSA, ASN.1 DER (r, s)');
    expect(details.kms).toMatchObject({
      uri: 'hashivault://release',
      enabled: true,
      version: '1',
      versionState: 'enabled',
      keyState: 'enabled',
    });
    // Without asking, the KMS is not contacted.
    expect((await ok<Details>('signatures.keyDetails', { fingerprint: sig.fingerprint })).kms).toBeUndefined();

    // The version is rotated out: the KMS says it can no longer sign; the local verdict is unchanged.
    spec.minEncryptionVersion = 2;
    const after = await ok<Details>('signatures.keyDetails', { fingerprint: sig.fingerprint, algorithm: sig.algorithm, askKms: true });
    expect(after.kms).toMatchObject({
      enabled: false,
      version: '1',
      versionState: 'disabled',
      reason: expect.stringContaining('can no longer sign'),
    });
    const again = await ok<{ signatures: Array<{ verdict: string }> }>('signatures.verify', {
      id: registryId,
      repository: 'team/kms',
      digest: image.digest,
      requested: true,
    });
    expect(again.signatures[0]!.verdict).toBe('verified');

    // A fingerprint nobody knows: no keys, no trust entries, no KMS question.
    expect(await ok<Details>('signatures.keyDetails', { fingerprint: 'ab'.repeat(32), askKms: true })).toMatchObject({
      keys: [],
      trust: [],
    });
    expect((await call('signatures.keyDetails', { fingerprint: 'not hex' })).ok).toBe(false);
  });
});
