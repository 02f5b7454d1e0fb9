import { useMemo, useState } from 'react';
import type { BundleInspection, RequestInspection } from '../../../shared/contract/offline';
import type { OfflineFormat, RequestedSigner } from '../../../shared/models/offline';
import { ErrorBanner } from '../components/Banner';
import { Fingerprint } from '../components/Copy';
import { downloadFile } from '../components/download';
import { PathField } from '../components/PathField';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useKeptState } from '../hooks/useKeptState';
import { MAX_DESCRIPTION_CHARS } from '../../../shared/payloads/record';
import { useCan } from '../hooks/useCan';

const STEPS = [
  { id: 'prepare', label: '1 · Prepare request' },
  { id: 'sign', label: '2 · Sign offline' },
  { id: 'attach', label: '3 · Check and attach' },
] as const;

import { fileToBase64 } from '../components/files';

const downloadBase64 = (name: string, base64: string) => downloadFile(name, { base64 });

/** Air-gapped signing in three steps, each with its review screen. */
export function OfflineView({ sub }: { sub?: string | undefined }) {
  const navigate = useApp((s) => s.navigate);
  const step = STEPS.find((s) => s.id === sub) ?? STEPS[0];
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Offline signing</h1>
      </header>
      <div className="tabs" role="tablist" aria-label="Steps">
        {STEPS.map((s) => (
          <button
            key={s.id}
            role="tab"
            type="button"
            aria-selected={s.id === step.id}
            onClick={() => navigate({ area: 'offline', sub: s.id })}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={step.label}>
        {step.id === 'prepare' && <PrepareStep />}
        {step.id === 'sign' && <SignStep />}
        {step.id === 'attach' && <AttachStep />}
      </div>
    </section>
  );
}

function PrepareStep() {
  const api = useApp((s) => s.api);
  const keys = useCall(api ? () => api.keys.list({}) : undefined, [api]);
  const [references, setReferences] = useKeptState('offline.prepare.references', '');
  const [keyChoice, setKeyChoice] = useKeptState('offline.prepare.keyChoice', '');
  const [typedKey, setTypedKey] = useKeptState('offline.prepare.typedKey', '');
  const [formats, setFormats] = useKeptState<OfflineFormat[]>('offline.prepare.formats', ['cosign']);
  const [indexOnly, setIndexOnly] = useKeptState('offline.prepare.indexOnly', false);
  const [result, setResult] = useKeptState<{ request: string; sha256: string; summary: string } | undefined>(
    'offline.prepare.result',
    undefined,
  );
  const [description, setDescription] = useKeptState('offline.prepare.description', '');
  const [metadata, setMetadata] = useKeptState('offline.prepare.metadata', '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const signer = useMemo((): RequestedSigner | undefined => {
    const local = keys.data?.find((k) => k.id === keyChoice);
    if (local?.pgpFingerprint) return { kind: 'pgp-fingerprint', value: local.pgpFingerprint };
    if (local?.spkiSha256) return { kind: 'spki-sha256', value: local.spkiSha256 };
    const t = typedKey.trim();
    if (/^[0-9a-f]{64}$/i.test(t)) return { kind: 'spki-sha256', value: t.toLowerCase() };
    if (/^[0-9a-f]{40}$/i.test(t)) return { kind: 'pgp-fingerprint', value: t.toUpperCase() };
    if (t) return { kind: 'uri', value: t };
    return undefined;
  }, [keys.data, keyChoice, typedKey]);

  const toggle = (f: OfflineFormat) => setFormats((current) => (current.includes(f) ? current.filter((x) => x !== f) : [...current, f]));
  const submit = async () => {
    if (!api || !signer) return;
    setBusy(true);
    const refs = references.split(/\s+/).filter(Boolean);
    // The host checks the metadata strictly (a JSON object, at most 8 KiB) and says what is wrong.
    const made = await api.offline.createRequest({
      references: refs,
      signer,
      formats,
      ...(indexOnly ? { indexOnly } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(metadata.trim() ? { metadata: metadata.trim() } : {}),
    });
    setBusy(false);
    if (!made.ok) return setError(made.message);
    setError(undefined);
    setResult(made.value);
  };
  return (
    <div className="split">
      <form
        className="panel"
        aria-label="Prepare a signing request"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="hint">
          On the connected machine. Tags are resolved once, here; the request carries the exact bytes the offline station will sign.
        </p>
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="offline-refs">Images (one per line)</label>
          <textarea
            id="offline-refs"
            rows={4}
            value={references}
            onChange={(e) => setReferences(e.target.value)}
            placeholder="registry.example.com/team/app:1.0"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor="offline-key">Key that must sign</label>
          <select id="offline-key" value={keyChoice} onChange={(e) => setKeyChoice(e.target.value)}>
            <option value="">Type a fingerprint or KMS URI below…</option>
            {keys.data?.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.type})
              </option>
            ))}
          </select>
          {!keyChoice && (
            <input
              aria-label="Key fingerprint or URI"
              value={typedKey}
              onChange={(e) => setTypedKey(e.target.value)}
              placeholder="SPKI SHA-256, OpenPGP fingerprint, awskms://…, pkcs11:…"
              spellCheck={false}
            />
          )}
        </div>
        <fieldset className="choice">
          <legend>Formats</legend>
          {(['cosign', 'simplesigning', 'asc'] as const).map((f) => (
            <label key={f}>
              <input type="checkbox" checked={formats.includes(f)} onChange={() => toggle(f)} />{' '}
              {f === 'cosign'
                ? 'cosign'
                : f === 'simplesigning'
                  ? 'containers/image simple signing (OpenPGP)'
                  : '.asc for Huawei SWR (OpenPGP)'}
            </label>
          ))}
        </fieldset>
        <label className="switch">
          <input type="checkbox" checked={indexOnly} onChange={(e) => setIndexOnly(e.target.checked)} />{' '}
          <span>Sign only the index of a multi-platform image</span>
        </label>
        <div className="field">
          <label htmlFor="offline-description">Description (optional, signed in every payload)</label>
          <input
            id="offline-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={MAX_DESCRIPTION_CHARS}
          />
        </div>
        <div className="field">
          <label htmlFor="offline-metadata">Metadata (optional JSON object, signed in every payload)</label>
          <textarea
            id="offline-metadata"
            rows={2}
            value={metadata}
            onChange={(e) => setMetadata(e.target.value)}
            spellCheck={false}
            placeholder='{"ticket": "REL-42"}'
          />
        </div>
        <div className="actions">
          <button type="submit" className="button" disabled={busy || !signer || formats.length === 0 || !references.trim()}>
            {busy ? 'Resolving…' : 'Create request'}
          </button>
        </div>
      </form>
      {result && (
        <div className="panel" aria-label="Request created">
          <h2>Request ready</h2>
          <p>Read this SHA-256 aloud at the offline station before signing:</p>
          <Fingerprint value={result.sha256} label="Request SHA-256" />
          <pre className="code">{result.summary}</pre>
          <button
            type="button"
            className="button"
            onClick={() => downloadBase64(`signing-request-${result.sha256.slice(0, 8)}.json`, result.request)}
          >
            Save request file
          </button>
        </div>
      )}
    </div>
  );
}

