import { z } from 'zod';
import { AuditEntry, AuditEventType, AuditExportFormat, AuditFilter, AuditVerification } from '../models/audit';
import { call, NoInput } from './define';

/** The hash-chained log of every change, signing attempt and requested verification. */
export const auditCalls = {
  'audit.list': call({
    summary: 'Audit entries, newest first, narrowed by time, kind, key, image, outcome and origin',
    effect: 'read',
    request: AuditFilter.extend({
      offset: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      type: AuditEventType.optional(),
    }).strict(),
    response: z.object({ entries: z.array(AuditEntry), total: z.number().int().nonnegative() }).strict(),
  }),
  'audit.verify': call({
    summary: 'Check that the audit log’s hash chain is intact, and say where it breaks',
    effect: 'read',
    request: NoInput,
    response: AuditVerification,
  }),
  'audit.export': call({
    summary: 'Export the audit log (or the run of it between two times) as JSON Lines or CSV, headed by the chain’s head hash',
    effect: 'read',
    request: z.object({ format: AuditExportFormat, since: AuditFilter.shape.since, until: AuditFilter.shape.until }).strict(),
    response: z
      .object({
        text: z.string(),
        entries: z.number().int().nonnegative(),
        first: z.number().int().nonnegative(),
        last: z.number().int().nonnegative(),
        head: z.object({ seq: z.number().int().nonnegative(), hash: z.string() }).strict(),
      })
      .strict(),
  }),
  'audit.verifyExport': call({
    summary:
      'Check an exported audit file on its own (on any machine): every entry whole and chained, its length and head as its header says',
    effect: 'read',
    request: z.object({ text: z.string().max(256 * 1024 * 1024) }).strict(),
    response: AuditVerification,
  }),
} as const;
