import { constants, verify, type KeyObject } from 'node:crypto';
import type { NotaryAlgorithm } from './certs';

/** What the Notary Project's signature specification names, in one place. */
export const NOTARY = {
  payloadType: 'application/vnd.cncf.notary.payload.v1+json',
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  signingAgent: 'io.cncf.notary.signingAgent',
  timestampSignature: 'io.cncf.notary.timestampSignature',
} as const;

export const ENVELOPE_MEDIA_TYPES = { 'application/jose+json': 'jws', 'application/cose': 'cose' } as const;
export type EnvelopeKind = (typeof ENVELOPE_MEDIA_TYPES)[keyof typeof ENVELOPE_MEDIA_TYPES];

export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

/** A Notation signature envelope (JWS or COSE), parsed and checked for shape, not yet verified. */
export interface NotationEnvelope {
  kind: EnvelopeKind;
  alg: NotaryAlgorithm;
  signingScheme: SigningScheme;
  /** notary.x509: the signer's claim, never authenticated by the envelope itself. */
  signingTime?: Date;
  /** notary.x509.signingAuthority: a signed attribute the signing authority vouches for. */
  authenticSigningTime?: Date;
  expiry?: Date;
  verificationPlugin?: string;
  /** The certificate chain, DER, leaf first. */
  chain: Buffer[];
  signingAgent?: string;
  /** An RFC 3161 TimeStampToken over the signature, when the signer had one made. */
  timestampToken?: Buffer;
  /** The exact payload bytes that were signed. */
  payload: Buffer;
  /** The bytes the signature is over (JWS signing input, COSE Sig_structure). */
  signedBytes: Buffer;
  /** The signature: raw r‖s for ECDSA, the PSS signature for RSA. */
  signature: Buffer;
}

/** Why an envelope was refused: unreadable (not an envelope at all) or a header rule broken. */
export class EnvelopeError extends Error {
  constructor(
    readonly kind: 'unreadable' | 'header',
    message: string,
  ) {
    super(message);
  }
}

const CRITICAL_WHEN_PRESENT = [
  NOTARY.expiry,
  NOTARY.authenticSigningTime,
  NOTARY.verificationPlugin,
  NOTARY.verificationPluginMinVersion,
] as const;
/** Every header a Notary Project envelope may mark critical; any other critical name is refused (no extension is understood). */
const KNOWN_CRITICAL: ReadonlySet<string> = new Set([NOTARY.signingScheme, ...CRITICAL_WHEN_PRESENT]);

/**
 * The rules both envelopes share (signature specification, "Signed attributes"): the signing
 * scheme is present and critical; notary.x509 has a signing time and no authentic signing time;
 * signingAuthority has an authentic signing time, critical; the expiry, the authentic signing
 * time and the plugin headers are critical when present; every critical name is present and
 * known; the expiry is after the signing time.
 */
export function checkSignedAttributes(
  present: ReadonlySet<string>,
  crit: readonly string[],
  attributes: Pick<NotationEnvelope, 'signingScheme' | 'signingTime' | 'authenticSigningTime' | 'expiry'>,
): void {
  const fail = (message: string): never => {
    throw new EnvelopeError('header', message);
  };
  if (crit.length === 0) fail('the crit header is empty');
  if (new Set(crit).size !== crit.length) fail('the crit header repeats a name');
  for (const name of crit) {
    if (!KNOWN_CRITICAL.has(name))
      fail(`the crit header names ${JSON.stringify(name.slice(0, 80))}, an extension Signet does not understand`);
    if (!present.has(name)) fail(`the crit header names ${name}, which is not in the protected header`);
  }
  if (!crit.includes(NOTARY.signingScheme)) fail(`${NOTARY.signingScheme} is not marked critical`);
  for (const name of CRITICAL_WHEN_PRESENT)
    if (present.has(name) && !crit.includes(name)) fail(`${name} is present but not marked critical`);
  if (attributes.signingScheme === 'notary.x509') {
    if (!attributes.signingTime) fail(`notary.x509 needs ${NOTARY.signingTime}`);
    if (attributes.authenticSigningTime) fail(`notary.x509 must not carry ${NOTARY.authenticSigningTime}`);
  } else if (!attributes.authenticSigningTime) fail(`notary.x509.signingAuthority needs ${NOTARY.authenticSigningTime}`);
  const signedAt = attributes.signingTime ?? attributes.authenticSigningTime;
  if (attributes.expiry && signedAt && attributes.expiry.getTime() <= signedAt.getTime()) fail('the expiry is not after the signing time');
}

export function signingSchemeOf(value: unknown): SigningScheme {
  if (value === 'notary.x509' || value === 'notary.x509.signingAuthority') return value;
  throw new EnvelopeError(
    'header',
    `the signing scheme ${JSON.stringify(String(value).slice(0, 60))} is neither notary.x509 nor notary.x509.signingAuthority`,
  );
}

const HASH: Record<NotaryAlgorithm, 'sha256' | 'sha384' | 'sha512'> = {
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};
const EC_SIGNATURE_BYTES: Partial<Record<NotaryAlgorithm, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/** Verifies the envelope's signature with a public key (the leaf certificate's), by its algorithm. */
export function verifyEnvelopeSignature(env: Pick<NotationEnvelope, 'alg' | 'signedBytes' | 'signature'>, key: KeyObject): boolean {
  const hash = HASH[env.alg];
  try {
    if (env.alg.startsWith('ES')) {
      if (key.asymmetricKeyType !== 'ec' || env.signature.length !== EC_SIGNATURE_BYTES[env.alg]) return false;
      return verify(hash, env.signedBytes, { key, dsaEncoding: 'ieee-p1363' }, env.signature);
    }
    if (key.asymmetricKeyType !== 'rsa') return false;
    return verify(
      hash,
      env.signedBytes,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      env.signature,
    );
  } catch {
    return false;
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time, strictly (JWS signed attributes). */
export function parseRfc3339(value: unknown, what: string): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) throw new EnvelopeError('header', `${what} is not an RFC 3339 time`);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new EnvelopeError('header', `${what} is not a valid time`);
  return new Date(t);
}
