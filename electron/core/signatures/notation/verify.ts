import type { CheckName, NotationDetails, SignatureCheck } from '../../../../shared/models/signatures';
import type { ReasonCode } from '../../../../shared/models/verdict';
import { algorithmForKey, chainProblem, invalidAt, readCertificate, type CertInfo } from './certs';
import { parseCose } from './cose';
import { isSubsetDn, parseDn, subjectDn } from './dn';
import { ENVELOPE_MEDIA_TYPES, EnvelopeError, verifyEnvelopeSignature, type NotationEnvelope } from './envelope';
import { parseJws } from './jws';
import { bindingCheck, parseNotationPayload, type NotationPayload, type TargetDescriptor } from './payload';
import type { NotationAction, NotationTrust } from './trust';
import { validityCheck } from '../trusted';
import { verifyTimestampToken, type VerifiedTimestamp } from './timestamp';

export interface NotationVerification {
  checks: SignatureCheck[];
  details: NotationDetails;
  envelope?: NotationEnvelope;
  payload?: NotationPayload;
  chain: CertInfo[];
  /** The anchor that vouched for the chain. */
  anchor?: { store: string; name: string };
  /** A verified RFC 3161 timestamp: the certificates were judged at its time. */
  timestamp?: VerifiedTimestamp;
}

const iso = (d: Date) => d.toISOString();

/** A failed check under the policy's action: enforced (failed), only logged, or skipped. */
function judged(name: CheckName, action: NotationAction, code: ReasonCode, reason: string): SignatureCheck {
  if (action === 'skip') return { name, status: 'not-checked', code: 'CHECK_SKIPPED', reason: `Skipped by the trust policy (${reason})` };
  return {
    name,
    status: action === 'enforce' ? 'failed' : 'logged',
    code,
    reason: action === 'enforce' ? reason : `${reason} The trust policy only logs this.`,
  };
}

const enforcedFailure = (c: SignatureCheck) => c.status === 'failed';

/**
 * Verifies one Notation signature the way notation-go's verifier does, in its order, each check
 * judged by the policy's level: integrity (the strict envelope parse, the signature specification's
 * header and chain rules, the signature with the leaf certificate, the payload), then the digest
 * binding (targetArtifact = the image's descriptor), authenticity (a certificate of the chain is
 * in a trusted store of the signing scheme's type, and the leaf's subject is a trusted identity),
 * expiry, the authentic timestamp and revocation. An enforced failure stops there, as notation
 * stops. Expiry and certificate validity are judged at `now`: the signing time notary.x509 carries
 * is the signer's claim and never extends validity; only an RFC 3161 timestamp verified against
 * the policy's tsa stores does (timestamp.ts), as in notation.
 */
