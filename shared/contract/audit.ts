import { z } from 'zod';
import { AuditEntry, AuditEventType, AuditVerification } from '../models/audit';
import { call, NoInput } from './define';

/** The hash-chained log of every sign, verify, key and trust event. */
export const auditCalls = {
  'audit.list': call({
    summary: 'Audit entries, newest first',
    effect: 'read',
    request: z
      .object({ offset: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(1000).optional(), type: AuditEventType.optional() })
      .strict(),
    response: z.object({ entries: z.array(AuditEntry), total: z.number().int().nonnegative() }).strict(),
  }),
  'audit.verify': call({
    summary: 'Check that the audit log’s hash chain is intact',
    effect: 'read',
    request: NoInput,
    response: AuditVerification,
  }),
} as const;
