import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { buildAtomicPayload } from '../../../shared/payloads/payloads';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { RegistryClient } from '../../../electron/core/registry/client';
import {
  attachBundle,
  GpgHome,
  pushCosignSignatures,
  pushTestImage,
  requireCommand,
  startRegistry,
  type PushedImage,
  type RegistryHandle,
} from '../../harness';
import { vector } from '../../vectors';

/**
 * Verdicts a reviewer reads, against crafted registry content: trust scopes, the strict cosign
 * payload, attestations apart from signatures, signer-written times that must not widen a trust
 * window, certificate validity and leaf anchors, Notation signatures found (real notation vectors),
 * and "unsigned" saying where Signet looked.
 */

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Check {
  name: string;
  status: string;
  code: string;
  reason: string;
}
interface Sig {
  format: string;
  kind: string;
  verdict: string;
  code: string;
  signer?: string;
  checks: Check[];
  judgedAt?: { source: string; claimed?: number };
}
interface Report {
  verdict: string;
  code: string;
  reason: string;
  signatures: Sig[];
  attestations: Sig[];
  looked: Array<{ kind: string; place: string; outcome: string }>;
}

const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
const cosignPayload = (
  reference: string,
  digest: string,
  mutate: (doc: { critical: Record<string, unknown>; optional: unknown }) => void = () => {},
) => {
  const doc = {
    critical: {
      identity: { 'docker-reference': reference },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    } as Record<string, unknown>,
    optional: null as unknown,
  };
  mutate(doc);
  return Buffer.from(JSON.stringify(doc));
};