export function verifyNotation(
  envelopeBytes: Uint8Array,
  mediaType: string,
  image: TargetDescriptor,
  trust: NotationTrust,
  now: Date,
): NotationVerification {
  const details: NotationDetails = { mediaType, chain: [], timestampToken: false, policy: { ...trust.policy } };
  const checks: SignatureCheck[] = [];
  const done = (extra: Partial<NotationVerification> = {}): NotationVerification => {
    const deciding = checks.find(enforcedFailure);
    if (deciding) details.policy.decidingCheck = deciding.name;
    return { checks, details, chain: [], ...extra };
  };
  if (trust.policy.level === 'skip') {
    checks.push({
      name: 'signature',
      status: 'not-checked',
      code: 'POLICY_SKIP',
      reason: `The trust policy statement "${trust.policy.name}" has level skip: notation does not verify signatures on this image, and neither does Signet.`,
    });
    return done();
  }

  // Integrity: always enforced.
  const fail = (code: ReasonCode, reason: string) => {
    checks.push({ name: 'signature', status: 'failed', code, reason });
    return done();
  };
  const kind = (ENVELOPE_MEDIA_TYPES as Record<string, 'jws' | 'cose' | undefined>)[mediaType];
  if (!kind)
    return fail(
      'SIG_UNREADABLE',
      `The signature layer's media type is ${JSON.stringify(mediaType.slice(0, 100))}, not a Notation envelope (application/jose+json or application/cose).`,
    );
  details.envelope = kind;
  let env: NotationEnvelope;
  try {
    env = kind === 'jws' ? parseJws(envelopeBytes) : parseCose(envelopeBytes);
  } catch (error) {
    if (error instanceof EnvelopeError)
      return fail(
        error.kind === 'header' ? 'ENVELOPE_HEADER_INVALID' : 'SIG_UNREADABLE',
        `The ${kind.toUpperCase()} envelope is refused: ${error.message}.`,
      );
    throw error;
  }
  details.signingScheme = env.signingScheme;
  if (env.authenticSigningTime) details.signingTime = { at: iso(env.authenticSigningTime), authenticated: true };
  else if (env.signingTime) details.signingTime = { at: iso(env.signingTime), authenticated: false };
  if (env.expiry) details.expiry = iso(env.expiry);
  if (env.signingAgent) details.signingAgent = env.signingAgent;
  details.timestampToken = env.timestampToken !== undefined;
  let chain: CertInfo[];
  try {
    chain = env.chain.map((der) => readCertificate(der));
  } catch {
    return fail('SIG_UNREADABLE', 'A certificate of the envelope’s chain cannot be read.');
  }
  details.chain = chain.map((c) => ({
    subject: c.subject,
    issuer: c.issuer,
    sha256: c.sha256,
    notBefore: iso(c.notBefore),
    notAfter: iso(c.notAfter),
  }));
  const withChain = (extra: Partial<NotationVerification> = {}) => ({ ...done(), envelope: env, chain, ...extra });
  const problem = chainProblem(chain);
  if (problem) {
    checks.push({
      name: 'signature',
      status: 'failed',
      code: 'CERT_CHAIN_INVALID',
      reason: `The certificate chain breaks the Notary Project’s rules: ${problem}.`,
    });
    return withChain();
  }
  const leaf = chain[0] as CertInfo;
  const expected = algorithmForKey(leaf.publicKey);
  if (expected !== env.alg) {
    checks.push({
      name: 'signature',
      status: 'failed',
      code: 'ALG_KEY_MISMATCH',
      reason: `The envelope says ${env.alg}, but the signing certificate’s key signs with ${expected ?? 'no Notary algorithm'}.`,
    });
    return withChain();
  }
  if (!verifyEnvelopeSignature(env, leaf.publicKey)) {
    checks.push({
      name: 'signature',
      status: 'failed',
      code: 'SIG_INVALID',
      reason: `The ${env.alg} signature does not verify with the signing certificate ${leaf.subject}: the envelope was altered.`,
    });
    return withChain();
  }
  let payload: NotationPayload;
  try {
    payload = parseNotationPayload(env.payload);
  } catch (error) {
    checks.push({
      name: 'signature',
      status: 'passed',
      code: 'ENVELOPE_VALID',
      reason: `The ${env.alg} signature verifies with ${leaf.subject}.`,
    });
    checks.push({
      name: 'digest binding',
      status: 'failed',
      code: 'PAYLOAD_INVALID',
      reason: error instanceof Error ? error.message : 'The payload is not a Notation payload.',
    });
    return withChain();
  }
  checks.push({
    name: 'signature',
    status: 'passed',
    code: 'ENVELOPE_VALID',
    reason: `The ${kind.toUpperCase()} envelope follows the signature specification and its ${env.alg} signature verifies with ${leaf.subject}.`,
  });
  checks.push(bindingCheck(payload, image));
  const result = (extra: Partial<NotationVerification> = {}) => withChain({ payload, ...extra });
  if (checks.some(enforcedFailure)) return result();
  if (env.verificationPlugin) {
    checks.push({
      name: 'key trust',
      status: 'not-checked',
      code: 'FORMAT_NOT_VERIFIABLE',
      reason: `The signature requires the verification plugin ${JSON.stringify(env.verificationPlugin.slice(0, 80))}; Signet runs no notation plugins.`,
    });
    return result();
  }

  // Authenticity: a certificate of the chain is in a store of the scheme's type.
  const stores = env.signingScheme === 'notary.x509' ? trust.stores.ca : trust.stores.signingAuthority;
  const storeType = env.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const leafSpki = leaf.spkiSha256;
  const byKey = env.signingScheme === 'notary.x509' ? trust.leafKeys?.find((k) => k.spkiSha256.toLowerCase() === leafSpki) : undefined;
  const anchor =
    stores.find((a) => chain.some((c) => c.der.equals(a.der))) ??
    (byKey
      ? {
          store: 'Signet trust store (the signing certificate’s key, as a single key)',
          name: byKey.name,
          der: leaf.der,
          ...(byKey.window ? { window: byKey.window } : {}),
        }
      : undefined);
  // The trust entry's own window is judged now, as for every trust entry (a claimed signing time only narrows it).
  const window = anchor?.window ? validityCheck({ window: anchor.window }, env.signingTime, now) : undefined;
  if (anchor && window?.status === 'failed')
    checks.push({ name: 'key trust', status: 'failed', code: window.code, reason: `${anchor.name} (${anchor.store}): ${window.reason}` });
  else if (anchor)
    checks.push({
      name: 'key trust',
      status: 'passed',
      code: 'KEY_TRUSTED',
      reason: `The chain includes ${anchor.name}, trusted in ${anchor.store}.`,
    });
  else if (stores.length === 0 && !trust.leafKeys?.length)
    checks.push(
      judged(
        'key trust',
        trust.actions.authenticity,
        'SIG_NO_TRUSTED_KEYS',
        `The policy "${trust.policy.name}" has no ${storeType} certificate to check a ${env.signingScheme} chain with.`,
      ),
    );
  else
    checks.push(
      judged(
        'key trust',
        trust.actions.authenticity,
        'SIG_UNKNOWN_KEY',
        `No certificate of the chain (${chain.map((c) => c.subject).join(' → ')}) is in the policy’s ${storeType} stores.`,
      ),
    );
  const anchored = anchor ? { anchor: { store: anchor.store, name: anchor.name } } : {};
  if (checks.some(enforcedFailure)) return result(anchored);
  checks.push(identityCheck(trust, leaf));
  if (checks.some(enforcedFailure)) return result(anchored);

  // Expiry, judged now.
  if (env.expiry && now.getTime() >= env.expiry.getTime())
    checks.push(
      judged('expiry', trust.actions.expiry, 'SIG_EXPIRED', `The signature expired on ${iso(env.expiry)}; it is ${iso(now)} now.`),
    );
  else
    checks.push({
      name: 'expiry',
      status: trust.actions.expiry === 'skip' ? 'not-checked' : 'passed',
      code: trust.actions.expiry === 'skip' ? 'CHECK_SKIPPED' : 'EXPIRY_OK',
      reason: env.expiry ? `The signature expires on ${iso(env.expiry)}.` : 'The signature carries no expiry.',
    });
  if (checks.some(enforcedFailure)) return result(anchored);

  const stamped = timestampCheck(env, chain, trust, now);
  checks.push(stamped.check);
  if (stamped.timestamp) details.timestamp = { at: iso(stamped.timestamp.genTime), tsa: stamped.timestamp.tsa.subject };
  const timed = { ...anchored, ...(stamped.timestamp ? { timestamp: stamped.timestamp } : {}) };
  if (checks.some(enforcedFailure)) return result(timed);
  checks.push(revocationCheck(chain, trust));
  return result(timed);
}

