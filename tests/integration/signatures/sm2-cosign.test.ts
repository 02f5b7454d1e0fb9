import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { loopbackOnly } from '../../harness/kms/loopback';
import { startFakeHuaweiKms, type FakeHuaweiKms } from '../../harness/kms/huawei';
import { pushTestImage, requireCommand, startRegistry, type PushedImage, type RegistryHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/**
 * An image signed in cosign format with an SM2 key in Huawei Cloud KMS (SM2DSA_SM3), as SWR's
 * signing rules and CCE's add-on use: the signature is written, Signet verifies it with the
 * trusted SM2 public key, and openssl verifies the exact signature over the exact payload bytes
 * (SM3 over Z_A ‖ payload, distid 1234567812345678). An ECDSA key in the same KMS is the control.
 */
describe('cosign signatures with an SM2 KMS key', () => {
  let registry: RegistryHandle;
  let fake: FakeHuaweiKms;
  let image: PushedImage;
  let lift: () => void;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-sm2-'));
  const core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r = (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
    if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.value;
  };

  beforeAll(async () => {
    lift = loopbackOnly();
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/sm2', '1.0', { seed: 'sm2' });
    fake = await startFakeHuaweiKms([
      { type: 'sm2', alias: 'release-sm2' },
      { type: 'ec-p256', alias: 'release-p256' },
    ]);
    await call('kms.add', {
      name: 'huawei',
      provider: 'huaweikms',
      region: fake.region,
      endpoint: fake.url,
      scope: fake.projectId,
      credential: { source: 'keychain', secret: { accessKey: fake.accessKey, secretKey: fake.secretKey } },
    });
  }, 60_000);
  afterAll(async () => {
    await fake?.stop();
    await registry?.stop();
    lift?.();
  });

  const uri = (i: number) => `huaweikms://${fake.region}/${fake.projectId}/${fake.keyIds[i]}`;

  it.each([
    [0, 'sm2-sm3'],
    [1, 'ecdsa-p256-sha256'],
  ])(
    'KMS key %i signs the image (%s); Signet verifies it with the trusted key and openssl verifies the stored signature',
    async (index, algorithm) => {
      const name = `kms-${index}`;
      const added = await call<{ algorithm: string; publicKeyPem: string; trusted?: { id: string } }>('keys.addKms', {
        name,
        uri: uri(index),
        connection: 'huawei',
      });
      expect(added.algorithm).toBe(algorithm);
      expect(added.trusted).toBeDefined();
      const id =
        (await call<Array<{ id: string; host: string }>>('registry.list', {})).find((r) => r.host === registry.host)?.id ??
        (await call<{ id: string }>('registry.add', { host: registry.host })).id;
      const signed = await call<{ payload: string; algorithm?: string }>('signatures.sign', {
        id,
        repository: 'team/sm2',
        digest: image.digest,
        key: name,
      });
      expect(signed.algorithm).toBe(algorithm);

      const report = await call<{
        signatures: Array<{ format: string; verdict: string; signature: string; payload: string; signer?: string; algorithm?: string }>;
      }>('signatures.verify', { id, repository: 'team/sm2', digest: image.digest, tag: '1.0' });
      const mine = report.signatures.filter((s) => s.format === 'cosign' && s.signer?.startsWith(name));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ verdict: 'verified' });

      // openssl, over the bytes stored in the registry.
      const openssl = requireCommand('openssl', 'openssl');
      const dir = mkdtempSync(path.join(tmpdir(), 'signet-sm2-openssl-'));
      writeFileSync(path.join(dir, 'pub.pem'), added.publicKeyPem);
      writeFileSync(path.join(dir, 'payload'), Buffer.from(mine[0]!.payload, 'utf8'));
      writeFileSync(path.join(dir, 'sig'), Buffer.from(mine[0]!.signature, 'base64'));
      const args =
        algorithm === 'sm2-sm3'
          ? [
              'pkeyutl',
              '-verify',
              '-rawin',
              '-digest',
              'sm3',
              '-pkeyopt',
              'distid:1234567812345678',
              '-pubin',
              '-inkey',
              path.join(dir, 'pub.pem'),
              '-in',
              path.join(dir, 'payload'),
              '-sigfile',
              path.join(dir, 'sig'),
            ]
          : ['dgst', '-sha256', '-verify', path.join(dir, 'pub.pem'), '-signature', path.join(dir, 'sig'), path.join(dir, 'payload')];
      // execFileSync throws on a non-zero exit status.
      expect(execFileSync(openssl, args).toString()).toMatch(/Signature Verified Successfully|Verified OK/);
      // The same openssl check refuses the signature over other bytes (the control that it checks at all).
      writeFileSync(path.join(dir, 'payload'), Buffer.concat([Buffer.from(mine[0]!.payload, 'utf8'), Buffer.from(' ')]));
      expect(() => execFileSync(openssl, args, { stdio: 'pipe' })).toThrow();
    },
  );

  it('a reviewer trusts the KMS key by URI (its public key read from the KMS) and the SM2 signature verifies for them too', async () => {
    const reviewer = createCore({
      dataDir: mkdtempSync(path.join(tmpdir(), 'signet-sm2-reviewer-')),
      host: 'cli',
      keySecrets: new MemorySecretStore(),
    });
    const ask = async <T>(name: string, input: unknown): Promise<T> => {
      const r = (await reviewer.dispatch(name as never, input as never)) as unknown as Outcome<T>;
      if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
      return r.value;
    };
    await ask('kms.add', {
      name: 'huawei',
      provider: 'huaweikms',
      region: fake.region,
      endpoint: fake.url,
      scope: fake.projectId,
      credential: { source: 'keychain', secret: { accessKey: fake.accessKey, secretKey: fake.secretKey } },
    });
    const id = (await ask<{ id: string }>('registry.add', { host: registry.host })).id;
    const before = await ask<{ verdict: string }>('signatures.verify', { id, repository: 'team/sm2', digest: image.digest, tag: '1.0' });
    expect(before.verdict).toBe('signed-untrusted');
    const fetched = await ask<{ publicKeyPem: string; algorithm: string; spkiSha256: string }>('kms.publicKey', { key: uri(0) });
    expect(fetched.algorithm).toBe('sm2-sm3');
    const entry = await ask<{ fingerprint: string; algorithm?: string }>('trust.add', { name: 'release-sm2', data: fetched.publicKeyPem });
    expect(entry).toMatchObject({ fingerprint: fetched.spkiSha256 });
    const after = await ask<{ verdict: string; signatures: Array<{ verdict: string; signer?: string }> }>('signatures.verify', {
      id,
      repository: 'team/sm2',
      digest: image.digest,
      tag: '1.0',
    });
    expect(after.verdict).toBe('verified');
    expect(after.signatures.find((s) => s.signer?.startsWith('release-sm2'))).toMatchObject({ verdict: 'verified' });
  });

  it('the CCE add-on values name the Huawei KMS keys Signet trusts (SM2 included), the image glob and the namespace label', async () => {
    const exported = await call<{ files: Array<{ path: string; content: string }>; warnings: string[] }>('trust.exportAdmission', {
      for: 'cce',
    });
    const text = exported.files[0]?.content ?? '';
    expect(text).toContain(`KMS key:          ${fake.keyIds[0]} (region ${fake.region}, project ${fake.projectId})`);
    expect(text).toContain(`KMS key:          ${fake.keyIds[1]}`);
    expect(text).toContain('Image glob:       **');
    expect(text).toContain('policy.sigstore.dev/include=true');
    // The same SM2 key is left out of policy-controller's own policy: cosign cannot verify SM2.
    const pc = await call<{ warnings: string[] }>('trust.exportAdmission', { for: 'policy-controller' });
    expect(pc.warnings.join('\n')).toMatch(/SM2 key/);
  });
});
