import { createHash, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';
import type { KeyType } from '../../../shared/models/keys';
import type { SignatureAlgorithm } from '../signing/signer';

export interface SoftwareKeyMaterial {
  kind: 'software';
  privateKey: KeyObject;
  algorithm: SignatureAlgorithm;
  spkiSha256: string;
}

export interface PgpKeyMaterial {
  kind: 'openpgp';
  armoredPrivate: string;
  armoredPublic: string;
  fingerprint: string;
  keyId: string;
  userIds: string[];
  expires?: string;
}

/** The algorithm cosign ≥2.6 uses per key type (P-384 with SHA-384; RSA PKCS#1 v1.5 SHA-256; pure Ed25519). */
export function algorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'rsa') return 'rsa-pkcs1v15-sha256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ecdsa-p256-sha256';
    if (curve === 'secp384r1') return 'ecdsa-p384-sha384';
    if (curve === 'secp521r1') return 'ecdsa-p521-sha512';
    throw new SignetError('UNSUPPORTED', `The curve ${curve ?? 'unknown'} is not supported for signing.`);
  }
  throw new SignetError('UNSUPPORTED', `Keys of type ${key.asymmetricKeyType ?? 'unknown'} are not supported for signing.`);
}

export function spkiSha256(key: KeyObject): string {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export async function generateSoftwareKey(type: Exclude<KeyType, `pgp-${string}`>): Promise<SoftwareKeyMaterial> {
  const privateKey = await new Promise<KeyObject>((resolve, reject) => {
    const done = (error: Error | null, _pub: KeyObject, priv: KeyObject) => (error ? reject(error) : resolve(priv));
    if (type === 'ecdsa-p256' || type === 'x509-ecdsa-p256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else if (type === 'ecdsa-p384') generateKeyPair('ec', { namedCurve: 'P-384' }, done);
    else if (type === 'ed25519') generateKeyPair('ed25519', {}, done);
    else generateKeyPair('rsa', { modulusLength: Number(type.slice(4)), publicExponent: 0x10001 }, done);
  });
  return { kind: 'software', privateKey, algorithm: algorithmOf(privateKey), spkiSha256: spkiSha256(privateKey) };
}

/** OpenPGP v4 keys, which GnuPG 2.2 and containers/image read. */
export async function generatePgpKey(type: Extract<KeyType, `pgp-${string}`>, userId: string, expires?: Date): Promise<PgpKeyMaterial> {
  const match = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(userId.trim());
  const user = match ? { name: match[1] as string, email: match[2] as string } : { name: userId.trim() };
  if (!user.name && !('email' in user))
    throw new SignetError('INVALID_INPUT', 'An OpenPGP key needs a user id such as "Release Team <release@example.com>".');
  const keyExpirationTime = expires ? Math.max(60, Math.floor((expires.getTime() - Date.now()) / 1000)) : 0;
  const options =
    type === 'pgp-ed25519'
      ? { type: 'ecc' as const, curve: 'curve25519Legacy' as const }
      : { type: 'rsa' as const, rsaBits: type === 'pgp-rsa-3072' ? 3072 : 4096 };
  const { privateKey, publicKey } = await openpgp.generateKey({
    ...options,
    userIDs: [user],
    keyExpirationTime,
    format: 'object',
    config: { v6Keys: false },
  });
  const fingerprint = privateKey.getFingerprint().toUpperCase();
  return {
    kind: 'openpgp',
    armoredPrivate: privateKey.armor(),
    armoredPublic: publicKey.armor(),
    fingerprint,
    keyId: privateKey.getKeyID().toHex().toUpperCase(),
    userIds: privateKey.getUserIDs(),
    ...(expires ? { expires: expires.toISOString() } : {}),
  };
}
