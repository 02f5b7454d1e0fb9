import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { RegistryClient } from '../../../electron/core/registry/client';
import { OciLayout } from '../../../electron/core/registry/layout';
import type { RegistrySource } from '../../../electron/core/registry/source';
import {
  pushTestImage,
  requireCommand,
  startKeyring,
  startRegistry,
  testChain,
  type KeyringHandle,
  type RegistryHandle,
} from '../../harness';

/**
 * Notation signing with Signet keys that have an X.509 chain, stored as notation stores them:
 * on Debian's docker-registry 2.8 (no referrers API) through the `sha256-<hex>` referrers index,
 * in an OCI layout, several signatures side by side. Independent peers check what Signet wrote:
 * python3-jwcrypto verifies the JWS, python3-cbor2 + python3-cryptography the COSE_Sign1, each with
 * the leaf certificate and the protected headers notation requires. Then Signet verifies it back.
 */

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Sig {
  format: string;
  verdict: string;
  code: string;
  storage: string;
  annotations: Record<string, string>;
  checks: Array<{ name: string; status: string; code: string }>;
  notation?: { envelope?: string; expiry?: string };
}
interface Report {
  verdict: string;
  signatures: Sig[];
}

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const PEERS = path.join(root, 'tests', 'harness', 'peers');

