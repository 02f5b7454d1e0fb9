import { useState } from 'react';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';

const DISMISSED = 'signet.firstRun.dismissed';

/**
 * What a new user does first, one click each, ticked off once done: add a registry, create or
 * import a key, trust the keys relied on. Shown until all three are done or it is dismissed.
 */
export function FirstRun({ registries, onAddRegistry }: { registries: number | undefined; onAddRegistry(): void }) {
  const api = useApp((s) => s.api);
  const navigate = useApp((s) => s.navigate);
  const keys = useCall(api ? () => api.keys.list({}) : undefined, [api]);
  const trust = useCall(api ? () => api.trust.list({}) : undefined, [api]);
  const [dismissed, setDismissed] = useState(() => globalThis.localStorage?.getItem(DISMISSED) === '1');
  if (dismissed || registries === undefined || !keys.data || !trust.data) return null;
  const steps = [
    { done: registries > 0, label: 'Add a registry', detail: 'to browse its images and read their signatures', action: onAddRegistry },
    {
      done: keys.data.length > 0,
      label: 'Create or import a key',
      detail: 'to sign images (a KMS key or token key works too)',
      action: () => navigate({ area: 'keys' }),
    },
    {
      done: trust.data.entries.length > 0,
      label: 'Trust the keys you rely on',
      detail: 'so their signatures verify (your own keys are trusted as you make them)',
      action: () => navigate({ area: 'trust' }),
    },
  ];
  if (steps.every((s) => s.done)) return null;
  const dismiss = () => {
    globalThis.localStorage?.setItem(DISMISSED, '1');
    setDismissed(true);
  };
  return (
    <section className="panel first-run" aria-label="Getting started">
      <h2 className="column-title">Getting started</h2>
      <ol className="checks">
        {steps.map((s) => (
          <li key={s.label}>
            <span className={`badge ${s.done ? 'badge-ok' : ''}`}>{s.done ? 'done' : 'to do'}</span>{' '}
            {s.done ? (
              <strong>{s.label}</strong>
            ) : (
              <button type="button" className="link-button" onClick={s.action}>
                {s.label}
              </button>
            )}{' '}
            <span className="muted small">{s.detail}</span>
          </li>
        ))}
      </ol>
      <button type="button" className="link-button small" onClick={dismiss}>
        Hide this
      </button>
    </section>
  );
}
