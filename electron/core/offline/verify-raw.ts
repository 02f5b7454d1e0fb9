import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from '../kms/signer';

const HASH: Partial<Record<SignatureAlgorithm, string>> = {
  'ecdsa-p256-sha256': 'sha256',
  'ecdsa-p384-sha384': 'sha384',
  'ecdsa-p521-sha512': 'sha512',
  'rsa-pkcs1v15-sha256': 'sha256',
  'rsa-pkcs1v15-sha384': 'sha384',
  'rsa-pkcs1v15-sha512': 'sha512',
  'rsa-pss-sha256': 'sha256',
  'rsa-pss-sha384': 'sha384',
  'rsa-pss-sha512': 'sha512',
};

/**
 * Verifies a raw signature (DER ECDSA, PKCS#1 or PSS RSA, pure Ed25519) over `data` with
 * node:crypto. Returns false for a wrong signature and for a key that does not fit the algorithm.
 */
export function verifyRawSignature(algorithm: SignatureAlgorithm, publicKey: string | KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  } catch {
    return false;
  }
  try {
    if (algorithm === 'ed25519') return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature);
    const hash = HASH[algorithm];
    if (!hash) return false;
    if (algorithm.startsWith('ecdsa')) return key.asymmetricKeyType === 'ec' && verify(hash, data, { key, dsaEncoding: 'der' }, signature);
    if (key.asymmetricKeyType !== 'rsa') return false;
    const padding = algorithm.startsWith('rsa-pss') ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
    return verify(hash, data, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  } catch {
    return false;
  }
}
