import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { SignetError } from '../../../shared/errors';

/**
 * The encrypted vault file, version 1: private key material for when no OS keychain is reachable
 * or the user prefers a file.
 *
 *   0   8  magic "SGNVAULT"
 *   8   1  format version (1)
 *   9   1  KDF (1 = scrypt)
 *   10  1  log2(N)   11  1  r   12  1  p   13  1  reserved (0)
 *   14 16  salt
 *   30 12  AES-256-GCM nonce
 *   42 32  passphrase check: HMAC-SHA256(check key, "signet vault v1")
 *   74  4  ciphertext length (big-endian)
 *   78  8  header checksum: first 8 bytes of SHA-256(bytes 0..77)
 *   86  …  ciphertext, then the 16-byte GCM tag
 *
 * The whole header is the GCM additional data, so nothing in it can change unnoticed. The
 * checksum tells a damaged header from a wrong passphrase, and the check value a wrong passphrase
 * from damaged ciphertext; the GCM tag is what makes it tamper-proof.
 */
export const VAULT_MAGIC = Buffer.from('SGNVAULT', 'latin1');
export const VAULT_VERSION = 1;
const HEADER = 86;
const TAG = 16;
const CHECK_LABEL = 'signet vault v1';
export const DEFAULT_KDF = { log2N: 17, r: 8, p: 1 } as const;

export interface KdfParams {
  log2N: number;
  r: number;
  p: number;
}

export interface VaultKey {
  /** The AES-256-GCM key (zeroed by whoever holds it when done). */
  key: Buffer;
  salt: Buffer;
  kdf: KdfParams;
}

function header(vault: VaultKey, nonce: Buffer, check: Buffer, length: number): Buffer {
  const h = Buffer.alloc(HEADER);
  VAULT_MAGIC.copy(h, 0);
  h[8] = VAULT_VERSION;
  h[9] = 1;
  h[10] = vault.kdf.log2N;
  h[11] = vault.kdf.r;
  h[12] = vault.kdf.p;
  vault.salt.copy(h, 14);
  nonce.copy(h, 30);
  check.copy(h, 42);
  h.writeUInt32BE(length, 74);
  createHash('sha256').update(h.subarray(0, 78)).digest().subarray(0, 8).copy(h, 78);
  return h;
}

/** Encrypts the entries under an already derived key; a fresh nonce every time. */
export function sealVault(vault: VaultKey, entries: Readonly<Record<string, string>>): Buffer {
  const plaintext = Buffer.from(JSON.stringify({ entries }), 'utf8');
  try {
    const nonce = randomBytes(12);
    const check = createHmac('sha256', checkKeyOf(vault)).update(CHECK_LABEL).digest();
    const h = header(vault, nonce, check, plaintext.length);
    const cipher = createCipheriv('aes-256-gcm', vault.key, nonce);
    cipher.setAAD(h);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([h, body]);
  } finally {
    plaintext.fill(0);
  }
}

// The check key is derived with the encryption key and kept beside it, never written.
const checkKeys = new WeakMap<Buffer, Buffer>();
function checkKeyOf(vault: VaultKey): Buffer {
  const known = checkKeys.get(vault.key);
  if (!known) throw new Error('vault key without its check key');
  return known;
}

/** Derives the key for an existing vault's salt and parameters, with its check key. */
function deriveFor(passphrase: Uint8Array, salt: Buffer, kdf: KdfParams): { vault: VaultKey; check: Buffer } {
  const N = 2 ** kdf.log2N;
  if (kdf.log2N < 14 || kdf.log2N > 20 || kdf.r < 1 || kdf.r > 32 || kdf.p < 1 || kdf.p > 16)
    throw new SignetError(
      'MALFORMED',
      'The vault file names key-derivation parameters outside what Signet accepts; it is damaged or not Signet’s.',
    );
  const material = scryptSync(passphrase, salt, 64, { N, r: kdf.r, p: kdf.p, maxmem: 256 * N * kdf.r + 16 * 1024 * 1024 });
  const key = Buffer.from(material.subarray(0, 32));
  const checkKey = Buffer.from(material.subarray(32));
  material.fill(0);
  checkKeys.set(key, checkKey);
  return { vault: { key, salt, kdf }, check: createHmac('sha256', checkKey).update(CHECK_LABEL).digest() };
}

