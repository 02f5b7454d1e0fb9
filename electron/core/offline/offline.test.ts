import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PgpSigner, Signer } from '../signing/signer';
import { checkBundle } from './check';
import { buildRequest, readRequest, summarizeRequest } from './request';
import { signRequest } from './sign';

function softwareSigner(): { signer: Signer; spki: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const spki = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return {
    spki,
    signer: {
      describe: () => ({ keyId: 'k1', provider: 'software', algorithm: 'ecdsa-p256-sha256', label: 'test key', spkiSha256: spki }),
      publicKeyPem: async () => pem,
      sign: async (data) => cryptoSign('sha256', data, privateKey as KeyObject),
    },
  };
}

async function pgpSigner(): Promise<PgpSigner> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Officer', email: 'officer@example.com' }],
    format: 'object',
  });
  const fingerprint = privateKey.getFingerprint().toUpperCase();
  return {
    fingerprint,
    keyId: fingerprint.slice(-16),
    userIds: ['Officer <officer@example.com>'],
    armoredPublicKey: async () => publicKey.armor(),
    signMessage: async (data) =>
      (await openpgp.sign({
        message: await openpgp.createMessage({ binary: data }),
        signingKeys: privateKey,
        format: 'binary',
      })) as Uint8Array,
    signDetached: async (data) =>
      (await openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys: privateKey, detached: true })) as string,
  };
}

const digest = `sha256:${'ab'.repeat(32)}`;
const images = [
  { reference: '127.0.0.1:5000/app:1.0', repository: '127.0.0.1:5000/app', tag: '1.0', digest },
  {
    reference: '127.0.0.1:5000/app:1.0',
    repository: '127.0.0.1:5000/app',
    tag: '1.0',
    digest: `sha256:${'cd'.repeat(32)}`,
    platform: 'linux/arm64',
  },
];
const now = () => new Date('2026-11-23T10:00:00Z');

const station = { offlineMode: true, override: false };

