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
]);
export type AuditEventType = z.infer<typeof AuditEventType>;

export const AuditEntry = z
  .object({
    seq: z.number().int().positive(),
    time: z.string(),
    type: AuditEventType,
    summary: z.string(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    prev: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditVerification = z
  .object({ intact: z.boolean(), entries: z.number().int().nonnegative(), problem: z.string().optional() })
  .strict();
export type AuditVerification = z.infer<typeof AuditVerification>;
