import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { RegistryClient } from '../../../electron/core/registry/client';
import { attachBundle, pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Report {
  verdict: string;
  signatures: Array<{
    format: string;
    verdict: string;
    signer?: string;
    storage: string;
    checks: Array<{ name: string; status: string; reason: string }>;
  }>;
}

describe('verification against the trust store, with windows; Sigstore bundles through referrers', () => {
  let registry: RegistryHandle;
  let core: Core;
  let id: string;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    core = createCore({
      dataDir: mkdtempSync(path.join(tmpdir(), 'signet-trust-verify-')),
      host: 'cli',
      keySecrets: new MemorySecretStore(),
    });
    id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('a key in the trust store verifies a cosign signature; a window that ended refuses it with the reason', async () => {
    const image = await pushTestImage(registry.url, 'team/app', '1.0');
    const key = await ok<{ id: string }>('keys.generate', { name: 'ci', type: 'ecdsa-p256', trust: false });
    await ok('signatures.sign', { id, repository: 'team/app', digest: image.digest, key: key.id });
    const pem = (await ok<{ exports: { pem: string } }>('keys.get', { key: key.id })).exports.pem;
    await ok('keys.delete', { key: key.id, confirmName: 'ci' });
    expect((await ok<Report>('signatures.verify', { id, repository: 'team/app', digest: image.digest })).verdict).toBe('signed-untrusted');

    const entry = await ok<{ id: string }>('trust.add', { name: 'CI release key', data: pem });
    const trusted = await ok<Report>('signatures.verify', { id, repository: 'team/app', digest: image.digest });
    expect(trusted).toMatchObject({ verdict: 'verified', signatures: [expect.objectContaining({ signer: 'CI release key (trusted)' })] });
    await ok('trust.remove', { id: entry.id });

    await ok('trust.add', { name: 'Old key', data: pem, notAfter: '2020-01-01T00:00:00Z' });
    const expired = await ok<Report>('signatures.verify', { id, repository: 'team/app', digest: image.digest });
    expect(expired).toMatchObject({ verdict: 'failed', code: 'FAILED', signatures: [expect.objectContaining({ code: 'WINDOW_ENDED' })] });
    expect(expired.signatures[0]?.checks.find((c) => c.name === 'expiry')).toMatchObject({
      status: 'failed',
      code: 'WINDOW_ENDED',
      reason: expect.stringContaining('before 2020-01-01'),
    });
  });

  it('finds a key-signed Sigstore bundle through the referrers tag schema and verifies it; a bundle for another digest fails', async () => {
    const image = await pushTestImage(registry.url, 'team/bundled', '1.0', { seed: 'bundle' });
    const other = await pushTestImage(registry.url, 'team/bundled', '2.0', { seed: 'bundle-other' });
    const client = new RegistryClient({ registry: registry.host });
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const m = await client.manifest('team/bundled', image.digest);
    await attachBundle(client, 'team/bundled', { digest: image.digest, size: m.bytes.length, mediaType: m.mediaType }, privateKey);
    const unknown = await ok<Report>('signatures.verify', { id, repository: 'team/bundled', digest: image.digest });
    expect(unknown.signatures).toEqual([
      expect.objectContaining({
        format: 'sigstore-bundle',
        verdict: 'signed-untrusted',
        storage: expect.stringContaining('referrers tag schema'),
      }),
    ]);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const verified = await ok<Report>('signatures.verify', { id, repository: 'team/bundled', digest: image.digest, publicKeys: [pem] });
    expect(verified).toMatchObject({
      verdict: 'verified',
      signatures: [expect.objectContaining({ format: 'sigstore-bundle', verdict: 'verified' })],
    });

    const o = await client.manifest('team/bundled', other.digest);
    await attachBundle(client, 'team/bundled', { digest: other.digest, size: o.bytes.length, mediaType: o.mediaType }, privateKey, {
      statementSubject: image.digest,
    });
    const misbound = await ok<Report>('signatures.verify', { id, repository: 'team/bundled', digest: other.digest, publicKeys: [pem] });
    expect(misbound.verdict).toBe('failed');
    expect(misbound.signatures[0]?.checks.find((c) => c.name === 'digest binding')).toMatchObject({ status: 'failed' });
  });
});
