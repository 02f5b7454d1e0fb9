import { constants, createHash, createPublicKey, publicDecrypt, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { SignetError } from '../../../shared/errors';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { ALGORITHMS, HASH_LABEL, type HashName } from './algorithms';
import { DIGEST_INFO_PREFIX } from '../signing/algorithms';
import { parseDerRs, sm2PublicKeyFromSpki, sm2VerifyDigest } from '../signing/sm2';

/**
 * The self-check every KMS signature passes before Signet uses it: verify locally with the
 * public key, and when it fails, say why in terms a person can take back to the KMS (a signature
 * that verifies in the cloud but nowhere else is worse than none: sigstore#2354, cosign#4915).
 */
export interface SelfCheckInput {
  algorithm: KmsAlgorithm;
  publicKeyPem: string;
  /** The digest the KMS was asked to sign (for SM2: e = SM3(Z_A ‖ M)). */
  digest: Uint8Array;
  /** The signed data, when known: then node:crypto verifies over it as every verifier will. */
  data?: Uint8Array;
  signature: Uint8Array;
}

export function assertKmsSignature(input: SelfCheckInput, where: string): void {
  const problem = diagnoseSignature(input);
  if (problem)
    throw new SignetError('SIGNING_FAILED', `${where}: ${problem}. Signet refused the signature; nothing was published.`, {
      reason: 'self-check',
    });
}

/** Undefined when the signature verifies; otherwise the reason it does not. */
export function diagnoseSignature(input: SelfCheckInput): string | undefined {
  const info = ALGORITHMS[input.algorithm];
  if (input.digest.length !== info.digestLength)
    return `the digest is ${input.digest.length} bytes, ${HASH_LABEL[info.hash]} digests are ${info.digestLength}`;
  if (info.family === 'sm2') return diagnoseSm2(input);
  let key: KeyObject;
  try {
    key = createPublicKey(input.publicKeyPem);
  } catch {
    return 'the KMS public key cannot be read';
  }
  if (info.family === 'ecdsa') return diagnoseEcdsa(input, key);
  return diagnoseRsa(input, key);
}

const DIGEST_INFO = DIGEST_INFO_PREFIX;

function diagnoseRsa(input: SelfCheckInput, key: KeyObject): string | undefined {
  const info = ALGORITHMS[input.algorithm];
  if (key.asymmetricKeyType !== 'rsa')
    return `the KMS key is ${key.asymmetricKeyType?.toUpperCase()} but ${input.algorithm} is an RSA algorithm`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const k = Math.ceil(bits / 8);
  const sig = Buffer.from(input.signature);
  if (sig.length !== k) {
    if (parseDerRs(sig)) return `the KMS returned an ECDSA-style ASN.1 (r, s) signature for an RSA-${bits} key`;
    return `the KMS returned a ${sig.length}-byte signature; an RSA-${bits} signature is ${k} bytes`;
  }
  let em: Buffer;
  try {
    em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, sig);
  } catch {
    return 'the KMS returned a value that is not an RSA signature for this key';
  }
  const hash = info.hash as Exclude<HashName, 'sm3'>;
  const pkcs1 = decodePkcs1(em);
  const pss = decodePss(em, bits, hash, input.digest);
  if (info.family === 'rsa-pkcs1') {
    if (!pkcs1) {
      if (pss !== undefined) return 'the KMS returned a PSS signature where PKCS#1 v1.5 was asked';
      return 'the signature does not verify with the KMS public key (another key or key version signed it, or it was damaged)';
    }
    if (pkcs1.hash !== hash)
      return `the KMS signed a ${pkcs1.hash ? HASH_LABEL[pkcs1.hash] : 'non-standard'} DigestInfo where ${HASH_LABEL[hash]} was asked`;
    if (!equal(pkcs1.digest, input.digest))
      return 'the signature is over a different digest than the one sent (another message was signed)';
  } else {
    if (pss === undefined) {
      if (pkcs1) return 'the KMS returned a PKCS#1 v1.5 signature where PSS was asked';
      return 'the signature does not verify with the KMS public key (another key or key version signed it, a different hash was used, or it was damaged)';
    }
    if (pss !== info.digestLength)
      return `the KMS used a PSS salt of ${pss} bytes; Signet signs with salt length = hash length (${info.digestLength}), which every verifier accepts`;
  }
  if (input.data) {
    const padding = info.family === 'rsa-pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
    const ok = verify(hash, input.data, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig);
    if (!ok) return 'the signature does not verify over the data with node:crypto';
  }
  return undefined;
}

