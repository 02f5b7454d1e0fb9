import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './signer';
import { nodeHashOf } from './algorithms';
import { sm2Digest, sm2PublicKeyFromSpki, sm2VerifyDigest } from './sm2';

/**
 * Verifies a raw signature (DER ECDSA, PKCS#1 or PSS RSA, pure Ed25519) over `data` with
 * node:crypto. Returns false for a wrong signature and for a key that does not fit the algorithm.
 */
export function verifyRawSignature(
  algorithm: SignatureAlgorithm,
  publicKey: string | KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (algorithm === 'sm2-sm3') return verifySm2(publicKey, data, signature);
  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  } catch {
    return false;
  }
  try {
    if (algorithm === 'ed25519') return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature);
    const hash = nodeHashOf(algorithm);
    if (!hash) return false;
    if (algorithm.startsWith('ecdsa')) return key.asymmetricKeyType === 'ec' && verify(hash, data, { key, dsaEncoding: 'der' }, signature);
    if (key.asymmetricKeyType !== 'rsa') return false;
    const padding = algorithm.startsWith('rsa-pss') ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
    return verify(hash, data, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  } catch {
    return false;
  }
}

/**
 * SM2 with SM3 over Z_A ‖ M, user id 1234567812345678 (GB/T 32918's default, what KMSs and
 * `openssl … -sigopt distid:1234567812345678` use), DER (r, s). Pure JS: Electron's BoringSSL has
 * no SM2, and node's OpenSSL does not apply Z_A by default.
 */
function verifySm2(publicKey: string | KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const spki = typeof publicKey === 'string' ? publicKey : publicKey.export({ type: 'spki', format: 'der' });
    const point = sm2PublicKeyFromSpki(spki);
    return point !== undefined && sm2VerifyDigest(point, sm2Digest(point, data), signature);
  } catch {
    return false;
  }
}
