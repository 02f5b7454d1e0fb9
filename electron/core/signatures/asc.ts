import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';
import type { PgpSigner } from '../signing/signer';

const MAX_ASC_BYTES = 4 * 1024 * 1024;

/**
 * Huawei SWR's `{sha256}.asc` signature file: a JSON object naming the signing key's OpenPGP
 * fingerprint (`PublicKeyID`), the base64 of an armored, non-detached OpenPGP signed message over
 * the payload (`Signature`), and `SerializedPayload` (null: the payload is inside the message).
 * Stored at `{namespace}/{repo}/{manifest sha256 hex}.asc` in an OBS bucket.
 */
export interface AscDocument {
  PublicKeyID: string;
  Signature: string;
  SerializedPayload: null;
}

export function ascObjectKey(repository: string, digest: string): string {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
  if (!hex) throw new SignetError('INVALID_INPUT', `.asc files are named by a sha256 manifest digest, not ${digest.slice(0, 80)}.`);
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/.test(repository)) {
    throw new SignetError('INVALID_INPUT', `SWR keeps .asc files under namespace/repository; ${repository.slice(0, 200)} is not one.`);
  }
  return `${repository}/${hex}.asc`;
}

/** Signs the payload bytes and builds the .asc JSON text (member order as SWR writes it). */
export async function buildAsc(pgp: PgpSigner, payload: Uint8Array): Promise<{ text: string; armored: string }> {
  return ascDocument(pgp.fingerprint, await pgp.signMessage(payload));
}

/** The .asc JSON text for a binary signed message made by the key with this fingerprint. */
export function ascDocument(fingerprint: string, message: Uint8Array): { text: string; armored: string } {
  const armored = armorMessage(message);
  const doc: AscDocument = {
    PublicKeyID: fingerprint,
    Signature: Buffer.from(armored, 'utf8').toString('base64'),
    SerializedPayload: null,
  };
  return { text: JSON.stringify(doc), armored };
}

/**
 * ASCII armor with the CRC24 line. openpgp v6 leaves it out of messages by default; gpg 2.2 then
 * reads the END line as radix64 whenever the body has no `=` padding and exits 2 after a good
 * signature ("invalid radix64 character 2D skipped"), so every armor Signet writes carries it.
 */
export function armorMessage(message: Uint8Array): string {
  return openpgp.armor(openpgp.enums.armor.message, message, undefined, undefined, undefined, true);
}

/**
 * Reads an .asc file strictly: exactly the three members, a 40-hex-digit fingerprint, canonical
 * base64, and inside it an OpenPGP message (armored, as SWR documents it, or binary). Returns the
 * binary message for verification; nothing in it is trusted yet.
 */
export function readAsc(bytes: Uint8Array): { publicKeyId: string; message: Uint8Array } {
  if (bytes.length > MAX_ASC_BYTES) throw new SignetError('TOO_LARGE', 'The .asc file is larger than 4 MiB.');
  const doc = parseStrictJson(bytes, 'The .asc file');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new SignetError('MALFORMED', 'The .asc file is not a JSON object.');
  const o = doc as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['PublicKeyID', 'Signature', 'SerializedPayload'].includes(k));
  if (unknown.length) throw new SignetError('MALFORMED', `The .asc file has unknown members: ${unknown.slice(0, 5).join(', ')}.`);
  if (typeof o.PublicKeyID !== 'string' || !/^[0-9A-Fa-f]{40}$|^[0-9A-Fa-f]{16}$/.test(o.PublicKeyID))
    throw new SignetError('MALFORMED', 'The .asc PublicKeyID is not an OpenPGP fingerprint (40 hex digits) or key id.');
  if (typeof o.Signature !== 'string' || o.Signature.length === 0) throw new SignetError('MALFORMED', 'The .asc file has no Signature.');
  if (o.SerializedPayload !== null && o.SerializedPayload !== undefined)
    throw new SignetError('MALFORMED', 'The .asc SerializedPayload must be null: the payload is read from the signed message only.');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.Signature) || o.Signature.length % 4 !== 0)
    throw new SignetError('MALFORMED', 'The .asc Signature is not base64.');
  const inner = Buffer.from(o.Signature, 'base64');
  if (inner.toString('base64') !== o.Signature) throw new SignetError('MALFORMED', 'The .asc Signature is not canonical base64.');
  const head = inner.subarray(0, 40).toString('latin1');
  let message: Uint8Array;
  if (head.startsWith('-----BEGIN PGP MESSAGE-----')) {
    message = dearmor(inner.toString('utf8'));
  } else if (head.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) {
    throw new SignetError(
      'UNSUPPORTED',
      'The .asc Signature is a cleartext-signed message; SWR .asc files carry an armored signed message (gpg --armor --sign), whose payload bytes are exact.',
    );
  } else {
    message = inner;
  }
  return { publicKeyId: o.PublicKeyID.toUpperCase(), message };
}

function dearmor(text: string): Uint8Array {
  // openpgp.unarmor is async; armor is simple enough to read here: headers, blank line, base64, checksum.
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const begin = lines.findIndex((l) => l.trim() === '-----BEGIN PGP MESSAGE-----');
  const end = lines.findIndex((l) => l.trim() === '-----END PGP MESSAGE-----');
  if (begin === -1 || end === -1 || end < begin)
    throw new SignetError('MALFORMED', 'The armored OpenPGP message in the .asc file is cut short.');
  let i = begin + 1;
  while (i < end && lines[i]!.trim() !== '' && /^[A-Za-z-]+: /.test(lines[i]!)) i++;
  if (lines[i]?.trim() === '') i++;
  const body = lines
    .slice(i, end)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('='));
  const joined = body.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined))
    throw new SignetError('MALFORMED', 'The armored OpenPGP message in the .asc file is not base64.');
  const bytes = Buffer.from(joined, 'base64');
  const checksum = lines
    .slice(i, end)
    .map((l) => l.trim())
    .find((l) => /^=[A-Za-z0-9+/]{4}$/.test(l));
  if (checksum && Buffer.from(checksum.slice(1), 'base64').readUIntBE(0, 3) !== crc24(bytes))
    throw new SignetError('MALFORMED', 'The armored OpenPGP message in the .asc file fails its checksum (altered or cut short).');
  return new Uint8Array(bytes);
}

function crc24(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

export const payloadSha256 = (payload: Uint8Array): string => createHash('sha256').update(payload).digest('hex');