function decodePkcs1(em: Buffer): { hash?: Exclude<HashName, 'sm3'>; digest: Buffer } | undefined {
  if (em[0] !== 0x00 || em[1] !== 0x01) return undefined;
  let i = 2;
  while (i < em.length && em[i] === 0xff) i += 1;
  if (i < 10 || em[i] !== 0x00) return undefined;
  const t = em.subarray(i + 1);
  for (const [name, prefix] of Object.entries(DIGEST_INFO)) {
    if (t.length === prefix.length + prefix[prefix.length - 1]! && t.subarray(0, prefix.length).equals(prefix)) {
      return { hash: name as Exclude<HashName, 'sm3'>, digest: t.subarray(prefix.length) };
    }
  }
  return { digest: t };
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with MGF1 of the same hash; returns the salt length when valid. */
function decodePss(em: Buffer, modBits: number, hash: Exclude<HashName, 'sm3'>, mHash: Uint8Array): number | undefined {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  let encoded = em;
  if (em.length > emLen) {
    if (em[0] !== 0) return undefined;
    encoded = em.subarray(em.length - emLen);
  }
  const hLen = createHash(hash).digest().length;
  if (emLen < hLen + 2 || encoded[emLen - 1] !== 0xbc) return undefined;
  const maskedDb = encoded.subarray(0, emLen - hLen - 1);
  const h = encoded.subarray(emLen - hLen - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  const topMask = 0xff >> unusedBits;
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return undefined;
  const mask = mgf1(hash, h, maskedDb.length);
  const db = Buffer.alloc(maskedDb.length);
  for (let i = 0; i < db.length; i += 1) db[i] = maskedDb[i]! ^ mask[i]!;
  db[0] = db[0]! & topMask;
  let i = 0;
  while (i < db.length && db[i] === 0) i += 1;
  if (db[i] !== 0x01) return undefined;
  const salt = db.subarray(i + 1);
  const hPrime = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return equal(hPrime, h) ? salt.length : undefined;
}

function mgf1(hash: string, seed: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  let total = 0;
  for (let counter = 0; total < length; counter += 1) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    blocks.push(block);
    total += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const CURVES = {
  prime256v1: { noble: p256, size: 32 },
  secp384r1: { noble: p384, size: 48 },
  secp521r1: { noble: p521, size: 66 },
} as const;

function diagnoseEcdsa(input: SelfCheckInput, key: KeyObject): string | undefined {
  const info = ALGORITHMS[input.algorithm];
  if (key.asymmetricKeyType !== 'ec')
    return `the KMS key is ${key.asymmetricKeyType?.toUpperCase()} but ${input.algorithm} is an ECDSA algorithm`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== info.curve) return `the KMS key is on curve ${curve} but ${input.algorithm} needs ${info.curve}`;
  const { noble, size } = CURVES[info.curve as keyof typeof CURVES];
  const sig = Buffer.from(input.signature);
  if (!parseDerRs(sig)) {
    if (sig.length === 2 * size) return 'the KMS returned a raw r‖s (IEEE P1363) signature where ASN.1 DER was expected';
    if (sig.length >= 256) return `the KMS returned a ${sig.length}-byte, RSA-sized signature for an EC key`;
    return 'the KMS returned a signature that is not an ASN.1 DER ECDSA signature';
  }
  const jwk = key.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
  const digestOk = noble.verify(sig, input.digest, point, { prehash: false, lowS: false, format: 'der' });
  if (input.data) {
    const ok = verify(info.hash, input.data, { key, dsaEncoding: 'der' }, sig);
    if (ok && digestOk) return undefined;
    for (const other of ['sha256', 'sha384', 'sha512'] as const) {
      if (other !== info.hash && verify(other, input.data, { key, dsaEncoding: 'der' }, sig))
        return `the KMS signed a ${HASH_LABEL[other]} digest where ${HASH_LABEL[info.hash]} was asked`;
    }
    return 'the signature does not verify with the KMS public key (another key or key version signed it, or it was damaged)';
  }
  return digestOk
    ? undefined
    : 'the signature does not verify with the KMS public key (another key or key version signed it, or it was damaged)';
}

function diagnoseSm2(input: SelfCheckInput): string | undefined {
  const point = sm2PublicKeyFromSpki(input.publicKeyPem);
  if (!point) return 'the KMS key is not an SM2 key but sm2-sm3 was asked';
  if (!parseDerRs(input.signature)) {
    if (input.signature.length === 64) return 'the KMS returned a raw r‖s SM2 signature where ASN.1 DER was expected';
    return 'the KMS returned a signature that is not an ASN.1 DER SM2 signature';
  }
  return sm2VerifyDigest(point, input.digest, input.signature)
    ? undefined
    : 'the SM2 signature does not verify with the KMS public key (another key signed it, a different signer ID was used, or it was damaged)';
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export { rawEcdsaToDer } from '../signing/algorithms';
