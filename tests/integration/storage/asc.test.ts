import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { buildAtomicPayload } from '../../../shared/payloads/payloads';
import { pushTestImage, requireCommand, startRegistry, startS3, type RegistryHandle, type S3Handle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
const DIGEST = `sha256:${'5e'.repeat(32)}`;

/** Huawei SWR .asc files: gpg is the independent peer in both directions. */
describe('.asc signature files (gpg both ways, S3 upload)', () => {
  let core: Core;
  let s3: S3Handle;
  let registry: RegistryHandle;
  let gnupg: string;
  const work = mkdtempSync(path.join(tmpdir(), 'signet-asc-'));
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };
  const gpg = (args: string[], input?: string | Buffer) =>
    execFileSync('gpg', ['--batch', '--homedir', gnupg, ...args], {
      ...(input !== undefined ? { input } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  beforeAll(async () => {
    requireCommand('gpg', 'gnupg');
    gnupg = mkdtempSync(path.join(tmpdir(), 'signet-asc-gnupg-'));
    s3 = await startS3({ buckets: ['swr'], obs: true });
    registry = await startRegistry();
    core = createCore({ dataDir: work, host: 'cli', keySecrets: new MemorySecretStore(), kmsEnv: { HOME: work } });
    await ok('keys.generate', { name: 'swr-release', type: 'pgp-ed25519', userId: 'SWR Release <swr@example.com>' });
  });
  afterAll(async () => {
    await registry?.stop();
    await s3?.stop();
  });

  it('builds the payload byte for byte, with its SHA-256', async () => {
    const built = await ok<{ text: string; sha256: string; identity: string }>('payload.build', {
      reference: 'swr.cn-north-4.myhuaweicloud.com/team/app:1.0',
      digest: DIGEST,
      creator: 'Signet',
      timestamp: 1_700_000_000,
    });
    expect(built.text).toBe(
      buildAtomicPayload({
        dockerReference: 'swr.cn-north-4.myhuaweicloud.com/team/app:1.0',
        manifestDigest: DIGEST,
        creator: 'Signet',
        timestamp: 1_700_000_000,
      }),
    );
    expect(built.identity).toBe('swr.cn-north-4.myhuaweicloud.com/team/app:1.0');
    const cosign = await ok<{ text: string }>('payload.build', { reference: 'busybox:latest', digest: DIGEST, type: 'cosign' });
    expect(cosign.text).toBe(
      `{"critical":{"identity":{"docker-reference":"index.docker.io/library/busybox"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
    expect(await call('payload.build', { reference: 'team/app@sha256:' + '00'.repeat(32), digest: DIGEST })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
  });

  it('gpg verifies the signature inside a Signet .asc and recovers exactly the payload bytes', async () => {
    const asc = await ok<{ text: string; objectKey: string; fingerprint: string; payload: { text: string } }>('payload.sign', {
      reference: 'swr.example.com/team/app:1.0',
      digest: DIGEST,
      key: 'swr-release',
      creator: 'Signet',
    });
    expect(asc.objectKey).toBe(`team/app/${'5e'.repeat(32)}.asc`);
    const doc = JSON.parse(asc.text) as { PublicKeyID: string; Signature: string; SerializedPayload: null };
    expect(Object.keys(doc)).toEqual(['PublicKeyID', 'Signature', 'SerializedPayload']);
    expect(doc).toMatchObject({ PublicKeyID: asc.fingerprint, SerializedPayload: null });
    const armored = Buffer.from(doc.Signature, 'base64').toString('utf8');
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const key = await ok<{ exports: { pgp: string } }>('keys.get', { key: 'swr-release' });
    gpg(['--import'], key.exports.pgp);
    const file = path.join(work, 'message.asc');
    writeFileSync(file, armored);
    const status = path.join(work, 'status');
    const recovered = execFileSync('gpg', ['--batch', '--homedir', gnupg, '--status-file', status, '--decrypt', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(recovered.toString('utf8')).toBe(asc.payload.text);
    expect(execFileSync('cat', [status]).toString()).toMatch(new RegExp(`VALIDSIG ${asc.fingerprint}`));
  });

  it('reads and verifies an .asc built by hand with gpg, as SWR documents it', async () => {
    gpg(['--passphrase', '', '--quick-gen-key', 'Hand Made <hand@example.com>', 'ed25519', 'sign', 'never']);
    const fpr = /fpr:+([0-9A-F]{40}):/.exec(gpg(['--with-colons', '--list-keys', 'hand@example.com']).toString())?.[1] as string;
    const payload = buildAtomicPayload({ dockerReference: 'swr.example.com/team/app:2.0', manifestDigest: DIGEST });
    const payloadFile = path.join(work, 'payload.json');
    writeFileSync(payloadFile, payload);
    const signed = gpg(['--armor', '--local-user', fpr, '--output', '-', '--sign', payloadFile]);
    const ascText = JSON.stringify({ PublicKeyID: fpr, Signature: signed.toString('base64'), SerializedPayload: null });
    const publicKey = gpg(['--armor', '--export', fpr]).toString();
    const verified = await ok<{ payload: string; fingerprint: string; digestMatches: boolean }>('payload.verify', {
      asc: ascText,
      publicKeys: [{ name: 'hand', armored: publicKey }],
      digest: DIGEST,
    });
    expect(verified).toMatchObject({ payload, fingerprint: fpr, digestMatches: true });
    // Another key, a tampered signature, or a PublicKeyID naming someone else: refused.
    const other = await ok<{ exports: { pgp: string } }>('keys.get', { key: 'swr-release' });
    expect(await call('payload.verify', { asc: ascText, publicKeys: [{ name: 'other', armored: other.exports.pgp }] })).toMatchObject({
      ok: false,
      code: 'VERIFICATION_FAILED',
    });
    const lying = JSON.stringify({ PublicKeyID: 'A'.repeat(40), Signature: signed.toString('base64'), SerializedPayload: null });
    expect(await call('payload.verify', { asc: lying, publicKeys: [{ name: 'hand', armored: publicKey }] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('names key'),
    });
    const tampered = Buffer.from(
      signed
        .toString('utf8')
        .replace(/\n([A-Za-z0-9+/]{20})/, (_m, g: string) => `\n${g.slice(0, 10)}${g[10] === 'A' ? 'B' : 'A'}${g.slice(11)}`),
    ).toString('base64');
    expect(
      await call('payload.verify', {
        asc: JSON.stringify({ PublicKeyID: fpr, Signature: tampered, SerializedPayload: null }),
        publicKeys: [{ name: 'hand', armored: publicKey }],
      }),
    ).toMatchObject({ ok: false });
    expect(
      await call('payload.verify', {
        asc: JSON.stringify({ PublicKeyID: fpr, Signature: signed.toString('base64'), SerializedPayload: null, Extra: 1 }),
        publicKeys: [{ name: 'hand', armored: publicKey }],
      }),
    ).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('uploads the .asc to an OBS bucket at {namespace}/{repo}/{sha256}.asc and reads it back', async () => {
    const asc = await ok<{ text: string; objectKey: string }>('payload.sign', {
      reference: 'swr.example.com/team/app:1.0',
      digest: DIGEST,
      key: 'swr-release',
    });
    const target = { kind: 'obs', endpoint: s3.endpoint, region: 'cn-north-4', bucket: 'swr', addressing: 'path' };
    await ok('storage.add', {
      name: 'obs-swr',
      ...target,
      credential: { source: 'keychain', secret: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    });
    const put = await ok<{ url: string }>('storage.upload', {
      target: { profile: 'obs-swr' },
      key: asc.objectKey,
      content: Buffer.from(asc.text).toString('base64'),
      contentType: 'application/json',
    });
    expect(put.url).toBe(`${s3.endpoint}/swr/team/app/${'5e'.repeat(32)}.asc`);
    const back = await ok<{ content: string }>('storage.download', { target: { profile: 'obs-swr' }, key: asc.objectKey });
    expect(Buffer.from(back.content, 'base64').toString()).toBe(asc.text);
  });

  it('an .asc in the bucket shows in the image’s signature report, verified; a PublicKeyID naming another key fails', async () => {
    const image = await pushTestImage(registry.url, 'team/app', '3.0');
    const id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    const asc = await ok<{ text: string; objectKey: string; fingerprint: string }>('payload.sign', {
      reference: `${registry.host}/team/app:3.0`,
      digest: image.digest,
      key: 'swr-release',
    });
    await ok('storage.upload', { target: { profile: 'obs-swr' }, key: asc.objectKey, content: Buffer.from(asc.text).toString('base64') });
    const report = await ok<{
      verdict: string;
      signatures: Array<{ format: string; verdict: string; storage: string; checks: Array<{ name: string; status: string }> }>;
    }>('signatures.verify', { id, repository: 'team/app', digest: image.digest, asc: { profile: 'obs-swr' } });
    expect(report.verdict).toBe('verified');
    expect(report.signatures).toEqual([
      expect.objectContaining({
        format: 'asc',
        verdict: 'verified',
        storage: expect.stringContaining(`/swr/team/app/${image.digest.slice(7)}.asc`),
      }),
    ]);

    const other = await pushTestImage(registry.url, 'team/app', '4.0', { seed: 'asc-other' });
    const lying = JSON.parse(
      (await ok<{ text: string }>('payload.sign', { reference: `${registry.host}/team/app:4.0`, digest: other.digest, key: 'swr-release' }))
        .text,
    ) as Record<string, unknown>;
    lying.PublicKeyID = 'B'.repeat(40);
    await ok('storage.upload', {
      target: { profile: 'obs-swr' },
      key: `team/app/${other.digest.slice(7)}.asc`,
      content: Buffer.from(JSON.stringify(lying)).toString('base64'),
    });
    const failed = await ok<{ verdict: string; signatures: Array<{ checks: Array<{ name: string; status: string; reason: string }> }> }>(
      'signatures.verify',
      { id, repository: 'team/app', digest: other.digest, asc: { profile: 'obs-swr' } },
    );
    expect(failed.verdict).toBe('failed');
    expect(failed.signatures[0]?.checks.find((c) => c.name === 'key trust')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('names key BBBB'),
    });
  });
});
