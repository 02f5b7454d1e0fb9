import { SignetError } from '../../../../shared/errors';
import { CborMap, CborTag, decodeCbor, encodeCbor, type CborValue } from './cbor';
import type { NotaryAlgorithm } from './certs';
import { checkSignedAttributes, EnvelopeError, NOTARY, signingSchemeOf, type NotationEnvelope } from './envelope';

/** COSE algorithm ids (RFC 9053 / IANA) of the Notary Project's algorithms. */
export const COSE_ALG: Readonly<Record<NotaryAlgorithm, number>> = {
  PS256: -37,
  PS384: -38,
  PS512: -39,
  ES256: -7,
  ES384: -35,
  ES512: -36,
};
const ALG_BY_ID = new Map(Object.entries(COSE_ALG).map(([k, v]) => [v, k as NotaryAlgorithm]));
export const COSE_LABEL = { alg: 1, crit: 2, contentType: 3, x5chain: 33 } as const;
const PROTECTED_INTS = new Set<number | string>([COSE_LABEL.alg, COSE_LABEL.crit, COSE_LABEL.contentType]);
const UNPROTECTED = new Set<number | string>([COSE_LABEL.x5chain, NOTARY.signingAgent, NOTARY.timestampSignature]);
const MAX_CERTS = 10;

/** The bytes a COSE_Sign1 signature is over: ["Signature1", protected, h'', payload]. */
export function coseSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Buffer {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

function epoch(value: CborValue | undefined, what: string): Date | undefined {
  if (value === undefined) return undefined;
  // Years 1970–9999 only: a time JavaScript cannot hold is refused, not carried as an invalid date (found by npm run fuzz).
  if (
    !(value instanceof CborTag) ||
    value.tag !== 1 ||
    typeof value.value !== 'number' ||
    !Number.isSafeInteger(value.value) ||
    value.value < 0 ||
    value.value > 253_402_300_799
  )
    throw new EnvelopeError('header', `${what} is not a CBOR epoch time (tag 1, integer seconds, years 1970–9999)`);
  return new Date(value.value * 1000);
}

/**
 * A Notary Project COSE_Sign1_Tagged envelope, parsed by a deliberately strict parser: strict
 * CBOR (cbor.ts), tag 18 around exactly four items, a protected map holding alg, crit, content
 * type = the Notary payload type and the Notary text labels with tag-1 times, an unprotected map
 * holding only x5chain (label 33), the signing agent and the timestamp countersignature, and an
 * attached payload. The signed attributes' rules are envelope.ts's, shared with JWS.
 */
export function parseCose(bytes: Uint8Array): NotationEnvelope {
  let top: CborValue;
  try {
    top = decodeCbor(bytes, 'The COSE envelope');
  } catch (error) {
    throw new EnvelopeError('unreadable', error instanceof SignetError ? error.message : 'the COSE envelope is not CBOR');
  }
  if (!(top instanceof CborTag) || top.tag !== 18 || !Array.isArray(top.value) || top.value.length !== 4)
    throw new EnvelopeError('unreadable', 'the envelope is not a COSE_Sign1_Tagged structure');
  const [protectedBytes, unprotected, payload, signature] = top.value;
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof CborMap) || !(signature instanceof Uint8Array))
    throw new EnvelopeError('unreadable', 'the COSE_Sign1 items have the wrong types');
  if (!(payload instanceof Uint8Array)) throw new EnvelopeError('unreadable', 'the COSE_Sign1 payload is detached or not a byte string');
  let headers: CborValue;
  try {
    headers = decodeCbor(protectedBytes, 'The COSE protected header');
  } catch (error) {
    throw new EnvelopeError('header', error instanceof SignetError ? error.message : 'the protected header is not CBOR');
  }
  if (!(headers instanceof CborMap)) throw new EnvelopeError('header', 'the protected header is not a map');
  for (const key of headers.keys())
    if (typeof key === 'number' && !PROTECTED_INTS.has(key))
      throw new EnvelopeError('header', `the protected header carries label ${key}, which a Notary envelope does not use`);
  const algId = headers.get(COSE_LABEL.alg);
  const alg = typeof algId === 'number' ? ALG_BY_ID.get(algId) : undefined;
  if (!alg) throw new EnvelopeError('header', `the algorithm ${String(algId)} is not one the Notary Project allows`);
  const cty = headers.get(COSE_LABEL.contentType);
  if (cty !== NOTARY.payloadType)
    throw new EnvelopeError('header', `the content type is ${JSON.stringify(String(cty).slice(0, 80))}, not ${NOTARY.payloadType}`);
  const critValue = headers.get(COSE_LABEL.crit);
  if (!Array.isArray(critValue) || !critValue.every((c): c is string => typeof c === 'string'))
    throw new EnvelopeError('header', 'crit is missing or not a list of text labels');
  const text = (name: string): string | undefined => {
    const v = headers.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new EnvelopeError('header', `${name} is not text`);
    return v;
  };
  const signingScheme = signingSchemeOf(headers.get(NOTARY.signingScheme));
  const signingTime = epoch(headers.get(NOTARY.signingTime), NOTARY.signingTime);
  const authenticSigningTime = epoch(headers.get(NOTARY.authenticSigningTime), NOTARY.authenticSigningTime);
  const expiry = epoch(headers.get(NOTARY.expiry), NOTARY.expiry);
  const verificationPlugin = text(NOTARY.verificationPlugin);
  text(NOTARY.verificationPluginMinVersion);
  const attributes = {
    signingScheme,
    ...(signingTime ? { signingTime } : {}),
    ...(authenticSigningTime ? { authenticSigningTime } : {}),
    ...(expiry ? { expiry } : {}),
  };
  checkSignedAttributes(new Set(headers.keys().filter((k): k is string => typeof k === 'string')), critValue, attributes);

  for (const key of unprotected.keys())
    if (!UNPROTECTED.has(key))
      throw new EnvelopeError(
        'header',
        `the unprotected header carries ${JSON.stringify(String(key).slice(0, 80))}; only x5chain, the signing agent and the timestamp may be unprotected`,
      );
  const x5 = unprotected.get(COSE_LABEL.x5chain);
  const chain = x5 instanceof Uint8Array ? [x5] : Array.isArray(x5) ? x5 : undefined;
  if (!chain || chain.length === 0 || !chain.every((c): c is Uint8Array => c instanceof Uint8Array))
    throw new EnvelopeError('unreadable', 'x5chain (label 33, the certificate chain) is missing or not byte strings');
  if (chain.length > MAX_CERTS)
    throw new EnvelopeError('unreadable', `x5chain holds ${chain.length} certificates; at most ${MAX_CERTS} are read`);
  const agent = unprotected.get(NOTARY.signingAgent);
  if (agent !== undefined && typeof agent !== 'string') throw new EnvelopeError('header', 'the signing agent is not text');
  const timestamp = unprotected.get(NOTARY.timestampSignature);
  if (timestamp !== undefined && !(timestamp instanceof Uint8Array))
    throw new EnvelopeError('header', 'the timestamp countersignature is not a byte string');
  return {
    kind: 'cose',
    alg,
    ...attributes,
    ...(verificationPlugin ? { verificationPlugin } : {}),
    chain: chain.map((c) => Buffer.from(c)),
    ...(typeof agent === 'string' ? { signingAgent: agent.slice(0, 200) } : {}),
    ...(timestamp instanceof Uint8Array ? { timestampToken: Buffer.from(timestamp) } : {}),
    payload: Buffer.from(payload),
    signedBytes: coseSigStructure(protectedBytes, payload),
    signature: Buffer.from(signature),
  };
}
