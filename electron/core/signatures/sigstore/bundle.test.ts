import { createHash, createPublicKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../../tests/vectors';
import { COSIGN_SIGN_PREDICATE, pae, verifyBundle, type TrustedKey } from './bundle';

const trusted = (name: string, key: KeyObject): TrustedKey => ({
  name,
  key,
  fingerprint: createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex'),
});
const statusOf = (checks: Array<{ name: string; status: string }>) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('Sigstore bundles made by sigstore-go and cosign', () => {
  const publishKey = trusted('npm publish key', createPublicKey(readFileSync(vector('sigstore-go', 'publish_key.pub'))));
  const publish = readFileSync(vector('sigstore-go', 'bundle-publish.json'));

  it('the key-signed v0.1 DSSE bundle verifies with its key, and is not bound to an image digest', () => {
    const v = verifyBundle(publish, { digest: `sha256:${'1'.repeat(64)}`, keys: [publishKey] });
    expect(statusOf(v.checks)).toMatchObject({ signature: 'passed', 'key trust': 'passed', 'digest binding': 'failed' });
    expect(v.ok).toBe(false);
    expect(v.reason).toContain('not this image');
  });

  it('fails the signature with another key', () => {
    const other = trusted('other', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const v = verifyBundle(publish, { digest: `sha256:${'1'.repeat(64)}`, keys: [other] });
    expect(statusOf(v.checks).signature).toBe('failed');
  });

  it('a keyless cosign bundle: the signature verifies with its certificate, but the key is not trusted', () => {
    const bytes = readFileSync(vector('sigstore-cosign', 'oci-attestation.sigstore.json'));
    const digest = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
    const v = verifyBundle(bytes, { digest, keys: [publishKey] });
    expect(statusOf(v.checks)).toMatchObject({ signature: 'passed', 'key trust': 'not-checked', 'digest binding': 'passed' });
    expect(v.ok).toBe(false);
    const cert = new X509Certificate(
      Buffer.from(
        (JSON.parse(bytes.toString()) as { verificationMaterial: { certificate: { rawBytes: string } } }).verificationMaterial.certificate
          .rawBytes,
        'base64',
      ),
    );
    expect(verifyBundle(bytes, { digest, keys: [trusted('cody’s certificate', cert.publicKey)] }).ok).toBe(true);
  });
});

describe('cosign v3 style bundles (key-signed DSSE and messageSignature)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = trusted('release key', publicKey);
  const digest = `sha256:${createHash('sha256').update('manifest').digest('hex')}`;
  const statement = (hex: string, predicateType = COSIGN_SIGN_PREDICATE) =>
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: hex }, annotations: { team: 'release' } }],
        predicateType,
        predicate: {},
      }),
    );
  const dsse = (payload: Buffer, payloadType = 'application/vnd.in-toto+json', extra: Record<string, unknown> = {}) =>
    Buffer.from(
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: { publicKey: { hint: 'x' } },
        dsseEnvelope: {
          payload: payload.toString('base64'),
          payloadType,
          signatures: [{ sig: sign('sha256', pae(payloadType, payload), privateKey).toString('base64'), keyid: '' }],
        },
        ...extra,
      }),
    );

  it('verifies, reporting predicate and annotations; no tlog needed', () => {
    const v = verifyBundle(dsse(statement(digest.slice(7))), { digest, keys: [key], predicateType: COSIGN_SIGN_PREDICATE });
    expect(v).toMatchObject({ ok: true, content: 'dsse', predicateType: COSIGN_SIGN_PREDICATE, annotations: { team: 'release' } });
    expect(statusOf(v.checks)['transparency log']).toBe('not-checked');
  });

  it.each([
    ['a statement for another digest', () => dsse(statement('f'.repeat(64))), 'not this image'],
    [
      'another predicate type than asked for',
      () => dsse(statement(digest.slice(7), 'https://spdx.dev/Document')),
      'not a https://sigstore.dev/cosign/sign/v1',
    ],
    ['a payload type that is not in-toto', () => dsse(statement(digest.slice(7)), 'text/plain'), 'not application/vnd.in-toto+json'],
    ['an unknown top-level member', () => dsse(statement(digest.slice(7)), undefined, { extra: 1 }), 'unknown members: extra'],
    [
      'a duplicate key',
      () =>
        Buffer.from(
          dsse(statement(digest.slice(7)))
            .toString()
            .replace('{"mediaType"', '{"mediaType":"x","mediaType"'),
        ),
      'repeats the key',
    ],
  ])('refuses %s', (_what, make, reason) => {
    const v = verifyBundle(make(), { digest, keys: [key], predicateType: COSIGN_SIGN_PREDICATE });
    expect(v.ok).toBe(false);
    expect(v.reason).toContain(reason);
  });

  it('refuses a tampered payload at the signature, before reading it', () => {
    const good = JSON.parse(dsse(statement(digest.slice(7))).toString()) as { dsseEnvelope: { payload: string } };
    good.dsseEnvelope.payload = statement('f'.repeat(64)).toString('base64');
    const v = verifyBundle(Buffer.from(JSON.stringify(good)), { digest, keys: [key] });
    expect(statusOf(v.checks)).toEqual({ signature: 'failed', 'transparency log': 'not-checked' });
  });

  it('messageSignature over the manifest digest (prehashed ECDSA) binds to the digest', () => {
    const manifest = Buffer.from('manifest');
    const bundle = (hex: string) =>
      Buffer.from(
        JSON.stringify({
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          verificationMaterial: { publicKey: { hint: 'x' } },
          messageSignature: {
            messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(hex, 'hex').toString('base64') },
            signature: sign('sha256', manifest, privateKey).toString('base64'),
          },
        }),
      );
    expect(verifyBundle(bundle(digest.slice(7)), { digest, keys: [key] })).toMatchObject({ ok: true, content: 'message-signature' });
    expect(verifyBundle(bundle(digest.slice(7)), { digest, keys: [key], manifest })).toMatchObject({ ok: true });
    const other = `sha256:${'e'.repeat(64)}`;
    expect(verifyBundle(bundle(digest.slice(7)), { digest: other, keys: [key] }).reason).toContain('not this image');
  });
});