function identityCheck(trust: NotationTrust, leaf: CertInfo): SignatureCheck {
  const action = trust.actions.authenticity;
  if (trust.trustedIdentities.includes('*'))
    return {
      name: 'identity',
      status: 'passed',
      code: 'CERT_IDENTITY_TRUSTED',
      reason: `The policy "${trust.policy.name}" trusts any identity its stores vouch for; the signer is ${leaf.subject}.`,
    };
  const identities: Array<ReadonlyMap<string, string>> = [];
  for (const identity of trust.trustedIdentities) {
    const colon = identity.indexOf(':');
    if (colon < 0 || identity.slice(0, colon) !== 'x509.subject') continue;
    try {
      identities.push(parseDn(identity.slice(colon + 1).trim()));
    } catch (error) {
      return judged(
        'identity',
        action,
        'CERT_IDENTITY_MISMATCH',
        `The trusted identity ${JSON.stringify(identity.slice(0, 200))} cannot be read: ${error instanceof Error ? error.message : 'malformed'}.`,
      );
    }
  }
  if (identities.length === 0)
    return judged('identity', action, 'CERT_IDENTITY_MISMATCH', `The policy "${trust.policy.name}" names no x509.subject identity.`);
  const subject = subjectDn(leaf.subjectAttributes);
  if (typeof subject === 'string')
    return judged('identity', action, 'CERT_IDENTITY_MISMATCH', `The signing certificate ${leaf.subject} cannot be matched: ${subject}.`);
  if (identities.some((t) => isSubsetDn(t, subject)))
    return {
      name: 'identity',
      status: 'passed',
      code: 'CERT_IDENTITY_TRUSTED',
      reason: `The signing certificate ${leaf.subject} matches a trusted identity of "${trust.policy.name}".`,
    };
  return judged(
    'identity',
    action,
    'CERT_IDENTITY_MISMATCH',
    `The signing certificate ${leaf.subject} matches none of the trusted identities of "${trust.policy.name}": ${trust.trustedIdentities.join('; ').slice(0, 400)}.`,
  );
}

