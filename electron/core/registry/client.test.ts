import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from './client';
import { parseDigest } from './digest';
import { parseReference } from './reference';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
const servers: http.Server[] = [];

async function serve(handler: Handler): Promise<{ host: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res, new URL(req.url ?? '/', 'http://x'));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 },
  layers: [],
});
const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
const noSleep = async () => undefined;

describe('registry client', () => {
  it('runs the bearer token flow with credentials, per scope', async () => {
    const tokenRequests: string[] = [];
    const token = await serve((req, res, url) => {
      tokenRequests.push(
        `${url.searchParams.get('service')} ${url.searchParams.getAll('scope').join(' ')} ${req.headers.authorization ?? ''}`,
      );
      res.end(JSON.stringify({ token: `t-${url.searchParams.get('scope')}`, expires_in: 300 }));
    });
    const registry = await serve((req, res, url) => {
      if (req.headers.authorization !== 'Bearer t-repository:team/app:pull') {
        res.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="http://${token.host}/token",service="reg.test",scope="repository:team/app:pull"`,
        });
        return res.end();
      }
      if (url.pathname === '/v2/team/app/tags/list') return res.end(JSON.stringify({ name: 'team/app', tags: ['1.0', '2.0'] }));
      res.writeHead(404).end();
    });
    const client = new RegistryClient({ registry: registry.host, credentials: async () => ({ username: 'u', password: 'p' }) });
    expect((await client.tags('team/app')).tags).toEqual(['1.0', '2.0']);
    expect((await client.tags('team/app')).tags).toEqual(['1.0', '2.0']);
    expect(tokenRequests).toEqual([`reg.test repository:team/app:pull Basic ${Buffer.from('u:p').toString('base64')}`]);
  });

  it('follows Link pagination and copes with registries that ignore n', async () => {
    const registry = await serve((_req, res, url) => {
      const last = url.searchParams.get('last');
      if (!last) {
        res.writeHead(200, { Link: '</v2/app/tags/list?n=2&last=b>; rel="next"' });
        return res.end(JSON.stringify({ tags: ['a', 'b'] }));
      }
      res.end(JSON.stringify({ tags: ['c'] }));
    });
    expect((await new RegistryClient({ registry: registry.host }).tags('app', { pageSize: 2 })).tags).toEqual(['a', 'b', 'c']);
    const ignoring = await serve((_req, res) => res.end(JSON.stringify({ tags: ['x', 'y', 'z'] })));
    expect(await new RegistryClient({ registry: ignoring.host }).tags('app', { pageSize: 1 })).toEqual({
      tags: ['x', 'y', 'z'],
      complete: true,
    });
  });

  it('retries 429 honouring Retry-After, then gives up with a sentence', async () => {
    let calls = 0;
    const waits: number[] = [];
    const registry = await serve((_req, res) => {
      calls += 1;
      if (calls < 3) {
        res.writeHead(429, { 'Retry-After': '2' });
        return res.end();
      }
      res.end(JSON.stringify({ tags: ['ok'] }));
    });
    const client = new RegistryClient({ registry: registry.host, sleep: async (ms) => void waits.push(ms) });
    expect((await client.tags('app')).tags).toEqual(['ok']);
    expect(waits).toEqual([2000, 2000]);
    const always = await serve((_req, res) => res.writeHead(503).end());
    await expect(new RegistryClient({ registry: always.host, sleep: noSleep }).tags('app')).rejects.toThrow(/answered 503/);
  });

  it('refuses a manifest that does not match its digest or the Docker-Content-Digest', async () => {
    const registry = await serve((_req, res, url) => {
      if (url.pathname.endsWith(manifestDigest)) return res.end(manifest.replace('"layers":[]', '"layers":[] '));
      res.writeHead(200, {
        'Docker-Content-Digest': `sha256:${'f'.repeat(64)}`,
        'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
      });
      res.end(manifest);
    });
    const client = new RegistryClient({ registry: registry.host });
    await expect(client.manifest('app', manifestDigest)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(client.manifest('app', 'latest')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('caps body sizes', async () => {
    const registry = await serve((_req, res) => {
      res.write('{"tags":["');
      const chunk = 'a'.repeat(1024 * 1024);
      for (let i = 0; i < 6; i += 1) res.write(chunk);
      res.end('"]}');
    });
    await expect(new RegistryClient({ registry: registry.host }).manifest('app', 'latest')).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('drops credentials when a redirect leaves the registry', async () => {
    const other = await serve((_req, res) => res.end('blob!'));
    const registry = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' });
        return res.end();
      }
      res.writeHead(307, { Location: `http://${other.host}/storage/blob` });
      res.end();
    });
    const client = new RegistryClient({ registry: registry.host, credentials: async () => ({ username: 'u', password: 'p' }) });
    const digest = `sha256:${createHash('sha256').update('blob!').digest('hex')}`;
    expect((await client.blob('app', digest, 1024)).toString()).toBe('blob!');
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
  });

  it.each(['sha256:../..', `SHA256:${'a'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`])(
    'refuses the digest %s before any request',
    (bad) => {
      expect(() => parseDigest(bad)).toThrow('is not a digest');
      expect(() => parseReference(`reg.example/app@${bad}`)).toThrow();
    },
  );

  it('parses references by the distribution grammar', () => {
    expect(parseReference('busybox')).toEqual({ registry: 'docker.io', repository: 'library/busybox' });
    expect(parseReference('127.0.0.1:5000/team/app:1.0')).toEqual({ registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.0' });
    expect(parseReference(`localhost/app@${manifestDigest}`)).toEqual({ registry: 'localhost', repository: 'app', digest: manifestDigest });
    expect(() => parseReference('reg.example/App:1')).toThrow('not a valid repository');
    expect(() => parseReference('reg.example/app:bad!tag')).toThrow('not a valid tag');
    expect(() => parseReference('reg.example/app:../x')).toThrow('not a valid repository');
  });
});
