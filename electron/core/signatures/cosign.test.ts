import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../tests/vectors';
import { checkCosignPayload, verifyWithKey } from './cosign';

/** containers/image's storage of a cosign signature: `\0sigstore-json\n` + JSON. */
function readSigstoreBlob(file: string): { payload: Buffer; signature: Buffer } {
  const raw = readFileSync(file);
  const body = JSON.parse(raw.subarray(raw.indexOf(0x0a) + 1).toString('utf8')) as { payload: string; annotations: Record<string, string> };
  return {
    payload: Buffer.from(body.payload, 'base64'),
    signature: Buffer.from(body.annotations['dev.cosignproject.cosign/signature'] ?? '', 'base64'),
  };
}
const digestOfFile = (file: string) => `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
const key = (name: string) => readFileSync(vector('containers-image', name), 'utf8');

describe('cosign signatures made by cosign and containers/image', () => {
  it.each([
    ['dir-img-cosign-valid', 'cosign.pub'],
    ['dir-img-cosign-valid-with-tag', 'cosign.pub'],
    ['dir-img-cosign-key-rekor-valid', 'cosign2.pub'],
  ])('%s verifies with %s and names its manifest', (dir, pub) => {
    const { payload, signature } = readSigstoreBlob(vector('containers-image', dir, 'signature-1'));
    const digest = digestOfFile(vector('containers-image', dir, 'manifest.json'));
    expect(checkCosignPayload(payload, digest)).toMatchObject({ ok: true });
    expect(verifyWithKey(key(pub), payload, signature)).toBe('ecdsa-p256-sha256');
  });

  it('refuses the same signature under another key, and for another digest', () => {
    const { payload, signature } = readSigstoreBlob(vector('containers-image', 'dir-img-cosign-valid', 'signature-1'));
    expect(verifyWithKey(key('cosign2.pub'), payload, signature)).toBeUndefined();
    expect(checkCosignPayload(payload, `sha256:${'0'.repeat(64)}`)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not this image'),
    });
    const tampered = Buffer.from(payload.toString().replace('cosign-signed', 'cosign-signeD'));
    expect(verifyWithKey(key('cosign.pub'), tampered, signature)).toBeUndefined();
    expect(verifyWithKey(key('cosign.pub'), payload, signature.subarray(0, 20))).toBeUndefined();
  });

  it.each([
    [
      '{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"D"},"type":"cosign container image signature","extra":1},"optional":null}',
      'unknown members: extra',
    ],
    [
      '{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"D"},"type":"atomic container signature"},"optional":null}',
      'not "cosign container image signature"',
    ],
    [
      '{"critical":{"identity":{"docker-reference":"r"},"image":{},"type":"cosign container image signature"},"optional":null}',
      'critical.image misses docker-manifest-digest',
    ],
    [
      '{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"D"},"type":"cosign container image signature"},"optional":null,"optional":{}}',
      'repeats the key "optional"',
    ],
    [
      '{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"D"},"type":"cosign container image signature"},"optional":null} trailing',
      'data after the JSON value',
    ],
  ])('refuses a payload: %s', (text, reason) => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(checkCosignPayload(Buffer.from(text.replace('"D"', `"${digest}"`)), digest)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(reason),
    });
  });
});
