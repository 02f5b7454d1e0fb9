import { useState } from 'react';
import type { SavedRegistry } from '../../../shared/models/registry';
import type { SignatureReport } from '../../../shared/models/signatures';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { downloadFile } from '../components/download';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';

/** Where the image's signatures were looked for: a delete looks in the same places. */
export interface Places {
  registry: SavedRegistry;
  repository: string;
  digest: string;
  ascProfile?: string | undefined;
}

/**
 * Delete one signature: what will go (the host's dry run), an export of it, and the signature's
 * short id typed to confirm. The host finds the signature again by that id before touching it.
 */
export function DeleteSignatureDialog({ signature, places, open, onClose, onDeleted }: { signature: SignatureReport; places: Places; open: boolean; onClose(): void; onDeleted(outcome: string): void }) {
  const api = useApp((s) => s.api);
  const request = { id: places.registry.id, repository: places.repository, digest: places.digest, signature: signature.id ?? '', ...(places.ascProfile ? { asc: { profile: places.ascProfile } } : {}) };
  const plan = useCall(api && open && signature.id ? () => api.signatures.delete({ ...request, dryRun: true }) : undefined, [api, open, signature.id, places.registry.id, places.repository, places.digest, places.ascProfile]);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = () => {
    setTyped('');
    setError(undefined);
    onClose();
  };
  const remove = async () => {
    if (!api || typed.trim() !== signature.id) return;
    setBusy(true);
    const result = await api.signatures.delete(request);
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setTyped('');
    onDeleted(result.value.outcome ?? 'Deleted.');
  };
  const p = plan.data?.plan;
  return (
    <Dialog
      title="Delete signature"
      open={open}
      onClose={close}
      wide
      footer={
        <>
          <button type="button" className="button secondary" onClick={close}>Cancel</button>
          <button type="button" className="button danger" disabled={!p || busy || typed.trim() !== signature.id} onClick={() => void remove()}>{busy ? 'Deleting…' : 'Delete signature'}</button>
        </>
      }
    >
      <ErrorBanner message={error ?? plan.error} />
      <p>Deleting a signature means the image is no longer to be considered signed by it, for everyone who reads this registry.</p>
      {p && (
        <section aria-label="What will be deleted">
          <dl className="facts compact">
            <div className="fact"><dt>Signature</dt><dd><span className="mono">{p.id}</span> · {p.format}{p.signer ? ` · ${p.signer}` : ''}</dd></div>
            <div className="fact"><dt>Stored at</dt><dd className="mono small wrap">{p.storage}</dd></div>
            <div className="fact"><dt>What happens</dt><dd className="wrap">{p.what}</dd></div>
          </dl>
          <button type="button" className="button secondary" onClick={() => downloadFile(`signature-${p.id}.json`, { text: p.export })}>Export what will be deleted</button>
        </section>
      )}
      <div className="field">
        <label htmlFor="delete-confirm">Type the signature’s id, {signature.id}, to delete it</label>
        <input id="delete-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} spellCheck={false} autoComplete="off" />
      </div>
    </Dialog>
  );
}

/** Delete every signature by one key on the repository's tagged images: a dry-run count first, the count typed to confirm. */
export function DeleteByKeyDialog({ fingerprint, keyName, places, open, onClose, onDeleted }: { fingerprint: string; keyName: string; places: Places; open: boolean; onClose(): void; onDeleted(outcome: string): void }) {
  const api = useApp((s) => s.api);
  const request = { id: places.registry.id, repository: places.repository, key: fingerprint };
  const counted = useCall(api && open ? () => api.signatures.deleteByKey({ ...request, dryRun: true }) : undefined, [api, open, fingerprint, places.registry.id, places.repository]);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const n = counted.data?.signatures.length;
  const close = () => {
    setTyped('');
    setError(undefined);
    onClose();
  };
  const remove = async () => {
    if (!api || n === undefined || typed.trim() !== String(n)) return;
    setBusy(true);
    const result = await api.signatures.deleteByKey({ ...request, expectedCount: n });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setTyped('');
    onDeleted(`Deleted ${result.value.deleted} signature(s) by ${keyName}.`);
  };
  return (
    <Dialog
      title="Delete every signature by this key"
      open={open}
      onClose={close}
      wide
      footer={
        <>
          <button type="button" className="button secondary" onClick={close}>Cancel</button>
          <button type="button" className="button danger" disabled={!n || busy || typed.trim() !== String(n)} onClick={() => void remove()}>{busy ? 'Deleting…' : `Delete ${n ?? ''} signatures`}</button>
        </>
      }
    >
      <ErrorBanner message={error ?? counted.error} />
      <p>
        Every signature by <strong>{keyName}</strong> <span className="mono small">{fingerprint}</span> on the tagged images of {places.registry.host}/{places.repository}.
      </p>
      {counted.loading && <p className="muted" role="status">Counting…</p>}
      {counted.data && (
        <section aria-label="Dry run">
          <p role="status">{n} signature{n === 1 ? '' : 's'} on {counted.data.images} image{counted.data.images === 1 ? '' : 's'} (dry run: nothing deleted yet).</p>
          <ul className="checks small">{counted.data.signatures.slice(0, 200).map((s) => (<li key={`${s.digest}-${s.id}`}><span className="mono">{s.id}</span> {s.format} · {s.tags.join(', ')}</li>))}</ul>
        </section>
      )}
      {n !== undefined && n > 0 && (
        <div className="field">
          <label htmlFor="delete-count">Type {n}, the number of signatures, to delete them</label>
          <input id="delete-count" value={typed} onChange={(e) => setTyped(e.target.value)} spellCheck={false} autoComplete="off" inputMode="numeric" />
        </div>
      )}
    </Dialog>
  );
}
