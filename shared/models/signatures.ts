import { z } from 'zod';
import { FORMAT_IDS } from '../formats';
import { ReasonCode, VerdictCode } from './verdict';
import { SignatureTags } from './signature-tags';
import { KmsKeyState } from './kms';

/** `logged`: the check failed, but the trust policy's level only logs that failure (Notation's permissive and audit levels). */
export const CheckStatus = z.enum(['passed', 'failed', 'not-checked', 'logged']);
export const CheckName = z.enum([
  'digest binding',
  'signature',
  'key trust',
  'identity',
  'expiry',
  'transparency log',
  'timestamp',
  'revocation',
]);
export type CheckName = z.infer<typeof CheckName>;
/** One check of a signature: its status, a reason code from verdict.ts, and the sentence with the specifics. */
export const SignatureCheck = z.object({ name: CheckName, status: CheckStatus, code: ReasonCode, reason: z.string() }).strict();
export type SignatureCheck = z.infer<typeof SignatureCheck>;

/** `not-verifiable`: a signature Signet detects in a format it cannot verify yet (Notation). */
export const SignatureVerdict = z.enum(['verified', 'signed-untrusted', 'failed', 'not-verifiable']);
/** `unknown`: a place could not be read, or every signature is in a format Signet cannot verify yet. */
export const ImageVerdict = z.enum(['unsigned', 'signed-untrusted', 'verified', 'failed', 'unknown']);
export type ImageVerdict = z.infer<typeof ImageVerdict>;

export const SignatureFormatId = z.enum(FORMAT_IDS);

/** The time a signature was judged at: now, unless Signet verified a time (a log inclusion, an RFC 3161 token). */
export const JudgedAt = z
  .object({
    source: z.enum(['now', 'transparency-log', 'rfc3161']),
    at: z.string(),
    /** The time the signer wrote (payload timestamp, OpenPGP creation time, unverified log time), shown but not used to widen trust. */
    claimed: z.number().optional(),
  })
  .strict();

/**
 * The date a signature shows, with its kind: `verified` (an RFC 3161 timestamp or a transparency
 * log Signet verified), `claimed` (the time the signer wrote: the payload's timestamp, the
 * OpenPGP signature's creation time, Notation's signing time), `registry` (when the storage says
 * the signature was stored: a lookaside file's or an object's modification time, or a referrer's
 * `org.opencontainers.image.created` in the registry's listing). Debian's docker-registry 2.8
 * reports no time for manifests or blobs, so a cosign signature made without a timestamp (as
 * cosign makes them) has no date.
 */
export const SignatureDateKind = z.enum(['verified', 'claimed', 'registry']);
export type SignatureDateKind = z.infer<typeof SignatureDateKind>;
export const SignatureDate = z.object({ at: z.string(), kind: SignatureDateKind }).strict();
export type SignatureDate = z.infer<typeof SignatureDate>;
/** How each kind of date is named wherever it is shown. */
export const DATE_KIND_TEXT: Readonly<Record<SignatureDateKind, string>> = {
  claimed: 'claimed by the signer',
  verified: 'verified timestamp',
  registry: 'seen at the registry',
};

export const NotationLevel = z.enum(['strict', 'permissive', 'audit', 'skip']);
export type NotationLevel = z.infer<typeof NotationLevel>;

/** One certificate of a Notation signature's chain, leaf to root. */
export const ChainCertificate = z
  .object({ subject: z.string(), issuer: z.string(), sha256: z.string(), notBefore: z.string(), notAfter: z.string() })
  .strict();

