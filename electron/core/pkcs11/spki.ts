import { createHash, createPublicKey } from 'node:crypto';

/** Named curves by their DER-encoded OID (CKA_EC_PARAMS). */
export const CURVES = {
  'P-256': { oid: '06082a8648ce3d030107', size: 32, nodeName: 'prime256v1' },
  'P-384': { oid: '06052b81040022', size: 48, nodeName: 'secp384r1' },
  'P-521': { oid: '06052b81040023', size: 66, nodeName: 'secp521r1' },
} as const;
export type CurveName = keyof typeof CURVES;

export function curveOfParams(params: Buffer): CurveName | undefined {
  const hex = params.toString('hex');
  return (Object.keys(CURVES) as CurveName[]).find((c) => CURVES[c].oid === hex);
}

/** The uncompressed point from CKA_EC_POINT: a DER OCTET STRING (the standard) or the raw point (some tokens). */
export function ecPointBytes(value: Buffer, size: number): Buffer | undefined {
  const raw = 1 + 2 * size;
  if (value.length === raw && value[0] === 0x04) return value;
  if (value[0] === 0x04) {
    let offset = 2;
    let len = value[1] as number;
    if (len === 0x81) {
      len = value[2] as number;
      offset = 3;
    } else if (len === 0x82) {
      len = value.readUInt16BE(2);
      offset = 4;
    }
    const inner = value.subarray(offset, offset + len);
    if (len === raw && inner.length === raw && inner[0] === 0x04) return inner;
  }
  return undefined;
}

export function ecSpkiPem(curve: CurveName, point: Buffer): string {
  const size = CURVES[curve].size;
  const jwk = {
    kty: 'EC',
    crv: curve,
    x: point.subarray(1, 1 + size).toString('base64url'),
    y: point.subarray(1 + size).toString('base64url'),
  };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
}

export function rsaSpkiPem(modulus: Buffer, exponent: Buffer): string {
  const strip = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i += 1;
    return b.subarray(i);
  };
  const jwk = { kty: 'RSA', n: strip(modulus).toString('base64url'), e: strip(exponent).toString('base64url') };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
}

export function spkiSha256Hex(pem: string): string {
  return createHash('sha256')
    .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
    .digest('hex');
}
