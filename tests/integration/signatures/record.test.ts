import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore } from '../../harness/core';
import { RegistryClient } from '../../../electron/core/registry/client';
import { readCosignSignatures } from '../../../electron/core/signatures/cosign';
import { withSignedRecord } from '../../../electron/core/signatures/record';
import { parseSignedPayload } from '../../../electron/core/signatures/signed-payload';
import { signatureDate } from '../../../electron/core/signatures/report-fields';
import { payloadDataLabel } from '../../../shared/models/signatures';
import { pushTestImage, requireCommand, startRegistry, type RegistryHandle } from '../../harness';
import { opensslVerify } from '../../harness/kms/openssl';

/**
 * A description and a metadata JSON object signed into every format's payload (cosign and
 * simple signing: `optional`; Notation: targetArtifact.annotations), refused when the metadata is
 * not a JSON object or too large, read back into the report as signed data, with the date's kind.
 * Peers check the payloads still verify: skopeo standalone-verify (gpg) for simple signing,
 * openssl for the cosign signature over its payload, python3-jwcrypto for the Notation JWS.
 */

interface Sig {
  format: string;
  verdict: string;
  storage: string;
  description?: string;
  metadata?: string;
  date?: { at: string; kind: string };
  annotations: Record<string, string>;
}
interface Report {
  verdict: string;
  signatures: Sig[];
}

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('withSignedRecord', () => {
  it('compacts the metadata with sorted keys and refuses what is not a JSON object, too large, or given twice', () => {
    expect(
      withSignedRecord({ build: '42' }, { description: ' Release 1.4 ', metadata: '{ "z": 1, "a": {"y": [1, "x"], "b": null} }' }),
    ).toEqual({ build: '42', description: 'Release 1.4', metadata: '{"a":{"b":null,"y":[1,"x"]},"z":1}' });
    expect(withSignedRecord(undefined, {})).toBeUndefined();
    for (const bad of ['[1,2]', '"text"', '42', 'null', '{"a":1', '{"a":1,"a":2}', '{"a":1} x'])
      expect(() => withSignedRecord(undefined, { metadata: bad })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => withSignedRecord(undefined, { metadata: JSON.stringify({ big: 'x'.repeat(9000) }) })).toThrow(/at most 8192/);
    expect(() => withSignedRecord({ description: 'a' }, { description: 'b' })).toThrow(/once/);
    expect(() => withSignedRecord(undefined, { description: 'x'.repeat(1001) })).toThrow(/at most 1000/);
    expect(() => withSignedRecord(undefined, { description: 'bell\u0007' })).toThrow(/control/);
  });

  it('names payload data signed only when the signature over it verified', () => {
    expect(payloadDataLabel({ checks: [{ name: 'signature', status: 'passed', code: 'SIG_VALID', reason: '' }] })).toBe('signed');
    expect(payloadDataLabel({ checks: [{ name: 'signature', status: 'failed', code: 'SIG_UNKNOWN_KEY', reason: '' }] })).toBe('unverified');
  });

  it('dates by kind: a verified time first, then the signer’s claim, then the storage’s', () => {
    expect(signatureDate({ judgedAt: { source: 'rfc3161', at: '2026-01-02T00:00:00.000Z', claimed: 1 }, timestamp: 1 })).toEqual({
      at: '2026-01-02T00:00:00.000Z',
      kind: 'verified',
    });
    expect(signatureDate({ judgedAt: { source: 'now', at: 'x', claimed: 1767225600 }, storedAt: '2026-05-05T00:00:00.000Z' })).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      kind: 'claimed',
    });
    expect(signatureDate({ judgedAt: { source: 'now', at: 'x' }, storedAt: '2026-05-05T00:00:00.000Z' })).toEqual({
      at: '2026-05-05T00:00:00.000Z',
      kind: 'registry',
    });
    expect(signatureDate({})).toBeUndefined();
  });
});