/** What a Notation signature carries and which trust policy judged it. */
export const NotationDetails = z
  .object({
    /** The envelope's media type (application/jose+json, application/cose, or what the layer claims). */
    mediaType: z.string(),
    envelope: z.enum(['jws', 'cose']).optional(),
    signingScheme: z.string().optional(),
    /** The signing time; `authenticated` only when a signing authority or a verified timestamp vouches for it. */
    signingTime: z.object({ at: z.string(), authenticated: z.boolean() }).strict().optional(),
    expiry: z.string().optional(),
    signingAgent: z.string().optional(),
    chain: z.array(ChainCertificate),
    timestampToken: z.boolean(),
    /** A verified RFC 3161 timestamp: its time and the TSA that made it. */
    timestamp: z.object({ at: z.string(), tsa: z.string() }).strict().optional(),
    /** The trusted certificate the chain reached, and its store. */
    anchor: z.string().optional(),
    policy: z
      .object({
        name: z.string(),
        level: NotationLevel,
        /**
         * `trust-store`: no Notation trust policy is imported; Signet's trust store certificates are the CA store, strict, any identity.
         */
        source: z.enum(['trust-store', 'trust-policy']),
        decidingCheck: CheckName.optional(),
      })
      .strict(),
  })
  .strict();
export type NotationDetails = z.infer<typeof NotationDetails>;

/**
 * Where one signature lives, precisely enough to remove exactly it: a layer of the cosign
 * signature image, a referrer manifest (Notation, Sigstore bundle), a lookaside file (by its
 * bytes' SHA-256: signature-N renumbers), an object (SWR .asc). Informational for the renderer;
 * a delete names the signature by its id and the host finds it again.
 */
export const SignatureHandle = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cosign-layer'), tag: z.string(), layer: z.string() }).strict(),
  z.object({ kind: z.literal('referrer'), manifest: z.string() }).strict(),
  z.object({ kind: z.literal('lookaside'), name: z.string(), sha256: z.string() }).strict(),
  z.object({ kind: z.literal('object'), key: z.string(), sha256: z.string() }).strict(),
]);
export type SignatureHandle = z.infer<typeof SignatureHandle>;
/** A signature's short id: 12 lower-case hex digits, typed to confirm a delete. */
export const SignatureId = z.string().regex(/^[0-9a-f]{12}$/, 'a signature id is 12 lower-case hex digits');

export const SignatureReport = z
  .object({
    format: SignatureFormatId,
    /** A short id from where and what the signature is (stable across renumbering): what delete and tag calls name. */
    id: SignatureId.optional(),
    handle: SignatureHandle.optional(),
    /** A signature over the image, or an attestation (a signed statement about it), which never makes an image "signed". */
    kind: z.enum(['signature', 'attestation']),
    storage: z.string(),
    signer: z.string().optional(),
    fingerprint: z.string().optional(),
    algorithm: z.string().optional(),
    identity: z.string().optional(),
    annotations: z.record(z.string(), z.string()),
    payload: z.string(),
    signature: z.string(),
    /** The signer's claimed time, seconds since the epoch: shown, never trusted. */
    timestamp: z.number().optional(),
    /** The description signed into the payload (`description` annotation). */
    description: z.string().optional(),
    /** The metadata JSON object signed into the payload (`metadata` annotation), as compact JSON text. */
    metadata: z.string().optional(),
    /** Tags on the signature's descriptor in the registry (`dev.signet.tags`): unsigned, anyone with push access can change them. */
    tags: SignatureTags.optional(),
    /** The date shown for this signature, with its kind. */
    date: SignatureDate.optional(),
    /**
     * Notation: the SHA-256 of the signing certificate's public key (SPKI), which Signet keys and trust entries are matched by;
     * `fingerprint` is the certificate's.
     */
    keySpki: z.string().optional(),
    /**
     * When the storage says the signature was stored (a lookaside file's or an object's modification time): the "seen at the registry"
     * date.
     */
    storedAt: z.string().optional(),
    judgedAt: JudgedAt.optional(),
    /** A Signet key that made this signature but is not trusted: the UI offers "Trust this key…". */
    knownKey: z.object({ id: z.string(), name: z.string() }).strict().optional(),
    checks: z.array(SignatureCheck),
    notation: NotationDetails.optional(),
    /** The check that decided the verdict. */
    code: ReasonCode,
    verdict: SignatureVerdict,
  })
  .strict();
