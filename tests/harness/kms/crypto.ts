import { constants, createHash, createPublicKey, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { parseDerRs, SM2_CURVE, sm2SignDigest, sm2Spki, Sm2Point } from '../../../electron/core/signing/sm2';

/**
 * Real keys and real digest signing for the fake KMS servers: the private keys live in the
 * server, exactly as in a KMS. `misbehave` makes a server answer the way broken KMS backends
 * have (sigstore#2354, cosign#4915) so the client's self-check can be tested.
 */
export type HarnessKeyType = 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ec-p256' | 'ec-p384' | 'ec-p521' | 'sm2';
export type DigestAlgorithm =
  | 'rsa-pkcs1v15-sha256'
  | 'rsa-pkcs1v15-sha384'
  | 'rsa-pkcs1v15-sha512'
  | 'rsa-pss-sha224'
  | 'rsa-pss-sha256'
  | 'rsa-pss-sha384'
  | 'rsa-pss-sha512'
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'sm2-sm3';

/** How a fake KMS gets a signature wrong on purpose. */
export type Misbehaviour =
  'pss-instead-of-pkcs1' | 'pkcs1-instead-of-pss' | 'ecdsa-wrapped-rsa' | 'raw-ecdsa' | 'other-key' | 'pss-max-salt';

export interface HarnessKey {
  readonly type: HarnessKeyType;
  readonly publicPem: string;
  readonly publicDer: Buffer;
  readonly privateKey?: KeyObject;
  readonly sm2d?: bigint;
}

export function makeKey(type: HarnessKeyType): HarnessKey {
  if (type === 'sm2') {
    const d = randomScalar(SM2_CURVE.n);
    const der = sm2Spki(Sm2Point.BASE.multiply(d));
    return { type, publicDer: der, publicPem: pem(der), sm2d: d };
  }
  const pair = type.startsWith('rsa')
    ? generateKeyPairSync('rsa', { modulusLength: Number(type.slice(4)) })
    : generateKeyPairSync('ec', {
        namedCurve: { 'ec-p256': 'prime256v1', 'ec-p384': 'secp384r1', 'ec-p521': 'secp521r1' }[type as 'ec-p256'],
      });
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  return { type, publicDer: der, publicPem: pem(der), privateKey: pair.privateKey };
}

export function pem(der: Buffer): string {
  return `-----BEGIN PUBLIC KEY-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)
    ?.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export function hashOf(algorithm: DigestAlgorithm): 'sha256' | 'sha384' | 'sha512' | 'sm3' {
  return algorithm === 'sm2-sm3' ? 'sm3' : (algorithm.slice(-6) as 'sha256' | 'sha384' | 'sha512');
}

/** Whether a key of this type can sign with this algorithm (what a KMS would accept). */
export function keyAllows(type: HarnessKeyType, algorithm: DigestAlgorithm): boolean {
  if (type.startsWith('rsa')) return algorithm.startsWith('rsa-');
  if (type === 'sm2') return algorithm === 'sm2-sm3';
  const ecdsa: Record<string, DigestAlgorithm> = {
    'ec-p256': 'ecdsa-p256-sha256',
    'ec-p384': 'ecdsa-p384-sha384',
    'ec-p521': 'ecdsa-p521-sha512',
  };
  return ecdsa[type] === algorithm;
}

export function signDigest(key: HarnessKey, algorithm: DigestAlgorithm, digest: Buffer, misbehave?: Misbehaviour): Buffer {
  const hash = hashOf(algorithm);
  if (misbehave === 'other-key') return signDigest(makeKey(key.type), algorithm, digest);
  if (key.type === 'sm2') {
    const der = sm2SignDigest(key.sm2d as bigint, digest, () => randomScalar(SM2_CURVE.n));
    if (misbehave !== 'raw-ecdsa') return Buffer.from(der);
    const { r, s } = parseDerRs(der) as { r: bigint; s: bigint };
    return Buffer.from(r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0'), 'hex');
  }
  if (key.type.startsWith('ec')) {
    const jwk = (key.privateKey as KeyObject).export({ format: 'jwk' });
    const d = Buffer.from(jwk.d as string, 'base64url');
    const curve = key.type === 'ec-p256' ? p256 : key.type === 'ec-p384' ? p384 : p521;
    const sig = Buffer.from(curve.sign(digest, d, { prehash: false, format: misbehave === 'raw-ecdsa' ? 'compact' : 'der', lowS: false }));
    return sig;
  }
  const privateKey = key.privateKey as KeyObject;
  let pss = algorithm.startsWith('rsa-pss');
  if (misbehave === 'pss-instead-of-pkcs1') pss = true;
  if (misbehave === 'pkcs1-instead-of-pss') pss = false;
  let sig: Buffer;
  if (pss) {
    const bits = createPublicKey(privateKey).asymmetricKeyDetails?.modulusLength as number;
    const hLen = createHash(hash).digest().length;
    const saltLength = misbehave === 'pss-max-salt' ? Math.ceil((bits - 1) / 8) - hLen - 2 : hLen;
    sig = privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, emsaPssEncode(digest, bits - 1, hash, saltLength));
  } else {
    sig = privateEncrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([Buffer.from(DIGEST_INFO[hash] as string, 'hex'), digest]),
    );
  }
  if (misbehave === 'ecdsa-wrapped-rsa') {
    // An RSA signature split in two and wrapped as an ASN.1 ECDSA (r, s) pair.
    const half = sig.length / 2;
    const int = (b: Buffer) => {
      const v = b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
      return Buffer.concat([Buffer.from([0x02, 0x81, v.length]), v]);
    };
    const body = Buffer.concat([int(sig.subarray(0, half)), int(sig.subarray(half))]);
    return Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body]);
  }
  return sig;
}

function emsaPssEncode(mHash: Buffer, emBits: number, hash: string, saltLength: number): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const hLen = mHash.length;
  const salt = randomBytes(saltLength);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const ps = Buffer.alloc(emLen - saltLength - hLen - 2);
  const db = Buffer.concat([ps, Buffer.from([1]), salt]);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i += 1) db[i] = db[i]! ^ mask[i]!;
  db[0] = db[0]! & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  // privateEncrypt with no padding wants a modulus-sized input.
  return emLen * 8 === emBits + 1 ? em : Buffer.concat([Buffer.alloc(1), em]);
}

function mgf1(hash: string, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let c = 0; Buffer.concat(out).length < length; c += 1) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(c);
    out.push(createHash(hash).update(seed).update(counter).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

function randomScalar(n: bigint): bigint {
  for (;;) {
    const k = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (k > 0n && k < n) return k;
  }
}
