import { z } from 'zod';
import { ReasonCode } from './verdict';

/** What a trust entry holds: a PEM public key (cosign), an OpenPGP public key, or an X.509 certificate. */
export const TrustKind = z.enum(['public-key', 'openpgp', 'certificate']);
export type TrustKind = z.infer<typeof TrustKind>;

const IsoDate = z.iso.datetime({ offset: true });

/** A Notation named trust store, `type:name` (notation's truststore/x509/<type>/<name>). */
export const NotationStore = z
  .string()
  .regex(/^(ca|signingAuthority|tsa):[a-zA-Z0-9_.-]{1,100}$/, 'a Notation store is ca:NAME, signingAuthority:NAME or tsa:NAME');

export const TrustEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/),
    name: z.string().min(1).max(100),
    kind: TrustKind,
    /** SPKI SHA-256 (public keys, certificates: of the certificate's key) or the OpenPGP v4/v6 fingerprint, upper-case hex. */
    fingerprint: z.string(),
    /** OpenPGP long key id (upper-case hex) — OpenPGP entries only. */
    keyId: z.string().optional(),
    /** OpenPGP user ids, or the certificate subject. */
    userIds: z.array(z.string()).optional(),
    /** The public material: PEM or ASCII-armored OpenPGP. */
    data: z.string().max(200_000),
    /** Signatures claiming a time before this are not trusted ("trusted for signatures before …"). */
    notAfter: IsoDate.optional(),
    /** Signatures claiming a time at or after this only. */
    notBefore: IsoDate.optional(),
    /** Docker scopes (`host`, `host/ns`, `host/ns/repo`) this entry is exported for; none: default-docker. */
    scopes: z.array(z.string().min(1).max(255)).max(100).optional(),
    /** A leaf certificate trusted as a single key (its own validity applies), not as a CA. */
    leaf: z.boolean().optional(),
    /** Notation named trust stores this certificate belongs to (`ca:NAME`, `signingAuthority:NAME`, `tsa:NAME`). */
    stores: z.array(NotationStore).max(20).optional(),
    addedAt: IsoDate,
  })
  .strict();
export type TrustEntry = z.infer<typeof TrustEntry>;

export const TrustEntrySummary = TrustEntry.omit({ data: true }).extend({ algorithm: z.string().optional() }).strict();
export type TrustEntrySummary = z.infer<typeof TrustEntrySummary>;

export const SignatureOutcome = z
  .object({
    /** Where the signature came from: a file path, a URL, a registry tag. */
    source: z.string(),
    format: z.enum(['simplesigning', 'cosign', 'notation']),
    outcome: z.enum(['accepted', 'rejected', 'ignored']),
    /** Why, as a stable code (absent for signatures the requirement ignores). */
    code: ReasonCode.optional(),
    reason: z.string(),
    /** The key that verified it (OpenPGP fingerprint or SPKI SHA-256). */
    signer: z.string().optional(),
  })
  .strict();

export const RequirementOutcome = z
  .object({
    index: z.number().int(),
    type: z.string(),
    /** The requirement as written in the policy (key data shortened). */
    summary: z.string(),
    outcome: z.enum(['admitted', 'rejected', 'not-evaluated']),
    reason: z.string(),
    signatures: z.array(SignatureOutcome),
  })
  .strict();

/** What podman/CRI-O would decide for an image, and which requirement decided it. */
export const PolicyEvaluation = z
  .object({
    allowed: z.boolean(),
    transport: z.string(),
    /** The identity the policy sections were matched against. */
    identity: z.string(),
    section: z.object({ kind: z.enum(['scope', 'transport-default', 'default']), scope: z.string().optional() }).strict(),
    requirements: z.array(RequirementOutcome),
    reason: z.string(),
  })
  .strict();
export type PolicyEvaluation = z.infer<typeof PolicyEvaluation>;
export type RequirementOutcome = z.infer<typeof RequirementOutcome>;
export type SignatureOutcome = z.infer<typeof SignatureOutcome>;

/** Admission controllers Signet writes policies for from the trust store (besides containers policy.json and Notation). */
export const ADMISSION_TARGETS = ['kyverno', 'kyverno-ivp', 'policy-controller', 'kbs', 'cce'] as const;
export const AdmissionTarget = z.enum(ADMISSION_TARGETS);
export type AdmissionTarget = z.infer<typeof AdmissionTarget>;