export type SignatureReport = z.infer<typeof SignatureReport>;

/** A place Signet looked for signatures, and what it found there. */
export const LookedPlace = z
  .object({
    kind: z.enum(['cosign-tag', 'referrers', 'lookaside', 'bucket']),
    place: z.string(),
    outcome: z.enum(['found', 'none', 'unreadable']),
    count: z.number().int().optional(),
    reason: z.string().optional(),
  })
  .strict();
export type LookedPlace = z.infer<typeof LookedPlace>;

export const VerificationReport = z
  .object({
    digest: z.string(),
    verdict: ImageVerdict,
    code: VerdictCode,
    reason: z.string(),
    signatures: z.array(SignatureReport),
    attestations: z.array(SignatureReport),
    looked: z.array(LookedPlace),
  })
  .strict();
export type VerificationReport = z.infer<typeof VerificationReport>;

/**
 * The key behind a signature: Signet's keys and the trust entries with that fingerprint, its algorithm and padding, and (asked) the KMS's
 * word on its key version.
 */
export const KeyDetails = z
  .object({
    fingerprint: z.string(),
    algorithm: z.string().optional(),
    /** How the signature is padded or encoded: "PKCS#1 v1.5", "PSS (MGF1, salt = hash length)", "ECDSA, ASN.1 DER (r, s)" … */
    padding: z.string().optional(),
    keys: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          kind: z.enum(['software', 'openpgp', 'kms']),
          type: z.string(),
          algorithm: z.string(),
          store: z.string(),
          /** KMS keys: the key URI and the connection it signs through. */
          uri: z.string().optional(),
          connection: z.string().optional(),
          /** The certificate chain kept with the key: each certificate's subject, leaf first. */
          chain: z.array(z.string()).optional(),
          retired: z.boolean(),
        })
        .strict(),
    ),
    trust: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          kind: z.string(),
          scopes: z.array(z.string()).optional(),
          notAfter: z.string().optional(),
          notBefore: z.string().optional(),
        })
        .strict(),
    ),
    /**
     * What this Signet's audit log recorded when it made a signature over the image with this key: the key used, its KMS key version, its
     * token's serial.
     */
    recorded: z
      .object({
        at: z.string(),
        key: z.string().optional(),
        keyName: z.string().optional(),
        provider: z.string().optional(),
        keyVersion: z.string().optional(),
        tokenSerial: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Asked of the KMS when requested: the key's and the signing version's state now. */
    kms: z
      .object({
        uri: z.string(),
        keyState: KmsKeyState.optional(),
        version: z.string().optional(),
        versionState: KmsKeyState.optional(),
        /** Still able to sign: the key and the version that made the signature are enabled. */
        enabled: z.boolean(),
        reason: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type KeyDetails = z.infer<typeof KeyDetails>;

/** What deleting one signature will do: the sentence, how many stay where it is stored, and an export of everything removed. */
export const DeletePlan = z
  .object({
    id: SignatureId,
    format: SignatureFormatId,
    storage: z.string(),
    signer: z.string().optional(),
    fingerprint: z.string().optional(),
    what: z.string(),
    /** Signatures (or referrers) left where this one is stored. */
    remaining: z.number().int().optional(),
    /** JSON text: the signature's report and its stored bytes (base64), to keep or attach again. */
    export: z.string(),
  })
  .strict();
export type DeletePlan = z.infer<typeof DeletePlan>;

/**
 * How to name data read from a signature's payload: "signed" only when the signature over it
 * verified (with any key Signet knows); otherwise it is what the payload says, unverified.
 */
export function payloadDataLabel(s: Pick<SignatureReport, 'checks'>): 'signed' | 'unverified' {
  return s.checks.some((c) => c.name === 'signature' && c.status === 'passed') ? 'signed' : 'unverified';
}
