import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { RegistryClient } from '../../../electron/core/registry/client';
import { pushTestImage, startKeyring, useKeyringInProcess, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

function newCore(): Core {
  return createCore({ dataDir: mkdtempSync(path.join(tmpdir(), 'signet-registry-')), host: 'cli' });
}

async function ok<T>(result: Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

describe('registry area against the real docker-registry', () => {
  let registry: RegistryHandle;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
    await pushTestImage(registry.url, 'team/app', '2.0');
    await pushTestImage(registry.url, 'other/tool', 'latest');
  });
  afterAll(() => registry?.stop());

  it('saves a registry and browses repositories, tags and an index down to its platforms', async () => {
    const core = newCore();
    const saved = (await ok(core.dispatch('registry.add', { host: registry.host, name: 'Local' }) as never)) as { id: string };
    expect(
      ((await ok(core.dispatch('registry.repositories', { id: saved.id, filter: 'team' }) as never)) as { repositories: string[] })
        .repositories,
    ).toEqual(['team/app']);
    expect(
      ((await ok(core.dispatch('registry.tags', { id: saved.id, repository: 'team/app' }) as never)) as { tags: string[] }).tags.sort(),
    ).toEqual(['1.0', '2.0']);
    const summary = (await ok(core.dispatch('registry.image', { id: saved.id, repository: 'team/app', reference: '1.0' }) as never)) as {
      digest: string;
      kind: string;
      platforms: Array<{ platform: string; digest: string }>;
    };
    expect(summary.digest).toBe(image.digest);
    expect(summary.kind).toBe('index');
    expect(summary.platforms).toEqual(image.platforms.map((p) => expect.objectContaining(p)));
    const platform = (await ok(
      core.dispatch('registry.image', { id: saved.id, repository: 'team/app', reference: image.platforms[1]?.digest as string }) as never,
    )) as { config: { architecture: string; labels: Record<string, string> }; layers: unknown[] };
    expect(platform.config.architecture).toBe('arm64');
    expect(platform.config.labels['org.opencontainers.image.title']).toBe('team/app');
    expect(platform.layers).toHaveLength(1);
  });

  it('reads the same manifest bytes skopeo reads', async () => {
    const core = newCore();
    const saved = (await ok(core.dispatch('registry.add', { host: registry.host }) as never)) as { id: string };
    const manifest = (await ok(
      core.dispatch('registry.manifest', { id: saved.id, repository: 'team/app', digest: image.digest }) as never,
    )) as { text: string };
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/team/app:1.0`], {
      encoding: 'utf8',
    });
    expect(manifest.text).toBe(raw);
  });

  it('probes capabilities: no referrers API on distribution 2.8, catalog allowed', async () => {
    const core = newCore();
    const saved = (await ok(core.dispatch('registry.add', { host: registry.host }) as never)) as { id: string };
    expect(await ok(core.dispatch('registry.probe', { id: saved.id, repository: 'team/app' }) as never)).toMatchObject({
      reachable: true,
      authScheme: 'none',
      catalog: true,
      referrersApi: false,
    });
  });

  it('finds referrers through the tag schema, mounts across repositories and deletes', async () => {
    const client = new RegistryClient({ registry: registry.host });
    const referrer = await pushTestImage(registry.url, 'team/app', 'referrer-source', { seed: 'ref' });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: referrer.digest,
            size: 10,
            artifactType: 'application/vnd.example',
          },
        ],
      }),
    );
    await client.pushManifest('team/app', image.digest.replace(':', '-'), index, 'application/vnd.oci.image.index.v1+json');
    const found = await client.referrers('team/app', image.digest);
    expect(found.source).toBe('tag-schema');
    expect(found.descriptors.map((d) => d.digest)).toEqual([referrer.digest]);
    // Each read after the first goes straight to the tag schema, in one request: the registry's missing API is remembered.
    const requests: string[] = [];
    const counting = new RegistryClient({
      registry: registry.host,
      fetch: (input, init) => (requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`), fetch(input, init)),
    });
    expect((await counting.referrers('team/app', image.digest)).descriptors.map((d) => d.digest)).toEqual([referrer.digest]);
    expect(requests).toEqual([
      `GET /v2/team/app/referrers/${image.digest}`,
      `GET /v2/team/app/manifests/${image.digest.replace(':', '-')}`,
    ]);
    requests.length = 0;
    expect((await counting.referrers('team/app', image.digest)).descriptors.map((d) => d.digest)).toEqual([referrer.digest]);
    expect(await counting.referrers('team/app', `sha256:${'1'.repeat(64)}`)).toEqual({ descriptors: [], source: 'tag-schema' });
    expect(requests).toEqual([
      `GET /v2/team/app/manifests/${image.digest.replace(':', '-')}`,
      `GET /v2/team/app/manifests/sha256-${'1'.repeat(64)}`,
    ]);

    const blob = Buffer.from('mount me');
    const digest = await client.pushBlob('team/app', blob);
    await client.pushBlob('mounted/copy', blob, 'team/app');
    expect((await client.blob('mounted/copy', digest, 1024)).toString()).toBe('mount me');

    await client.deleteManifest('team/app', referrer.digest);
    expect(await client.resolve('team/app', 'referrer-source')).toBeUndefined();
  });

  it('uploads a blob above 16 MiB in chunks and reads it back intact', async () => {
    const client = new RegistryClient({ registry: registry.host });
    const big = Buffer.alloc(17 * 1024 * 1024 + 123, 7);
    big.write('signet', 1000);
    const digest = await client.pushBlob('team/big', big);
    expect((await client.blob('team/big', digest, 64 * 1024 * 1024)).equals(big)).toBe(true);
    await expect(client.blob('team/big', digest, 1024)).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('says plainly when a repository or tag does not exist', async () => {
    const core = newCore();
    const saved = (await ok(core.dispatch('registry.add', { host: registry.host }) as never)) as { id: string };
    expect(await core.dispatch('registry.image', { id: saved.id, repository: 'team/app', reference: 'nope' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(await core.dispatch('registry.image', { id: saved.id, repository: 'team/app', reference: 'sha256:../..' })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
  });
});

describe('registry credentials in the OS keychain, against htpasswd basic auth', () => {
  let registry: RegistryHandle;
  let keyring: KeyringHandle;
  let restoreEnv: () => void = () => undefined;
  beforeAll(async () => {
    keyring = await startKeyring();
    restoreEnv = useKeyringInProcess(keyring);
    registry = await startRegistry({ users: { officer: 'correct horse' } });
    await pushTestImage(registry.url, 'secure/app', '1.0', { credentials: { username: 'officer', password: 'correct horse' } });
  });
  afterAll(async () => {
    await registry?.stop();
    restoreEnv();
    await keyring?.stop();
  });

  it('stores the password in the keychain, never returns it, and uses it', async () => {
    const core = newCore();
    const saved = await core.dispatch('registry.add', { host: registry.host, username: 'officer', password: 'correct horse' });
    expect(saved).toMatchObject({ ok: true, value: { credentials: 'keychain', username: 'officer' } });
    expect(JSON.stringify(saved)).not.toContain('correct horse');
    const id = (saved as { value: { id: string } }).value.id;
    expect(await core.dispatch('registry.tags', { id, repository: 'secure/app' })).toMatchObject({ ok: true, value: { tags: ['1.0'] } });
    const keychain = execFileSync('secret-tool', ['lookup', 'service', 'Signet registry credentials', 'account', registry.host], {
      env: { ...process.env, ...keyring.env },
      encoding: 'utf8',
    });
    expect(JSON.parse(keychain)).toEqual({ username: 'officer', password: 'correct horse' });
    await core.dispatch('registry.remove', { id });
  });

  it('signs in before saving: a wrong password is refused, nothing is saved, and the working entry and its keychain item stay', async () => {
    const core = newCore();
    const id = (
      (await ok(core.dispatch('registry.add', { host: registry.host, username: 'officer', password: 'correct horse' }) as never)) as {
        id: string;
      }
    ).id;
    const wrong = await core.dispatch('registry.add', { host: registry.host, username: 'officer', password: 'wrong-pass' });
    expect(wrong).toMatchObject({
      ok: false,
      code: 'AUTH_REQUIRED',
      reason: 'not-saved',
      message: expect.stringContaining('Nothing was saved'),
    });
    expect(JSON.stringify(wrong)).not.toContain('wrong-pass');
    expect(await core.dispatch('registry.tags', { id, repository: 'secure/app' })).toMatchObject({ ok: true, value: { tags: ['1.0'] } });
    const keychain = execFileSync('secret-tool', ['lookup', 'service', 'Signet registry credentials', 'account', registry.host], {
      env: { ...process.env, ...keyring.env },
      encoding: 'utf8',
    });
    expect(JSON.parse(keychain)).toEqual({ username: 'officer', password: 'correct horse' });

    // Asked for explicitly, the wrong password is saved, and then refused with a sentence that does not carry it.
    expect(
      await core.dispatch('registry.add', { host: registry.host, username: 'officer', password: 'wrong-pass', saveAnyway: true }),
    ).toMatchObject({ ok: true });
    const result = await core.dispatch('registry.tags', { id, repository: 'secure/app' });
    expect(result).toMatchObject({ ok: false, code: 'AUTH_REQUIRED' });
    expect(JSON.stringify(result)).not.toContain('wrong-pass');
    await core.dispatch('registry.remove', { id });
  });

  it('does not save a registry that does not answer, says why in words, and saves it when asked to', async () => {
    const core = newCore();
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const refused = await core.dispatch('registry.add', { host: `127.0.0.1:${closed}` });
    expect(refused).toMatchObject({
      ok: false,
      code: 'UNAVAILABLE',
      reason: 'not-saved',
      message: expect.stringContaining('nothing is listening'),
    });
    expect(JSON.stringify(refused)).not.toMatch(/\bE[A-Z]{3,}\b/);
    expect(await core.dispatch('registry.list', {})).toMatchObject({ ok: true, value: [] });
    expect(await core.dispatch('registry.add', { host: `127.0.0.1:${closed}`, saveAnyway: true })).toMatchObject({
      ok: true,
      value: { host: `127.0.0.1:${closed}` },
    });
  });
});

describe('OCI layouts as a source', () => {
  it('adds a layout skopeo wrote, and a .tar of it, and browses them', async () => {
    const registry = await startRegistry();
    try {
      const pushed = await pushTestImage(registry.url, 'team/app', '1.0');
      const dir = mkdtempSync(path.join(tmpdir(), 'signet-layout-'));
      execFileSync('skopeo', [
        'copy',
        '--quiet',
        '--preserve-digests',
        '--src-tls-verify=false',
        `docker://${registry.host}/team/app:1.0`,
        `oci:${path.join(dir, 'layout')}:release`,
      ]);
      execFileSync('tar', ['-cf', path.join(dir, 'layout.tar'), '-C', path.join(dir, 'layout'), '.']);
      const core = newCore();
      for (const layoutPath of [path.join(dir, 'layout'), path.join(dir, 'layout.tar')]) {
        const saved = (await ok(core.dispatch('registry.add', { layoutPath }) as never)) as { id: string; kind: string };
        expect(saved.kind).toBe('oci-layout');
        expect(await ok(core.dispatch('registry.tags', { id: saved.id, repository: 'image' }) as never)).toEqual({
          tags: ['release'],
          complete: true,
        });
        expect(
          await ok(core.dispatch('registry.image', { id: saved.id, repository: 'image', reference: 'release' }) as never),
        ).toMatchObject({ digest: pushed.digest });
      }
      expect(await core.dispatch('registry.add', { layoutPath: path.join(dir, 'nothing') })).toMatchObject({
        ok: false,
        code: 'NOT_FOUND',
      });
    } finally {
      await registry.stop();
    }
  });
});
