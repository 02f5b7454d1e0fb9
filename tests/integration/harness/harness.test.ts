import { createHash, createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireCommand, startKeyring, startRegistry, startS3, startSoftHsm } from '../../harness';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('test harness', () => {
  it('reports a missing command with the Debian package to install', () => {
    expect(() => requireCommand('signet-no-such-tool', 'signet-pkg')).toThrow('apt-get install signet-pkg');
  });

  it('runs docker-registry anonymously: push a blob and a manifest, read them back', async () => {
    const registry = await startRegistry();
    try {
      const blob = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
      const digest = `sha256:${sha256(blob)}`;
      const upload = await fetch(`${registry.url}/v2/harness/blobs/uploads/`, { method: 'POST' });
      expect(upload.status).toBe(202);
      const location = new URL(upload.headers.get('location') as string, registry.url);
      location.searchParams.set('digest', digest);
      expect((await fetch(location, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(201);
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: blob.length }, layers: [] });
      const put = await fetch(`${registry.url}/v2/harness/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
      expect(put.status).toBe(201);
      const got = await fetch(`${registry.url}/v2/harness/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      expect(await got.text()).toBe(manifest);
      expect(got.headers.get('docker-content-digest')).toBe(`sha256:${sha256(manifest)}`);
    } finally {
      await registry.stop();
    }
  });

  it('runs docker-registry with htpasswd basic auth', async () => {
    const registry = await startRegistry({ users: { alice: 's3cret' } });
    try {
      expect((await fetch(`${registry.url}/v2/`)).status).toBe(401);
      const auth = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
      expect((await fetch(`${registry.url}/v2/`, { headers: { Authorization: auth } })).status).toBe(200);
      expect((await fetch(`${registry.url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` } })).status).toBe(401);
    } finally {
      await registry.stop();
    }
  });

  it('runs gnome-keyring’s Secret Service on a private bus', async () => {
    const keyring = await startKeyring();
    try {
      const env = { ...process.env, ...keyring.env };
      const store = spawnSync('secret-tool', ['store', '--label=t', 'service', 'signet-test', 'account', 'a'], { env, input: 'value-1' });
      expect(store.status).toBe(0);
      expect(spawnSync('secret-tool', ['lookup', 'service', 'signet-test', 'account', 'a'], { env, encoding: 'utf8' }).stdout).toBe('value-1');
    } finally {
      await keyring.stop();
    }
  });

  it('initialises a SoftHSM2 token', async () => {
    const hsm = await startSoftHsm({ label: 'harness-token' });
    try {
      const slots = spawnSync('softhsm2-util', ['--show-slots'], { env: { ...process.env, ...hsm.env }, encoding: 'utf8' });
      expect(slots.stdout).toContain('harness-token');
    } finally {
      await hsm.stop();
    }
  });

  it('runs an S3 server that checks SigV4', async () => {
    const s3 = await startS3({ buckets: ['harness'] });
    try {
      const body = 'hello s3';
      const put = (secret: string) => fetch(`${s3.endpoint}/harness/a.txt`, { method: 'PUT', body, headers: signV4('PUT', s3, '/harness/a.txt', body, secret) });
      expect((await put('wrong-secret')).status).toBe(403);
      expect((await put(s3.secretAccessKey)).status).toBe(200);
      const get = await fetch(`${s3.endpoint}/harness/a.txt`, { headers: signV4('GET', s3, '/harness/a.txt', '', s3.secretAccessKey) });
      expect(await get.text()).toBe(body);
    } finally {
      await s3.stop();
    }
  });
});

/** A minimal AWS SigV4 signer, written here so the server's check is tested against an independent client. */
function signV4(method: string, s3: { endpoint: string; accessKeyId: string; region: string }, pathName: string, body: string, secret: string): Record<string, string> {
  const host = new URL(s3.endpoint).host;
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const signed = Object.keys(headers).sort();
  const canonical = [method, pathName, '', ...signed.map((h) => `${h}:${headers[h]}`), '', signed.join(';'), payloadHash].join('\n');
  const scope = `${date}/${s3.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), s3.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const { host: _host, ...rest } = headers;
  return { ...rest, Authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}` };
}