describe('verdicts on crafted signatures', () => {
  let registry: RegistryHandle;
  let client: RegistryClient;
  let core: Core;
  let id: string;
  let dataDir: string;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.value;
  };
  const verify = (repository: string, digest: string, extra: Record<string, unknown> = {}) =>
    ok<Report>('signatures.verify', { id, repository, digest, ...extra });
  const trusted: string[] = [];
  const trust = async (input: Record<string, unknown>) => trusted.push((await ok<{ id: string }>('trust.add', input)).id);
  const untrustAll = async () => {
    for (const t of trusted.splice(0)) await ok('trust.remove', { id: t });
  };

  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host });
    dataDir = mkdtempSync(path.join(tmpdir(), 'signet-verdicts-'));
    process.env.SIGNET_REGISTRIES_D = path.join(dataDir, 'no-registries.d');
    core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
    id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
  });
  afterAll(async () => {
    delete process.env.SIGNET_REGISTRIES_D;
    await registry?.stop();
  });

  async function signed(
    repository: string,
    seed: string,
    key: KeyObject,
    payload?: (ref: string, digest: string) => Buffer,
  ): Promise<PushedImage> {
    const image = await pushTestImage(registry.url, repository, '1.0', { seed });
    await pushCosignSignatures(
      client,
      repository,
      image.digest,
      [(payload ?? cosignPayload)(`${registry.host}/${repository}`, image.digest)],
      key,
    );
    return image;
  }

  it('"unsigned" names every place it looked at, and only then', async () => {
    const image = await pushTestImage(registry.url, 'team/plain', '1.0', { seed: 'plain' });
    const r = await verify('team/plain', image.digest);
    expect(r).toMatchObject({ verdict: 'unsigned', code: 'UNSIGNED', signatures: [] });
    expect(r.looked.map((l) => `${l.kind}:${l.outcome}`)).toEqual(
      expect.arrayContaining(['cosign-tag:none', 'referrers:none', 'lookaside:none']),
    );
    expect(r.reason).toContain(`team/plain:${image.digest.replace(':', '-')}.sig`);
  });

  it('a key trusted for one repository verifies there and is out of scope elsewhere (KEY_OUT_OF_SCOPE)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const app = await signed('scoped/app', 'scoped-app', privateKey);
    const other = await signed('scoped/other', 'scoped-other', privateKey);
    await trust({ name: 'App team', data: pem(publicKey), scopes: [`${registry.host}/scoped/app`] });
    try {
      expect((await verify('scoped/app', app.digest)).verdict).toBe('verified');
      const r = await verify('scoped/other', other.digest);
      expect(r).toMatchObject({ verdict: 'signed-untrusted', signatures: [expect.objectContaining({ code: 'KEY_OUT_OF_SCOPE' })] });
    } finally {
      await untrustAll();
    }
  });

  it.each([
    [
      'an unknown member in critical.identity',
      (d: { critical: Record<string, unknown> }) => ((d.critical.identity as Record<string, unknown>).extra = 'x'),
    ],
    [
      'an unknown member in critical.image',
      (d: { critical: Record<string, unknown> }) => ((d.critical.image as Record<string, unknown>).extra = 'x'),
    ],
    [
      'a non-string docker-reference',
      (d: { critical: Record<string, unknown> }) => ((d.critical.identity as Record<string, unknown>)['docker-reference'] = 42),
    ],
    ['no identity', (d: { critical: Record<string, unknown> }) => delete d.critical.identity],
  ])('a cosign payload with %s, signed by a trusted key, is refused (PAYLOAD_INVALID)', async (what, mutate) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const repo = `strict/${what.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`;
    const image = await signed(repo, repo, privateKey, (ref, digest) => cosignPayload(ref, digest, mutate));
    await trust({ name: `strict ${what}`, data: pem(publicKey) });
    try {
      expect(await verify(repo, image.digest)).toMatchObject({
        verdict: 'failed',
        signatures: [expect.objectContaining({ code: 'PAYLOAD_INVALID' })],
      });
    } finally {
      await untrustAll();
    }
  });

  it('an attestation by a trusted key does not make an image signed; it is shown apart', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const image = await pushTestImage(registry.url, 'att/app', '1.0', { seed: 'attestation' });
    const m = await client.manifest('att/app', image.digest);
    await attachBundle(client, 'att/app', { digest: image.digest, size: m.bytes.length, mediaType: m.mediaType }, privateKey, {
      predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1',
    });
    await trust({ name: 'Scanner', data: pem(publicKey) });
    try {
      const r = await verify('att/app', image.digest);
      expect(r).toMatchObject({
        verdict: 'unsigned',
        signatures: [],
        attestations: [expect.objectContaining({ kind: 'attestation', verdict: 'verified' })],
      });
    } finally {
      await untrustAll();
    }
  });

  it('an unverified transparency-log time inside an ended trust window does not place the bundle there (WINDOW_ENDED, judged now)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const image = await pushTestImage(registry.url, 'tlog/app', '1.0', { seed: 'tlog-window' });
    const m = await client.manifest('tlog/app', image.digest);
    await attachBundle(client, 'tlog/app', { digest: image.digest, size: m.bytes.length, mediaType: m.mediaType }, privateKey, {
      integratedTime: new Date('2019-06-01T00:00:00Z'),
    });
    await trust({ name: 'Old release key', data: pem(publicKey), notAfter: '2020-01-01T00:00:00Z' });
    try {
      const r = await verify('tlog/app', image.digest);
      expect(r).toMatchObject({
        verdict: 'failed',
        signatures: [expect.objectContaining({ code: 'WINDOW_ENDED', judgedAt: expect.objectContaining({ source: 'now' }) })],
      });
      expect(r.signatures[0]!.checks.find((c) => c.name === 'transparency log')).toMatchObject({ code: 'TLOG_NOT_VERIFIED' });
    } finally {
      await untrustAll();
    }
  });

  it('an expired certificate vouches for nothing (CERT_EXPIRED); a leaf certificate is no anchor unless added knowingly as a single key', async () => {
    requireCommand('openssl', 'openssl');
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-certs-'));
    const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    // A self-signed CA, and a leaf it issued; then a CA whose validity ended (openssl ca with explicit dates).
    o([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-subj',
      '/CN=Test CA',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ]);
    o([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=Leaf',
    ]);
    o([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      '30',
      '-extfile',
      '/dev/stdin',
    ]);
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca=d\n[d]\ndatabase=${dir}/index.txt\nnew_certs_dir=${dir}\nserial=${dir}/serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n[ext]\nbasicConstraints=critical,CA:TRUE\n`,
    );
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'serial'), '1000\n');
    o([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'old.key',
      '-out',
      'old.csr',
      '-subj',
      '/CN=Old CA',
    ]);
    o([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'old.key',
      '-in',
      'old.csr',
      '-out',
      'old.pem',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20210101000000Z',
      '-extensions',
      'ext',
      '-notext',
    ]);

    const refused = await call('trust.add', { name: 'Leaf', data: readFileSync(path.join(dir, 'leaf.pem'), 'utf8') });
    expect(refused).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('leaf certificate') });
    await trust({ name: 'Leaf, knowingly', data: readFileSync(path.join(dir, 'leaf.pem'), 'utf8'), leaf: true });
    await untrustAll();

    const { createPrivateKey } = await import('node:crypto');
    const oldKey = createPrivateKey(readFileSync(path.join(dir, 'old.key')));
    const image = await signed('cert/app', 'cert-expired', oldKey);
    await trust({ name: 'Old CA', data: readFileSync(path.join(dir, 'old.pem'), 'utf8') });
    try {
      expect(await verify('cert/app', image.digest)).toMatchObject({
        verdict: 'failed',
        signatures: [expect.objectContaining({ code: 'CERT_EXPIRED' })],
      });
    } finally {
      await untrustAll();
    }
  });

  it('Notation signatures (real notation vectors, referrers tag schema in an OCI layout) are found and verified; with no trusted certificate they are signed but untrusted, never "unsigned"', async () => {
    const layout = vector('notation', 'oci-layout', 'e2e-valid-signature');
    const layoutId = (await ok<{ id: string }>('registry.add', { layoutPath: layout })).id;
    const subject = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
    const repos = await ok<{ repositories: string[] }>('registry.repositories', { id: layoutId });
    const r = await ok<Report>('signatures.verify', { id: layoutId, repository: repos.repositories[0]!, digest: subject });
    expect(r).toMatchObject({
      verdict: 'signed-untrusted',
      code: 'SIGNED_UNTRUSTED',
      signatures: [expect.objectContaining({ format: 'notation', verdict: 'signed-untrusted', code: 'SIG_NO_TRUSTED_KEYS' })],
    });
  });

  it('simple signatures are found where podman finds them: registries.d (SIGNET_REGISTRIES_D), then the lookaside saved with the registry', async () => {
    const gpg = new GpgHome();
    try {
      const image = await pushTestImage(registry.url, 'simple/app', '1.0', { seed: 'simple-discovery' });
      const fpr = gpg.generate('Discovery <discovery@example.com>');
      const message = gpg.sign(
        buildAtomicPayload({
          dockerReference: `${registry.host}/simple/app:1.0`,
          manifestDigest: image.digest,
          creator: 'gpg',
          timestamp: Math.floor(Date.now() / 1000),
        }),
        [fpr],
      );
      const lookaside = path.join(dataDir, 'podman-lookaside');
      mkdirSync(path.join(lookaside, `simple/app@${image.digest.replace(':', '=')}`), { recursive: true });
      writeFileSync(path.join(lookaside, `simple/app@${image.digest.replace(':', '=')}`, 'signature-1'), message);
      await trust({ name: 'Discovery', data: gpg.exportPublic(fpr).toString() });

      // Nothing configured: no signature, and the report says no lookaside was configured.
      const none = await verify('simple/app', image.digest, { tag: '1.0' });
      expect(none.verdict).toBe('unsigned');
      // The tag badges (signatures.status) read the same lookaside as the report.
      const badge = async () =>
        (await ok<{ results: Array<{ verdict: string }> }>('signatures.status', { id, repository: 'simple/app', tags: ['1.0'] })).results[0]
          ?.verdict;
      expect(await badge()).toBe('unsigned');
      // registries.d names it, as podman reads it.
      const registriesD = process.env.SIGNET_REGISTRIES_D as string;
      mkdirSync(registriesD, { recursive: true });
      writeFileSync(path.join(registriesD, 'team.yaml'), `docker:\n  ${registry.host}/simple:\n    lookaside: file://${lookaside}\n`);
      const viaD = await verify('simple/app', image.digest, { tag: '1.0' });
      expect(viaD).toMatchObject({
        verdict: 'verified',
        signatures: [expect.objectContaining({ format: 'simplesigning', code: 'SIG_VALID' })],
      });
      expect(viaD.looked).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'lookaside', outcome: 'found', place: expect.stringContaining('registries.d') }),
        ]),
      );
      expect(await badge()).toBe('verified');
      writeFileSync(path.join(registriesD, 'team.yaml'), 'docker: {}\n');
      expect(await badge()).toBe('unsigned');
      // The registry's own lookaside.
      await ok('registry.edit', { id, lookaside: `file://${lookaside}` });
      const viaSaved = await verify('simple/app', image.digest, { tag: '1.0' });
      expect(viaSaved).toMatchObject({
        verdict: 'verified',
        looked: expect.arrayContaining([
          expect.objectContaining({ kind: 'lookaside', place: expect.stringContaining('saved with the registry') }),
        ]),
      });
      expect(await badge()).toBe('verified');
      expect(await call('registry.edit', { id, lookaside: 'relative/dir' })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
      await ok('registry.edit', { id, lookaside: null });
    } finally {
      await untrustAll();
      gpg.stop();
    }
  });

  it('an attestation no known key verifies is not a signature either: the image stays unsigned', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const image = await pushTestImage(registry.url, 'att/unknown', '1.0', { seed: 'attestation-unknown' });
    const m = await client.manifest('att/unknown', image.digest);
    await attachBundle(client, 'att/unknown', { digest: image.digest, size: m.bytes.length, mediaType: m.mediaType }, privateKey, {
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    expect(await verify('att/unknown', image.digest)).toMatchObject({
      verdict: 'unsigned',
      signatures: [],
      attestations: [expect.objectContaining({ kind: 'attestation', verdict: 'signed-untrusted' })],
    });
  });

  it('a signature layer Signet cannot read within its caps makes the verdict unknown, never unsigned', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const image = await pushTestImage(registry.url, 'big/app', '1.0', { seed: 'big-payload' });
    const payload = cosignPayload(`${registry.host}/big/app`, image.digest, (d) => (d.optional = { note: 'x'.repeat(1536 * 1024) }));
    await pushCosignSignatures(client, 'big/app', image.digest, [payload], privateKey);
    await trust({ name: 'Big payload signer', data: pem(publicKey) });
    try {
      const r = await verify('big/app', image.digest);
      expect(r).toMatchObject({ verdict: 'unknown', code: 'PLACE_UNREADABLE' });
      expect(r.looked).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'cosign-tag', outcome: 'unreadable' })]));
      expect(await ok('signatures.status', { id, repository: 'big/app', tags: ['1.0'] })).toMatchObject({
        results: [{ tag: '1.0', verdict: 'unknown' }],
      });
    } finally {
      await untrustAll();
    }
  });

  it('a tag that does not point at the digest is refused: it would choose the identity and the trust scope', async () => {
    const one = await pushTestImage(registry.url, 'tagged/app', '1.0', { seed: 'tag-one' });
    await pushTestImage(registry.url, 'tagged/app', '2.0', { seed: 'tag-two' });
    expect(await call('signatures.verify', { id, repository: 'tagged/app', digest: one.digest, tag: '2.0' })).toMatchObject({
      ok: false,
      code: 'CONFLICT',
    });
    expect(await call('signatures.verify', { id, repository: 'tagged/app', digest: one.digest, tag: '1.0' })).toMatchObject({ ok: true });
  });
});
