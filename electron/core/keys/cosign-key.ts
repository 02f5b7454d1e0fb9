import { createPrivateKey, createPublicKey, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';

export const SIGSTORE_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY';
const ACCEPTED_N = new Set([32768, 65536, 131072]);
const WRITE_N = 65536;

function scryptKey(password: Uint8Array, salt: Uint8Array, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N, r: 8, p: 1, maxmem: 512 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Writes cosign's encrypted private key: scrypt (N=65536, r=8, p=1) + NaCl secretbox over PKCS#8 DER. */
export async function encryptCosignKey(privateKey: KeyObject, password: Uint8Array, label: string = SIGSTORE_LABEL): Promise<string> {
  const plaintext = privateKey.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = await scryptKey(password, salt, WRITE_N);
  try {
    const ciphertext = xsalsa20poly1305(key, nonce).encrypt(plaintext);
    const doc = `{"kdf":{"name":"scrypt","params":{"N":${WRITE_N},"r":8,"p":1},"salt":"${salt.toString('base64')}"},"cipher":{"name":"nacl/secretbox","nonce":"${nonce.toString('base64')}"},"ciphertext":"${Buffer.from(ciphertext).toString('base64')}"}`;
    return pem(label, Buffer.from(doc, 'utf8'));
  } finally {
    key.fill(0);
    plaintext.fill(0);
  }
}

/** Reads either cosign label; refuses unknown scrypt parameters, a wrong password and a non-PKCS#8 inner key. */
export async function decryptCosignKey(text: string, password: Uint8Array): Promise<{ privateKey: KeyObject; label: string }> {
  const block = readPem(text);
  if (!block) throw new SignetError('MALFORMED', 'This is not a PEM file (no complete BEGIN/END block).');
  if (block.label !== SIGSTORE_LABEL && block.label !== COSIGN_LABEL)
    throw new SignetError('UNSUPPORTED', `A cosign key is labelled "${SIGSTORE_LABEL}" or "${COSIGN_LABEL}", not "${block.label}".`);
  const doc = parseStrictJson(block.der, 'The cosign key') as {
    kdf?: { name?: unknown; params?: { N?: unknown; r?: unknown; p?: unknown }; salt?: unknown };
    cipher?: { name?: unknown; nonce?: unknown };
    ciphertext?: unknown;
  };
  if (doc.kdf?.name !== 'scrypt' || doc.cipher?.name !== 'nacl/secretbox')
    throw new SignetError('UNSUPPORTED', 'The cosign key uses a key derivation or cipher other than scrypt and nacl/secretbox.');
  const { N, r, p } = doc.kdf.params ?? {};
  if (typeof N !== 'number' || !ACCEPTED_N.has(N) || r !== 8 || p !== 1)
    throw new SignetError(
      'UNSUPPORTED',
      `The cosign key uses unsupported scrypt parameters (N=${String(N)}, r=${String(r)}, p=${String(p)}).`,
    );
  if (typeof doc.kdf.salt !== 'string' || typeof doc.cipher.nonce !== 'string' || typeof doc.ciphertext !== 'string')
    throw new SignetError('MALFORMED', 'The cosign key is missing its salt, nonce or ciphertext.');
  const nonce = Buffer.from(doc.cipher.nonce, 'base64');
  if (nonce.length !== 24) throw new SignetError('MALFORMED', 'The cosign key’s nonce is not 24 bytes.');
  const key = await scryptKey(password, Buffer.from(doc.kdf.salt, 'base64'), N);
  let plaintext: Uint8Array;
  try {
    plaintext = xsalsa20poly1305(key, nonce).decrypt(Buffer.from(doc.ciphertext, 'base64'));
  } catch {
    throw new SignetError('BAD_PASSPHRASE', 'The password does not open this cosign key.');
  } finally {
    key.fill(0);
  }
  try {
    return { privateKey: createPrivateKey({ key: Buffer.from(plaintext), format: 'der', type: 'pkcs8' }), label: block.label };
  } catch {
    throw new SignetError(
      'UNSUPPORTED',
      'The cosign key opens, but the key inside is not PKCS#8 (cosign refuses such keys too; a SEC1 "EC PRIVATE KEY" must be re-imported).',
    );
  } finally {
    plaintext.fill(0);
  }
}

export function cosignPublicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

export function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The first PEM block; a block whose base64 is damaged or cut short is refused. */
export function readPem(text: string): { label: string; der: Buffer } | undefined {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/.exec(text);
  if (!match) {
    if (/-----BEGIN [A-Z0-9 ]+-----/.test(text)) throw new SignetError('MALFORMED', 'The PEM block is cut short: its END line is missing.');
    return undefined;
  }
  const body = (match[2] ?? '').replace(/\r/g, '');
  const lines = body.split('\n').filter((l) => l.length > 0 && !l.includes(':'));
  const joined = lines.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined) || joined.length % 4 !== 0)
    throw new SignetError('MALFORMED', 'The PEM block’s base64 is damaged or cut short.');
  if (lines.length === 1 && joined.length > 76)
    throw new SignetError('MALFORMED', 'The PEM block has lost its line breaks; restore them (64 characters per line) and try again.');
  return { label: match[1] as string, der: Buffer.from(joined, 'base64') };
}
