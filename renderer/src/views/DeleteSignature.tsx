import { useState, type ReactNode } from 'react';
import type { Result } from '../../../shared/errors';
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
 * A destructive step confirmed by typing what it names (a signature's id, a count): the button
 * stays off until the text matches; the host's refusal is shown in the dialog.
 */
function TypedConfirmDialog({
  title,
  open,
  onClose,
  expected,
  prompt,
  inputId,
  confirmLabel,
  run,
  onDone,
  error: shownError,
  children,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  expected: string | undefined;
  prompt: string;
  inputId: string;
  confirmLabel: string;
  run(): Promise<Result<string>>;
  onDone(outcome: string): void;
  error?: string | undefined;
  children: ReactNode;
}) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = () => {
    setTyped('');
    setError(undefined);
    onClose();
  };
  const go = async () => {
    if (expected === undefined || typed.trim() !== expected) return;
    setBusy(true);
    const result = await run();
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setTyped('');
    onDone(result.value);
  };
  return (
    <Dialog
      title={title}
      open={open}
      onClose={close}
      wide
      footer={
        <>
          <button type="button" className="button secondary" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button danger"
            disabled={expected === undefined || busy || typed.trim() !== expected}
            onClick={() => void go()}
          >
            {busy ? 'Deleting…' : confirmLabel}
          </button>
        </>
      }
    >
      <ErrorBanner message={error ?? shownError} />
      {children}
      {expected !== undefined && (
        <div className="field">
          <label htmlFor={inputId}>{prompt}</label>
          <input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} spellCheck={false} autoComplete="off" />
        </div>
      )}
    </Dialog>
  );
}

/**
 * Delete one signature: what will go (the host's dry run), an export of it, and the signature's
 * short id typed to confirm. The host finds the signature again by that id before touching it.
 */
export function DeleteSignatureDialog({
  signature,
  places,
  open,
  onClose,
  onDeleted,
}: {
  signature: SignatureReport;
  places: Places;
  open: boolean;
  onClose(): void;
  onDeleted(outcome: string): void;
}) {
  const api = useApp((s) => s.api);
  const request = {
    id: places.registry.id,
    repository: places.repository,
    digest: places.digest,
    signature: signature.id ?? '',
    ...(places.ascProfile ? { asc: { profile: places.ascProfile } } : {}),
  };
  const plan = useCall(api && open && signature.id ? () => api.signatures.delete({ ...request, dryRun: true }) : undefined, [
    api,
    open,
    signature.id,
    places.registry.id,
    places.repository,
    places.digest,
    places.ascProfile,
  ]);
  const p = plan.data?.plan;
  const run = async (): Promise<Result<string>> => {
    if (!api) return { ok: false, code: 'INTERNAL', message: 'Signet’s host is not connected.' };
    const result = await api.signatures.delete(request);
    return result.ok ? { ok: true, value: result.value.outcome ?? 'Deleted.' } : result;
  };
  return (
    <TypedConfirmDialog
      title="Delete signature"
      open={open}
      onClose={onClose}
      expected={p ? signature.id : undefined}
      prompt={`Type the signature’s id, ${signature.id ?? ''}, to delete it`}
      inputId="delete-confirm"
      confirmLabel="Delete signature"
      run={run}
      onDone={onDeleted}
      error={plan.error}
    >
      <p>Deleting a signature means the image is no longer to be considered signed by it, for everyone who reads this registry.</p>
      {p && (
        <section aria-label="What will be deleted">
          <dl className="facts compact">
            <div className="fact">
              <dt>Signature</dt>
              <dd>
                <span className="mono">{p.id}</span> · {p.format}
                {p.signer ? ` · ${p.signer}` : ''}
              </dd>
            </div>
            <div className="fact">
              <dt>Stored at</dt>
              <dd className="mono small wrap">{p.storage}</dd>
            </div>
            <div className="fact">
              <dt>What happens</dt>
              <dd className="wrap">{p.what}</dd>
            </div>
          </dl>
          <button type="button" className="button secondary" onClick={() => downloadFile(`signature-${p.id}.json`, { text: p.export })}>
            Export what will be deleted
          </button>
        </section>
      )}
    </TypedConfirmDialog>
  );
}

/** Delete every signature by one key on the repository's tagged images: a dry-run count first, the count typed to confirm. */
export function DeleteByKeyDialog({
  fingerprint,
  keyName,
  places,
  open,
  onClose,
  onDeleted,
}: {
  fingerprint: string;
  keyName: string;
  places: Places;
  open: boolean;
  onClose(): void;
  onDeleted(outcome: string): void;
}) {
  const api = useApp((s) => s.api);
  const [whole, setWhole] = useState(false);
  const request = { id: places.registry.id, ...(whole ? {} : { repository: places.repository }), key: fingerprint };
  const counted = useCall(api && open ? () => api.signatures.deleteByKey({ ...request, dryRun: true }) : undefined, [
    api,
    open,
    fingerprint,
    places.registry.id,
    places.repository,
    whole,
  ]);
  const n = counted.data?.signatures.length;
  const run = async (): Promise<Result<string>> => {
    if (!api || n === undefined) return { ok: false, code: 'INTERNAL', message: 'Signet’s host is not connected.' };
    const result = await api.signatures.deleteByKey({ ...request, expectedCount: n });
    return result.ok ? { ok: true, value: `Deleted ${result.value.deleted} signature(s) by ${keyName}.` } : result;
  };
  return (
    <TypedConfirmDialog
      title="Delete every signature by this key"
      open={open}
      onClose={onClose}
      expected={n ? String(n) : undefined}
      prompt={`Type ${n ?? ''}, the number of signatures, to delete them`}
      inputId="delete-count"
      confirmLabel={`Delete ${n ?? ''} signatures`}
      run={run}
      onDone={onDeleted}
      error={counted.error}
    >
      <p>
        Every signature by <strong>{keyName}</strong> <span className="mono small">{fingerprint}</span> on the tagged images of:
      </p>
      <fieldset className="field">
        <legend>Where</legend>
        <label>
          <input type="radio" name="by-key-scope" checked={!whole} onChange={() => setWhole(false)} /> this repository,{' '}
          {places.registry.host}/{places.repository}
        </label>
        {places.registry.kind !== 'oci-layout' && (
          <label>
            <input type="radio" name="by-key-scope" checked={whole} onChange={() => setWhole(true)} /> every repository of{' '}
            {places.registry.host}
          </label>
        )}
      </fieldset>
      {counted.loading && (
        <p className="muted" role="status">
          Counting…
        </p>
      )}
      {counted.data && (
        <section aria-label="Dry run">
          <p role="status">
            {n} signature{n === 1 ? '' : 's'} on {counted.data.images} image{counted.data.images === 1 ? '' : 's'}
            {whole ? ` in ${counted.data.repositories} repositories` : ''} (dry run: nothing deleted yet).
          </p>
          <ul className="checks small">
            {counted.data.signatures.slice(0, 200).map((s) => (
              <li key={`${s.repository}-${s.digest}-${s.id}`}>
                <span className="mono">{s.id}</span> {s.format} · {whole ? `${s.repository}:` : ''}
                {s.tags.join(', ')}
              </li>
            ))}
          </ul>
        </section>
      )}
    </TypedConfirmDialog>
  );
}