function SignStep() {
  const can = useCan();
  const api = useApp((s) => s.api);
  const keys = useCall(api ? () => api.keys.list({}) : undefined, [api]);
  const [request, setRequest] = useKeptState<string | undefined>('offline.sign.request', undefined);
  const [shown, setShown] = useKeptState<RequestInspection | undefined>('offline.sign.shown', undefined);
  const [approved, setApproved] = useKeptState<Set<string>>('offline.sign.approved', () => new Set());
  const [keyId, setKeyId] = useKeptState('offline.sign.keyId', '');
  const [error, setError] = useState<string>();
  const [done, setDone] = useKeptState<{ bundle: string; sha256: string; signed: number; declined: number } | undefined>(
    'offline.sign.done',
    undefined,
  );
  const offlineMode = useApp((s) => s.settings?.offlineMode ?? false);
  const setOfflineMode = useApp((s) => s.setOfflineMode);
  const [allowOnline, setAllowOnline] = useState(false);
  const open = async (file: File | undefined) => {
    if (!api || !file) return;
    const bytes = await fileToBase64(file);
    const result = await api.offline.inspectRequest({ request: bytes });
    setDone(undefined);
    if (!result.ok) {
      setShown(undefined);
      return setError(result.message);
    }
    setError(undefined);
    setRequest(bytes);
    setShown(result.value);
    setApproved(new Set(result.value.items.map((i) => i.id)));
  };
  const sign = async () => {
    if (!api || !request || !keyId) return;
    const result = await api.offline.sign({
      request,
      key: keyId,
      approved: [...approved],
      ...(!offlineMode && allowOnline ? { allowOnline: true } : {}),
    });
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setDone(result.value);
  };
  const fits =
    keys.data?.filter((k) =>
      shown?.signer.kind === 'pgp-fingerprint' ? k.pgpFingerprint === shown.signer.value : k.spkiSha256 === shown?.signer.value,
    ) ?? [];
  return (
    <div className="panel" aria-label="Sign a request offline">
      <p className="hint">On the offline station. Nothing is rebuilt: each signature is over the bytes in the request.</p>
      {offlineMode ? (
        <p className="banner banner-ok" role="note" aria-label="Station state">
          Offline mode is on: Signet makes no network connection while this station signs.
        </p>
      ) : (
        <div className="banner banner-warn" role="note" aria-label="Station state">
          <p>
            Offline mode is off. A signing station should not reach the network while it holds the key: turn offline mode on, so that Signet
            makes no connection at all.{' '}
            {can('settings.set') && (
              <button type="button" className="button secondary small" onClick={() => void setOfflineMode(true)}>
                Turn offline mode on
              </button>
            )}
          </p>
          <label className="check small">
            <input type="checkbox" checked={allowOnline} onChange={(e) => setAllowOnline(e.target.checked)} /> Sign with offline mode off
            anyway (the bundle and the audit log record this override)
          </label>
        </div>
      )}
      <div className="field">
        <label htmlFor="request-file">Signing request file</label>
        <input id="request-file" type="file" accept=".json,application/json" onChange={(e) => void open(e.target.files?.[0])} />
      </div>
      <ErrorBanner message={error} />
      {shown && (
        <>
          <p>
            Request SHA-256 — compare with what was read out: <Fingerprint value={shown.sha256} label="Request SHA-256" />
          </p>
          <p className="muted">
            Made {new Date(shown.createdAt).toLocaleString()} by {shown.createdBy}. Must be signed by {shown.signer.kind}{' '}
            <code>{shown.signer.value}</code>.
          </p>
          <table className="table" aria-label="Request items">
            <thead>
              <tr>
                <th scope="col">Sign</th>
                <th scope="col">Image</th>
                <th scope="col">Digest</th>
                <th scope="col">Format</th>
                <th scope="col">Identity</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {shown.items.map((i) => (
                <tr key={i.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Sign item ${i.id}`}
                      checked={approved.has(i.id)}
                      onChange={() =>
                        setApproved((s) => {
                          const n = new Set(s);
                          if (n.has(i.id)) n.delete(i.id);
                          else n.add(i.id);
                          return n;
                        })
                      }
                    />
                  </td>
                  <td>
                    {i.reference}
                    {i.platform ? <span className="muted"> [{i.platform}]</span> : null}
                  </td>
                  <td className="mono small">{i.digest.slice(0, 23)}…</td>
                  <td>{i.format}</td>
                  <td className="mono small">{i.identity}</td>
                  <td>
                    <details>
                      <summary>show</summary>
                      <pre className="code">{i.payloadText}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="field">
            <label htmlFor="sign-key">Sign with</label>
            <select id="sign-key" value={keyId} onChange={(e) => setKeyId(e.target.value)}>
              <option value="">{fits.length ? 'Choose the key…' : 'No local key matches the one the request names'}</option>
              {fits.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            className="button"
            disabled={!keyId || approved.size === 0 || !can('offline.sign') || (!offlineMode && !allowOnline)}
            title={can('offline.sign') ? undefined : 'Not in reviewer mode'}
            onClick={() => void sign()}
          >
            Sign {approved.size} item(s)
          </button>
        </>
      )}
      {done && (
        <div className="banner banner-ok" role="status">
          Signed {done.signed} item(s), declined {done.declined}.{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => downloadBase64(`signature-bundle-${done.sha256.slice(0, 8)}.json`, done.bundle)}
          >
            Save bundle file
          </button>
        </div>
      )}
    </div>
  );
}

/** Attach outcomes in words (the CLI's --json keeps the codes). */
const ATTACH_RESULT_WORDS: Readonly<Record<string, string>> = {
  attached: 'attached',
  'already-present': 'already there',
  'not-attached': 'not attached',
};

function AttachStep() {
  const can = useCan();
  const api = useApp((s) => s.api);
  const [request, setRequest] = useKeptState<string | undefined>('offline.attach.request', undefined);
  const [bundle, setBundle] = useKeptState<string | undefined>('offline.attach.bundle', undefined);
  const [verdict, setVerdict] = useKeptState<BundleInspection | undefined>('offline.attach.verdict', undefined);
  const [error, setError] = useState<string>();
  const [outcomes, setOutcomes] = useKeptState<
    Array<{ itemId: string; reference: string; result: string; detail: string; format: string }> | undefined
  >('offline.attach.outcomes', undefined);
  const [attaching, setAttaching] = useState(false);
  const [lookaside, setLookaside] = useKeptState('offline.attach.lookaside', '');
  const [ascProfile, setAscProfile] = useKeptState('offline.attach.ascProfile', '');
  const profiles = useCall(api ? () => api.storage.list({}) : undefined, [api]);
  const attach = async () => {
    if (!api || !request || !bundle) return;
    setAttaching(true);
    const result = await api.offline.attach({
      request,
      bundle,
      ...(lookaside.trim() ? { lookaside: lookaside.trim() } : {}),
      ...(ascProfile ? { asc: { profile: ascProfile } } : {}),
    });
    setAttaching(false);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setOutcomes(result.value.outcomes);
  };
  const check = async () => {
    if (!api || !request || !bundle) return;
    const result = await api.offline.checkBundle({ request, bundle });
    if (!result.ok) {
      setVerdict(undefined);
      return setError(result.message);
    }
    setError(undefined);
    setVerdict(result.value);
  };
  return (
    <div className="panel" aria-label="Check a bundle">
      <p className="hint">
        Back on the connected machine: the bundle must answer this very request, be signed by the key it named, and every signature must
        verify over its payload bytes.
      </p>
      <div className="field">
        <label htmlFor="attach-request">Signing request file</label>
        <input
          id="attach-request"
          type="file"
          accept=".json"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void fileToBase64(f).then(setRequest);
          }}
        />
        {request && <span className="hint">A request is loaded (kept while you use other views); choose a file to replace it.</span>}
      </div>
      <div className="field">
        <label htmlFor="attach-bundle">Signature bundle file</label>
        <input
          id="attach-bundle"
          type="file"
          accept=".json"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void fileToBase64(f).then(setBundle);
          }}
        />
        {bundle && <span className="hint">A bundle is loaded; choose a file to replace it.</span>}
      </div>
      <button type="button" className="button" disabled={!request || !bundle} onClick={() => void check()}>
        Check bundle
      </button>
      <ErrorBanner message={error} />
      {verdict && (
        <>
          <div className="banner banner-ok" role="status">
            The bundle answers this request: {verdict.signatures.length} signature(s) by {verdict.signer.fingerprint.slice(0, 16)}… verify
            over their payloads{verdict.declined.length ? `; ${verdict.declined.length} item(s) were declined` : ''}.
          </div>
          {verdict.station && !verdict.station.offlineMode && (
            <p className="banner banner-warn" role="note">
              The station signed with offline mode off, by explicit override: ask how it was kept off the network before attaching.
            </p>
          )}
          <table className="table" aria-label="Checked signatures">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Image</th>
                <th scope="col">Digest</th>
                <th scope="col">Format</th>
              </tr>
            </thead>
            <tbody>
              {verdict.signatures.map((s) => (
                <tr key={s.itemId}>
                  <td>{s.itemId}</td>
                  <td>{s.reference}</td>
                  <td className="mono small">{s.digest}</td>
                  <td>{s.format}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            Attaching checks that the registry still holds each digest (and that tags did not move), then stores each cosign signature
            beside its image and reads it back,, each simple signature as the next signature-N in the lookaside directory, and each .asc
            file at <code>{'{namespace}/{repo}/{sha256}.asc'}</code> in the bucket. Attaching twice stores nothing twice.
          </p>
          <PathField
            id="attach-lookaside"
            purpose={{ call: 'offline.attach', field: 'lookaside' }}
            label="Lookaside directory for simple signatures (optional)"
            value={lookaside}
            onChange={setLookaside}
            choices={['directory']}
            placeholder="/srv/sigstore"
          />
          <div className="field">
            <label htmlFor="attach-asc">Bucket for .asc files (optional)</label>
            <select id="attach-asc" value={ascProfile} onChange={(e) => setAscProfile(e.target.value)}>
              <option value="">{profiles.data?.length ? 'none' : 'No storage profile: add one in Settings → Storage'}</option>
              {profiles.data?.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} ({p.kind})
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            className="button"
            disabled={attaching || !can('offline.attach')}
            title={can('offline.attach') ? undefined : 'Not in reviewer mode'}
            onClick={() => void attach()}
          >
            {attaching ? 'Attaching…' : 'Attach signatures'}
          </button>
          {outcomes && (
            <table className="table" aria-label="Attach results">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Image</th>
                  <th scope="col">Result</th>
                  <th scope="col">Where</th>
                </tr>
              </thead>
              <tbody>
                {outcomes.map((o) => (
                  <tr key={o.itemId}>
                    <td>{o.itemId}</td>
                    <td>{o.reference}</td>
                    <td>
                      <span className={`badge ${o.result === 'not-attached' ? 'badge-warn' : 'badge-ok'}`}>
                        {ATTACH_RESULT_WORDS[o.result] ?? o.result}
                      </span>
                    </td>
                    <td className="mono small">{o.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
