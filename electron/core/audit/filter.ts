import { AUDIT_IMAGE_FIELDS, AUDIT_KEY_FIELDS, auditArea, type AuditEntry, type AuditFilter } from '../../../shared/models/audit';

function fieldMatches(entry: AuditEntry, fields: readonly string[], wanted: string): boolean {
  const needle = wanted.toLowerCase();
  return fields.some((field) => {
    const value = entry.details[field];
    return typeof value === 'string' && value.toLowerCase().includes(needle);
  });
}

/** Whether an entry passes every criterion given (an entry without an origin or outcome fails a filter on it). */
export function matchesFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.since && Date.parse(entry.time) < Date.parse(filter.since)) return false;
  if (filter.until && Date.parse(entry.time) > Date.parse(filter.until)) return false;
  if (filter.kind && entry.type !== filter.kind && auditArea(entry.type) !== filter.kind) return false;
  if (filter.outcome && (entry.outcome ?? (entry.type === 'call.failed' ? 'failed' : 'succeeded')) !== filter.outcome) return false;
  if (filter.origin && entry.origin?.host !== filter.origin) return false;
  if (filter.key && !fieldMatches(entry, AUDIT_KEY_FIELDS, filter.key)) return false;
  if (filter.image && !fieldMatches(entry, AUDIT_IMAGE_FIELDS, filter.image)) return false;
  return true;
}
