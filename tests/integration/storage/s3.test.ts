import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { StorageService } from '../../../electron/core/storage/service';
import { MemoryStore as NamedMemorySecrets } from '../../../electron/core/keys/secret-store';
import { startS3, type S3Handle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
const b64 = (text: string) => Buffer.from(text).toString('base64');
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('object storage against an S3 server that checks SigV4', () => {
  let s3: S3Handle;
  let obs: S3Handle;
  let core: Core;
  let home: string;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };

  beforeAll(async () => {
    s3 = await startS3({ buckets: ['signet', 'other'] });
    obs = await startS3({ buckets: ['swr-signatures'], obs: true });
    home = mkdtempSync(path.join(tmpdir(), 'signet-storage-'));
    core = createCore({ dataDir: home, host: 'cli', keySecrets: new MemorySecretStore(), kmsEnv: { HOME: home } });
    await ok('storage.add', {
      name: 'aws-style',
      kind: 's3-compatible',
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: 'signet',
      prefix: 'sigs',
      credential: { source: 'keychain', secret: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    });
    await ok('storage.add', {
      name: 'obs',
      kind: 'obs',
      endpoint: obs.endpoint,
      region: 'cn-north-4',
      bucket: 'swr-signatures',
      addressing: 'path',
      credential: { source: 'keychain', secret: { accessKeyId: obs.accessKeyId, secretAccessKey: obs.secretAccessKey } },
    });
  });
  afterAll(async () => {
    await s3?.stop();
    await obs?.stop();
  });

  it('keeps the secret key out of storage.json and out of every answer', async () => {
    const listed = await ok<unknown[]>('storage.list', {});
    expect(JSON.stringify(listed)).not.toContain(s3.secretAccessKey === s3.accessKeyId ? '"secretAccessKey"' : s3.secretAccessKey);
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'aws-style',
          credential: expect.objectContaining({ source: 'keychain', identity: s3.accessKeyId }),
        }),
      ]),
    );
  });

  it('uploads, reads back, lists and downloads (AWS-style SigV4 with a signed payload hash)', async () => {
    const put = await ok<{ url: string; overwritten: boolean; sha256: string }>('storage.upload', {
      target: { profile: 'aws-style' },
      key: 'team/app/one.asc',
      content: b64('first'),
    });
    expect(put).toMatchObject({ overwritten: false, url: `${s3.endpoint}/signet/sigs/team/app/one.asc` });
    expect(s3.requests().find((r) => r.method === 'PUT')?.payloadHash).toMatch(/^[0-9a-f]{64}$/);
    const listed = await ok<{ objects: Array<{ key: string; size: number }> }>('storage.objects', {
      target: { profile: 'aws-style' },
      prefix: 'team/',
    });
    expect(listed.objects).toEqual([expect.objectContaining({ key: 'team/app/one.asc', size: 5 })]);
    const back = await ok<{ content: string }>('storage.download', { target: { profile: 'aws-style' }, key: 'team/app/one.asc' });
    expect(Buffer.from(back.content, 'base64').toString()).toBe('first');
  });

  it('never overwrites an existing object unless the user confirms it', async () => {
    const refused = await call('storage.upload', { target: { profile: 'aws-style' }, key: 'team/app/one.asc', content: b64('second') });
    expect(refused).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringContaining('does not overwrite') });
    const back = await ok<{ content: string }>('storage.download', { target: { profile: 'aws-style' }, key: 'team/app/one.asc' });
    expect(Buffer.from(back.content, 'base64').toString()).toBe('first');
    expect(
      await ok('storage.upload', { target: { profile: 'aws-style' }, key: 'team/app/one.asc', content: b64('second'), overwrite: true }),
    ).toMatchObject({ overwritten: true });
  });

  it('signs OBS requests over UNSIGNED-PAYLOAD, which an OBS-like server requires', async () => {
    const put = await ok<{ url: string }>('storage.upload', { target: { profile: 'obs' }, key: 'team/app/x.asc', content: b64('obs') });
    expect(put.url).toBe(`${obs.endpoint}/swr-signatures/team/app/x.asc`);
    expect(
      obs
        .requests()
        .filter((r) => r.method === 'PUT')
        .every((r) => r.payloadHash === 'UNSIGNED-PAYLOAD'),
    ).toBe(true);
    // The same server refuses a client that signs the payload hash (what a plain S3 profile does).
    const plain = await call('storage.upload', {
      target: { profile: 'obs', kind: 's3-compatible' },
      key: 'team/app/y.asc',
      content: b64('s3'),
    });
    expect(plain).toMatchObject({ ok: false });
    expect(obs.refused()).toContain('InvalidRequest');
  });

  it('reaches virtual-hosted buckets (bucket in the host name)', async () => {
    const service = new StorageService({
      dataDir: home,
      secrets: new NamedMemorySecrets(),
      env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
      lookup: (_host, options, callback) =>
        (options as { all?: boolean }).all
          ? (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }])
          : callback(null, '127.0.0.1', 4),
    });
    const store = await service.open({
      kind: 'aws',
      endpoint: `http://s3.test:${s3.port}`,
      region: s3.region,
      bucket: 'other',
      addressing: 'virtual',
    });
    const put = await store.put('v/hosted.txt', Buffer.from('virtual'));
    expect(put.url).toBe(`http://other.s3.test:${s3.port}/v/hosted.txt`);
    expect(
      s3.requests().some((r) => r.method === 'PUT' && r.host === `other.s3.test:${s3.port}` && r.path.split('?')[0] === '/v/hosted.txt'),
    ).toBe(true);
  });

  it('reads credentials from an ~/.aws/credentials profile', async () => {
    mkdirSync(path.join(home, '.aws'), { recursive: true });
    writeFileSync(
      path.join(home, '.aws', 'credentials'),
      `[ci]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
    );
    await ok('storage.add', {
      name: 'from-profile',
      kind: 's3-compatible',
      endpoint: s3.endpoint,
      bucket: 'signet',
      credential: { source: 'profile', profile: 'ci' },
    });
    expect(await ok('storage.test', { target: { profile: 'from-profile' } })).toMatchObject({
      ok: true,
      steps: [
        { step: 'list', ok: true },
        { step: 'write and read back', ok: true },
        { step: 'delete the probe', ok: true },
      ],
    });
  });

  it('wrong credentials, a missing bucket and a cut connection are clear errors, with nothing written', async () => {
    await ok('storage.add', {
      name: 'wrong',
      kind: 's3-compatible',
      endpoint: s3.endpoint,
      bucket: 'signet',
      credential: { source: 'keychain', secret: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' } },
    });
    expect(await call('storage.upload', { target: { profile: 'wrong' }, key: 'w.txt', content: b64('w') })).toMatchObject({
      ok: false,
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('refused the credentials'),
    });
    expect(
      await call('storage.upload', { target: { profile: 'aws-style', bucket: 'no-such-bucket' }, key: 'w.txt', content: b64('w') }),
    ).toMatchObject({ ok: false, code: 'NOT_FOUND', message: expect.stringContaining('no-such-bucket does not exist') });
    s3.cutNextPuts(10);
    const cut = await call('storage.upload', {
      target: { profile: 'aws-style' },
      key: 'cut/mid-upload.bin',
      content: Buffer.alloc(200_000, 7).toString('base64'),
    });
    s3.cutNextPuts(0);
    expect(cut).toMatchObject({ ok: false, code: 'STORAGE_ERROR', message: expect.stringContaining('nothing was left half-written') });
    const listed = await ok<{ objects: unknown[] }>('storage.objects', { target: { profile: 'aws-style' }, prefix: 'cut/' });
    expect(listed.objects).toEqual([]);
  });

  it('stores simple signatures at the first free signature-N, never twice', async () => {
    const one = await ok<{ key: string; index: number }>('storage.lookaside', {
      target: { profile: 'aws-style' },
      repository: 'team/app',
      digest: DIGEST,
      signature: b64('sig-a'),
    });
    const two = await ok<{ key: string; index: number }>('storage.lookaside', {
      target: { profile: 'aws-style' },
      repository: 'team/app',
      digest: DIGEST,
      signature: b64('sig-b'),
    });
    const again = await ok<{ key: string; index: number }>('storage.lookaside', {
      target: { profile: 'aws-style' },
      repository: 'team/app',
      digest: DIGEST,
      signature: b64('sig-a'),
    });
    expect([one.index, two.index, again.index]).toEqual([1, 2, 1]);
    expect(two.key).toBe(`team/app@sha256=${'ab'.repeat(32)}/signature-2`);
  });

  it('publishes a staging directory: uploads what is missing, skips identical objects, refuses differing ones', async () => {
    const staging = mkdtempSync(path.join(tmpdir(), 'signet-staging-'));
    const dir = path.join(staging, `team/web@sha256=${'cd'.repeat(32)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'signature-1'), 'one');
    writeFileSync(path.join(dir, 'signature-2'), 'two');
    writeFileSync(path.join(staging, 'README.txt'), 'not a signature');
    const first = await ok<{
      uploaded: string[];
      identical: string[];
      ignored: Array<{ path: string }>;
      registriesD: string;
      baseUrl: string;
    }>('storage.publish', {
      directory: staging,
      target: { profile: 'aws-style', prefix: 'lookaside' },
      scope: `${s3.endpoint.replace('http://', '')}/team`,
    });
    expect(first.uploaded).toHaveLength(2);
    expect(first.ignored.map((i) => i.path)).toEqual(['README.txt']);
    expect(first.registriesD).toContain(`lookaside: "${s3.endpoint}/signet/lookaside"`);
    const second = await ok<{ uploaded: string[]; identical: string[] }>('storage.publish', {
      directory: staging,
      target: { profile: 'aws-style', prefix: 'lookaside' },
    });
    expect(second).toMatchObject({ uploaded: [], identical: expect.arrayContaining([expect.stringContaining('signature-1')]) });
    writeFileSync(path.join(dir, 'signature-2'), 'changed');
    writeFileSync(path.join(dir, 'signature-3'), 'three');
    expect(await call('storage.publish', { directory: staging, target: { profile: 'aws-style', prefix: 'lookaside' } })).toMatchObject({
      ok: false,
      code: 'CONFLICT',
      message: expect.stringContaining('nothing was published'),
    });
    const listed = await ok<{ objects: Array<{ key: string }> }>('storage.objects', {
      target: { profile: 'aws-style', prefix: 'lookaside' },
      prefix: 'team/web',
    });
    expect(listed.objects.map((o) => o.key).filter((k) => k.endsWith('signature-3'))).toEqual([]);
  });
});