/**
 * notation's authentic-timestamp check. notary.x509: without a tsa store in the policy (or with
 * verifyTimestamp afterCertExpiry and a chain still valid) every certificate must be valid now;
 * with one, a timestamp must be present and verify against the tsa stores, and every certificate
 * must have been valid at the time stamped (then, and only then, an expired chain is accepted).
 * signingAuthority: the authentic signing time must fall inside every certificate's validity
 * (notation), and Signet also judges the chain now.
 */
function timestampCheck(
  env: NotationEnvelope,
  chain: readonly CertInfo[],
  trust: NotationTrust,
  now: Date,
): { check: SignatureCheck; timestamp?: VerifiedTimestamp } {
  const plain = timestampCheckAt(env, chain, trust, now);
  return 'check' in plain ? plain : { check: plain };
}

function timestampCheckAt(
  env: NotationEnvelope,
  chain: readonly CertInfo[],
  trust: NotationTrust,
  now: Date,
): SignatureCheck | { check: SignatureCheck; timestamp: VerifiedTimestamp } {
  const action = trust.actions.authenticTimestamp;
  if (action === 'skip')
    return {
      name: 'timestamp',
      status: 'not-checked',
      code: 'CHECK_SKIPPED',
      reason: 'The trust policy skips the authentic-timestamp check.',
    };
  const claim = env.signingTime ? ` (the signature claims ${iso(env.signingTime)}, a time Signet cannot verify)` : '';
  const invalidNow = invalidAt(chain, now);
  const nowFailure = (extra = '') =>
    judged(
      'timestamp',
      action,
      'CHAIN_CERT_NOT_VALID_NOW',
      invalidNow
        ? `The certificate ${invalidNow.cert.subject} ${invalidNow.when === 'after' ? `expired on ${iso(invalidNow.cert.notAfter)}` : `is valid only from ${iso(invalidNow.cert.notBefore)}`}; it is judged now${claim}.${extra}`
        : 'The chain is not valid now.',
    );
  if (env.signingScheme === 'notary.x509.signingAuthority' && env.authenticSigningTime) {
    const at = env.authenticSigningTime;
    const outside = invalidAt(chain, at);
    if (outside)
      return judged(
        'timestamp',
        action,
        'CHAIN_CERT_NOT_VALID_NOW',
        `The certificate ${outside.cert.subject} was not valid at the authentic signing time ${iso(at)}.`,
      );
  }
  const expired = chain.some((c) => now.getTime() > c.notAfter.getTime());
  const perform = trust.tsaConfigured && !(trust.verifyTimestamp === 'afterCertExpiry' && !expired) && env.signingScheme === 'notary.x509';
  if (perform && !env.timestampToken)
    return judged(
      'timestamp',
      action,
      'TIMESTAMP_MISSING',
      `The policy "${trust.policy.name}" names a tsa store, so notation requires a timestamp countersignature, and this signature has none.`,
    );
  if (perform && env.timestampToken) {
    let ts: VerifiedTimestamp;
    try {
      ts = verifyTimestampToken(env.timestampToken, env.signature, trust.stores.tsa);
    } catch (error) {
      return judged(
        'timestamp',
        action,
        'TIMESTAMP_INVALID',
        `The RFC 3161 timestamp is refused: ${error instanceof Error ? error.message : 'unreadable'}.`,
      );
    }
    const outside = chain.find((c) => ts.earliest.getTime() < c.notBefore.getTime() || ts.latest.getTime() > c.notAfter.getTime());
    if (outside)
      return judged(
        'timestamp',
        action,
        'TIMESTAMP_INVALID',
        `The time stamped, ${iso(ts.genTime)}${ts.latest > ts.genTime ? ` ± ${(ts.latest.getTime() - ts.genTime.getTime()) / 1000} s` : ''}, may fall outside the validity of ${outside.subject} (${iso(outside.notBefore)} – ${iso(outside.notAfter)}).`,
      );
    const check: SignatureCheck = {
      name: 'timestamp',
      status: 'passed',
      code: 'TIMESTAMP_VALID',
      reason: `An RFC 3161 timestamp by ${ts.tsa.subject}, trusted through ${ts.anchor.name} in ${ts.anchor.store}, shows the signature existed at ${iso(ts.genTime)}, when every certificate of the chain was valid${invalidNow ? `; ${invalidNow.cert.subject} is ${invalidNow.when === 'after' ? 'expired' : 'not yet valid'} now, which the verified time allows` : ''}. The TSA chain's revocation is not checked.`,
    };
    return { check, timestamp: ts };
  }
  if (invalidNow)
    return nowFailure(
      env.timestampToken
        ? ` The signature carries an RFC 3161 timestamp, but the policy "${trust.policy.name}" names no tsa store to verify it with (notation does not use it either), so it cannot extend the certificates’ validity.`
        : '',
    );
  if (env.timestampToken)
    return {
      name: 'timestamp',
      status: 'not-checked',
      code: 'TIMESTAMP_NOT_CHECKED',
      reason: `The signature carries an RFC 3161 timestamp, but the policy "${trust.policy.name}" names no tsa store to verify it with (notation does not use it either), so the signing time stays a claim. Every certificate of the chain is valid now, which is what Signet judges${claim}.`,
    };
  return {
    name: 'timestamp',
    status: 'passed',
    code: 'CHAIN_VALID_NOW',
    reason: `No verified timestamp; every certificate of the chain is valid now${claim}.`,
  };
}

function revocationCheck(chain: readonly CertInfo[], trust: NotationTrust): SignatureCheck {
  const action = trust.actions.revocation;
  if (action === 'skip')
    return { name: 'revocation', status: 'not-checked', code: 'CHECK_SKIPPED', reason: 'The trust policy skips the revocation check.' };
  const revokable = chain.filter((c) => c.revocationSources);
  if (revokable.length === 0)
    return {
      name: 'revocation',
      status: 'passed',
      code: 'REVOCATION_NOT_REVOKABLE',
      reason: 'No certificate of the chain names an OCSP responder or a CRL distribution point.',
    };
  return judged(
    'revocation',
    action,
    'REVOCATION_UNKNOWN',
    `${revokable.map((c) => c.subject).join('; ')} ${revokable.length === 1 ? 'names' : 'name'} revocation services; Signet does not query OCSP or CRL services, so the status is unknown.`,
  );
}
