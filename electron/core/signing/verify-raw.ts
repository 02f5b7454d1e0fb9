import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './signer';
import { nodeHashOf } from './algorithms';


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
