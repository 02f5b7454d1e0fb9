import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';

/**
 * The message OCIR's `oci artifacts container image-signature sign-upload` signs (formats.md §5.1):
 * a JSON object whose keys are, in this order, description, imageDigest, kmsKeyId, kmsKeyVersionId,
 * metadata, region, repositoryName, signingAlgorithm — all strings — serialised as Python's
 * `json.dumps(message, separators=(',', ':'))` does (ensure_ascii: non-ASCII as \uXXXX, '/' kept),
 * then base64. The KMS signs the JSON bytes (messageType RAW), at most 4096 of them.
 */
export const OCIR_ALGORITHMS = ['SHA_224_RSA_PKCS_PSS', 'SHA_256_RSA_PKCS_PSS', 'SHA_384_RSA_PKCS_PSS', 'SHA_512_RSA_PKCS_PSS'] as const;
export type OcirAlgorithm = (typeof OCIR_ALGORITHMS)[number];

export const MESSAGE_KEYS = [
  'description',
  'imageDigest',
  'kmsKeyId',
  'kmsKeyVersionId',
  'metadata',
  'region',
  'repositoryName',
  'signingAlgorithm',
] as const;
export type OcirMessage = Record<(typeof MESSAGE_KEYS)[number], string>;

/** KMS refuses a RAW message over 4096 bytes. */
export const MAX_MESSAGE_BYTES = 4096;

/** A JSON string literal as Python's json.dumps writes it with ensure_ascii=True. */
export function pythonJsonString(text: string): string {
  // JSON.stringify escapes quote, backslash and C0 controls exactly as Python does (\b \f \n \r \t, else \u00xx);
  // Python also escapes DEL and everything above ASCII, UTF-16 unit by unit (so astral characters become surrogate pairs).
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's compact `json.dumps` of a flat object of strings, keys in the order given. */
function pythonCompact(entries: Array<[string, string]>): string {
  return `{${entries.map(([k, v]) => `${pythonJsonString(k)}:${pythonJsonString(v)}`).join(',')}}`;
}

/** The metadata JSON text: keys sorted, compact, ensure_ascii (what `--metadata` asks people to type). */
export function metadataText(metadata: Record<string, string> | undefined): string {
  if (!metadata || Object.keys(metadata).length === 0) return '';
  return pythonCompact(
    Object.keys(metadata)
      .sort()
      .map((k) => [k, metadata[k] as string]),
  );
}

export interface MessageInput {
  description?: string;
  imageDigest: string;
  kmsKeyId: string;
  kmsKeyVersionId: string;
  metadata?: Record<string, string>;
  region: string;
  repositoryName: string;
  signingAlgorithm: OcirAlgorithm;
}

/** The JSON bytes the KMS signs, and their base64 (the resource's `message`). */
export function buildMessage(input: MessageInput): { json: Buffer; base64: string; message: OcirMessage } {
  if (!OCIR_ALGORITHMS.includes(input.signingAlgorithm))
    throw new SignetError('INVALID_INPUT', `OCIR signs with ${OCIR_ALGORITHMS.join(', ')}, not ${String(input.signingAlgorithm)}.`);
  const message: OcirMessage = {
    description: input.description ?? '',
    imageDigest: input.imageDigest,
    kmsKeyId: input.kmsKeyId,
    kmsKeyVersionId: input.kmsKeyVersionId,
    metadata: metadataText(input.metadata),
    region: input.region,
    repositoryName: input.repositoryName,
    signingAlgorithm: input.signingAlgorithm,
  };
  const json = Buffer.from(pythonCompact(MESSAGE_KEYS.map((k) => [k, message[k]])), 'utf8');
  if (json.length > MAX_MESSAGE_BYTES)
    throw new SignetError(
      'INVALID_INPUT',
      `The OCIR message is ${json.length} bytes; OCI Vault signs at most ${MAX_MESSAGE_BYTES}. Shorten the description or metadata.`,
    );
  return { json, base64: json.toString('base64'), message };
}

export interface DecodedMessage {
  message: OcirMessage;
  json: Buffer;
  /** The metadata object, when `metadata` is a JSON object of strings. */
  metadata?: Record<string, string>;
  /** True when the bytes are exactly what sign-upload would write for these values. */
  canonical: boolean;
}

/**
 * A stored message, decoded strictly: canonical base64, one JSON object (no duplicate keys, no
 * trailing data) with exactly the eight keys, each a string; metadata, when not empty, a JSON
 * object of strings. Throws MALFORMED with the reason otherwise.
 */
export function decodeMessage(base64: string): DecodedMessage {
  const bad = (why: string) => new SignetError('MALFORMED', `The OCIR signature message ${why}.`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw bad('is not base64');
  const json = Buffer.from(base64, 'base64');
  if (json.toString('base64') !== base64) throw bad('is not canonical base64');
  if (json.length > MAX_MESSAGE_BYTES) throw bad(`is over ${MAX_MESSAGE_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = parseStrictJson(json, 'The OCIR signature message');
  } catch (error) {
    throw bad(`is not strict JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('is not a JSON object');
  const record = parsed as Record<string, unknown>;
  const keys = Object.keys(record);
  const missing = MESSAGE_KEYS.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !(MESSAGE_KEYS as readonly string[]).includes(k));
  if (missing.length || extra.length)
    throw bad(
      `has the wrong keys (${[...missing.map((k) => `missing ${k}`), ...extra.map((k) => `unexpected ${k.slice(0, 40)}`)].join(', ')})`,
    );
  for (const k of MESSAGE_KEYS) if (typeof record[k] !== 'string') throw bad(`has a ${k} that is not a string`);
  const message = record as OcirMessage;
  let metadata: Record<string, string> | undefined;
  if (message.metadata !== '') {
    let inner: unknown;
    try {
      inner = parseStrictJson(message.metadata, 'The OCIR metadata');
    } catch (error) {
      throw bad(`has metadata that is not strict JSON (${(error as Error).message})`);
    }
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw bad('has metadata that is not a JSON object');
    metadata = {};
    for (const [k, v] of Object.entries(inner)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const again = pythonCompact(MESSAGE_KEYS.map((k) => [k, message[k]]));
  return { message, json, ...(metadata ? { metadata } : {}), canonical: again === json.toString('utf8') };
}
