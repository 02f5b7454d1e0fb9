import { useState } from 'react';
import { tagKind, UNSIGNED_TAGS_NOTE } from '../../../shared/models/signature-tags';
import type { SignatureReport } from '../../../shared/models/signatures';
import { ErrorBanner } from '../components/Banner';
import { useCan } from '../hooks/useCan';
import { useApp } from '../stores/app';
import type { Places } from './DeleteSignature';

/** A signature's tags, one line, marked unsigned (for the table). */
export function TagsLine({ tags }: { tags?: Record<string, string> | undefined }) {
  const entries = Object.entries(tags ?? {});
  if (!entries.length) return null;
  return (
    <div className="small wrap" aria-label="Tags">
      <span className="muted">Tags (unsigned): </span>
      {entries.map(([k, v]) => `${k}=${v}`).join(', ')}
    </div>
  );
}

/**
 * Add/View tags: free-form key=value and defined namespace.key=value tags, stored on the
 * signature's descriptor in the registry for every reviewer to see; never signed.
 */
export function SignatureTagsEditor({
  signature,
  places,
  onChanged,
}: {
  signature: SignatureReport;
  places: Places;
  onChanged(tags: Record<string, string>): void;
}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const tags = signature.tags ?? {};
  const editable =
    can('signatures.tag') && Boolean(signature.id) && (signature.handle?.kind === 'cosign-layer' || signature.handle?.kind === 'referrer');
  const change = async (body: { add?: Record<string, string>; remove?: string[] }) => {
    if (!api || !signature.id) return;
    setBusy(true);
    const result = await api.signatures.tag({
      id: places.registry.id,
      repository: places.repository,
      digest: places.digest,
      signature: signature.id,
      ...body,
    });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setText('');
    onChanged(result.value.tags);
  };
  const eq = text.indexOf('=');
  const add = () =>
    eq > 0
      ? void change({ add: { [text.slice(0, eq).trim()]: text.slice(eq + 1).trim() } })
      : setError('Write key=value, or namespace.key=value for a defined tag.');
  return (
    <section aria-label="Tags">
      <h4>
        Tags <span className="muted small">({UNSIGNED_TAGS_NOTE})</span>
      </h4>
      <ErrorBanner message={error} />
      {Object.keys(tags).length ? (
        <ul className="checks" aria-label="Tag list">
          {Object.entries(tags).map(([k, v]) => (
            <li key={k}>
              <span className="mono">
                {k}={v}
              </span>{' '}
              <span className="muted small">{tagKind(k)}</span>{' '}
              {editable && (
                <button
                  type="button"
                  className="button secondary small"
                  disabled={busy}
                  onClick={() => void change({ remove: [k] })}
                  aria-label={`Remove tag ${k}`}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No tags.</p>
      )}
      {editable && (
        <form
          className="field inline"
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <label htmlFor="tag-add">Add a tag</label>
          <input
            id="tag-add"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="key=value or namespace.key=value"
            spellCheck={false}
          />
          <button type="submit" className="button secondary" disabled={busy || !text.trim()}>
            {busy ? 'Saving…' : 'Add tag'}
          </button>
        </form>
      )}
      {!editable &&
        can('signatures.tag') &&
        signature.handle &&
        signature.handle.kind !== 'cosign-layer' &&
        signature.handle.kind !== 'referrer' && (
          <p className="muted small">
            This signature has no descriptor in the registry to carry tags (only cosign, Notation and bundle signatures do).
          </p>
        )}
    </section>
  );
}
