import { CborMap, CborTag, encodeCbor } from './cbor';
import type { NotaryAlgorithm } from './certs';
import { COSE_ALG, COSE_LABEL, coseSigStructure } from './cose';
import { NOTARY, type EnvelopeKind } from './envelope';
import type { TargetDescriptor } from './payload';

export interface EnvelopeRequest {
  /** The exact payload bytes (notation/payload: the targetArtifact document). */
  payload: Buffer;
  alg: NotaryAlgorithm;
  /** DER certificates, leaf first, root included. */
  chain: readonly Buffer[];
  signingTime: Date;
  expiry?: Date;
  signingAgent: string;
}

/** Signs the envelope's signing input; returns the signature in JOSE/COSE form (raw r‖s for ECDSA, the PSS block for RSA). */
export type RawSign = (data: Buffer) => Promise<Buffer>;

/** The Notary payload for an image: its descriptor, with the signer's annotations (user metadata) when given. */
export function buildNotationPayload(target: TargetDescriptor, annotations?: Record<string, string>): Buffer {
  const targetArtifact = { mediaType: target.mediaType, digest: target.digest, size: target.size, ...(annotations && Object.keys(annotations).length ? { annotations } : {}) };
  return Buffer.from(JSON.stringify({ targetArtifact }));
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const rfc3339 = (d: Date) => new Date(seconds(d) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * A JWS envelope as notation writes it: flattened JSON, protected members in notation's order
 * (alg, crit, cty, then the Notary attributes sorted), times truncated to the second, x5c and
 * the signing agent unprotected.
 */
export async function buildJws(req: EnvelopeRequest, sign: RawSign): Promise<Buffer> {
  const crit = [NOTARY.signingScheme, ...(req.expiry ? [NOTARY.expiry] : [])];
  const header: Record<string, unknown> = { alg: req.alg, crit, cty: NOTARY.payloadType };
  if (req.expiry) header[NOTARY.expiry] = rfc3339(req.expiry);
  header[NOTARY.signingScheme] = 'notary.x509';
  header[NOTARY.signingTime] = rfc3339(req.signingTime);
  const protectedText = Buffer.from(JSON.stringify(header)).toString('base64url');
  const payloadText = req.payload.toString('base64url');
  const signature = await sign(Buffer.from(`${protectedText}.${payloadText}`, 'ascii'));
  const envelope = {
    payload: payloadText,
    protected: protectedText,
    header: { x5c: req.chain.map((c) => c.toString('base64')), [NOTARY.signingAgent]: req.signingAgent },
    signature: signature.toString('base64url'),
  };
  return Buffer.from(JSON.stringify(envelope));
}

/** A COSE_Sign1_Tagged envelope as notation writes it: times as tag-1 epoch seconds, x5chain under label 33. */
export async function buildCose(req: EnvelopeRequest, sign: RawSign): Promise<Buffer> {
  const headers = new CborMap();
  headers.entries.push([COSE_LABEL.alg, COSE_ALG[req.alg]]);
  headers.entries.push([COSE_LABEL.crit, [NOTARY.signingScheme, ...(req.expiry ? [NOTARY.expiry] : [])]]);
  headers.entries.push([COSE_LABEL.contentType, NOTARY.payloadType]);
  headers.entries.push([NOTARY.signingScheme, 'notary.x509']);
  headers.entries.push([NOTARY.signingTime, new CborTag(1, seconds(req.signingTime))]);
  if (req.expiry) headers.entries.push([NOTARY.expiry, new CborTag(1, seconds(req.expiry))]);
  const protectedBytes = encodeCbor(headers);
  const signature = await sign(coseSigStructure(protectedBytes, req.payload));
  const unprotected = new CborMap();
  unprotected.entries.push([COSE_LABEL.x5chain, req.chain.map((c) => new Uint8Array(c))]);
  unprotected.entries.push([NOTARY.signingAgent, req.signingAgent]);
  return encodeCbor(new CborTag(18, [protectedBytes, unprotected, new Uint8Array(req.payload), new Uint8Array(signature)]));
}

export function buildEnvelope(kind: EnvelopeKind, req: EnvelopeRequest, sign: RawSign): Promise<Buffer> {
  return kind === 'jws' ? buildJws(req, sign) : buildCose(req, sign);
}

export const ENVELOPE_MEDIA_TYPE: Readonly<Record<EnvelopeKind, string>> = { jws: 'application/jose+json', cose: 'application/cose' };
