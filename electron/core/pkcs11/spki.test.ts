import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { curveOfParams, CURVES, ecPointBytes, ecSpkiPem, rsaSpkiPem } from './spki';

describe('public keys from token attributes', () => {
  it('reads CKA_EC_POINT as a DER OCTET STRING or a raw point, and builds the same SPKI', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = publicKey.export({ format: 'jwk' });
    const raw = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
    const der = Buffer.concat([Buffer.from([0x04, raw.length]), raw]);
    expect(ecPointBytes(der, 48)).toEqual(raw);
    expect(ecPointBytes(raw, 48)).toEqual(raw);
    expect(ecPointBytes(raw.subarray(1), 48)).toBeUndefined();
    expect(curveOfParams(Buffer.from(CURVES['P-384'].oid, 'hex'))).toBe('P-384');
    expect(ecSpkiPem('P-384', raw)).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('reads CKA_EC_POINT with a long-form length (P-521)', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const jwk = publicKey.export({ format: 'jwk' });
    const raw = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
    expect(ecPointBytes(Buffer.concat([Buffer.from([0x04, 0x81, raw.length]), raw]), 66)).toEqual(raw);
  });

  it('builds an RSA SPKI from CKA_MODULUS and CKA_PUBLIC_EXPONENT (leading zeros allowed)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const pem = rsaSpkiPem(Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n as string, 'base64url')]), Buffer.from([0, 1, 0, 1]));
    expect(createPublicKey(pem).export({ format: 'jwk' })).toEqual(jwk);
  });
});
