import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestFor } from './algorithms';
import { sm2Digest, sm2SignDigest, sm2Spki, sm2VerifyDigest, Sm2Point, SM2_CURVE } from '../signing/sm2';
import { sm3 } from '../signing/sm3';
import { diagnoseSignature, rawEcdsaToDer } from './verify';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const data = Buffer.from('the payload');
const sha256 = createHash('sha256').update(data).digest();

describe('SM3', () => {
  it('matches GB/T 32905 examples and OpenSSL', () => {
    expect(Buffer.from(sm3(Buffer.from('abc'))).toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(Buffer.from(sm3(Buffer.from('abcd'.repeat(16)))).toString('hex')).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000]) {
      const input = randomBytes(n);
      expect(Buffer.from(sm3(input)).toString('hex')).toBe(createHash('sm3').update(input).digest('hex'));
    }
  });
});

describe('SM2', () => {
  const d = 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n;
  const point = Sm2Point.BASE.multiply(d);
  it('signs and verifies over e = SM3(Z_A ‖ M), and fails for another message or key', () => {
    const e = sm2Digest(point, data);
    const signature = sm2SignDigest(d, e, () => BigInt(`0x${randomBytes(32).toString('hex')}`) % SM2_CURVE.n);
    expect(sm2VerifyDigest(point, e, signature)).toBe(true);
    expect(sm2VerifyDigest(point, sm2Digest(point, Buffer.from('other')), signature)).toBe(false);
    expect(sm2VerifyDigest(Sm2Point.BASE.multiply(d + 1n), e, signature)).toBe(false);
    const pem = `-----BEGIN PUBLIC KEY-----\n${sm2Spki(point).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    expect(
      diagnoseSignature({ algorithm: 'sm2-sm3', publicKeyPem: pem, digest: digestFor('sm2-sm3', pem, data), signature }),
    ).toBeUndefined();
  });
});

describe('KMS signature self-check', () => {
  it('accepts correct PKCS#1 v1.5, PSS and ECDSA signatures', () => {
    const pkcs1 = sign('sha256', data, rsa.privateKey);
    expect(
      diagnoseSignature({ algorithm: 'rsa-pkcs1v15-sha256', publicKeyPem: rsaPem, digest: sha256, data, signature: pkcs1 }),
    ).toBeUndefined();
    const pss = sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    expect(diagnoseSignature({ algorithm: 'rsa-pss-sha256', publicKeyPem: rsaPem, digest: sha256, data, signature: pss })).toBeUndefined();
    expect(diagnoseSignature({ algorithm: 'rsa-pss-sha256', publicKeyPem: rsaPem, digest: sha256, signature: pss })).toBeUndefined();
    const ecdsa = sign('sha256', data, ec.privateKey);
    expect(
      diagnoseSignature({ algorithm: 'ecdsa-p256-sha256', publicKeyPem: ecPem, digest: sha256, data, signature: ecdsa }),
    ).toBeUndefined();
    expect(diagnoseSignature({ algorithm: 'ecdsa-p256-sha256', publicKeyPem: ecPem, digest: sha256, signature: ecdsa })).toBeUndefined();
  });

  it('names padding, salt, hash and encoding mistakes', () => {
    const pss = sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    expect(diagnoseSignature({ algorithm: 'rsa-pkcs1v15-sha256', publicKeyPem: rsaPem, digest: sha256, data, signature: pss })).toBe(
      'the KMS returned a PSS signature where PKCS#1 v1.5 was asked',
    );
    const pkcs1 = sign('sha256', data, rsa.privateKey);
    expect(diagnoseSignature({ algorithm: 'rsa-pss-sha256', publicKeyPem: rsaPem, digest: sha256, data, signature: pkcs1 })).toBe(
      'the KMS returned a PKCS#1 v1.5 signature where PSS was asked',
    );
    const maxSalt = sign('sha256', data, {
      key: rsa.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
    });
    expect(diagnoseSignature({ algorithm: 'rsa-pss-sha256', publicKeyPem: rsaPem, digest: sha256, data, signature: maxSalt })).toMatch(
      /PSS salt of 222 bytes/,
    );
    const sha384Info = privateEncrypt(
      rsa.privateKey,
      Buffer.concat([Buffer.from('3041300d060960864801650304020205000430', 'hex'), createHash('sha384').update(data).digest()]),
    );
    expect(diagnoseSignature({ algorithm: 'rsa-pkcs1v15-sha256', publicKeyPem: rsaPem, digest: sha256, data, signature: sha384Info })).toBe(
      'the KMS signed a SHA-384 DigestInfo where SHA-256 was asked',
    );
    const ecdsa = sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(diagnoseSignature({ algorithm: 'ecdsa-p256-sha256', publicKeyPem: ecPem, digest: sha256, data, signature: ecdsa })).toMatch(
      /raw r‖s/,
    );
    expect(rawEcdsaToDer(ecdsa)).toEqual(sign('sha256', data, ec.privateKey).length > 0 ? rawEcdsaToDer(ecdsa) : undefined);
    expect(
      diagnoseSignature({ algorithm: 'ecdsa-p256-sha256', publicKeyPem: ecPem, digest: sha256, data, signature: rawEcdsaToDer(ecdsa) }),
    ).toBeUndefined();
    expect(diagnoseSignature({ algorithm: 'ecdsa-p256-sha256', publicKeyPem: ecPem, digest: sha256, data, signature: pkcs1 })).toMatch(
      /RSA-sized signature for an EC key/,
    );
    expect(
      diagnoseSignature({
        algorithm: 'rsa-pkcs1v15-sha256',
        publicKeyPem: rsaPem,
        digest: sha256,
        data,
        signature: sign('sha256', data, ec.privateKey),
      }),
    ).toMatch(/ECDSA-style ASN\.1 \(r, s\) signature for an RSA-2048 key/);
    expect(
      diagnoseSignature({
        algorithm: 'ecdsa-p384-sha384',
        publicKeyPem: ecPem,
        digest: createHash('sha384').update(data).digest(),
        data,
        signature: sign('sha256', data, ec.privateKey),
      }),
    ).toMatch(/curve prime256v1/);
  });
});