/** Runs an independent peer on envelope bytes; returns the digest it says is signed (throws on a non-zero exit). */
function peer(script: string, envelope: Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'signet-peer-')), 'envelope');
  writeFileSync(file, envelope);
  return execFileSync('/usr/bin/python3', [path.join(PEERS, script), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function envelopesOf(
  source: RegistrySource,
  repository: string,
  digest: string,
): Promise<Array<{ mediaType: string; bytes: Buffer; manifest: string; artifactType?: string }>> {
  const { descriptors } = await source.referrers(repository, digest);
  const out = [];
  for (const d of descriptors) {
    const m = await source.manifest(repository, d.digest);
    const layer = m.parsed.layers[0];
    if (!layer) continue;
    out.push({
      mediaType: layer.mediaType,
      bytes: await source.blob(repository, layer.digest, 1 << 20),
      manifest: d.digest,
      ...(m.parsed.artifactType ? { artifactType: m.parsed.artifactType } : {}),
    });
  }
  return out;
}

describe('Notation signing', () => {
  let registry: RegistryHandle;
  let core: Core;
  let client: RegistryClient;
  let registryId: string;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.value;
  };
  const chainOf = async (key: string) => (await ok<{ exports: { x509?: string } }>('keys.get', { key })).exports.x509 as string;
  const rootOf = (chain: string) =>
    (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? []).at(-1) as string;

  beforeAll(async () => {
    requireCommand('/usr/bin/python3', 'python3');
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-notation-sign-'));
    process.env.SIGNET_REGISTRIES_D = path.join(dataDir, 'none.d');
    core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
    registryId = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    await ok('keys.generate', { name: 'release', type: 'x509-ecdsa-p256', userId: 'release.example.com' });
    await ok('keys.generate', { name: 'second', type: 'x509-ecdsa-p256', userId: 'second.example.com' });
    await ok('keys.generate', { name: 'plain', type: 'ecdsa-p256' });
  });
  afterAll(async () => {
    delete process.env.SIGNET_REGISTRIES_D;
    await registry?.stop();
  });

  it('JWS (default) and COSE on docker-registry 2.8: both kept in the sha256-<hex> index, checked by jwcrypto and cbor2+cryptography, and verified by Signet', async () => {
    const image = await pushTestImage(registry.url, 'notary/app', '1.0', { seed: 'notation-sign' });
    const jws = await ok<{ tag: string; signed: Array<{ where: string }> }>('signatures.sign', {
      id: registryId,
      repository: 'notary/app',
      digest: image.digest,
      key: 'release',
      format: 'notation',
      annotations: { build: '42' },
    });
    expect(jws.tag).toBe(image.digest.replace(':', '-'));
    expect(jws.signed[0]?.where).toContain(image.digest.replace(':', '-'));
    await ok('signatures.sign', {
      id: registryId,
      repository: 'notary/app',
      digest: image.digest,
      key: 'second',
      format: 'notation',
      envelope: 'cose',
      expiry: '720h',
    });
    // A cosign signature beside them, in its own place.
    await ok('signatures.sign', { id: registryId, repository: 'notary/app', digest: image.digest, key: 'plain' });

    const envelopes = await envelopesOf(client, 'notary/app', image.digest);
    expect(envelopes.map((e) => [e.mediaType, e.artifactType])).toEqual([
      ['application/jose+json', 'application/vnd.cncf.notary.signature'],
      ['application/cose', 'application/vnd.cncf.notary.signature'],
    ]);
    expect(peer('notation_jws_verify.py', envelopes[0]!.bytes)).toBe(image.digest);
    expect(peer('notation_cose_verify.py', envelopes[1]!.bytes)).toBe(image.digest);

    // Signet trusts the keys it generates: each signing certificate's key vouches for it as a single key.
    const own = await ok<Report>('signatures.verify', { id: registryId, repository: 'notary/app', digest: image.digest });
    expect(own.signatures.filter((s) => s.format === 'notation').map((s) => s.verdict)).toEqual(['verified', 'verified']);
    // Without those entries they are untrusted until a chain's root is trusted (here in a Notation store, one of them).
    const listed = await ok<{ entries: Array<{ id: string; signetKey?: { name: string } }> }>('trust.list', {});
    for (const e of listed.entries.filter((x) => x.signetKey)) await ok('trust.remove', { id: e.id });
    const before = await ok<Report>('signatures.verify', { id: registryId, repository: 'notary/app', digest: image.digest });
    expect(before.signatures.filter((s) => s.format === 'notation').map((s) => s.code)).toEqual([
      'SIG_NO_TRUSTED_KEYS',
      'SIG_NO_TRUSTED_KEYS',
    ]);
    await ok('trust.add', { name: 'release test CA', data: rootOf(await chainOf('release')), stores: ['ca:release'] });
    const after = await ok<Report>('signatures.verify', { id: registryId, repository: 'notary/app', digest: image.digest });
    const notation = after.signatures.filter((s) => s.format === 'notation');
    expect(notation.map((s) => [s.notation?.envelope, s.verdict, s.code])).toEqual([
      ['jws', 'verified', 'SIG_VALID'],
      ['cose', 'signed-untrusted', 'SIG_UNKNOWN_KEY'],
    ]);
    expect(notation[0]?.annotations).toEqual({ build: '42' });
    expect(notation[1]?.notation?.expiry).toBeDefined();
    expect(after.verdict).toBe('verified');
  });

  it('a multi-platform index: the index and each platform manifest get their own Notation signature, each verifying (index only when asked)', async () => {
    const image = await pushTestImage(registry.url, 'notary/multi', '1.0', {
      platforms: ['linux/amd64', 'linux/arm64'],
      seed: 'notation-multi',
    });
    // Trusting the same root in the same store again is idempotent (it joins the store it is in).
    await ok('trust.add', { name: 'release test CA', data: rootOf(await chainOf('release')), stores: ['ca:release'] });
    const signed = await ok<{ signed: Array<{ digest: string; platform?: string }> }>('signatures.sign', {
      id: registryId,
      repository: 'notary/multi',
      digest: image.digest,
      key: 'release',
      format: 'notation',
      expectedTag: '1.0',
    });
    expect(signed.signed.map((x) => x.platform ?? 'index')).toEqual(['index', 'linux/amd64', 'linux/arm64']);
    for (const digest of [image.digest, ...image.platforms.map((p) => p.digest)]) {
      const r = await ok<Report>('signatures.verify', { id: registryId, repository: 'notary/multi', digest });
      expect(
        r.signatures.filter((x) => x.format === 'notation').map((x) => x.verdict),
        digest,
      ).toEqual(['verified']);
    }
    const other = await pushTestImage(registry.url, 'notary/multi', '2.0', {
      platforms: ['linux/amd64', 'linux/arm64'],
      seed: 'notation-multi-2',
    });
    expect(
      (
        await ok<{ signed: unknown[] }>('signatures.sign', {
          id: registryId,
          repository: 'notary/multi',
          digest: other.digest,
          key: 'release',
          format: 'notation',
          indexOnly: true,
        })
      ).signed,
    ).toHaveLength(1);
    expect(await envelopesOf(client, 'notary/multi', other.platforms[0]!.digest)).toEqual([]);
  });

  it('signing twice at once keeps both signatures in the referrers index', async () => {
    const image = await pushTestImage(registry.url, 'notary/race', '1.0', { seed: 'notation-race' });
    await Promise.all(
      ['release', 'second'].map((key) =>
        ok('signatures.sign', { id: registryId, repository: 'notary/race', digest: image.digest, key, format: 'notation' }),
      ),
    );
    expect(await envelopesOf(client, 'notary/race', image.digest)).toHaveLength(2);
  });

  it('into an OCI layout, the tag-schema index is written in index.json and verifies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-notation-layout-'));
    const layout = await OciLayout.create(dir);
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configDigest = await layout.pushBlob('image', config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [],
      }),
    );
    const digest = await layout.pushManifest('image', 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
    const id = (await ok<{ id: string }>('registry.add', { layoutPath: dir })).id;
    await ok('signatures.sign', { id, repository: 'image', digest, key: 'release', format: 'notation', envelope: 'cose' });
    const [env] = await envelopesOf(layout, 'image', digest);
    expect(peer('notation_cose_verify.py', env!.bytes)).toBe(digest);
    const r = await ok<Report>('signatures.verify', { id, repository: 'image', digest });
    expect(r.signatures).toEqual([
      expect.objectContaining({ format: 'notation', verdict: 'verified', storage: expect.stringContaining('referrers tag schema') }),
    ]);
  });

  it('an RSA key with an attached chain signs Notation with PSS (PS384 for RSA 3072), which jwcrypto and cbor2+cryptography verify', async () => {
    const image = await pushTestImage(registry.url, 'notary/rsa', '1.0', { seed: 'notation-rsa' });
    await ok('keys.generate', { name: 'rsa-notary', type: 'rsa-3072' });
    const publicPem = (await ok<{ exports: { pem?: string } }>('keys.get', { key: 'rsa-notary' })).exports.pem as string;
    const { leafPem, caPem } = testChain(publicPem, { ca: 'RSA CA', leaf: 'rsa-notary' });
    await ok('keys.attachCertificate', { key: 'rsa-notary', chain: leafPem + caPem });
    const signed = await ok<{ algorithm?: string }>('signatures.sign', {
      id: registryId,
      repository: 'notary/rsa',
      digest: image.digest,
      key: 'rsa-notary',
      format: 'notation',
    });
    expect(signed.algorithm).toBe('rsa-pss-sha384');
    await ok('signatures.sign', {
      id: registryId,
      repository: 'notary/rsa',
      digest: image.digest,
      key: 'rsa-notary',
      format: 'notation',
      envelope: 'cose',
    });
    const envelopes = await envelopesOf(client, 'notary/rsa', image.digest);
    expect(JSON.parse(Buffer.from(JSON.parse(envelopes[0]!.bytes.toString()).protected, 'base64url').toString()).alg).toBe('PS384');
    expect(peer('notation_jws_verify.py', envelopes[0]!.bytes)).toBe(image.digest);
    expect(peer('notation_cose_verify.py', envelopes[1]!.bytes)).toBe(image.digest);
  });

  it('a key without a chain in the key list signs with a chain given for the call (as for pkcs11: and KMS URIs); a chain for another key is refused', async () => {
    const image = await pushTestImage(registry.url, 'notary/given', '1.0', { seed: 'notation-given-chain' });
    const publicPem = (await ok<{ exports: { pem?: string } }>('keys.get', { key: 'plain' })).exports.pem as string;
    const { leafPem, caPem } = testChain(publicPem, { ca: 'Given CA', leaf: 'plain' });
    await ok('signatures.sign', {
      id: registryId,
      repository: 'notary/given',
      digest: image.digest,
      key: 'plain',
      format: 'notation',
      certificateChain: leafPem + caPem,
    });
    const [env] = await envelopesOf(client, 'notary/given', image.digest);
    expect(peer('notation_jws_verify.py', env!.bytes)).toBe(image.digest);
    expect(
      await call('signatures.sign', {
        id: registryId,
        repository: 'notary/given',
        digest: image.digest,
        key: 'plain',
        format: 'notation',
        certificateChain: await chainOf('release'),
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('another key') });
  });

  it('refuses a key without a certificate chain, and a reserved annotation, writing nothing', async () => {
    const image = await pushTestImage(registry.url, 'notary/refused', '1.0', { seed: 'notation-refused' });
    expect(
      await call('signatures.sign', {
        id: registryId,
        repository: 'notary/refused',
        digest: image.digest,
        key: 'plain',
        format: 'notation',
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('X.509 certificate chain') });
    expect(
      await call('signatures.sign', {
        id: registryId,
        repository: 'notary/refused',
        digest: image.digest,
        key: 'release',
        format: 'notation',
        annotations: { 'io.cncf.notary.x': 'y' },
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('reserved') });
    expect(
      await call('signatures.sign', { id: registryId, repository: 'notary/refused', digest: image.digest, key: 'plain', envelope: 'cose' }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await envelopesOf(client, 'notary/refused', image.digest)).toEqual([]);
  });
});

describe('signet sign --format notation (CLI)', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-notation-sign-cli-'));
  const signet = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [path.join(root, 'bin', 'signet.mjs'), ...args],
        { cwd: root, env: { ...process.env, ...keyring.env, SIGNET_HOME: home, SIGNET_REGISTRIES_D: path.join(home, 'none.d') } },
        (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'notation-cli' });
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('signs with --envelope cose --expiry 720h --annotation, and verifies once the test CA is trusted', async () => {
    expect((await signet('key', 'generate', 'release', '--type', 'x509-ecdsa-p256', '--uid', 'release.example.com')).code).toBe(0);
    const ref = `${registry.host}/team/app:1.0`;
    const signed = await signet(
      'sign',
      ref,
      '--key',
      'release',
      '--format',
      'notation',
      '--envelope',
      'cose',
      '--expiry',
      '720h',
      '--annotation',
      'build=7',
    );
    expect(signed).toMatchObject({ code: 0, stdout: expect.stringContaining('sha256-') });
    expect(signed.stdout).toContain('notation');
    // The key Signet generated is trusted: its certificate's key vouches for the signature as a single key.
    expect(await signet('verify', ref)).toMatchObject({ code: 0, stdout: expect.stringContaining('as a single key') });
    await signet('key', 'export', 'release', '--format', 'x509', '--out', path.join(home, 'chain.pem'));
    const chain = execFileSync('cat', [path.join(home, 'chain.pem')], { encoding: 'utf8' });
    writeFileSync(
      path.join(home, 'ca.pem'),
      (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? []).at(-1) as string,
    );
    expect((await signet('trust', 'add', path.join(home, 'ca.pem'), '--store', 'ca:release')).code).toBe(0);
    const verified = await signet('verify', ref);
    expect(verified).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/notation verified \(SIG_VALID\)[\s\S]*Notation COSE, notary\.x509/),
    });
    expect((await signet('sign', ref, '--key', 'release', '--format', 'notation', '--envelope', 'xml')).code).not.toBe(0);
  });
});
