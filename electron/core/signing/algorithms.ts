import type { SignatureAlgorithm } from './signer';

export type HashName = 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sm3';

export interface AlgorithmInfo {
  readonly family: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'sm2' | 'eddsa';
  /** The digest the signature is over; null for pure Ed25519, which signs the data itself. */
  readonly hash: HashName | null;
  readonly digestLength: number;
  /** What a person reads next to the algorithm. */
  readonly padding: string;
  readonly curve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
}

/** Every signature algorithm Signet makes or checks: the one table software keys, tokens, KMSs and verifiers read. */
export const ALGORITHMS: Readonly<Record<SignatureAlgorithm, AlgorithmInfo>> = {
  'ecdsa-p256-sha256': { family: 'ecdsa', hash: 'sha256', digestLength: 32, padding: 'ECDSA, ASN.1 DER (r, s)', curve: 'prime256v1' },
  'ecdsa-p384-sha384': { family: 'ecdsa', hash: 'sha384', digestLength: 48, padding: 'ECDSA, ASN.1 DER (r, s)', curve: 'secp384r1' },
  'ecdsa-p521-sha512': { family: 'ecdsa', hash: 'sha512', digestLength: 64, padding: 'ECDSA, ASN.1 DER (r, s)', curve: 'secp521r1' },
  'rsa-pkcs1v15-sha256': { family: 'rsa-pkcs1', hash: 'sha256', digestLength: 32, padding: 'PKCS#1 v1.5' },
  'rsa-pkcs1v15-sha384': { family: 'rsa-pkcs1', hash: 'sha384', digestLength: 48, padding: 'PKCS#1 v1.5' },
  'rsa-pkcs1v15-sha512': { family: 'rsa-pkcs1', hash: 'sha512', digestLength: 64, padding: 'PKCS#1 v1.5' },
  'rsa-pss-sha224': { family: 'rsa-pss', hash: 'sha224', digestLength: 28, padding: 'PSS (MGF1-SHA-224, salt = 28 bytes)' },
  'rsa-pss-sha256': { family: 'rsa-pss', hash: 'sha256', digestLength: 32, padding: 'PSS (MGF1-SHA-256, salt = 32 bytes)' },
  'rsa-pss-sha384': { family: 'rsa-pss', hash: 'sha384', digestLength: 48, padding: 'PSS (MGF1-SHA-384, salt = 48 bytes)' },
  'rsa-pss-sha512': { family: 'rsa-pss', hash: 'sha512', digestLength: 64, padding: 'PSS (MGF1-SHA-512, salt = 64 bytes)' },
  'sm2-sm3': { family: 'sm2', hash: 'sm3', digestLength: 32, padding: 'SM2 with SM3, Z_A over ID 1234567812345678, ASN.1 DER (r, s)' },
  ed25519: { family: 'eddsa', hash: null, digestLength: 0, padding: 'Ed25519 (pure, over the data)' },
};

export const HASH_LABEL: Readonly<Record<HashName, string>> = {
  sha224: 'SHA-224',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  sm3: 'SM3',
};

/** The node:crypto hash of an algorithm Signet computes with node:crypto (SM3 and Ed25519 have none). */
export function nodeHashOf(algorithm: SignatureAlgorithm): 'sha224' | 'sha256' | 'sha384' | 'sha512' | null {
  const hash = ALGORITHMS[algorithm].hash;
  return hash === 'sha224' || hash === 'sha256' || hash === 'sha384' || hash === 'sha512' ? hash : null;
}

/** The DER DigestInfo prefix PKCS#1 v1.5 puts before the digest (RFC 8017, 9.2 note 1). */
export const DIGEST_INFO_PREFIX: Readonly<Record<'sha256' | 'sha384' | 'sha512', Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export function digestInfo(hash: 'sha256' | 'sha384' | 'sha512', digest: Uint8Array): Buffer {
  return Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]);
}

/** Converts a raw r‖s ECDSA or SM2 signature (JOSE, Azure Key Vault, PKCS#11 CKM_ECDSA) to ASN.1 DER. */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const int = (bytes: Uint8Array) => {
    let b = Buffer.from(bytes);
    while (b.length > 1 && b[0] === 0) b = b.subarray(1);
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}