describe('description and metadata signed into payloads, checked by peers', () => {
  let registry: RegistryHandle;
  let client: RegistryClient;
  let registryId: string;
  const { ok, call, restore } = startCore();
  const work = mkdtempSync(path.join(tmpdir(), 'signet-record-'));
  const record = { description: 'Release 1.4, approved by QA', metadata: '{"ticket":"REL-42","approvers":["ana","bo"]}' };
  const canonical = '{"approvers":["ana","bo"],"ticket":"REL-42"}';

  beforeAll(async () => {
    requireCommand('skopeo', 'skopeo');
    requireCommand('openssl', 'openssl');
    requireCommand('/usr/bin/python3', 'python3');
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host });
    registryId = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    await ok('keys.generate', { name: 'plain', type: 'ecdsa-p256' });
    await ok('keys.generate', { name: 'pgp', type: 'pgp-ed25519', userId: 'Release <release@example.com>' });
    await ok('keys.generate', { name: 'x509', type: 'x509-ecdsa-p256', userId: 'release.example.com' });
  });
  afterAll(async () => {
    restore();
    await registry?.stop();
  });

  it('refuses metadata that is not a JSON object before anything is written', async () => {
    const image = await pushTestImage(registry.url, 'team/refused', '1.0', { seed: 'record-refused' });
    const r = await call('signatures.sign', {
      id: registryId,
      repository: 'team/refused',
      digest: image.digest,
      key: 'plain',
      metadata: '["a"]',
    });
    expect(r).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('JSON object') });
    expect((await client.tags('team/refused')).tags).toEqual(['1.0']);
  });

  it('cosign: in optional beside a timestamp; the strict parser accepts it, openssl verifies the signature, the report shows it as signed with a claimed date', async () => {
    const image = await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'record-cosign' });
    await ok('signatures.sign', {
      id: registryId,
      repository: 'team/app',
      digest: image.digest,
      key: 'plain',
      annotations: { build: '42' },
      ...record,
    });
    const [sig] = await readCosignSignatures(client, 'team/app', image.digest);
    const parsed = parseSignedPayload(sig!.payload, 'cosign');
    expect(parsed).toMatchObject({
      ok: true,
      payload: {
        manifestDigest: image.digest,
        optional: { build: '42', description: record.description, metadata: canonical, timestamp: expect.any(Number) },
      },
    });
    expect(
      opensslVerify(
        (await ok<{ exports: { pem: string } }>('keys.get', { key: 'plain' })).exports.pem,
        sig!.payload,
        sig!.signature,
        'ecdsa-p256-sha256',
      ),
    ).toBe(true);
    const report = await ok<Report>('signatures.verify', { id: registryId, repository: 'team/app', digest: image.digest });
    expect(report.signatures[0]).toMatchObject({
      verdict: 'verified',
      description: record.description,
      metadata: canonical,
      date: { kind: 'claimed' },
      annotations: { build: '42' },
    });
  });

  it('simple signing: in optional; skopeo standalone-verify accepts it; the report shows it with the claimed date', async () => {
    const image = await pushTestImage(registry.url, 'team/simple', '1.0', { seed: 'record-simple' });
    const lookaside = path.join(work, 'lookaside');
    const signed = await ok<{ signed: Array<{ where: string }> }>('signatures.sign', {
      id: registryId,
      repository: 'team/simple',
      digest: image.digest,
      key: 'pgp',
      format: 'simplesigning',
      lookaside,
      expectedTag: '1.0',
      ...record,
    });
    const file = signed.signed[0]!.where;
    const got = await ok<{ info: { pgpFingerprint: string }; exports: { pgp: string } }>('keys.get', { key: 'pgp' });
    const key = { publicKey: got.exports.pgp, fingerprint: got.info.pgpFingerprint };
    const gnupg = path.join(work, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const imported = spawnSync('gpg', ['--batch', '--homedir', gnupg, '--import'], { input: key.publicKey });
    expect(imported.status).toBe(0);
    const reference = `${registry.host}/team/simple:1.0`;
    const manifest = path.join(work, 'manifest.json');
    writeFileSync(manifest, execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]));
    const verified = spawnSync('skopeo', ['standalone-verify', manifest, reference, key.fingerprint, file], {
      env: { ...process.env, GNUPGHOME: gnupg },
      encoding: 'utf8',
    });
    spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent']);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(image.digest);
    const report = await ok<Report>('signatures.verify', {
      id: registryId,
      repository: 'team/simple',
      digest: image.digest,
      lookaside,
      tag: '1.0',
    });
    expect(report.signatures.find((s) => s.format === 'simplesigning')).toMatchObject({
      verdict: 'verified',
      description: record.description,
      metadata: canonical,
      date: { kind: 'claimed' },
    });
  });

  it('Notation: in targetArtifact.annotations; python3-jwcrypto verifies the JWS; the report shows it', async () => {
    const image = await pushTestImage(registry.url, 'team/notary', '1.0', { seed: 'record-notation' });
    await ok('signatures.sign', {
      id: registryId,
      repository: 'team/notary',
      digest: image.digest,
      key: 'x509',
      format: 'notation',
      ...record,
    });
    const { descriptors } = await client.referrers('team/notary', image.digest);
    const m = await client.manifest('team/notary', descriptors[0]!.digest);
    const envelope = await client.blob('team/notary', m.parsed.layers[0]!.digest, 1 << 20);
    const file = path.join(work, 'envelope.jws');
    writeFileSync(file, envelope);
    const peer = spawnSync('/usr/bin/python3', [path.join(root, 'tests', 'harness', 'peers', 'notation_jws_verify.py'), file], {
      encoding: 'utf8',
    });
    expect(peer.status).toBe(0);
    expect(peer.stdout.trim()).toBe(image.digest);
    const payload = JSON.parse(Buffer.from(JSON.parse(envelope.toString('utf8')).payload, 'base64url').toString('utf8'));
    expect(payload.targetArtifact.annotations).toEqual({ description: record.description, metadata: canonical });
    const report = await ok<Report>('signatures.verify', { id: registryId, repository: 'team/notary', digest: image.digest });
    expect(report.signatures.find((s) => s.format === 'notation')).toMatchObject({
      verdict: 'verified',
      description: record.description,
      metadata: canonical,
      date: { kind: 'claimed' },
    });
  });
});