describe('air-gapped signing: request → sign → check', () => {
  let soft: ReturnType<typeof softwareSigner>;
  let other: ReturnType<typeof softwareSigner>;
  let pgp: PgpSigner;
  beforeAll(async () => {
    soft = softwareSigner();
    other = softwareSigner();
    pgp = await pgpSigner();
  });

  function cosignRequest() {
    return buildRequest({
      signer: { kind: 'spki-sha256', value: soft.spki },
      formats: ['cosign'],
      images,
      createdBy: 'Signet test',
      now: now(),
    });
  }

  it('carries exact payloads and a hash to read aloud', () => {
    const { bytes, sha256 } = cosignRequest();
    const read = readRequest(bytes);
    expect(read.sha256).toBe(sha256);
    expect(read.items).toHaveLength(2);
    expect(read.items[0]?.payloadText).toBe(
      `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/app"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`,
    );
    expect(summarizeRequest(read)).toContain(sha256.slice(0, 8));
  });

  it('signs cosign items with the named key, and the bundle checks out', async () => {
    const { bytes } = cosignRequest();
    const signed = await signRequest({
      requestBytes: bytes,
      approved: 'all',
      signers: { signer: soft.signer },
      createdBy: 'station',
      now,
      station,
    });
    expect(signed.signed).toBe(2);
    const checked = await checkBundle(bytes, signed.bytes);
    expect(checked.signatures.map((s) => s.itemId)).toEqual(['1', '2']);
  });

  it('records declined items and signs only the approved ones', async () => {
    const { bytes } = cosignRequest();
    const signed = await signRequest({
      requestBytes: bytes,
      approved: new Set(['2']),
      signers: { signer: soft.signer },
      createdBy: 'station',
      now,
      station,
    });
    expect(signed.bundle.declined).toEqual(['1']);
    expect((await checkBundle(bytes, signed.bytes)).signatures).toHaveLength(1);
  });

  it('signs simple-signing items with OpenPGP over the exact bytes', async () => {
    const { bytes } = buildRequest({
      signer: { kind: 'pgp-fingerprint', value: pgp.fingerprint },
      formats: ['simplesigning', 'asc'],
      images: images.slice(0, 1),
      createdBy: 'Signet test',
      now: now(),
    });
    const signed = await signRequest({ requestBytes: bytes, approved: 'all', signers: { pgp }, createdBy: 'station', now, station });
    const checked = await checkBundle(bytes, signed.bytes);
    expect(checked.signatures).toHaveLength(2);
    expect(checked.signatures[0]?.payload.toString()).toContain('"type":"atomic container signature"');
  });

  it('refuses to sign with another key than the request names', async () => {
    const { bytes } = cosignRequest();
    await expect(
      signRequest({ requestBytes: bytes, approved: 'all', signers: { signer: other.signer }, createdBy: 's', now, station }),
    ).rejects.toThrow(/must be signed by the key/);
  });

  it('refuses a bundle for another request', async () => {
    const first = cosignRequest();
    const second = buildRequest({
      signer: { kind: 'spki-sha256', value: soft.spki },
      formats: ['cosign'],
      images: images.slice(0, 1),
      createdBy: 'Signet test',
      now: now(),
    });
    const signed = await signRequest({
      requestBytes: second.bytes,
      approved: 'all',
      signers: { signer: soft.signer },
      createdBy: 's',
      now,
      station,
    });
    await expect(checkBundle(first.bytes, signed.bytes)).rejects.toThrow(/answers another request/);
  });

  it('refuses a signature over different bytes', async () => {
    const { bytes } = cosignRequest();
    const signed = await signRequest({
      requestBytes: bytes,
      approved: 'all',
      signers: { signer: soft.signer },
      createdBy: 's',
      now,
      station,
    });
    const forged = JSON.parse(signed.bytes.toString()) as { signatures: Array<{ signature: string }> };
    const [a, b] = forged.signatures;
    if (!a || !b) throw new Error('expected two signatures');
    [a.signature, b.signature] = [b.signature, a.signature];
    await expect(checkBundle(bytes, Buffer.from(JSON.stringify(forged)))).rejects.toThrow(/does not verify over the payload/);
  });

  it('refuses a bundle signed by another key than the request named', async () => {
    const { bytes } = cosignRequest();
    const signedByOther = await signRequest({
      requestBytes: buildRequest({
        signer: { kind: 'spki-sha256', value: other.spki },
        formats: ['cosign'],
        images,
        createdBy: 'Signet test',
        now: now(),
      }).bytes,
      approved: 'all',
      signers: { signer: other.signer },
      createdBy: 's',
      now,
      station,
    });
    const bundle = JSON.parse(signedByOther.bytes.toString()) as { requestSha256: string };
    bundle.requestSha256 = readRequest(bytes).sha256;
    await expect(checkBundle(bytes, Buffer.from(JSON.stringify(bundle)))).rejects.toThrow(/asked for the key with SPKI SHA-256/);
  });

  it('refuses a request edited after its hash was read out', async () => {
    const { bytes } = cosignRequest();
    const signed = await signRequest({
      requestBytes: bytes,
      approved: 'all',
      signers: { signer: soft.signer },
      createdBy: 's',
      now,
      station,
    });
    const edited = Buffer.from(bytes.toString().replace('"createdBy": "Signet test"', '"createdBy": "Signet tesT"'));
    await expect(checkBundle(edited, signed.bytes)).rejects.toThrow(/answers another request/);
    const payloadEdited = JSON.parse(bytes.toString()) as { items: Array<{ payload: string }> };
    const item = payloadEdited.items[0];
    if (!item) throw new Error('no item');
    item.payload = Buffer.from(Buffer.from(item.payload, 'base64').toString().replace('ab', 'ba')).toString('base64');
    expect(() => readRequest(Buffer.from(JSON.stringify(payloadEdited)))).toThrow(/does not match its SHA-256/);
  });

  it('refuses a request whose payload names another digest, duplicate keys, or a format the key cannot make', () => {
    const { bytes } = cosignRequest();
    const doc = JSON.parse(bytes.toString()) as { items: Array<{ digest: string }> };
    const item = doc.items[0];
    if (!item) throw new Error('no item');
    item.digest = `sha256:${'ef'.repeat(32)}`;
    expect(() => readRequest(Buffer.from(JSON.stringify(doc)))).toThrow(/names sha256:abab/);
    expect(() => readRequest(Buffer.from(bytes.toString().replace('"version": 1,', '"version": 1, "version": 1,')))).toThrow(
      /repeats the key "version"/,
    );
    expect(() =>
      buildRequest({
        signer: { kind: 'pgp-fingerprint', value: pgp.fingerprint },
        formats: ['cosign'],
        images,
        createdBy: 't',
        now: now(),
      }),
    ).toThrow(/cannot make/);
  });
});
