import { z } from 'zod';

/**
 * Why a check of a signature came out as it did. Code decides on these codes, never on the
 * sentence; the sentence beside each code is the general meaning a person reads, and a report's
 * `reason` adds the specifics (which key, which digest, which date).
 */
export const REASON_SENTENCES = {
  // the signature itself
  SIG_VALID: 'The signature verifies with a trusted key.',
  SIG_INVALID: 'The signature does not verify: it was altered, or made by another key.',
  SIG_UNKNOWN_KEY: 'No trusted key made this signature.',
  SIG_NO_TRUSTED_KEYS: 'There is no trusted key of this kind to check the signature with.',
  SIG_NOT_SIGNED: 'The OpenPGP message is not signed.',
  SIG_UNREADABLE: 'The signature cannot be read (corrupt, cut short or not a signature).',
  SIG_MULTIPLE: 'The OpenPGP message carries more than one signature; exactly one is accepted.',
  SIG_EXPIRED: 'The signature itself has expired (its signer gave it an expiry time).',
  SIG_NOT_CHECKED: 'The signature was not checked.',
  SIG_VALID_KMS_KEY:
    'The signature verifies with the public key of the KMS key version it names; that key is not looked up in the trust store.',
  // the key that made it
  KEY_TRUSTED: 'The key is in the trust store and valid now.',
  KEY_EXPIRED: 'The key has expired; its signatures are no longer accepted, whatever date they claim.',
  KEY_REVOKED: 'The key has been revoked; its signatures are no longer accepted, whatever date they claim.',
  KEY_NOT_VALID_NOW: 'The key is not valid for signing now.',
  KEY_NOT_TRUSTED: 'The key is one of your keys, but it is not in the trust store.',
  KEY_OUT_OF_SCOPE: 'The key is trusted, but only for other repositories.',
  KEY_NAMED_OTHER: 'The signature file names another key than the one that signed it.',
  CERT_EXPIRED: 'The trusted certificate has expired.',
  CERT_NOT_YET_VALID: 'The trusted certificate is not valid yet.',
  KEY_NOT_CHECKED: 'No trusted key matched, so key trust was not checked.',
  // the trust window
  WINDOW_NONE: 'The trust entry has no validity window.',
  WINDOW_OK: 'Now is within the trust entry’s validity window.',
  WINDOW_ENDED: 'The trust entry’s window has ended: it trusts only signatures made before a date Signet cannot verify.',
  WINDOW_NOT_STARTED: 'The trust entry’s window has not started yet.',
  WINDOW_CLAIM_OUTSIDE: 'The signature claims a time outside the trust window.',
  // what the payload names
  DIGEST_MATCH: 'The payload names this image’s digest.',
  DIGEST_MISMATCH: 'The payload names another image’s digest.',
  PAYLOAD_INVALID: 'The signed payload is not a valid signature payload.',
  PAYLOAD_NOT_READ: 'The payload is not read before the signature verifies.',
  IDENTITY_MATCH: 'The payload names this image’s repository.',
  IDENTITY_MISMATCH: 'The payload names another image or repository.',
  IDENTITY_NOT_BOUND: 'This format does not bind the image’s name; only the digest is checked.',
  IDENTITY_NOT_CHECKED: 'The identity was not checked.',
  KEY_ID_MISMATCH: 'The signed message names another key, key version or algorithm than the signature record.',
  // formats and attachments
  FORMAT_NOT_VERIFIABLE: 'Signet detects this signature format but cannot verify it yet.',
  ATTESTATION_NOT_SIGNATURE: 'An attestation is a statement about the image, not a signature over it.',
  TLOG_NOT_VERIFIED: 'The transparency-log entry is not verified, so its time is not used.',
  TLOG_NONE: 'No transparency-log entry.',
  REFERRER_UNUSABLE: 'The referrer cannot be used as a signature.',
  // Notation (Notary Project) signatures
  ENVELOPE_VALID: 'The envelope is well formed and its signature verifies with the certificate chain it carries.',
  ENVELOPE_HEADER_INVALID:
    'A protected header the Notary Project requires is missing or wrong, is not marked critical, or an unknown header is marked critical.',
  ALG_KEY_MISMATCH: 'The algorithm the envelope names does not match the signing certificate’s key.',
  CERT_CHAIN_INVALID:
    'The certificate chain is broken, or a certificate breaks the Notary Project’s rules (key usage, basic constraints, key type).',
  DESCRIPTOR_MISMATCH: 'The payload names this digest with another size or media type.',
  CERT_IDENTITY_TRUSTED: 'The signing certificate’s subject is one of the trust policy’s trusted identities.',
  CERT_IDENTITY_MISMATCH: 'The signing certificate’s subject is not one of the trust policy’s trusted identities.',
  EXPIRY_OK: 'The signature has not expired (or carries no expiry).',
  CHAIN_VALID_NOW: 'Every certificate in the chain is valid now.',
  CHAIN_CERT_NOT_VALID_NOW:
    'A certificate in the chain is expired or not yet valid now, and no verified timestamp shows it was valid when the signature was made.',
  TIMESTAMP_MISSING: 'The trust policy requires an RFC 3161 timestamp, and the signature has none.',
  TIMESTAMP_NOT_CHECKED: 'The signature carries an RFC 3161 timestamp that Signet did not verify, so its time is not used.',
  TIMESTAMP_VALID: 'An RFC 3161 timestamp from a trusted timestamping authority authenticates the signing time.',
  TIMESTAMP_INVALID:
    'The RFC 3161 timestamp does not verify against the trusted timestamping authorities, or its time falls outside the certificates’ validity.',
  REVOCATION_NOT_REVOKABLE: 'No certificate in the chain names a revocation service (OCSP or CRL), so there is nothing to check.',
  REVOCATION_UNKNOWN:
    'The certificates name revocation services, and Signet does not query OCSP or CRL services, so their revocation status is unknown.',
  CHECK_SKIPPED: 'The trust policy’s level skips this check.',
  POLICY_SKIP: 'The trust policy’s level is skip: signatures on this image are not verified.',
  POLICY_NONE_APPLIES: 'No statement of the Notation trust policy applies to this image’s repository.',
} as const;

export type ReasonCode = keyof typeof REASON_SENTENCES;
export const ReasonCode = z.enum(Object.keys(REASON_SENTENCES) as [ReasonCode, ...ReasonCode[]]);

/** What an image's verdict rests on, when the image has no accepted signature. */
export const VERDICT_SENTENCES = {
  VERIFIED: 'At least one signature over this image verifies with a trusted key.',
  FAILED: 'A signature was found but is refused.',
  SIGNED_UNTRUSTED: 'Signed, but by no key trusted for this image.',
  NOT_VERIFIABLE: 'Signed in a format Signet cannot verify yet.',
  PLACE_UNREADABLE: 'A place where signatures are kept could not be read, so Signet cannot say the image is unsigned.',
  UNSIGNED: 'No signature was found in any place Signet looked.',
} as const;
export type VerdictCode = keyof typeof VERDICT_SENTENCES;
export const VerdictCode = z.enum(Object.keys(VERDICT_SENTENCES) as [VerdictCode, ...VerdictCode[]]);

export function sentence(code: ReasonCode): string {
  return REASON_SENTENCES[code];
}
