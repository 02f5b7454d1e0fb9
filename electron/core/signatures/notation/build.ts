import { CborMap, CborTag, decodeCbor, encodeCbor } from './cbor';
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
  const targetArtifact = {
    mediaType: target.mediaType,
    digest: target.digest,
    size: target.size,
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
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
  const input = jwsSigningInput(req);
  return assembleJws(input, req.chain, req.signingAgent, await sign(input));
}

/** The bytes a JWS envelope's signature is over: ASCII(protected "." payload), protected in notation's member order. */
export function jwsSigningInput(req: Omit<EnvelopeRequest, 'chain' | 'signingAgent'>): Buffer {
  const crit = [NOTARY.signingScheme, ...(req.expiry ? [NOTARY.expiry] : [])];
  const header: Record<string, unknown> = { alg: req.alg, crit, cty: NOTARY.payloadType };
  if (req.expiry) header[NOTARY.expiry] = rfc3339(req.expiry);
  header[NOTARY.signingScheme] = 'notary.x509';
  header[NOTARY.signingTime] = rfc3339(req.signingTime);
  return Buffer.from(`${Buffer.from(JSON.stringify(header)).toString('base64url')}.${req.payload.toString('base64url')}`, 'ascii');
}

/** A JWS envelope from its signing input (as signed) and the signature in JOSE form. */
export function assembleJws(signingInput: Buffer, chain: readonly Buffer[], signingAgent: string, signature: Buffer): Buffer {
  const [protectedText, payloadText, extra] = signingInput.toString('ascii').split('.');
  if (protectedText === undefined || payloadText === undefined || extra !== undefined)
    throw new Error('a JWS signing input is protected.payload');
  const envelope = {
    payload: payloadText,
    protected: protectedText,
    header: { x5c: chain.map((c) => c.toString('base64')), [NOTARY.signingAgent]: signingAgent },
    signature: signature.toString('base64url'),
  };
  return Buffer.from(JSON.stringify(envelope));
}

/** A COSE_Sign1_Tagged envelope as notation writes it: times as tag-1 epoch seconds, x5chain under label 33. */
export async function buildCose(req: EnvelopeRequest, sign: RawSign): Promise<Buffer> {
  const input = coseSigningInput(req);
  return assembleCose(input, req.chain, req.signingAgent, await sign(input));
}

/** The bytes a COSE_Sign1 signature is over: the Sig_structure with notation's protected header. */
export function coseSigningInput(req: Omit<EnvelopeRequest, 'chain' | 'signingAgent'>): Buffer {
  const headers = new CborMap();
  headers.entries.push([COSE_LABEL.alg, COSE_ALG[req.alg]]);
  headers.entries.push([COSE_LABEL.crit, [NOTARY.signingScheme, ...(req.expiry ? [NOTARY.expiry] : [])]]);
  headers.entries.push([COSE_LABEL.contentType, NOTARY.payloadType]);
  headers.entries.push([NOTARY.signingScheme, 'notary.x509']);
  headers.entries.push([NOTARY.signingTime, new CborTag(1, seconds(req.signingTime))]);
  if (req.expiry) headers.entries.push([NOTARY.expiry, new CborTag(1, seconds(req.expiry))]);
  return coseSigStructure(encodeCbor(headers), req.payload);
}

/** A COSE_Sign1_Tagged envelope from its Sig_structure (as signed) and the signature in COSE form. */
export function assembleCose(sigStructure: Buffer, chain: readonly Buffer[], signingAgent: string, signature: Buffer): Buffer {
  const decoded = decodeCbor(sigStructure, 'The COSE Sig_structure');
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 4 ||
    decoded[0] !== 'Signature1' ||
    !(decoded[1] instanceof Uint8Array) ||
    !(decoded[2] instanceof Uint8Array) ||
    decoded[2].length !== 0 ||
    !(decoded[3] instanceof Uint8Array)
  )
    throw new Error('not a COSE Sig_structure');
  const unprotected = new CborMap();
  unprotected.entries.push([COSE_LABEL.x5chain, chain.map((c) => new Uint8Array(c))]);
  unprotected.entries.push([NOTARY.signingAgent, signingAgent]);
  return encodeCbor(new CborTag(18, [decoded[1], unprotected, decoded[3], new Uint8Array(signature)]));
}

export function buildEnvelope(kind: EnvelopeKind, req: EnvelopeRequest, sign: RawSign): Promise<Buffer> {
  return kind === 'jws' ? buildJws(req, sign) : buildCose(req, sign);
}

export const ENVELOPE_MEDIA_TYPE: Readonly<Record<EnvelopeKind, string>> = { jws: 'application/jose+json', cose: 'application/cose' };
