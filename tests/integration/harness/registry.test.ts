import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryHandle } from '../../harness';

const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: RegistryHandle | undefined;
afterEach(async () => {
  await registry?.stop();
  registry = undefined;
});

async function pushSmallImage(url: string, repository: string, tag: string): Promise<string> {
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const upload = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  expect(upload.status).toBe(202);
  const location = new URL(upload.headers.get('location') as string, url);
  location.searchParams.set('digest', digestOf(config));
  const put = await fetch(location, { method: 'PUT', body: config, headers: { 'Content-Type': 'application/octet-stream' } });
  expect(put.status).toBe(201);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [],
  });
  expect(
    (await fetch(`${url}/v2/${repository}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': MANIFEST } }))
      .status,
  ).toBe(201);
  return manifest;
}

describe('registry harness (docker-registry)', () => {
  it('serves anonymously: a pushed blob and manifest come back byte for byte', async () => {
    registry = await startRegistry();
    expect(registry.url).toBe(`http://${registry.host}`);
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    const manifest = await pushSmallImage(registry.url, 'harness/app', 'v1');
    const got = await fetch(`${registry.url}/v2/harness/app/manifests/v1`, { headers: { Accept: MANIFEST } });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(manifest);
    expect(got.headers.get('docker-content-digest')).toBe(digestOf(manifest));
    const config = JSON.parse(manifest).config as { digest: string };
    const blob = await fetch(`${registry.url}/v2/harness/app/blobs/${config.digest}`);
    expect(digestOf(Buffer.from(await blob.arrayBuffer()))).toBe(config.digest);
  });

  it('deletes manifests by default and refuses with deleteEnabled: false', async () => {
    registry = await startRegistry();
    const manifest = await pushSmallImage(registry.url, 'harness/del', 'v1');
    expect((await fetch(`${registry.url}/v2/harness/del/manifests/${digestOf(manifest)}`, { method: 'DELETE' })).status).toBe(202);
    await registry.stop();

    registry = await startRegistry({ deleteEnabled: false });
    const again = await pushSmallImage(registry.url, 'harness/del', 'v1');
    expect((await fetch(`${registry.url}/v2/harness/del/manifests/${digestOf(again)}`, { method: 'DELETE' })).status).toBe(405);
  });

  it('requires htpasswd basic auth when users are given', async () => {
    registry = await startRegistry({ users: { alice: 's3cret pass', bob: 'other' } });
    const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic realm="signet-test"');
    expect((await fetch(`${registry.url}/v2/`, { headers: basic('alice', 's3cret pass') })).status).toBe(200);
    expect((await fetch(`${registry.url}/v2/`, { headers: basic('bob', 'other') })).status).toBe(200);
    expect((await fetch(`${registry.url}/v2/`, { headers: basic('alice', 'wrong') })).status).toBe(401);
  });

  it('stops idempotently, frees the port and removes its directory', async () => {
    const handle = await startRegistry();
    await handle.stop();
    await handle.stop();
    expect(existsSync(handle.dir)).toBe(false);
    await expect(fetch(`${handle.url}/v2/`)).rejects.toThrow();
  });
});