/** A new vault key (fresh salt) for a vault written the first time. */
export function createVaultKey(passphrase: Uint8Array, kdf: KdfParams = DEFAULT_KDF): VaultKey {
  if (passphrase.length < 8) throw new SignetError('INVALID_INPUT', 'A vault passphrase has at least 8 characters.');
  return deriveFor(passphrase, randomBytes(16), { ...kdf }).vault;
}

/** Zeroes a vault key and its check key. */
export function wipeVaultKey(vault: VaultKey): void {
  checkKeys.get(vault.key)?.fill(0);
  checkKeys.delete(vault.key);
  vault.key.fill(0);
}

/**
 * Opens a vault file: each way it can be wrong is told apart — not a vault, a newer format, cut
 * short or damaged, or a wrong passphrase.
 */
export function openVault(file: Uint8Array, passphrase: Uint8Array): { vault: VaultKey; entries: Record<string, string> } {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(VAULT_MAGIC)) throw new SignetError('MALFORMED', 'This is not a Signet vault file.');
  if (bytes.length < HEADER)
    throw new SignetError('MALFORMED', 'The vault file is cut short (its header is incomplete); restore it from a backup.');
  const sum = createHash('sha256').update(bytes.subarray(0, 78)).digest().subarray(0, 8);
  if (!sum.equals(bytes.subarray(78, 86)))
    throw new SignetError('MALFORMED', 'The vault file’s header is damaged; restore it from a backup.');
  if (bytes[8] !== VAULT_VERSION)
    throw new SignetError(
      'UNSUPPORTED',
      `The vault file is format version ${bytes[8]}; this Signet reads version ${VAULT_VERSION}. Use a newer Signet.`,
    );
  if (bytes[9] !== 1) throw new SignetError('UNSUPPORTED', 'The vault file uses a key derivation this Signet does not know.');
  const length = bytes.readUInt32BE(74);
  if (bytes.length < HEADER + length + TAG) throw new SignetError('MALFORMED', 'The vault file is cut short; restore it from a backup.');
  if (bytes.length > HEADER + length + TAG) throw new SignetError('MALFORMED', 'The vault file has data after its end; it is damaged.');
  const kdf = { log2N: bytes[10] as number, r: bytes[11] as number, p: bytes[12] as number };
  const { vault, check } = deriveFor(passphrase, Buffer.from(bytes.subarray(14, 30)), kdf);
  if (!timingSafeEqual(check, bytes.subarray(42, 74))) {
    wipeVaultKey(vault);
    throw new SignetError('BAD_PASSPHRASE', 'Wrong vault passphrase.');
  }
  const decipher = createDecipheriv('aes-256-gcm', vault.key, bytes.subarray(30, 42));
  decipher.setAAD(bytes.subarray(0, HEADER));
  decipher.setAuthTag(bytes.subarray(HEADER + length));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(bytes.subarray(HEADER, HEADER + length)), decipher.final()]);
  } catch {
    wipeVaultKey(vault);
    throw new SignetError('MALFORMED', 'The vault file is damaged or was altered (its authentication fails); restore it from a backup.');
  }
  try {
    const doc = JSON.parse(plaintext.toString('utf8')) as { entries?: unknown };
    if (!doc.entries || typeof doc.entries !== 'object' || Array.isArray(doc.entries)) throw new Error('no entries');
    const entries: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.entries as Record<string, unknown>)) if (typeof v === 'string') entries[k] = v;
    return { vault, entries };
  } catch {
    wipeVaultKey(vault);
    throw new SignetError('MALFORMED', 'The vault file decrypts but its content is not readable.');
  } finally {
    plaintext.fill(0);
  }
}
