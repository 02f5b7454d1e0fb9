import {
  AUDIT_HOSTS,
  AUDIT_OUTCOMES,
  AuditEventType,
  type AuditEntry,
  type AuditFilter,
  type AuditHost,
  type AuditOutcome,
} from '../../../shared/models/audit';

/** The Audit view's filter form, as typed: every field a string, empty meaning "any". */
export interface AuditFilterForm {
  since: string;
  until: string;
  kind: string;
  key: string;
  image: string;
  outcome: '' | AuditOutcome;
  origin: '' | AuditHost;
}

export const EMPTY_FILTER: AuditFilterForm = { since: '', until: '', kind: '', key: '', image: '', outcome: '', origin: '' };

/** Areas first (every kind in them), then each kind. */
export const KIND_CHOICES: readonly string[] = [...new Set(AuditEventType.options.map((t) => t.slice(0, t.indexOf('.'))))]
  .sort()
  .concat(AuditEventType.options);

export const OUTCOME_CHOICES = AUDIT_OUTCOMES;
export const ORIGIN_CHOICES = AUDIT_HOSTS;

export const ORIGIN_LABELS: Record<AuditHost, string> = {
  desktop: 'Desktop app',
  browser: 'Browser host',
  cli: 'Command line',
  rules: 'Rules listener',
};

/** Dates from `<input type="date">` stand for the whole day, in the viewer's time zone. */
export function toFilter(form: AuditFilterForm): AuditFilter {
  const day = (value: string, end: boolean) => new Date(`${value}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString();
  return {
    ...(form.since ? { since: day(form.since, false) } : {}),
    ...(form.until ? { until: day(form.until, true) } : {}),
    ...(form.kind ? { kind: form.kind } : {}),
    ...(form.key.trim() ? { key: form.key.trim() } : {}),
    ...(form.image.trim() ? { image: form.image.trim() } : {}),
    ...(form.outcome ? { outcome: form.outcome } : {}),
    ...(form.origin ? { origin: form.origin } : {}),
  };
}

const text = (entry: AuditEntry, field: string): string | undefined => {
  const v = entry.details[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The key an entry is about, by the name a person knows it by (a name before a fingerprint or URI, never only an id). */
export function keyOf(entry: AuditEntry): string | undefined {
  const name =
    text(entry, 'keyName') ??
    (text(entry, 'key')?.startsWith('k-') ? undefined : text(entry, 'key')) ??
    text(entry, 'label') ??
    text(entry, 'uri');
  const fingerprint = text(entry, 'fingerprint') ?? text(entry, 'spkiSha256');
  if (name && fingerprint) return `${name} (${fingerprint.slice(0, 12)}…)`;
  return name ?? (fingerprint ? `${fingerprint.slice(0, 16)}…` : undefined);
}

/** The image an entry is about: repository and the start of the digest. */
export function imageOf(entry: AuditEntry): string | undefined {
  const repository = text(entry, 'repository') ?? text(entry, 'reference');
  const digest = text(entry, 'digest');
  if (repository && digest) return `${repository}@${digest.slice(0, 19)}…`;
  return repository ?? (digest ? `${digest.slice(0, 19)}…` : undefined);
}
