import { useState } from 'react';
import type { TrustEntrySummary } from '../../../shared/models/trust';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { useApp } from '../stores/app';
import { NO_LIMITS, TrustLimitFields, trustLimitsInput, type TrustLimits } from './TrustView';
import { useCan } from '../hooks/useCan';

/**
 * "Trust this key…": one of Signet's own keys becomes a trust entry (its public key, a name, an
 * optional window and scopes), through trust.addKey. Used on the key page and in a signature's
 * details when a Signet key made a signature but is not trusted. Hidden in read-only mode.
 */
export function TrustKeyAction({
  keyId,
  keyName,
  expires,
  onTrusted,
}: {
  keyId: string;
  keyName: string;
  expires?: string | undefined;
  onTrusted?(entry: TrustEntrySummary): void;
}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(keyName);
  const [limits, setLimits] = useState<TrustLimits>(() => ({ ...NO_LIMITS, notAfter: expires ? expires.slice(0, 10) : '' }));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [trusted, setTrusted] = useState<TrustEntrySummary>();
  if (!can('trust.addKey')) return null;
  if (trusted)
    return (
      <span className="badge badge-ok" role="status">
        Trusted as “{trusted.name}”
      </span>
    );
  const submit = async () => {
    if (!api) return;
    setBusy(true);
    const result = await api.trust.addKey({ key: keyId, name: name.trim(), ...trustLimitsInput(limits) });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setOpen(false);
    setTrusted(result.value);
    onTrusted?.(result.value);
  };
  const formId = `trust-key-${keyId}`;
  return (
    <>
      <button type="button" className="button secondary" onClick={() => setOpen(true)}>
        Trust this key…
      </button>
      <Dialog
        title={`Trust ${keyName} for verification`}
        open={open}
        onClose={() => setOpen(false)}
        footer={
          <>
            <button type="button" className="button secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" form={formId} className="button" disabled={busy || !name.trim()}>
              {busy ? 'Trusting…' : 'Trust'}
            </button>
          </>
        }
      >
        <form
          id={formId}
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <p>
            Signatures made with “{keyName}” verify only once its public key is in the trust store. Signet can sign with a key without
            trusting it.
          </p>
          <ErrorBanner message={error} />
          <div className="field">
            <label htmlFor={`${formId}-name`}>Trust entry name</label>
            <input id={`${formId}-name`} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          </div>
          <TrustLimitFields idPrefix={formId} value={limits} onChange={setLimits} />
        </form>
      </Dialog>
    </>
  );
}
