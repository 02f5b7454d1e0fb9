import type { Mechanism } from 'pkcs11js';
import type { SignatureAlgorithm } from '../signing/signer';
import { digestInfo, nodeHashOf } from '../signing/algorithms';
import type { Pkcs11Lib } from './module';
import type { CurveName } from './spki';

export type TokenAlgorithm = Extract<SignatureAlgorithm, `ecdsa-${string}` | `rsa-${string}`>;
type Hash = 'sha256' | 'sha384' | 'sha512';

const TOKEN_ALGORITHMS: readonly TokenAlgorithm[] = [
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ecdsa-p521-sha512',
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
];

/** Each token algorithm's hash, read from the one algorithm table. */
export const ALGORITHM_HASH = Object.fromEntries(TOKEN_ALGORITHMS.map((a) => [a, nodeHashOf(a) as Hash])) as Readonly<
  Record<TokenAlgorithm, Hash>
>;

export { digestInfo };

/** How one algorithm is asked of the token: a raw mechanism over the digest, or a hashing one over the data. */
export interface SignPlan {
  mechanism: Mechanism;
  name: string;
  input: 'digest' | 'data';
  family: 'ecdsa' | 'rsa-pkcs1' | 'rsa-pss';
  hash: Hash;
}

export function algorithmsFor(key: { keyType: 'EC' | 'RSA' | string; curve?: CurveName | string }): TokenAlgorithm[] {
  if (key.keyType === 'EC') {
    if (key.curve === 'P-256') return ['ecdsa-p256-sha256'];
    if (key.curve === 'P-384') return ['ecdsa-p384-sha384'];
    if (key.curve === 'P-521') return ['ecdsa-p521-sha512'];
    return [];
  }
  if (key.keyType === 'RSA')
    return ['rsa-pkcs1v15-sha256', 'rsa-pkcs1v15-sha384', 'rsa-pkcs1v15-sha512', 'rsa-pss-sha256', 'rsa-pss-sha384', 'rsa-pss-sha512'];
  return [];
}

/**
 * The plan for `algorithm`: a mechanism the key allows (CKA_ALLOWED_MECHANISMS, when set) and the
 * token supports (C_GetMechanismList, when known); undefined when there is none.
 */
export function planFor(
  lib: Pkcs11Lib,
  algorithm: TokenAlgorithm,
  allowed?: readonly number[],
  supported?: readonly number[],
): SignPlan | undefined {
  const hash = ALGORITHM_HASH[algorithm];
  const ok = (m: number) => (!allowed || allowed.includes(m)) && (!supported || supported.includes(m));
  const H = hash.toUpperCase() as 'SHA256' | 'SHA384' | 'SHA512';
  if (algorithm.startsWith('ecdsa-')) {
    if (ok(lib.CKM_ECDSA)) return { mechanism: { mechanism: lib.CKM_ECDSA }, name: 'CKM_ECDSA', input: 'digest', family: 'ecdsa', hash };
    const m = lib[`CKM_ECDSA_${H}`];
    return ok(m) ? { mechanism: { mechanism: m }, name: `CKM_ECDSA_${H}`, input: 'data', family: 'ecdsa', hash } : undefined;
  }
  if (algorithm.startsWith('rsa-pkcs1v15-')) {
    if (ok(lib.CKM_RSA_PKCS))
      return { mechanism: { mechanism: lib.CKM_RSA_PKCS }, name: 'CKM_RSA_PKCS', input: 'digest', family: 'rsa-pkcs1', hash };
    const m = lib[`CKM_${H}_RSA_PKCS`];
    return ok(m) ? { mechanism: { mechanism: m }, name: `CKM_${H}_RSA_PKCS`, input: 'data', family: 'rsa-pkcs1', hash } : undefined;
  }
  // PSS with MGF1 of the same hash and salt = hash length: what every verifier (cosign, openssl's default for verify) accepts.
  const parameter = {
    type: lib.CK_PARAMS_RSA_PSS,
    hashAlg: lib[`CKM_${H}`],
    mgf: lib[`CKG_MGF1_${H}`],
    saltLen: { sha256: 32, sha384: 48, sha512: 64 }[hash],
  };
  if (ok(lib.CKM_RSA_PKCS_PSS))
    return {
      mechanism: { mechanism: lib.CKM_RSA_PKCS_PSS, parameter },
      name: 'CKM_RSA_PKCS_PSS',
      input: 'digest',
      family: 'rsa-pss',
      hash,
    };
  const m = lib[`CKM_${H}_RSA_PKCS_PSS`];
  return ok(m)
    ? { mechanism: { mechanism: m, parameter }, name: `CKM_${H}_RSA_PKCS_PSS`, input: 'data', family: 'rsa-pss', hash }
    : undefined;
}
