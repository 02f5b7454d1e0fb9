import { z } from 'zod';

export const AuditEventType = z.enum([
  'key.generated',
  'key.imported',
  'key.exported',
  'key.retired',
  'key.deleted',
  'image.signed',
  'image.verified',
  'trust.changed',
  'offline.request',
  'offline.signed',
  'offline.attached',
  'storage.uploaded',
  'settings.changed',
  'call.failed',
  'registry.changed',
  'kms.changed',
  'kms.tested',
  'storage.changed',
  // Added with issue #22: every state change and every signing attempt has a kind of its own.
  'vault.changed',
  'key.used',
  'token.changed',
  'token.tested',
  'storage.tested',
  'offline.transferred',
  // Issue #16: signatures managed like records.
  'signature.deleted',
  'signature.tagged',
  // Signing rules (#17): a rule saved, changed or deleted; a rule run (its images are image.signed entries).
  'rule.changed',
  'rule.ran',
]);
export type AuditEventType = z.infer<typeof AuditEventType>;

/** The area of a kind (`key`, `image`, `trust`…): `--kind key` matches every `key.*` entry. */
export function auditArea(type: AuditEventType): string {
  return type.slice(0, type.indexOf('.'));
}

/**
 * Which host made the change: the desktop app, the loopback browser host (`signet serve`), the
 * `signet` command, or the signing-rules listener.
 */
export const AUDIT_HOSTS = ['desktop', 'browser', 'cli', 'rules'] as const;
export const AuditHost = z.enum(AUDIT_HOSTS);
export type AuditHost = z.infer<typeof AuditHost>;

export const AuditOrigin = z.object({ host: AuditHost, user: z.string().max(256) }).strict();
export type AuditOrigin = z.infer<typeof AuditOrigin>;

/** `refused`: Signet itself refused the result (a signature that failed the local self-check). */
export const AUDIT_OUTCOMES = ['succeeded', 'failed', 'refused'] as const;
export const AuditOutcome = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/** Detail fields that name a key (a name, fingerprint, KMS key version, token serial…): the key filter looks in these. */
export const AUDIT_KEY_FIELDS = [
  'key',
  'keyName',
  'fingerprint',
  'spkiSha256',
  'signer',
  'keyVersion',
  'tokenSerial',
  'token',
  'label',
  'uri',
] as const;
/** Detail fields that name an image: the image filter looks in these. */
export const AUDIT_IMAGE_FIELDS = ['repository', 'reference', 'digest', 'image'] as const;

export const AuditDetails = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type AuditDetails = z.infer<typeof AuditDetails>;

export const AuditEntry = z
  .object({
    seq: z.number().int().positive(),
    time: z.string(),
    type: AuditEventType,
    summary: z.string(),
    details: AuditDetails,
    /** Absent on entries written before origins were recorded. */
    origin: AuditOrigin.optional(),
    /** Absent on entries written before outcomes were recorded (they recorded successes, and `call.failed`). */
    outcome: AuditOutcome.optional(),
    prev: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;

/** What an auditor narrows the log to; every field is optional and they combine with AND. */
export const AuditFilter = z
  .object({
    /** ISO 8601 times, inclusive. */
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    /** A kind (`image.signed`) or an area (`key`, `trust`, `image`…). */
    kind: z
      .string()
      .regex(/^[a-z]+(\.[a-z-]+)?$/, 'a kind such as image.signed, or an area such as key')
      .optional(),
    /** A key's name, fingerprint (or its start), KMS key version or URI, token serial or label. */
    key: z.string().min(1).max(1024).optional(),
    /** A repository (`team/app`, or part of it) or a digest (or its start). */
    image: z.string().min(1).max(1024).optional(),
    outcome: AuditOutcome.optional(),
    origin: AuditHost.optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilter>;

/** Why a chain is broken, as a code: decisions are made on it, the sentence is for people. */
export const AUDIT_BREAKS = [
  'unreadable-line',
  'not-an-entry',
  'sequence',
  'chain-cut',
  'changed',
  'head-mismatch',
  'not-an-export',
] as const;
export const AuditBreak = z
  .object({
    reason: z.enum(AUDIT_BREAKS),
    /** The 1-based line of the file (log or export) where the chain breaks. */
    line: z.number().int().positive(),
    /** The sequence number the entry on that line carries (or should carry). */
    seq: z.number().int().nonnegative(),
    /** The last entry that is still whole and chained: everything up to it can be trusted. */
    lastGood: z.object({ seq: z.number().int().nonnegative(), time: z.string(), hash: z.string() }).strict().optional(),
  })
  .strict();
export type AuditBreak = z.infer<typeof AuditBreak>;

export const AuditVerification = z
  .object({
    intact: z.boolean(),
    entries: z.number().int().nonnegative(),
    problem: z.string().optional(),
    break: AuditBreak.optional(),
    /** The last entry's sequence number and hash: a later export that holds this hash at this number proves this one unedited. */
    head: z.object({ seq: z.number().int().nonnegative(), hash: z.string() }).strict().optional(),
  })
  .strict();
export type AuditVerification = z.infer<typeof AuditVerification>;

export const AUDIT_EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export const AuditExportFormat = z.enum(AUDIT_EXPORT_FORMATS);
export type AuditExportFormat = z.infer<typeof AuditExportFormat>;
