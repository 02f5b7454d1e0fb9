import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';

/**
 * OpenPGP keys arrive as gpg writes them: armored (`gpg --armor --export…`) or binary
 * (`gpg --export-secret-key FPR > keys`). A binary transferable key starts with a packet tag,
 * whose top bit is always set; armored text starts with ASCII.
 */
export function isBinaryOpenPgp(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (bytes[0]! & 0x80) !== 0;
}

async function readKeysFrom(bytes: Uint8Array): Promise<openpgp.Key[]> {
  try {
    return isBinaryOpenPgp(bytes)
      ? await openpgp.readKeys({ binaryKeys: bytes })
      : await openpgp.readKeys({ armoredKeys: Buffer.from(bytes).toString('utf8') });
  } catch (error) {
    throw new SignetError('MALFORMED', `The OpenPGP key cannot be read (${(error as Error).message.slice(0, 100)}).`);
  }
}

/** The one OpenPGP secret key in armored or binary bytes. */
export async function readOpenPgpSecretKey(bytes: Uint8Array): Promise<openpgp.PrivateKey> {
  const keys = await readKeysFrom(bytes);
  if (keys.length !== 1)
    throw new SignetError(
      'INVALID_INPUT',
      `The file holds ${keys.length} OpenPGP keys; export one key (gpg --export-secret-key FINGERPRINT) and import that.`,
    );
  const key = keys[0]!;
  if (!key.isPrivate())
    throw new SignetError('UNSUPPORTED', 'This is an OpenPGP public key: it can verify (add it to trust) but not sign.');
  return key;
}

/** The one OpenPGP public key in armored or binary bytes, armored (with its CRC line). */
export async function readOpenPgpPublicKey(bytes: Uint8Array): Promise<openpgp.Key> {
  const keys = await readKeysFrom(bytes);
  if (keys.length !== 1)
    throw new SignetError('INVALID_INPUT', `The file holds ${keys.length} OpenPGP keys; add each key as its own trust entry.`);
  const key = keys[0]!;
  if (key.isPrivate()) throw new SignetError('INVALID_INPUT', 'This is an OpenPGP secret key. Trust takes public keys only.');
  return key;
}

/**
 * The key that makes signatures now: the newest valid signing subkey, else the primary key (what
 * openpgp.sign and gpg both choose). Its fingerprint is what a verifier reports as the signer.
 */
export async function signingKeyOf(
  key: openpgp.PrivateKey | openpgp.Key,
): Promise<{ fingerprint: string; keyId: string; subkey: boolean }> {
  const signing = await key.getSigningKey();
  const fingerprint = signing.getFingerprint().toUpperCase();
  return { fingerprint, keyId: signing.getKeyID().toHex().toUpperCase(), subkey: fingerprint !== key.getFingerprint().toUpperCase() };
}

/** A passphrase-protected, armored copy of a secret key, as `gpg --import` reads it. */
export async function exportProtectedSecretKey(armoredDecrypted: string, passphrase: string): Promise<string> {
  if (passphrase.length === 0)
    throw new SignetError('INVALID_INPUT', 'Give a passphrase: an OpenPGP secret key leaves Signet encrypted only.');
  const key = await openpgp.readPrivateKey({ armoredKey: armoredDecrypted });
  const encrypted = await openpgp.encryptKey({ privateKey: key, passphrase });
  return encrypted.armor();
}

const NAMES: Record<string, string> = {
  rsaEncryptSign: 'RSA',
  rsaSign: 'RSA',
  dsa: 'DSA',
  ecdsa: 'ECDSA',
  eddsaLegacy: 'EdDSA',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
};

/** The key's fields as Signet records them: fingerprints as gpg prints them, algorithm, expiry. */
export async function describeOpenPgpKey(key: openpgp.PrivateKey | openpgp.Key): Promise<{
  type: 'pgp-ed25519' | 'pgp-rsa-3072' | 'pgp-rsa-4096' | 'pgp';
  pgpFingerprint: string;
  pgpKeyId: string;
  pgpAlgorithm: string;
  pgpSigningSubkey?: string;
  userIds: string[];
  expires?: string;
}> {
  const info = key.getAlgorithmInfo();
  const name = NAMES[info.algorithm] ?? info.algorithm;
  const pgpAlgorithm = info.bits ? `${name} ${info.bits}` : info.curve ? `${name} (${info.curve})` : name;
  const type =
    name === 'RSA' && info.bits === 3072
      ? 'pgp-rsa-3072'
      : name === 'RSA' && info.bits === 4096
        ? 'pgp-rsa-4096'
        : name === 'EdDSA' && info.curve === 'ed25519Legacy'
          ? 'pgp-ed25519'
          : 'pgp';
  let signing: Awaited<ReturnType<typeof signingKeyOf>>;
  try {
    signing = await signingKeyOf(key);
  } catch (error) {
    throw new SignetError(
      'UNSUPPORTED',
      `The OpenPGP key has no key that can sign now (${(error as Error).message.slice(0, 120)}): it may be expired or revoked, or hold only encryption subkeys.`,
    );
  }
  const expiry = await key.getExpirationTime().catch(() => null);
  return {
    type,
    pgpFingerprint: key.getFingerprint().toUpperCase(),
    pgpKeyId: key.getKeyID().toHex().toUpperCase(),
    pgpAlgorithm,
    ...(signing.subkey ? { pgpSigningSubkey: signing.fingerprint } : {}),
    userIds: key.getUserIDs(),
    ...(expiry instanceof Date ? { expires: expiry.toISOString() } : {}),
  };
}
