import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { isSm2Spki, sm2Digest, sm2PublicKeyFromSpki } from '../signing/sm2';

import { ALGORITHMS as SIGNING_ALGORITHMS, type AlgorithmInfo, type HashName } from '../signing/algorithms';

export { HASH_LABEL, type AlgorithmInfo, type HashName } from '../signing/algorithms';

/** The KMS algorithms' rows of the one algorithm table: every one signs a digest. */
export const ALGORITHMS = SIGNING_ALGORITHMS as Readonly<Record<KmsAlgorithm, AlgorithmInfo & { readonly hash: HashName }>>;

export type PublicKeyKind =
  | { kind: 'rsa'; bits: number }
  | { kind: 'ec'; curve: 'prime256v1' | 'secp384r1' | 'secp521r1' }
  | { kind: 'sm2' }
  | { kind: 'other'; name: string };

export function publicKeyKind(pem: string): PublicKeyKind {
  if (isSm2Spki(pem)) return { kind: 'sm2' };
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType === 'rsa') return { kind: 'rsa', bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'secp384r1' || curve === 'secp521r1') return { kind: 'ec', curve };
    return { kind: 'other', name: `EC ${curve}` };
  }
  return { kind: 'other', name: key.asymmetricKeyType ?? 'unknown' };
}

/** The algorithms a public key can be used with at all (the KMS may allow fewer). */
export function algorithmsForKey(kind: PublicKeyKind): KmsAlgorithm[] {
  switch (kind.kind) {
    case 'rsa':
      return [
        'rsa-pkcs1v15-sha256',
        'rsa-pkcs1v15-sha384',
        'rsa-pkcs1v15-sha512',
        'rsa-pss-sha224',
        'rsa-pss-sha256',
        'rsa-pss-sha384',
        'rsa-pss-sha512',
      ];
    case 'ec':
      return kind.curve === 'prime256v1'
        ? ['ecdsa-p256-sha256']
        : kind.curve === 'secp384r1'
          ? ['ecdsa-p384-sha384']
          : ['ecdsa-p521-sha512'];
    case 'sm2':
      return ['sm2-sm3'];
    default:
      return [];
  }
}

/** What Signet signs with when no algorithm is named: cosign's choices (PKCS#1 v1.5 for RSA). */
export function defaultAlgorithm(allowed: readonly KmsAlgorithm[]): KmsAlgorithm | undefined {
  const order: KmsAlgorithm[] = [
    'ecdsa-p256-sha256',
    'ecdsa-p384-sha384',
    'ecdsa-p521-sha512',
    'rsa-pkcs1v15-sha256',
    'rsa-pss-sha256',
    'sm2-sm3',
    'rsa-pkcs1v15-sha384',
    'rsa-pss-sha384',
    'rsa-pkcs1v15-sha512',
    'rsa-pss-sha512',
  ];
  return order.find((a) => allowed.includes(a));
}

/** The digest a KMS is asked to sign for `data`: the plain hash, or SM3(Z_A ‖ M) for SM2. */
export function digestFor(algorithm: KmsAlgorithm, publicKeyPem: string, data: Uint8Array): Uint8Array {
  const info = ALGORITHMS[algorithm];
  if (info.family === 'sm2') {
    const point = sm2PublicKeyFromSpki(publicKeyPem);
    if (!point) throw new Error('not an SM2 public key');
    return sm2Digest(point, data);
  }
  return createHash(info.hash).update(data).digest();
}

export { pemSpkiSha256 as spkiSha256 } from '../signing/spki';

/** Normalises whatever a KMS returns (PEM, base64 DER, JWK-derived KeyObject) to SPKI PEM. */
export function toSpkiPem(input: string | Uint8Array | KeyObject): string {
  if (typeof input === 'string' && input.includes('-----BEGIN PUBLIC KEY-----')) {
    const body = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(input.replace(/\\n/g, '\n'));
    if (body) return derToPem(Buffer.from((body[1] as string).replace(/\s+/g, ''), 'base64'));
  }
  if (typeof input === 'string') return derToPem(Buffer.from(input.replace(/\s+/g, ''), 'base64'));
  if (input instanceof Uint8Array) return derToPem(Buffer.from(input));
  return input.export({ type: 'spki', format: 'pem' }).toString();
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PUBLIC KEY-----\n`;
}
