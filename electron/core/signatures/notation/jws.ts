import { SignetError } from '../../../../shared/errors';
import { parseStrictJson } from '../../json/strict';
import type { NotaryAlgorithm } from './certs';
import { checkSignedAttributes, EnvelopeError, NOTARY, parseRfc3339, signingSchemeOf, type NotationEnvelope } from './envelope';

const ALGS: readonly NotaryAlgorithm[] = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Registered JWS headers that change how the signing input or key is found; a Notary envelope never uses them. */
const REFUSED_PROTECTED = new Set(['b64', 'zip', 'jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'kid']);
const UNPROTECTED = new Set(['x5c', NOTARY.signingAgent, NOTARY.timestampSignature]);
const MAX_CERTS = 10;

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function b64url(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !B64URL.test(value) || value.length % 4 === 1)
    throw new EnvelopeError('unreadable', `${what} is not base64url`);
  return Buffer.from(value, 'base64url');
}

function b64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !B64.test(value)) throw new EnvelopeError('unreadable', `${what} is not base64`);
  return Buffer.from(value, 'base64');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Notary Project JWS envelope (flattened JSON serialisation), parsed by a deliberately strict
 * parser: strict JSON (no duplicate keys or trailing data) at every level, exactly the members
 * `payload`, `protected`, `header` and `signature`, an unprotected header holding only `x5c`, the
 * signing agent and the timestamp countersignature (so no critical header can hide there), a
 * protected header with `alg`, `cty` = the Notary payload type and `crit`, and the signed
 * attributes' rules (envelope.ts). Refuses rather than guesses: notation-go would ignore unknown
 * members, Signet does not.
 */
export function parseJws(bytes: Uint8Array): NotationEnvelope {
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, 'The JWS envelope');
  } catch (error) {
    throw new EnvelopeError('unreadable', error instanceof SignetError ? error.message : 'the JWS envelope is not JSON');
  }
  if (!isObject(doc)) throw new EnvelopeError('unreadable', 'the JWS envelope is not a JSON object');
  const members = Object.keys(doc).sort().join(',');
  if (members !== 'header,payload,protected,signature')
    throw new EnvelopeError(
      'unreadable',
      `the JWS envelope has the members ${members.slice(0, 120)}, not exactly payload, protected, header and signature`,
    );
  const protectedText = doc.protected;
  const payloadText = doc.payload;
  if (typeof protectedText !== 'string' || typeof payloadText !== 'string')
    throw new EnvelopeError('unreadable', 'protected and payload must be strings');
  const payload = b64url(payloadText, 'payload');
  const signature = b64url(doc.signature, 'signature');

  let headers: unknown;
  try {
    headers = parseStrictJson(b64url(protectedText, 'protected'), 'The JWS protected header');
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw new EnvelopeError('header', error instanceof SignetError ? error.message : 'the protected header is not JSON');
  }
  if (!isObject(headers)) throw new EnvelopeError('header', 'the protected header is not a JSON object');
  for (const name of Object.keys(headers))
    if (REFUSED_PROTECTED.has(name))
      throw new EnvelopeError('header', `the protected header carries ${name}, which a Notary envelope does not use`);
  const alg = headers.alg;
  if (typeof alg !== 'string' || !(ALGS as readonly string[]).includes(alg))
    throw new EnvelopeError('header', `the algorithm ${JSON.stringify(String(alg).slice(0, 20))} is not one the Notary Project allows`);
  if (headers.cty !== NOTARY.payloadType)
    throw new EnvelopeError('header', `cty is ${JSON.stringify(String(headers.cty).slice(0, 80))}, not ${NOTARY.payloadType}`);
  const crit = headers.crit;
  if (!Array.isArray(crit) || !crit.every((c): c is string => typeof c === 'string'))
    throw new EnvelopeError('header', 'crit is missing or not a list of names');
  const stringHeader = (name: string): string | undefined => {
    const v = headers[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new EnvelopeError('header', `${name} is not a string`);
    return v;
  };
  const signingScheme = signingSchemeOf(headers[NOTARY.signingScheme]);
  const signingTime = headers[NOTARY.signingTime] === undefined ? undefined : parseRfc3339(headers[NOTARY.signingTime], NOTARY.signingTime);
  const authenticSigningTime =
    headers[NOTARY.authenticSigningTime] === undefined
      ? undefined
      : parseRfc3339(headers[NOTARY.authenticSigningTime], NOTARY.authenticSigningTime);
  const expiry = headers[NOTARY.expiry] === undefined ? undefined : parseRfc3339(headers[NOTARY.expiry], NOTARY.expiry);
  const verificationPlugin = stringHeader(NOTARY.verificationPlugin);
  stringHeader(NOTARY.verificationPluginMinVersion);
  const attributes = {
    signingScheme,
    ...(signingTime ? { signingTime } : {}),
    ...(authenticSigningTime ? { authenticSigningTime } : {}),
    ...(expiry ? { expiry } : {}),
  };
  checkSignedAttributes(new Set(Object.keys(headers)), crit, attributes);

  const header = doc.header;
  if (!isObject(header)) throw new EnvelopeError('unreadable', 'the unprotected header is not a JSON object');
  for (const name of Object.keys(header))
    if (!UNPROTECTED.has(name))
      throw new EnvelopeError(
        'header',
        `the unprotected header carries ${JSON.stringify(name.slice(0, 80))}; only x5c, the signing agent and the timestamp may be unprotected`,
      );
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0) throw new EnvelopeError('unreadable', 'x5c (the certificate chain) is missing or empty');
  if (x5c.length > MAX_CERTS) throw new EnvelopeError('unreadable', `x5c holds ${x5c.length} certificates; at most ${MAX_CERTS} are read`);
  const signingAgent = header[NOTARY.signingAgent];
  if (signingAgent !== undefined && typeof signingAgent !== 'string')
    throw new EnvelopeError('header', 'the signing agent is not a string');
  const timestamp = header[NOTARY.timestampSignature];
  return {
    kind: 'jws',
    alg: alg as NotaryAlgorithm,
    ...attributes,
    ...(verificationPlugin ? { verificationPlugin } : {}),
    chain: x5c.map((c, i) => b64(c, `x5c[${i}]`)),
    ...(typeof signingAgent === 'string' ? { signingAgent: signingAgent.slice(0, 200) } : {}),
    ...(timestamp !== undefined ? { timestampToken: b64(timestamp, 'the timestamp countersignature') } : {}),
    payload,
    signedBytes: Buffer.from(`${protectedText}.${payloadText}`, 'ascii'),
    signature,
  };
}
