import { SignetError } from '../../../../shared/errors';
import { parseStrictJson } from '../../json/strict';
import { decodeStdBase64, type SigstoreAttachment } from '../sigstore/attachment';

/**
 * containers/image's on-disk form of one signature (dir: images, lookaside): a simple signature
 * is the raw binary OpenPGP message; any other format is 0x00, the format name, a newline and
 * the data. `sigstore-json` data is {"mimeType","payload"(base64),"annotations"}.
 */
export type StoredSignature = { kind: 'simple'; message: Uint8Array } | ({ kind: 'sigstore' } & SigstoreAttachment);

export function decodeStoredSignature(bytes: Uint8Array): StoredSignature {
  if (bytes.length === 0 || bytes[0] !== 0x00) return { kind: 'simple', message: bytes };
  const newline = bytes.indexOf(0x0a);
  if (newline === -1) throw new SignetError('MALFORMED', 'The stored signature has a format marker but no format name.');
  const format = Buffer.from(bytes.subarray(1, newline)).toString('utf8');
  if (format !== 'sigstore-json')
    throw new SignetError('UNSUPPORTED', `The stored signature is in the unknown format ${JSON.stringify(format.slice(0, 40))}.`);
  const doc = parseStrictJson(bytes.subarray(newline + 1), 'The stored sigstore signature');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new SignetError('MALFORMED', 'The stored sigstore signature is not a JSON object.');
  const o = doc as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'annotations,mimeType,payload')
    throw new SignetError('MALFORMED', 'The stored sigstore signature must have exactly mimeType, payload and annotations.');
  if (
    typeof o.mimeType !== 'string' ||
    typeof o.payload !== 'string' ||
    typeof o.annotations !== 'object' ||
    o.annotations === null ||
    Array.isArray(o.annotations)
  )
    throw new SignetError('MALFORMED', 'The stored sigstore signature has members of the wrong type.');
  const payload = decodeStdBase64(o.payload);
  if (!payload) throw new SignetError('MALFORMED', 'The stored sigstore payload is not base64.');
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.annotations as Record<string, unknown>)) {
    if (typeof v !== 'string')
      throw new SignetError('MALFORMED', `The stored sigstore annotation ${JSON.stringify(k.slice(0, 60))} is not a string.`);
    annotations[k] = v;
  }
  return { kind: 'sigstore', mimeType: o.mimeType, payload, annotations };
}

export function encodeSigstoreSignature(sig: SigstoreAttachment): Buffer {
  const json = JSON.stringify({
    mimeType: sig.mimeType,
    payload: Buffer.from(sig.payload).toString('base64'),
    annotations: sig.annotations,
  });
  return Buffer.concat([Buffer.from('\0sigstore-json\n', 'latin1'), Buffer.from(json, 'utf8')]);
}
