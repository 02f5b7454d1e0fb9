import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import {
  RequestItemView,
  SigningRequest,
  type OfflineFormat,
  type RequestedSigner,
  type RequestItem,
} from '../../../shared/models/offline';
import { parseStrictJson } from '../json/strict';
import { offlineWay } from '../signatures/formats';
import type { OfflineImage } from '../signatures/formats/format';

export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type RequestImage = OfflineImage;

export interface BuildRequestOptions {
  signer: RequestedSigner;
  formats: readonly OfflineFormat[];
  images: readonly RequestImage[];
  createdBy: string;
  now: Date;
  note?: string;
  /** Signed annotations: cosign and simple signing `optional` members, Notation `targetArtifact.annotations`. */
  annotations?: Readonly<Record<string, string>>;
  /** Notation items: the envelope and the key's X.509 chain (DER, leaf first). */
  notation?: { envelope: 'jws' | 'cose'; chain: readonly Buffer[] };
}

/** Builds the request: every payload is made here, once, by its format's module, and carried as bytes. */
export function buildRequest(options: BuildRequestOptions): { bytes: Buffer; sha256: string; request: SigningRequest } {
  const items: RequestItem[] = [];
  const payloadOptions = {
    createdBy: options.createdBy,
    now: options.now,
    ...(options.annotations ? { annotations: options.annotations } : {}),
    ...(options.notation ? { notation: options.notation } : {}),
  };
  for (const image of options.images) {
    for (const format of options.formats) {
      const made = offlineWay(format).payload(image, payloadOptions);
      items.push({
        id: String(items.length + 1),
        reference: image.reference,
        repository: image.repository,
        ...(image.tag ? { tag: image.tag } : {}),
        digest: image.digest,
        ...(image.mediaType ? { mediaType: image.mediaType } : {}),
        ...(image.size !== undefined ? { size: image.size } : {}),
        ...(image.platform ? { platform: image.platform } : {}),
        format,
        ...made.item,
        payload: made.bytes.toString('base64'),
        payloadSha256: sha256Hex(made.bytes),
      });
    }
  }
  const request = SigningRequest.parse({
    format: 'signet-signing-request',
    version: 1,
    createdAt: options.now.toISOString(),
    createdBy: options.createdBy,
    ...(options.note ? { note: options.note } : {}),
    signer: options.signer,
    items,
  });
  checkFormatsFitSigner(request);
  const bytes = Buffer.from(`${JSON.stringify(request, null, 2)}\n`, 'utf8');
  return { bytes, sha256: sha256Hex(bytes), request };
}

export interface ReadRequest {
  request: SigningRequest;
  sha256: string;
  items: RequestItemView[];
  /** Payload bytes by item id, decoded once. */
  payloads: Map<string, Buffer>;
}

/**
 * Reads a request file strictly: JSON without duplicate keys or trailing data, the schema,
 * unique item ids, each payload's hash, and each payload naming exactly its item's digest with
 * the type its format requires.
 */
export function readRequest(bytes: Uint8Array): ReadRequest {
  if (bytes.length > MAX_REQUEST_BYTES) throw new SignetError('TOO_LARGE', 'The signing request is larger than 64 MiB.');
  const parsed = SigningRequest.safeParse(parseStrictJson(bytes, 'The signing request'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SignetError(
      'MALFORMED',
      `The signing request is not a Signet request (version 1): ${issue ? `${issue.path.join('.') || 'document'}: ${issue.message}` : 'unknown problem'}.`,
    );
  }
  const request = parsed.data;
  checkFormatsFitSigner(request);
  const ids = new Set<string>();
  const payloads = new Map<string, Buffer>();
  const items: RequestItemView[] = [];
  for (const item of request.items) {
    if (ids.has(item.id)) throw new SignetError('MALFORMED', `The signing request lists item ${item.id} twice.`);
    ids.add(item.id);
    const payload = Buffer.from(item.payload, 'base64');
    if (payload.toString('base64') !== item.payload)
      throw new SignetError('MALFORMED', `Item ${item.id}'s payload is not canonical base64.`);
    if (sha256Hex(payload) !== item.payloadSha256)
      throw new SignetError('MALFORMED', `Item ${item.id}'s payload does not match its SHA-256: the request was changed.`);
    const decoded = decodePayload(item, payload);
    payloads.set(item.id, payload);
    items.push(
      RequestItemView.parse({
        id: item.id,
        reference: item.reference,
        digest: item.digest,
        ...(item.platform ? { platform: item.platform } : {}),
        format: item.format,
        identity: decoded.identity,
        payloadText: payload.toString('utf8'),
        payloadSha256: item.payloadSha256,
      }),
    );
  }
  return { request, sha256: sha256Hex(bytes), items, payloads };
}

function decodePayload(item: RequestItem, payload: Buffer): { identity: string } {
  return { identity: offlineWay(item.format).identity(item, payload) };
}

function checkFormatsFitSigner(request: SigningRequest): void {
  const pgp = request.signer.kind === 'pgp-fingerprint';
  for (const item of request.items) {
    const wantsPgp = offlineWay(item.format).key === 'openpgp';
    if (pgp !== wantsPgp) {
      throw new SignetError(
        'INVALID_INPUT',
        pgp
          ? `Item ${item.id} asks for a ${item.format} signature, which an OpenPGP key cannot make.`
          : `Item ${item.id} asks for an OpenPGP (${item.format}) signature, which needs an OpenPGP key.`,
      );
    }
  }
}

/** The text printed and shown before the request leaves the connected machine. */
export function summarizeRequest(read: Pick<ReadRequest, 'request' | 'sha256' | 'items'>): string {
  const { request } = read;
  const images = new Set(request.items.map((i) => `${i.repository}@${i.digest}`)).size;
  const lines = [
    `Signing request, version ${request.version}, made ${request.createdAt} by ${request.createdBy}`,
    `Signer: ${request.signer.kind} ${request.signer.value}`,
    `${request.items.length} signature(s) over ${images} image manifest(s):`,
    ...read.items.map(
      (i) => `  ${i.id.padStart(3)}  ${i.format.padEnd(13)} ${i.reference}${i.platform ? ` [${i.platform}]` : ''}  ${i.digest}`,
    ),
    `Request SHA-256: ${read.sha256}`,
    `Read it aloud in groups: ${read.sha256.match(/.{1,8}/g)?.join(' ')}`,
  ];
  return lines.join('\n');
}
