import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

describe('multi-platform images', () => {
  let registry: RegistryHandle;
  let core: Core;
  let id: string;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };
  const status = async (digests: string[]) =>
    Object.fromEntries(
      (
        await ok<{ results: Array<{ tag: string; verdict: string }> }>('signatures.status', { id, repository: 'team/multi', tags: digests })
      ).results.map((r) => [r.tag, r.verdict]),
    );

  beforeAll(async () => {
    registry = await startRegistry();
    core = createCore({ dataDir: mkdtempSync(path.join(tmpdir(), 'signet-multi-')), host: 'cli', keySecrets: new MemorySecretStore() });
    id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    await ok('keys.generate', { name: 'release', type: 'ecdsa-p256' });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('signs the index and every platform manifest by default, and reports each one', async () => {
    const image = await pushTestImage(registry.url, 'team/multi', '1.0', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi' });
    const signed = await ok<{ signed: Array<{ digest: string; platform?: string }> }>('signatures.sign', {
      id,
      repository: 'team/multi',
      digest: image.digest,
      key: 'release',
      expectedTag: '1.0',
    });
    expect(signed.signed.map((s) => s.platform ?? 'index')).toEqual(['index', 'linux/amd64', 'linux/arm64']);
    expect(signed.signed.map((s) => s.digest)).toEqual([image.digest, ...image.platforms.map((p) => p.digest)]);
    const all = [image.digest, ...image.platforms.map((p) => p.digest)];
    expect(Object.values(await status(all))).toEqual(['verified', 'verified', 'verified']);
  });

  it('signs only the index when asked; the coverage shows the platforms still unsigned', async () => {
    const image = await pushTestImage(registry.url, 'team/multi', '2.0', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-2' });
    const signed = await ok<{ signed: unknown[] }>('signatures.sign', {
      id,
      repository: 'team/multi',
      digest: image.digest,
      key: 'release',
      indexOnly: true,
    });
    expect(signed.signed).toHaveLength(1);
    const coverage = await status([image.digest, ...image.platforms.map((p) => p.digest)]);
    expect(coverage).toEqual({
      [image.digest]: 'verified',
      [image.platforms[0]!.digest]: 'unsigned',
      [image.platforms[1]!.digest]: 'unsigned',
    });
  });
});
