import { useState } from 'react';
import { signingFormats } from '../../../shared/models/keys';
import type { ImageSummary, SavedRegistry } from '../../../shared/models/registry';
import { ErrorBanner } from '../components/Banner';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useCan } from '../hooks/useCan';

const TEXT: Record<string, string> = {
  unsigned: 'unsigned',
  'signed-untrusted': 'signed, untrusted',
  verified: 'verified',
  failed: 'failing',
};
const BADGE: Record<string, string> = {
  unsigned: 'badge',
  'signed-untrusted': 'badge badge-warn',
  verified: 'badge badge-ok',
  failed: 'badge badge-bad',
};

/** For an index: the index and each platform × its cosign state, and "sign the missing ones". */
export function CoverageMatrix({
  registry,
  repository,
  image,
  onSigned,
}: {
  registry: SavedRegistry;
  repository: string;
  image: ImageSummary;
  onSigned?(): void;
}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const canSign = can('signatures.sign');
  const rows = [{ label: 'index', digest: image.digest }, ...image.platforms.map((p) => ({ label: p.platform, digest: p.digest }))];
  const status = useCall(api ? () => api.signatures.status({ id: registry.id, repository, tags: rows.map((r) => r.digest) }) : undefined, [
    api,
    registry.id,
    repository,
    image.digest,
  ]);
  const keys = useCall(api && canSign ? () => api.keys.list({}) : undefined, [api, canSign]);
  const usable = keys.data?.filter((k) => !k.retired && signingFormats(k).formats.includes('cosign')) ?? [];
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const verdictOf = (digest: string) => status.data?.results.find((r) => r.tag === digest)?.verdict;
  const missing = rows.filter((r) => verdictOf(r.digest) === 'unsigned' || verdictOf(r.digest) === 'signed-untrusted');
  const signMissing = async () => {
    if (!api || !key) return;
    for (const [i, row] of missing.entries()) {
      setBusy(`Signing ${row.label} (${i + 1}/${missing.length})…`);
      const result = await api.signatures.sign({ id: registry.id, repository, digest: row.digest, key, indexOnly: true });
      if (!result.ok) {
        setBusy(undefined);
        setError(`${row.label}: ${result.message}`);
        status.reload();
        return;
      }
    }
    setBusy(undefined);
    setError(undefined);
    onSigned?.();
  };
  return (
    <section className="coverage" aria-label="Signature coverage">
      <h3>Coverage</h3>
      <ErrorBanner message={error ?? status.error} />
      <table className="table" aria-label="Coverage matrix">
        <thead>
          <tr>
            <th scope="col">Manifest</th>
            <th scope="col">Digest</th>
            <th scope="col">cosign signature</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const v = verdictOf(r.digest);
            return (
              <tr key={r.digest}>
                <td>{r.label}</td>
                <td className="mono small">{r.digest.slice(0, 19)}…</td>
                <td>
                  {v ? (
                    <span className={BADGE[v]} aria-label={`${r.label}: ${v}`}>
                      {TEXT[v]}
                    </span>
                  ) : (
                    <span className="muted">checking…</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {canSign && missing.length > 0 && (
        <div className="field inline">
          <select aria-label="Key for the missing signatures" value={key} onChange={(e) => setKey(e.target.value)}>
            <option value="">Key…</option>
            {usable.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name}
              </option>
            ))}
          </select>
          <button type="button" className="button" disabled={!key || Boolean(busy)} onClick={() => void signMissing()}>
            Sign the missing ones ({missing.length})
          </button>
          {busy && (
            <span className="muted" role="status">
              {busy}
            </span>
          )}
        </div>
      )}
    </section>
  );
}
