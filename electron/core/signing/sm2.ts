import { invert, mod } from '@noble/curves/abstract/modular.js';
import { weierstrass, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { sm3 } from './sm3';

/**
 * SM2 signatures (GB/T 32918.2-2016) on @noble/curves' generic Weierstrass arithmetic:
 * @noble/curves 2.x has no SM2 curve and Electron's crypto has none either. Verification only in
 * Signet itself; the test harness signs with `sm2SignDigest`.
 */
export const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;

export const Sm2Point = weierstrass<bigint>(SM2_CURVE);

/** The default signer identity of GM/T 0009-2012, used by OpenSSL, Huawei and Tencent. */
export const SM2_DEFAULT_ID = new TextEncoder().encode('1234567812345678');

/** DER of the SM2 curve OID 1.2.156.10197.1.301. */
const SM2_CURVE_OID = Buffer.from('06082a811ccf5501822d', 'hex');

const toBytes32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

/** The public point of an SM2 SubjectPublicKeyInfo (DER or PEM), or undefined when it is not one. */
export function sm2PublicKeyFromSpki(spki: Uint8Array | string): WeierstrassPoint<bigint> | undefined {
  const der = typeof spki === 'string' ? pemToDer(spki) : Buffer.from(spki);
  if (!der || der.indexOf(SM2_CURVE_OID) === -1) return undefined;
  // SEQUENCE { SEQUENCE { OID, OID }, BIT STRING { 00 04 X Y } } — the point is the last 65 bytes.
  if (der.length < 67 || der[der.length - 66] !== 0x00 || der[der.length - 65] !== 0x04) return undefined;
  try {
    const point = Sm2Point.fromBytes(der.subarray(der.length - 65));
    point.assertValidity();
    return point;
  } catch {
    return undefined;
  }
}

export function isSm2Spki(pem: string): boolean {
  const der = pemToDer(pem);
  return der !== undefined && der.indexOf(SM2_CURVE_OID) !== -1;
}

/** SPKI DER for an SM2 public point (id-ecPublicKey with the SM2 curve, as KMSs return it). */
export function sm2Spki(point: WeierstrassPoint<bigint>): Buffer {
  const prefix = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
  return Buffer.concat([prefix, Buffer.from(point.toBytes(false))]);
}

/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA). */
export function sm2Za(publicKey: WeierstrassPoint<bigint>, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  const { x, y } = publicKey.toAffine();
  return sm3(
    Buffer.concat([
      entl,
      id,
      toBytes32(SM2_CURVE.a),
      toBytes32(SM2_CURVE.b),
      toBytes32(SM2_CURVE.Gx),
      toBytes32(SM2_CURVE.Gy),
      toBytes32(x),
      toBytes32(y),
    ]),
  );
}

/** e = SM3(Z_A ‖ M): what an SM2 signature actually signs, and what a KMS takes as the "digest". */
export function sm2Digest(publicKey: WeierstrassPoint<bigint>, message: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  return sm3(Buffer.concat([sm2Za(publicKey, id), message]));
}

/** Parses DER SEQUENCE { INTEGER r, INTEGER s } strictly (minimal lengths and integers). */
export function parseDerRs(signature: Uint8Array): { r: bigint; s: bigint } | undefined {
  const sig = Buffer.from(signature);
  let at = 0;
  const readLength = (): number | undefined => {
    const first = sig[at++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first === 0x81) {
      const len = sig[at++];
      return len !== undefined && len >= 0x80 ? len : undefined;
    }
    if (first !== 0x82 || at + 2 > sig.length) return undefined;
    const len = (sig[at]! << 8) | sig[at + 1]!;
    at += 2;
    return len >= 0x100 ? len : undefined;
  };
  if (sig[at++] !== 0x30) return undefined;
  const seqLength = readLength();
  if (seqLength === undefined || at + seqLength !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i += 1) {
    if (sig[at++] !== 0x02) return undefined;
    const len = readLength();
    if (len === undefined || len === 0 || at + len > sig.length) return undefined;
    const bytes = sig.subarray(at, at + len);
    if (bytes[0]! & 0x80) return undefined; // negative
    if (len > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) return undefined; // not minimal
    ints.push(toBigInt(bytes));
    at += len;
  }
  if (at !== sig.length) return undefined;
  return { r: ints[0]!, s: ints[1]! };
}

export function encodeDerRs(r: bigint, s: bigint): Uint8Array {
  const int = (v: bigint) => {
    const hex = v.toString(16);
    let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    while (bytes.length > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) bytes = bytes.subarray(1);
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** Verifies an SM2 signature (DER r, s) over the 32-byte e = SM3(Z_A ‖ M). */
export function sm2VerifyDigest(publicKey: WeierstrassPoint<bigint>, e: Uint8Array, signature: Uint8Array): boolean {
  const rs = parseDerRs(signature);
  if (!rs || e.length !== 32) return false;
  const { n } = SM2_CURVE;
  const { r, s } = rs;
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  const t = mod(r + s, n);
  if (t === 0n) return false;
  let point: WeierstrassPoint<bigint>;
  try {
    point = Sm2Point.BASE.multiplyUnsafe(s).add(publicKey.multiplyUnsafe(t));
    if (point.is0()) return false;
  } catch {
    return false;
  }
  return mod(toBigInt(e) + point.toAffine().x, n) === r;
}

/** Signs e with private scalar d (test harness and fake KMSs only). */
export function sm2SignDigest(d: bigint, e: Uint8Array, randomScalar: () => bigint): Uint8Array {
  const { n } = SM2_CURVE;
  const ev = toBigInt(e);
  for (;;) {
    const k = randomScalar();
    if (k <= 0n || k >= n) continue;
    const x1 = Sm2Point.BASE.multiply(k).toAffine().x;
    const r = mod(ev + x1, n);
    if (r === 0n || r + k === n) continue;
    const s = mod(invert(1n + d, n) * (k - r * d), n);
    if (s === 0n) continue;
    return encodeDerRs(r, s);
  }
}

function pemToDer(pem: string): Buffer | undefined {
  const match = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  return match ? Buffer.from((match[1] as string).replace(/\s+/g, ''), 'base64') : undefined;
}
