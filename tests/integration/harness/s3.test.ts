import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Handle } from '../../harness';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** A minimal AWS SigV4 signer written from the spec, so the server's check meets an independent client. */
function signV4(method: string, s3: S3Handle, pathName: string, body: string, secret: string): Record<string, string> {
  const host = new URL(s3.endpoint).host;
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const signed = Object.keys(headers).sort();
  const canonical = [method, pathName, '', ...signed.map((h) => `${h}:${headers[h]}`), '', signed.join(';'), payloadHash].join('\n');
  const scope = `${date}/${s3.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), s3.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const { host: _host, ...rest } = headers;
  return {
    ...rest,
    Authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
  };
}

let s3: S3Handle;
beforeAll(async () => {
  s3 = await startS3({ buckets: ['harness', 'second'] });
});
afterAll(async () => {
  await s3?.stop();
});

describe('s3 harness (s3rver behind a SigV4 check)', () => {
  it('listens on loopback with the documented credentials', () => {
    expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
    expect(s3).toMatchObject({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' });
  });

  it('stores and returns an object under a correct signature', async () => {
    const body = 'hello s3';
    const put = await fetch(`${s3.endpoint}/harness/dir/a.txt`, {
      method: 'PUT',
      body,
      headers: signV4('PUT', s3, '/harness/dir/a.txt', body, s3.secretAccessKey),
    });
    expect(put.status).toBe(200);
    const get = await fetch(`${s3.endpoint}/harness/dir/a.txt`, {
      headers: signV4('GET', s3, '/harness/dir/a.txt', '', s3.secretAccessKey),
    });
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(body);
  });

  it('creates every requested bucket', async () => {
    const head = await fetch(`${s3.endpoint}/second`, { method: 'HEAD', headers: signV4('HEAD', s3, '/second', '', s3.secretAccessKey) });
    expect(head.status).toBe(200);
  });

  it('refuses a wrong secret, an unsigned request and a tampered body with 403', async () => {
    const wrong = await fetch(`${s3.endpoint}/harness/b.txt`, {
      method: 'PUT',
      body: 'x',
      headers: signV4('PUT', s3, '/harness/b.txt', 'x', 'not-the-secret'),
    });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect((await fetch(`${s3.endpoint}/harness/dir/a.txt`)).status).toBe(403);
    const tampered = await fetch(`${s3.endpoint}/harness/b.txt`, {
      method: 'PUT',
      body: 'y',
      headers: signV4('PUT', s3, '/harness/b.txt', 'x', s3.secretAccessKey),
    });
    expect(tampered.status).toBe(403);
    expect(s3.refused()).toEqual(expect.arrayContaining(['SignatureDoesNotMatch', 'AccessDenied', 'XAmzContentSHA256Mismatch']));
    const missing = await fetch(`${s3.endpoint}/harness/b.txt`, { headers: signV4('GET', s3, '/harness/b.txt', '', s3.secretAccessKey) });
    expect(missing.status).toBe(404);
  });

  it('stops idempotently and removes its directory', async () => {
    const other = await startS3();
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
  });
});
