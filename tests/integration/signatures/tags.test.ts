import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryWithKeys, startCore } from '../../harness/core';
import { type RegistryClient } from '../../../electron/core/registry/client';
import { readCosignSignatures, SIGNATURE_ANNOTATION } from '../../../electron/core/signatures/cosign';
import { pushTestImage, requireCommand, type RegistryHandle } from '../../harness';
import { opensslVerify } from '../../harness/kms/openssl';

/**
 * Tags on signatures, stored unsigned as `dev.signet.tags` on the signature's descriptor: the
 * cosign layer, or the Notation signature's entry in the sha256-<hex> referrers index. The
 * signatures keep verifying (openssl over the cosign payload, python3-jwcrypto over the JWS, and
 * Signet), the tags survive other signers and deletes, and formats without a descriptor refuse.
 */

interface Sig {
  id: string;
  format: string;
  verdict: string;
  signer?: string;
  signature: string;
  tags?: Record<string, string>;
}
interface Report {
  signatures: Sig[];
}

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('tags on signatures', () => {
  let registry: RegistryHandle;
  let client: RegistryClient;
  let registryId: string;
  const { ok, call, another, restore } = startCore();
  const work = mkdtempSync(path.join(tmpdir(), 'signet-tags-'));
  let report: <R = Report>(repository: string, digest: string, extra?: Record<string, unknown>) => Promise<R>;

  beforeAll(async () => {
    requireCommand('openssl', 'openssl');
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

  it('cosign: on the layer only, beside the signature annotation; openssl and Signet still verify; kept through another signer and a delete; removed again', async () => {
    const image = await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'tags-cosign' });
    for (const key of ['a', 'b']) await ok('signatures.sign', { id: registryId, repository: 'team/app', digest: image.digest, key });
    const [a, b] = (await report('team/app', image.digest)).signatures;
    const tagged = await ok<{ tags: Record<string, string>; where: string }>('signatures.tag', {
      id: registryId,
      repository: 'team/app',
      digest: image.digest,
      signature: a!.id,
      add: { release: '1.0', 'ops.approved': 'yes' },
    });
    expect(tagged).toMatchObject({ tags: { release: '1.0', 'ops.approved': 'yes' }, where: expect.stringContaining('.sig') });

    const layers = (await client.manifest('team/app', `${image.digest.replace(':', '-')}.sig`)).parsed.layers;
    expect(layers[0]!.annotations).toEqual({
      [SIGNATURE_ANNOTATION]: a!.signature,
      'dev.signet.tags': '{"ops.approved":"yes","release":"1.0"}',
    });
    expect(layers[1]!.annotations).toEqual({ [SIGNATURE_ANNOTATION]: b!.signature });
    const [layerA] = await readCosignSignatures(client, 'team/app', image.digest);
    expect(
      opensslVerify(
        (await ok<{ exports: { pem: string } }>('keys.get', { key: 'a' })).exports.pem,
        layerA!.payload,
        layerA!.signature,
        'ecdsa-p256-sha256',
      ),
    ).toBe(true);

    const after = (await report('team/app', image.digest)).signatures;
    expect(after.map((s) => [s.id, s.verdict, s.tags])).toEqual([
      [a!.id, 'verified', { release: '1.0', 'ops.approved': 'yes' }],
      [b!.id, 'verified', undefined],
    ]);

    // Another signer appends, then b is deleted: a keeps its tags.
    await ok('signatures.sign', { id: registryId, repository: 'team/app', digest: image.digest, key: 'c' });
    await ok('signatures.delete', { id: registryId, repository: 'team/app', digest: image.digest, signature: b!.id });
    const kept = (await report('team/app', image.digest)).signatures;
    expect(kept.map((s) => s.signer)).toEqual(['a (trusted)', 'c (trusted)']);
    expect(kept[0]!.tags).toEqual({ release: '1.0', 'ops.approved': 'yes' });

    const removed = await ok<{ tags: Record<string, string> }>('signatures.tag', {
      id: registryId,
      repository: 'team/app',
      digest: image.digest,
      signature: a!.id,
      remove: ['release', 'ops.approved'],
    });
    expect(removed.tags).toEqual({});
    expect((await client.manifest('team/app', `${image.digest.replace(':', '-')}.sig`)).parsed.layers[0]!.annotations).toEqual({
      [SIGNATURE_ANNOTATION]: a!.signature,
    });

    const audit = await ok<{ entries: Array<{ outcome?: string; details: Record<string, unknown> }> }>('audit.list', {
      type: 'signature.tagged',
    });
    expect(audit.entries.filter((e) => e.details.signatureId === a!.id && e.outcome === 'succeeded')).toHaveLength(2);
  });

  it('Notation: on its referrers-index entry; jwcrypto and Signet still verify', async () => {
    await ok('keys.generate', { name: 'n', type: 'x509-ecdsa-p256', userId: 'n.example.com' });
    const image = await pushTestImage(registry.url, 'team/notary', '1.0', { seed: 'tags-notation' });
    await ok('signatures.sign', { id: registryId, repository: 'team/notary', digest: image.digest, key: 'n', format: 'notation' });
    const [sig] = (await report('team/notary', image.digest)).signatures;
    await ok('signatures.tag', {
      id: registryId,
      repository: 'team/notary',
      digest: image.digest,
      signature: sig!.id,
      add: { 'sec.reviewed': 'ana' },
    });
    const index = await client.manifest('team/notary', image.digest.replace(':', '-'));
    expect(index.parsed.kind === 'index' && index.parsed.manifests[0]!.annotations?.['dev.signet.tags']).toBe('{"sec.reviewed":"ana"}');
    const [after] = (await report('team/notary', image.digest)).signatures;
    expect(after).toMatchObject({ id: sig!.id, verdict: 'verified', tags: { 'sec.reviewed': 'ana' } });
    const m = await client.manifest('team/notary', index.parsed.kind === 'index' ? index.parsed.manifests[0]!.digest : '');
    const file = path.join(work, 'envelope.jws');
    writeFileSync(file, await client.blob('team/notary', m.parsed.layers[0]!.digest, 1 << 20));
    const peer = spawnSync('/usr/bin/python3', [path.join(root, 'tests', 'harness', 'peers', 'notation_jws_verify.py'), file], {
      encoding: 'utf8',
    });
    expect(peer.status).toBe(0);
    expect(peer.stdout.trim()).toBe(image.digest);
  });

  it('refuses what has no descriptor, bad keys, and a read-only host', async () => {
    const image = await pushTestImage(registry.url, 'team/simple', '1.0', { seed: 'tags-simple' });
    await ok('keys.generate', { name: 'p', type: 'pgp-ed25519', userId: 'P <p@example.com>' });
    const lookaside = path.join(work, 'lookaside');
    await ok('signatures.sign', {
      id: registryId,
      repository: 'team/simple',
      digest: image.digest,
      key: 'p',
      format: 'simplesigning',
      lookaside,
      expectedTag: '1.0',
    });
    await ok('signatures.sign', { id: registryId, repository: 'team/simple', digest: image.digest, key: 'a' });
    const sigs = (await report('team/simple', image.digest, { lookaside })).signatures;
    const simple = sigs.find((s) => s.format === 'simplesigning')!;
    const cosign = sigs.find((s) => s.format === 'cosign')!;
    expect(
      await call('signatures.tag', {
        id: registryId,
        repository: 'team/simple',
        digest: image.digest,
        signature: simple.id,
        lookaside,
        add: { a: 'b' },
      }),
    ).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
    expect(
      await call('signatures.tag', {
        id: registryId,
        repository: 'team/simple',
        digest: image.digest,
        signature: cosign.id,
        add: { 'a.b.c': 'x' },
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(
      await call('signatures.tag', {
        id: registryId,
        repository: 'team/simple',
        digest: image.digest,
        signature: cosign.id,
        add: { a: 'line\nbreak' },
      }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    const reviewer = another({ readOnly: true });
    expect(
      await call(
        'signatures.tag',
        { id: registryId, repository: 'team/simple', digest: image.digest, signature: cosign.id, add: { a: 'b' } },
        reviewer,
      ),
    ).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect((await report('team/simple', image.digest)).signatures[0]!.tags).toBeUndefined();
  });
});
