import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { RegistryClient } from '../../../electron/core/registry/client';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

async function ok<T>(result: Promise<unknown>): Promise<T> {
  const r = (await result) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value as T;
}

describe('cosign signatures in the real registry', () => {
  let registry: RegistryHandle;
  let core: Core;
  let id: string;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  let other: Awaited<ReturnType<typeof pushTestImage>>;
  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0');
    other = await pushTestImage(registry.url, 'team/app', '2.0', { seed: 'other' });
    core = createCore({ dataDir: mkdtempSync(path.join(tmpdir(), 'signet-sign-')), host: 'cli', keySecrets: new MemorySecretStore() });
    id = (await ok<{ id: string }>(core.dispatch('registry.add', { host: registry.host }))).id;
    await ok(core.dispatch('keys.generate', { name: 'officer', type: 'ecdsa-p256' }));
    await ok(core.dispatch('keys.generate', { name: 'second', type: 'ecdsa-p384' }));
  });
  afterAll(() => registry?.stop());

  it('writes the signature image exactly as cosign lays it out, and openssl verifies the signature over the payload', async () => {
    expect(
      await ok<{ verdict: string }>(core.dispatch('signatures.verify', { id, repository: 'team/app', digest: image.digest })),
    ).toMatchObject({ verdict: 'unsigned' });
    const signed = await ok<{ tag: string; payload: string }>(
      core.dispatch('signatures.sign', {
        id,
        repository: 'team/app',
        digest: image.digest,
        key: 'officer',
        annotations: { release: '1.0' },
        expectedTag: '1.0',
      }),
    );
    expect(signed.tag).toBe(`${image.digest.replace(':', '-')}.sig`);
    // The signing time goes into optional.timestamp, as containers/image writes it in its sigstore payloads (Go map order: sorted).
    const before = Math.floor(Date.now() / 1000) - 60;
    const timestamp = Number(/"timestamp":(\d+)\}\}$/.exec(signed.payload)?.[1]);
    expect(timestamp).toBeGreaterThan(before);
    expect(signed.payload).toBe(
      `{"critical":{"identity":{"docker-reference":"${registry.host}/team/app"},"image":{"docker-manifest-digest":"${image.digest}"},"type":"cosign container image signature"},"optional":{"release":"1.0","timestamp":${timestamp}}}`,
    );

    const client = new RegistryClient({ registry: registry.host });
    const manifest = JSON.parse((await client.manifest('team/app', signed.tag)).bytes.toString()) as {
      mediaType: string;
      config: { mediaType: string; digest: string };
      layers: Array<{ mediaType: string; digest: string; size: number; annotations: Record<string, string> }>;
    };
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(manifest.layers).toHaveLength(1);
    const layer = manifest.layers[0] as (typeof manifest.layers)[number];
    expect(layer.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    expect(Object.keys(layer.annotations)).toEqual(['dev.cosignproject.cosign/signature']);
    const config = JSON.parse((await client.blob('team/app', manifest.config.digest, 65536)).toString()) as {
      rootfs: { type: string; diff_ids: string[] };
      created: string;
    };
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [layer.digest] });
    expect(config.created).toBe('0001-01-01T00:00:00Z');

    const dir = mkdtempSync(path.join(tmpdir(), 'signet-openssl-'));
    writeFileSync(path.join(dir, 'payload'), await client.blob('team/app', layer.digest, 65536));
    writeFileSync(path.join(dir, 'sig'), Buffer.from(layer.annotations['dev.cosignproject.cosign/signature'] ?? '', 'base64'));
    const { exports } = await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'officer' }));
    writeFileSync(path.join(dir, 'pub.pem'), exports.pem);
    expect(
      execFileSync('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', 'payload'], { cwd: dir, encoding: 'utf8' }),
    ).toContain('Verified OK');

    const report = await ok<{
      verdict: string;
      signatures: Array<{ verdict: string; signer: string; annotations: Record<string, string> }>;
    }>(core.dispatch('signatures.verify', { id, repository: 'team/app', digest: image.digest }));
    expect(report.verdict).toBe('verified');
    expect(report.signatures[0]).toMatchObject({ verdict: 'verified', signer: 'officer (trusted)', annotations: { release: '1.0' } });
  });

  it('keeps every signature when two signers write at once', async () => {
    await Promise.all([
      ok(core.dispatch('signatures.sign', { id, repository: 'team/app', digest: other.digest, key: 'officer' })),
      ok(core.dispatch('signatures.sign', { id, repository: 'team/app', digest: other.digest, key: 'second' })),
    ]);
    const report = await ok<{ signatures: Array<{ signer: string }> }>(
      core.dispatch('signatures.verify', { id, repository: 'team/app', digest: other.digest }),
    );
    expect(report.signatures.map((s) => s.signer).sort()).toEqual(['officer (trusted)', 'second (trusted)']);
  });

  it('reports a signature stored under one digest whose payload names another as failed, with the reason', async () => {
    const client = new RegistryClient({ registry: registry.host });
    const signatureImage = await client.manifest('team/app', `${image.digest.replace(':', '-')}.sig`);
    const third = await pushTestImage(registry.url, 'team/app', '3.0', { seed: 'third' });
    await client.pushManifest('team/app', `${third.digest.replace(':', '-')}.sig`, signatureImage.bytes, signatureImage.mediaType);
    const report = await ok<{ verdict: string; signatures: Array<{ checks: Array<{ name: string; status: string; reason: string }> }> }>(
      core.dispatch('signatures.verify', { id, repository: 'team/app', digest: third.digest }),
    );
    expect(report.verdict).toBe('failed');
    expect(report.signatures[0]?.checks[0]).toMatchObject({
      name: 'digest binding',
      status: 'failed',
      reason: expect.stringContaining('not this image'),
    });
  });

  it('says signed but untrusted when no trusted key matches, and verified with the signer’s public key given', async () => {
    const stranger = createCore({
      dataDir: mkdtempSync(path.join(tmpdir(), 'signet-stranger-')),
      host: 'cli',
      keySecrets: new MemorySecretStore(),
    });
    const strangerId = (await ok<{ id: string }>(stranger.dispatch('registry.add', { host: registry.host }))).id;
    expect(
      await ok<{ verdict: string }>(
        stranger.dispatch('signatures.verify', { id: strangerId, repository: 'team/app', digest: image.digest }),
      ),
    ).toMatchObject({ verdict: 'signed-untrusted' });
    const { exports } = await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'officer' }));
    expect(
      await ok<{ verdict: string }>(
        stranger.dispatch('signatures.verify', { id: strangerId, repository: 'team/app', digest: image.digest, publicKeys: [exports.pem] }),
      ),
    ).toMatchObject({ verdict: 'verified' });
  });

  it('verifies every tag of a repository in one pass, telling unsigned, verified, untrusted and failed apart', async () => {
    const { verifyTags } = await import('../../../electron/core/signatures/batch');
    const client = new RegistryClient({ registry: registry.host });
    const { exports } = await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'officer' }));
    const verdicts = await verifyTags(client, 'team/app', ['1.0', '2.0', '3.0'], [exports.pem], 4);
    expect(verdicts.map((v) => v.verdict)).toEqual(['verified', 'verified', 'failed']);
    expect((await verifyTags(client, 'team/app', ['1.0'], [], 1))[0]?.verdict).toBe('signed-untrusted');
    const fresh = await pushTestImage(registry.url, 'team/app', 'fresh', { seed: 'fresh' });
    expect((await verifyTags(client, 'team/app', ['fresh'], [exports.pem], 1))[0]).toMatchObject({
      digest: fresh.digest,
      verdict: 'unsigned',
    });
  });

  it('refuses to sign when the tag moved after it was resolved, writing nothing', async () => {
    const moved = await pushTestImage(registry.url, 'team/app', 'moving', { seed: 'first' });
    await pushTestImage(registry.url, 'team/app', 'moving', { seed: 'second' });
    const result = await core.dispatch('signatures.sign', {
      id,
      repository: 'team/app',
      digest: moved.digest,
      key: 'officer',
      expectedTag: 'moving',
    });
    expect(result).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringContaining('moved') });
    expect(
      await new RegistryClient({ registry: registry.host }).resolve('team/app', `${moved.digest.replace(':', '-')}.sig`),
    ).toBeUndefined();
  });
});
