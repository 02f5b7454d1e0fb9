import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryWithKeys, startCore } from '../../harness/core';
import { softwareSigner } from '../../../electron/core/keys/signers';
import { spkiSha256 } from '../../../electron/core/keys/generate';
import { generateKeyPairSync } from 'node:crypto';
import { RegistryClient } from '../../../electron/core/registry/client';
import { readCosignSignatures, signCosign } from '../../../electron/core/signatures/cosign';
import { attachBundle, pushTestImage, requireCommand, type RegistryHandle } from '../../harness';
import { opensslVerify } from '../../harness/kms/openssl';

/**
 * Deleting signatures on Debian's docker-registry 2.8 (deletion enabled): one cosign layer (the
 * signature image pushed again, or deleted with its last signature), one Notation manifest (and
 * its entry in the sha256-<hex> referrers index), one lookaside signature-N (the later ones
 * renumbered), every signature by one key after a dry-run count; signers writing at the same time
 * keep theirs; each deletion audited; a read-only host refuses. Peers check what remains:
 * openssl for cosign signatures, python3-jwcrypto for Notation, skopeo standalone-verify (gpg)
 * for simple signatures.
 */

interface Sig {
  id: string;
  signature: string;
  format: string;
  verdict: string;
  signer?: string;
  fingerprint?: string;
  storage: string;
  handle?: { kind: string; name?: string };
}
interface Report {
  verdict: string;
  signatures: Sig[];
}
interface Plan {
  id: string;
  what: string;
  remaining?: number;
  export: string;
}

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('deleting signatures', () => {
  let registry: RegistryHandle;
  let client: RegistryClient;
  let registryId: string;
  const { ok, call, another, restore } = startCore();
  const work = mkdtempSync(path.join(tmpdir(), 'signet-delete-'));
  let report: <R = Report>(repository: string, digest: string, extra?: Record<string, unknown>) => Promise<R>;
  const pem = async (key: string) => (await ok<{ exports: { pem: string } }>('keys.get', { key })).exports.pem;
  beforeAll(async () => {
    requireCommand('openssl', 'openssl');
    requireCommand('skopeo', 'skopeo');
    requireCommand('/usr/bin/python3', 'python3');
    ({ registry, client, registryId, report } = await registryWithKeys(
      { ok },
      ['a', 'b', 'c'].map((name) => ({ name, type: 'ecdsa-p256' })),
    ));
  });
  afterAll(async () => {
    restore();
    await registry?.stop();
  });

  it('one cosign signature: a dry run previews it and exports it; the delete keeps the others, which openssl still verifies; the last one takes the signature image with it', async () => {
    const image = await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'delete-cosign' });
    for (const key of ['a', 'b', 'c']) await ok('signatures.sign', { id: registryId, repository: 'team/app', digest: image.digest, key });
    const before = await report('team/app', image.digest);
    expect(before.signatures.map((s) => s.verdict)).toEqual(['verified', 'verified', 'verified']);
    const b = before.signatures.find((s) => s.signer?.startsWith('b '))!;
    expect(b.id).toMatch(/^[0-9a-f]{12}$/);

    const preview = await ok<{ deleted: boolean; plan: Plan }>('signatures.delete', {
      id: registryId,
      repository: 'team/app',
      digest: image.digest,
      signature: b.id,
      dryRun: true,
    });
    expect(preview).toMatchObject({
      deleted: false,
      plan: { id: b.id, remaining: 2, what: expect.stringContaining('2 other signatures stay') },
    });
    const exported = JSON.parse(preview.plan.export) as {
      signature: { id: string };
      stored: { layer: { digest: string }; payloadBase64: string };
    };
    expect(exported.signature.id).toBe(b.id);
    expect(Buffer.from(exported.stored.payloadBase64, 'base64').toString()).toContain(image.digest);
    expect((await readCosignSignatures(client, 'team/app', image.digest)).length).toBe(3);

    const done = await ok<{ deleted: boolean; outcome: string }>('signatures.delete', {
      id: registryId,
      repository: 'team/app',
      digest: image.digest,
      signature: b.id,
    });
    expect(done).toMatchObject({ deleted: true, outcome: expect.stringContaining('2 remain') });
    const after = await report('team/app', image.digest);
    expect(after.signatures.map((s) => s.signer)).toEqual(['a (trusted)', 'c (trusted)']);
    expect(after.signatures.map((s) => s.verdict)).toEqual(['verified', 'verified']);
    const left = await readCosignSignatures(client, 'team/app', image.digest);
    expect(left.map((s, i) => opensslVerify([pemA, pemC][i]!, s.payload, s.signature, 'ecdsa-p256-sha256'))).toEqual([true, true]);
    // Deleting it again: it is gone.
    expect(
      await call('signatures.delete', { id: registryId, repository: 'team/app', digest: image.digest, signature: b.id }),
    ).toMatchObject({ ok: false, code: 'NOT_FOUND' });

    for (const s of after.signatures)
      await ok('signatures.delete', { id: registryId, repository: 'team/app', digest: image.digest, signature: s.id });
    expect(await report('team/app', image.digest)).toMatchObject({ verdict: 'unsigned', signatures: [] });
    expect((await client.tags('team/app')).tags).toEqual(['1.0']);

    // Audited: the deletion, and the refused second attempt.
    const audit = await ok<{ entries: Array<{ type: string; outcome?: string; details: Record<string, unknown> }> }>('audit.list', {
      type: 'signature.deleted',
    });
    expect(
      audit.entries
        .filter((e) => e.details.signatureId === b.id && e.details.digest === image.digest)
        .map((e) => e.outcome)
        .sort(),
    ).toEqual(['failed', 'succeeded']);
  });
  let pemA = '';
  let pemC = '';
  beforeAll(async () => {
    pemA = await pem('a');
    pemC = await pem('c');
  });

  it('signers writing while a signature is deleted keep theirs', async () => {
    const image = await pushTestImage(registry.url, 'team/race', '1.0', { seed: 'delete-race' });
    await ok('signatures.sign', { id: registryId, repository: 'team/race', digest: image.digest, key: 'a' });
    const [victim] = (await report('team/race', image.digest)).signatures;
    // Another writer, as another process would be: its own client (another lock), two signers at once.
    const other = new RegistryClient({ registry: `localhost:${registry.port}` });
    const signers = [1, 2].map((n) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      return softwareSigner(privateKey, {
        keyId: `outside-${n}`,
        provider: 'software',
        algorithm: 'ecdsa-p256-sha256',
        label: `outside ${n}`,
        spkiSha256: spkiSha256(publicKey),
      });
    });
    const [deleted, ...signed] = await Promise.all([
      ok('signatures.delete', { id: registryId, repository: 'team/race', digest: image.digest, signature: victim!.id }),
      ...signers.map((signer) =>
        signCosign({ source: other, registryHost: registry.host, repository: 'team/race', digest: image.digest, signer, now: new Date() }),
      ),
    ]);
    expect(deleted).toMatchObject({ deleted: true });
    const left = (await readCosignSignatures(client, 'team/race', image.digest)).map((l) => l.signature.toString('base64')).sort();
    expect(left).toEqual(signed.map((x) => x.signature).sort());
    expect(left).not.toContain(victim!.signature);
  });

  it('one Notation signature: its manifest is deleted and unlisted from the referrers index; the other still verifies with jwcrypto and Signet', async () => {
    await ok('keys.generate', { name: 'n1', type: 'x509-ecdsa-p256', userId: 'n1.example.com' });
    await ok('keys.generate', { name: 'n2', type: 'x509-ecdsa-p256', userId: 'n2.example.com' });
    const image = await pushTestImage(registry.url, 'team/notary', '1.0', { seed: 'delete-notation' });
    for (const key of ['n1', 'n2'])
      await ok('signatures.sign', { id: registryId, repository: 'team/notary', digest: image.digest, key, format: 'notation' });
    const before = (await report('team/notary', image.digest)).signatures.filter((s) => s.format === 'notation');
    expect(before).toHaveLength(2);
    const gone = before.find((s) => s.signer?.includes('n1'))!;
    const manifest = (gone as Sig & { handle: { manifest: string } }).handle.manifest;
    await ok('signatures.delete', { id: registryId, repository: 'team/notary', digest: image.digest, signature: gone.id });
    await expect(client.manifest('team/notary', manifest)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const index = await client.manifest('team/notary', image.digest.replace(':', '-'));
    expect(index.parsed.kind === 'index' && index.parsed.manifests.map((m) => m.digest)).not.toContain(manifest);
    const after = (await report('team/notary', image.digest)).signatures;
    expect(after.map((s) => [s.signer?.includes('n2'), s.verdict])).toEqual([[true, 'verified']]);
    const { descriptors } = await client.referrers('team/notary', image.digest);
    const m = await client.manifest('team/notary', descriptors[0]!.digest);
    const file = path.join(work, 'remaining.jws');
    writeFileSync(file, await client.blob('team/notary', m.parsed.layers[0]!.digest, 1 << 20));
    const peer = spawnSync('/usr/bin/python3', [path.join(root, 'tests', 'harness', 'peers', 'notation_jws_verify.py'), file], {
      encoding: 'utf8',
    });
    expect(peer.status).toBe(0);
    expect(peer.stdout.trim()).toBe(image.digest);
  });

  it('a Sigstore bundle referrer: dated by the registry listing’s creation time, then deleted and unlisted', async () => {
    const image = await pushTestImage(registry.url, 'team/bundled', '1.0', { seed: 'delete-bundle' });
    const m = await client.manifest('team/bundled', image.digest);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await attachBundle(client, 'team/bundled', { digest: image.digest, size: m.bytes.length, mediaType: m.mediaType }, privateKey, {
      created: new Date('2026-11-01T10:00:00Z'),
    });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const [bundle] = (
      await report<{ signatures: Array<Sig & { date?: { at: string; kind: string } }> }>('team/bundled', image.digest, {
        publicKeys: [pem],
      })
    ).signatures;
    expect(bundle).toMatchObject({
      format: 'sigstore-bundle',
      verdict: 'verified',
      date: { at: '2026-11-01T10:00:00.000Z', kind: 'registry' },
    });
    await ok('signatures.delete', { id: registryId, repository: 'team/bundled', digest: image.digest, signature: bundle!.id });
    expect((await report('team/bundled', image.digest, { publicKeys: [pem] })).signatures).toEqual([]);
    const index = await client.manifest('team/bundled', image.digest.replace(':', '-'));
    expect(index.parsed.kind === 'index' && index.parsed.manifests).toEqual([]);
  });

  it('one lookaside signature: signature-1 goes, signature-2 and -3 become -1 and -2, and skopeo standalone-verify accepts both', async () => {
    const image = await pushTestImage(registry.url, 'team/simple', '1.0', { seed: 'delete-simple' });
    const lookaside = path.join(work, 'lookaside');
    const keys = ['p1', 'p2', 'p3'];
    for (const k of keys) await ok('keys.generate', { name: k, type: 'pgp-ed25519', userId: `${k} <${k}@example.com>` });
    for (const k of keys)
      await ok('signatures.sign', {
        id: registryId,
        repository: 'team/simple',
        digest: image.digest,
        key: k,
        format: 'simplesigning',
        lookaside,
        expectedTag: '1.0',
      });
    const dir = path.join(lookaside, `team/simple@${image.digest.replace(':', '=')}`);
    const bytes = (n: number) => readFileSync(path.join(dir, `signature-${n}`));
    const [two, three] = [bytes(2), bytes(3)];
    const before = (await report('team/simple', image.digest, { lookaside })).signatures.filter((s) => s.format === 'simplesigning');
    const first = before.find((s) => s.handle?.name === 'signature-1')!;
    const preview = await ok<{ plan: Plan }>('signatures.delete', {
      id: registryId,
      repository: 'team/simple',
      digest: image.digest,
      signature: first.id,
      lookaside,
      dryRun: true,
    });
    expect(preview.plan.what).toContain('renumber signature-2, signature-3 down by one');
    const done = await ok<{ outcome: string }>('signatures.delete', {
      id: registryId,
      repository: 'team/simple',
      digest: image.digest,
      signature: first.id,
      lookaside,
    });
    expect(done.outcome).toContain('signature-2 → signature-1, signature-3 → signature-2');
    expect(readdirSync(dir).sort()).toEqual(['signature-1', 'signature-2']);
    expect(bytes(1).equals(two) && bytes(2).equals(three)).toBe(true);
    // The ids are the bytes', so the two left keep theirs.
    const after = (await report('team/simple', image.digest, { lookaside })).signatures.filter((s) => s.format === 'simplesigning');
    expect(after.map((s) => s.id).sort()).toEqual(
      before
        .filter((s) => s !== first)
        .map((s) => s.id)
        .sort(),
    );

    const gnupg = path.join(work, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const reference = `${registry.host}/team/simple:1.0`;
    const manifest = path.join(work, 'simple-manifest.json');
    writeFileSync(manifest, execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]));
    try {
      for (const [n, k] of [
        [1, 'p2'],
        [2, 'p3'],
      ] as const) {
        const got = await ok<{ info: { pgpFingerprint: string }; exports: { pgp: string } }>('keys.get', { key: k });
        expect(spawnSync('gpg', ['--batch', '--homedir', gnupg, '--import'], { input: got.exports.pgp }).status).toBe(0);
        const verified = spawnSync(
          'skopeo',
          ['standalone-verify', manifest, reference, got.info.pgpFingerprint, path.join(dir, `signature-${n}`)],
          { env: { ...process.env, GNUPGHOME: gnupg }, encoding: 'utf8' },
        );
        expect(verified.status).toBe(0);
        expect(verified.stdout).toContain(image.digest);
      }
    } finally {
      spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent']);
    }
  });

  it('every signature by one key: a dry run counts them, a changed count refuses, then they go and the others stay', async () => {
    const one = await pushTestImage(registry.url, 'team/bykey', '1.0', { seed: 'bykey-1' });
    const two = await pushTestImage(registry.url, 'team/bykey', '2.0', { seed: 'bykey-2' });
    for (const d of [one.digest, two.digest])
      for (const key of ['a', 'b']) await ok('signatures.sign', { id: registryId, repository: 'team/bykey', digest: d, key });
    const elsewhere = await pushTestImage(registry.url, 'team/elsewhere', '1.0', { seed: 'bykey-elsewhere' });
    await ok('signatures.sign', { id: registryId, repository: 'team/elsewhere', digest: elsewhere.digest, key: 'b' });
    // Across the registry (every repository its catalog lists): 3.
    const everywhere = await ok<{ repositories: number; signatures: Array<{ repository: string }> }>('signatures.deleteByKey', {
      id: registryId,
      key: 'b',
      dryRun: true,
    });
    expect(everywhere.signatures.map((s) => s.repository).sort()).toEqual(['team/bykey', 'team/bykey', 'team/elsewhere']);
    expect(everywhere.repositories).toBeGreaterThan(2);
    const counted = await ok<{ images: number; signatures: Array<{ tags: string[]; deleted: boolean }>; deleted: number }>(
      'signatures.deleteByKey',
      { id: registryId, repository: 'team/bykey', key: 'b', dryRun: true },
    );
    expect(counted).toMatchObject({ images: 2, deleted: 0 });
    expect(counted.signatures.map((s) => s.tags[0]).sort()).toEqual(['1.0', '2.0']);
    expect(await call('signatures.deleteByKey', { id: registryId, repository: 'team/bykey', key: 'b', expectedCount: 3 })).toMatchObject({
      ok: false,
      code: 'CONFLICT',
    });
    expect((await report('team/bykey', one.digest)).signatures).toHaveLength(2);
    const done = await ok<{ deleted: number }>('signatures.deleteByKey', {
      id: registryId,
      repository: 'team/bykey',
      key: 'b',
      expectedCount: 2,
    });
    expect(done.deleted).toBe(2);
    for (const d of [one.digest, two.digest])
      expect((await report('team/bykey', d)).signatures.map((s) => [s.signer, s.verdict])).toEqual([['a (trusted)', 'verified']]);
    const audit = await ok<{ entries: Array<{ details: Record<string, unknown> }> }>('audit.list', { type: 'signature.deleted' });
    expect(audit.entries.filter((e) => e.details.repository === 'team/bykey' && e.details.byKey === 'b')).toHaveLength(2);
    // The one left elsewhere goes registry-wide.
    expect(await ok<{ deleted: number }>('signatures.deleteByKey', { id: registryId, key: 'b', expectedCount: 1 })).toMatchObject({
      deleted: 1,
    });
    expect((await report('team/elsewhere', elsewhere.digest)).signatures).toEqual([]);
  });

  it('a read-only reviewer host refuses to delete, even to preview', async () => {
    const image = await pushTestImage(registry.url, 'team/reviewed', '1.0', { seed: 'delete-readonly' });
    await ok('signatures.sign', { id: registryId, repository: 'team/reviewed', digest: image.digest, key: 'a' });
    const [sig] = (await report('team/reviewed', image.digest)).signatures;
    const reviewer = another({ readOnly: true });
    expect(
      await call(
        'signatures.delete',
        { id: registryId, repository: 'team/reviewed', digest: image.digest, signature: sig!.id, dryRun: true },
        reviewer,
      ),
    ).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect(
      await call('signatures.deleteByKey', { id: registryId, repository: 'team/reviewed', key: 'a', dryRun: true }, reviewer),
    ).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect((await report('team/reviewed', image.digest)).signatures).toHaveLength(1);
  });
});
