import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AuditEntry, AuditFilter, AuditVerification } from '../../../shared/models/audit';
import { useApp } from '../stores/app';
import {
  EMPTY_FILTER,
  imageOf,
  keyOf,
  KIND_CHOICES,
  ORIGIN_CHOICES,
  ORIGIN_LABELS,
  OUTCOME_CHOICES,
  toFilter,
  type AuditFilterForm,
} from './audit-filter';

const PAGE = 100;

/** The audit log, newest first, narrowed by the auditor's filter, with a chain check. */
export function AuditView() {
  const api = useApp((s) => s.api);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [verdict, setVerdict] = useState<AuditVerification>();
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_FILTER);
  const [filter, setFilter] = useState<AuditFilter>({});

  const load = useCallback(
    async (offset: number) => {
      if (!api) return;
      const result = await api.audit.list({ offset, limit: PAGE, ...filter });
      if (!result.ok) return setError(result.message);
      setError(undefined);
      setTotal(result.value.total);
      setEntries((current) => (offset === 0 ? result.value.entries : [...current, ...result.value.entries]));
    },
    [api, filter],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter(toFilter(form));
  };
  const clear = () => {
    setForm(EMPTY_FILTER);
    setFilter({});
  };
  const filtered = Object.keys(filter).length > 0;

  useEffect(() => {
    void load(0);
  }, [load]);

  const verify = async () => {
    if (!api) return;
    setBusy(true);
    const result = await api.audit.verify({});
    setBusy(false);
    if (result.ok) setVerdict(result.value);
    else setError(result.message);
  };

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Audit</h1>
        <div className="actions">
          <button type="button" className="button secondary" onClick={() => void load(0)}>
            Refresh
          </button>
          <button type="button" className="button" onClick={() => void verify()} disabled={busy}>
            {busy ? 'Checking…' : 'Verify chain'}
          </button>
        </div>
      </header>
      <form className="filter-bar" aria-label="Filter the audit log" onSubmit={apply}>
        <div className="field inline small">
          <label htmlFor="audit-since">From</label>
          <input id="audit-since" type="date" value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} />
          <label htmlFor="audit-until">to</label>
          <input id="audit-until" type="date" value={form.until} onChange={(e) => setForm({ ...form, until: e.target.value })} />
        </div>
        <div className="field inline small">
          <label htmlFor="audit-kind">Event</label>
          <select id="audit-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
            <option value="">any</option>
            {KIND_CHOICES.map((k) => (
              <option key={k} value={k}>
                {k.includes('.') ? k : `${k} (all)`}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline small">
          <label htmlFor="audit-key">Key</label>
          <input
            id="audit-key"
            value={form.key}
            onChange={(e) => setForm({ ...form, key: e.target.value })}
            placeholder="name or fingerprint"
            spellCheck={false}
          />
        </div>
        <div className="field inline small">
          <label htmlFor="audit-image">Image</label>
          <input
            id="audit-image"
            value={form.image}
            onChange={(e) => setForm({ ...form, image: e.target.value })}
            placeholder="repository or digest"
            spellCheck={false}
          />
        </div>
        <div className="field inline small">
          <label htmlFor="audit-outcome">Outcome</label>
          <select
            id="audit-outcome"
            value={form.outcome}
            onChange={(e) => setForm({ ...form, outcome: e.target.value as AuditFilterForm['outcome'] })}
          >
            <option value="">any</option>
            {OUTCOME_CHOICES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline small">
          <label htmlFor="audit-origin">Origin</label>
          <select
            id="audit-origin"
            value={form.origin}
            onChange={(e) => setForm({ ...form, origin: e.target.value as AuditFilterForm['origin'] })}
          >
            <option value="">any</option>
            {ORIGIN_CHOICES.map((o) => (
              <option key={o} value={o}>
                {ORIGIN_LABELS[o]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button secondary">
          Filter
        </button>
        {filtered && (
          <button type="button" className="button secondary" onClick={clear}>
            Clear
          </button>
        )}
      </form>
      {verdict && (
        <div className={`banner ${verdict.intact ? 'banner-ok' : 'banner-error'}`} role="status">
          {verdict.intact
            ? `The audit log is intact: ${verdict.entries} ${verdict.entries === 1 ? 'entry' : 'entries'}, each chained to the one before.`
            : `The audit log is not intact: ${verdict.problem ?? ''}${verdict.break ? ` (line ${verdict.break.line}, entry ${verdict.break.seq})` : ''}`}
        </div>
      )}
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {entries.length === 0 && !error && filtered ? (
        <div className="empty-state">
          <p className="empty-title">No entries match this filter.</p>
        </div>
      ) : entries.length === 0 && !error ? (
        <div className="empty-state">
          <p className="empty-title">No events yet.</p>
          <p>
            Every signature, verification, key and trust change is recorded here, each entry chained to the previous one by its SHA-256.
          </p>
        </div>
      ) : (
        <table className="table audit-table" aria-label="Audit log">
          <colgroup>
            <col style={{ width: '3.5em' }} />
            <col style={{ width: '11em' }} />
            <col style={{ width: '10.5em' }} />
            <col style={{ width: '12em' }} />
            <col style={{ width: '14em' }} />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time and origin</th>
              <th scope="col">Event and outcome</th>
              <th scope="col">Key</th>
              <th scope="col">Image</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td className="num">{e.seq}</td>
                <td>
                  {new Date(e.time).toLocaleString()}
                  <div className="muted small">
                    {e.origin ? `${ORIGIN_LABELS[e.origin.host]} (${e.origin.user})` : 'origin not recorded'}
                  </div>
                </td>
                <td>
                  <code>{e.type}</code>
                  <div className={`small ${e.outcome && e.outcome !== 'succeeded' ? 'outcome-bad' : 'muted'}`}>
                    {e.outcome ?? (e.type === 'call.failed' ? 'failed' : 'succeeded')}
                  </div>
                </td>
                <td>{keyOf(e) ?? ''}</td>
                <td>{imageOf(e) ?? ''}</td>
                <td
                  title={Object.entries(e.details)
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join('\n')}
                >
                  {e.summary}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.length < total && (
        <button type="button" className="button secondary load-more" onClick={() => void load(entries.length)}>
          Show older ({total - entries.length} more)
        </button>
      )}
    </section>
  );
}
