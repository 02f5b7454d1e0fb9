import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import {
  RequestItemView,
  SigningRequest,
  type OfflineFormat,
  type RequestedSigner,
  type RequestItem,
} from '../../../shared/models/offline';
import { ATOMIC_TYPE, buildAtomicPayload, buildCosignPayload, COSIGN_TYPE } from '../../../shared/payloads/payloads';
import { parseStrictJson } from '../json/strict';
import { notationSigningInput, readNotationSigningInput } from '../signatures/notation/offline';

export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface RequestImage {
  reference: string;
  repository: string;
  tag?: string;
  digest: string;
  mediaType?: string;
  /** The manifest's size (for Notation payloads). */
  size?: number;
  platform?: string;
}

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

/** Builds the request: every payload is made here, once, and carried as bytes. */
export function buildRequest(options: BuildRequestOptions): { bytes: Buffer; sha256: string; request: SigningRequest } {
  const items: RequestItem[] = [];
  for (const image of options.images) {
    for (const format of options.formats) {
      if (format === 'notation' && (!options.notation || image.size === undefined || !image.mediaType))
        throw new SignetError('INVALID_INPUT', 'A Notation item needs the key’s certificate chain and the manifest’s media type and size.');
      const payload =
        format === 'notation' && options.notation
          ? notationSigningInput(
              options.notation.envelope,
              { mediaType: image.mediaType as string, digest: image.digest, size: image.size as number },
              options.notation.chain,
              options.now,
              undefined,
              options.annotations ? { ...options.annotations } : undefined,
            )
          : Buffer.from(payloadFor(format, image, options), 'utf8');
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
        ...(format === 'notation' && options.notation
          ? { notation: { envelope: options.notation.envelope, chain: options.notation.chain.map((c) => c.toString('base64')) } }
          : {}),
        payload: payload.toString('base64'),
        payloadSha256: sha256Hex(payload),
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

function payloadFor(format: OfflineFormat, image: RequestImage, options: BuildRequestOptions): string {
  if (format === 'cosign') {
    return buildCosignPayload({
      repository: image.repository,
      manifestDigest: image.digest,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    });
  }
  return buildAtomicPayload({
    dockerReference: image.tag ? `${image.repository}:${image.tag}` : image.repository,
    manifestDigest: image.digest,
    creator: options.createdBy,
    timestamp: Math.floor(options.now.getTime() / 1000),
    ...(options.annotations ? { extra: options.annotations } : {}),
  });
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
  if (item.format === 'notation') {
    if (!item.notation) throw new SignetError('MALFORMED', `Item ${item.id} is a Notation item without its envelope and chain.`);
    const chain = item.notation.chain.map((c) => Buffer.from(c, 'base64'));
    const read = readNotationSigningInput(item.notation.envelope, payload, chain, item.digest);
    return {
      identity: `${item.repository}@${read.payload.targetArtifact.digest} (Notation ${item.notation.envelope.toUpperCase()}, signing time ${read.signingTime.toISOString()})`,
    };
  }
  if (item.notation) throw new SignetError('MALFORMED', `Item ${item.id} is not a Notation item but carries Notation fields.`);
  const doc = parseStrictJson(payload, `Item ${item.id}'s payload`) as {
    critical?: { type?: unknown; image?: { 'docker-manifest-digest'?: unknown }; identity?: { 'docker-reference'?: unknown } };
  };
  const expectedType = item.format === 'cosign' ? COSIGN_TYPE : ATOMIC_TYPE;
  if (doc?.critical?.type !== expectedType)
    throw new SignetError('MALFORMED', `Item ${item.id}'s payload is not a "${expectedType}" payload.`);
  const named = doc.critical.image?.['docker-manifest-digest'];
  if (named !== item.digest)
    throw new SignetError('MALFORMED', `Item ${item.id}'s payload names ${String(named).slice(0, 80)}, not the image's ${item.digest}.`);
  const identity = doc.critical.identity?.['docker-reference'];
  if (typeof identity !== 'string') throw new SignetError('MALFORMED', `Item ${item.id}'s payload has no identity.`);
  return { identity };
}

function checkFormatsFitSigner(request: SigningRequest): void {
  const pgp = request.signer.kind === 'pgp-fingerprint';
  for (const item of request.items) {
    const wantsPgp = item.format === 'simplesigning' || item.format === 'asc';
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
