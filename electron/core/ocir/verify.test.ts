import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OcirSignatureResource } from './client';
import { buildMessage } from './message';
import { verifyOcirSignature, verifyPss } from './verify';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const DIGEST = `sha256:${'cd'.repeat(32)}`;

function signed(saltLength: number, overrides: Partial<OcirSignatureResource> = {}): OcirSignatureResource {
  const { json, base64 } = buildMessage({
    imageDigest: DIGEST,
    kmsKeyId: 'ocid1.key.oc1.iad.k',
    kmsKeyVersionId: 'ocid1.keyversion.oc1.iad.v',
    region: 'us-ashburn-1',
    repositoryName: 'app',
    signingAlgorithm: 'SHA_512_RSA_PKCS_PSS',
  });
  const signature = sign('sha512', json, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString('base64');
  return {
    id: 'ocid1.containerimagesignature.oc1.iad.s',
    imageId: 'ocid1.containerimage.oc1.iad.i',
    compartmentId: 'ocid1.compartment.oc1..c',
    displayName: 'x',
    kmsKeyId: 'ocid1.key.oc1.iad.k',
    kmsKeyVersionId: 'ocid1.keyversion.oc1.iad.v',
    signingAlgorithm: 'SHA_512_RSA_PKCS_PSS',
    message: base64,
    signature,
    timeCreated: '2026-01-01T00:00:00.000Z',
    lifecycleState: 'AVAILABLE',
    freeformTags: {},
    definedTags: {},
    ...overrides,
  };
}

describe('OCIR signature verification', () => {
  it('accepts any PSS salt length (hash length, zero, maximum), as OCI Vault’s is undocumented', () => {
    for (const salt of [64, 0, constants.RSA_PSS_SALTLEN_MAX_SIGN])
      expect(verifyOcirSignature({ signature: signed(salt), repository: 'app', digest: DIGEST, publicKeyPem: pem })).toMatchObject({
        status: 'valid',
        reason: 'SIG_VALID_KMS_KEY',
      });
  });

  it('refuses a record whose key, version or algorithm differs from the signed message, and another key', () => {
    const s = signed(64);
    expect(
      verifyOcirSignature({
        signature: { ...s, kmsKeyVersionId: 'ocid1.keyversion.oc1.iad.w' },
        repository: 'app',
        digest: DIGEST,
        publicKeyPem: pem,
      }).reason,
    ).toBe('KEY_ID_MISMATCH');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyOcirSignature({ signature: s, repository: 'app', digest: DIGEST, publicKeyPem: other }).reason).toBe('SIG_INVALID');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyPss('SHA_512_RSA_PKCS_PSS', ec, Buffer.from('x'), Buffer.alloc(64))).toBe(false);
  });
});
