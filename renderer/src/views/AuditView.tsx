import { useCallback, useEffect, useState } from 'react';
import type { AuditEntry, AuditVerification } from '../../../shared/models/audit';
import { useApp } from '../stores/app';

const PAGE = 100;

/** The audit log, newest first, with a chain check. */
export function AuditView() {
  const api = useApp((s) => s.api);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [verdict, setVerdict] = useState<AuditVerification>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (offset: number) => {
      if (!api) return;
      const result = await api.audit.list({ offset, limit: PAGE });
      if (!result.ok) return setError(result.message);
      setError(undefined);
      setTotal(result.value.total);
      setEntries((current) => (offset === 0 ? result.value.entries : [...current, ...result.value.entries]));
    },
    [api],
  );

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
      {verdict && (
        <div className={`banner ${verdict.intact ? 'banner-ok' : 'banner-error'}`} role="status">
          {verdict.intact ? `The audit log is intact: ${verdict.entries} ${verdict.entries === 1 ? "entry" : "entries"}, each chained to the one before.` : `The audit log is not intact: ${verdict.problem}`}
        </div>
      )}
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {entries.length === 0 && !error ? (
        <div className="empty-state">
          <p className="empty-title">No events yet.</p>
          <p>Every signature, verification, key and trust change is recorded here, each entry chained to the previous one by its SHA-256.</p>
        </div>
      ) : (
        <table className="table" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td className="num">{e.seq}</td>
                <td>{new Date(e.time).toLocaleString()}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td title={Object.entries(e.details).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}>{e.summary}</td>
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
