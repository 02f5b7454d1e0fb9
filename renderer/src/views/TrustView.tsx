import { useState } from 'react';
import type { TrustMigrationNote } from '../../../shared/contract/trust';
import type { AdmissionTarget, PolicyEvaluation, TrustEntrySummary } from '../../../shared/models/trust';
import type { RequestOf } from '../../../shared/api';
import { Empty, ErrorBanner } from '../components/Banner';
import { CopyButton, Fingerprint } from '../components/Copy';
import { CancelAndSubmit, Dialog } from '../components/Dialog';
import { downloadFile } from '../components/download';
import { PathField } from '../components/PathField';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useCan } from '../hooks/useCan';
import { CodePreview } from '../components/CodePreview';
import { KeyMaterialField, NO_KEY_MATERIAL, type KeyMaterial } from '../components/KeyMaterialField';

/** What kind of material a trust entry holds, in words. */
const TRUST_KIND_WORDS: Readonly<Record<TrustEntrySummary['kind'], string>> = {
  'public-key': 'Public key',
  openpgp: 'OpenPGP key',
  certificate: 'Certificate',
};

/**
 * The trust store and containers policies: who may sign what, and what podman would decide.
 * `sub`: a trust entry's id (a link from a signature's key details): its row is marked and scrolled to.
 */
export function TrustView({ sub }: { sub?: string | undefined } = {}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const navigate = useApp((s) => s.navigate);
  const confirm = useApp((s) => s.confirm);
  const trust = useCall(api ? () => api.trust.list({}) : undefined, [api]);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string>();
  const [show, setShow] = useState<'all' | 'signet' | 'other'>('all');
  const entries = trust.data?.entries.filter((e) => show === 'all' || (show === 'signet') === Boolean(e.signetKey));
  const ackMigration = async () => {
    if (!api) return;
    const result = await api.trust.ackMigration({});
    if (!result.ok) return setError(result.message);
    trust.reload();
  };
  const remove = async (id: string, name: string) => {
    if (!api || !window.confirm(`Stop trusting “${name}”?`)) return;
    const result = await api.trust.remove({ id });
    if (!result.ok) return setError(result.message);
    trust.reload();
  };
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Trust</h1>
        <div className="actions">
          <button type="button" className="button secondary" onClick={() => setExporting(true)}>
            Export for…
          </button>
          {can('trust.importPolicy') && (
            <button type="button" className="button secondary" onClick={() => setImporting(true)}>
              Import policy.json
            </button>
          )}
          {can('trust.add') && (
            <button type="button" className="button" onClick={() => setAdding(true)}>
              Trust a key
            </button>
          )}
        </div>
      </header>
      <ErrorBanner message={error ?? trust.error} />
      {trust.data?.migration && (
        <MigrationNote note={trust.data.migration} canDismiss={can('trust.ackMigration')} onDismiss={() => void ackMigration()} />
      )}
      {trust.data?.entries.length ? (
        <div className="field inline small">
          <label htmlFor="trust-show">Show</label>
          <select id="trust-show" value={show} onChange={(e) => setShow(e.target.value as typeof show)}>
            <option value="all">every entry ({trust.data.entries.length})</option>
            <option value="signet">Signet’s own keys ({trust.data.entries.filter((e) => e.signetKey).length})</option>
            <option value="other">other keys ({trust.data.entries.filter((e) => !e.signetKey).length})</option>
          </select>
        </div>
      ) : null}
      {trust.data?.entries.length === 0 ? (
        <Empty title="Nothing is trusted yet.">
          <p>
            Add the public keys, OpenPGP keys and certificates whose signatures you accept. Signatures by other keys show as “signed, but by
            no trusted key”.
          </p>
        </Empty>
      ) : (
        <table className="table" aria-label="Trusted keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Trusted for signatures</th>
              <th scope="col">Scopes</th>
              <th scope="col">Signet key</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries?.map((e) => (
              <tr
                key={e.id}
                aria-current={e.id === sub ? 'true' : undefined}
                className={e.id === sub ? 'selected' : undefined}
                ref={e.id === sub ? (row) => row?.scrollIntoView({ block: 'nearest' }) : undefined}
              >
                <td>
                  {e.name}
                  {e.userIds?.length ? <div className="muted small">{e.userIds.join(', ')}</div> : null}
                </td>
                <td>
                  {TRUST_KIND_WORDS[e.kind]}
                  {e.leaf ? ' (leaf)' : ''}
                  {e.algorithm ? <div className="muted small">{e.algorithm}</div> : null}
                </td>
                <td>
                  <Fingerprint value={e.fingerprint} label={`Fingerprint of ${e.name}`} />
                </td>
                <td>
                  {e.notBefore || e.notAfter ? (
                    `${e.notBefore ? `from ${new Date(e.notBefore).toLocaleDateString()} ` : ''}${e.notAfter ? `before ${new Date(e.notAfter).toLocaleDateString()}` : ''}`
                  ) : (
                    <span className="muted">always</span>
                  )}
                </td>
                <td className="small">
                  {e.scopes?.join(', ') ?? <span className="muted">every registry</span>}
                  {e.stores?.length ? <div className="muted small">Notation stores: {e.stores.join(', ')}</div> : null}
                </td>
                <td>
                  {e.signetKey ? (
                    <a
                      href={`#/keys/${e.signetKey.id}`}
                      onClick={(ev) => {
                        ev.preventDefault();
                        navigate({ area: 'keys', sub: e.signetKey!.id });
                      }}
                      title="The public key of this Signet signing key"
                    >
                      {e.signetKey.name}
                    </a>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {can('trust.remove') && (
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => void remove(e.id, e.name)}
                      aria-label={`Stop trusting ${e.name}`}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 className="column-title section-title">Policies</h2>
      {trust.data?.policies.length === 0 && (
        <p className="muted">No policy imported. Import the policy.json your hosts run, then evaluate images against it below.</p>
      )}
      {trust.data?.policies.length ? (
        <table className="table" aria-label="Imported policies">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Sections</th>
              <th scope="col">Key files it reads</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {trust.data.policies.map((p) => (
              <tr key={p.id}>
                <td>
                  {p.name}
                  <div className="muted small">imported {new Date(p.importedAt).toLocaleString()}</div>
                </td>
                <td className="small">
                  {p.sections.map((s) => (
                    <div key={s}>{s}</div>
                  ))}
                </td>
                <td className="mono small">{p.keyFiles.join(', ') || '—'}</td>
                <td>
                  {can('trust.remove') && (
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => void remove(p.id, p.name)}
                      aria-label={`Remove policy ${p.name}`}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <EvaluatePanel policies={trust.data?.policies ?? []} />
      <AddTrustDialog
        open={adding}
        onClose={() => setAdding(false)}
        onDone={() => {
          setAdding(false);
          trust.reload();
          confirm('Added to the trust store.');
        }}
      />
      <ImportPolicyDialog
        open={importing}
        onClose={() => setImporting(false)}
        onDone={() => {
          setImporting(false);
          trust.reload();
          confirm('Imported the policy.');
        }}
      />
      {exporting && <ExportForDialog onClose={() => setExporting(false)} />}
    </section>
  );
}

/** The optional limits of a trust entry, as typed: dates (yyyy-mm-dd) and a scope list. */
export interface TrustLimits {
  notBefore: string;
  notAfter: string;
  scopes: string;
}
export const NO_LIMITS: TrustLimits = { notBefore: '', notAfter: '', scopes: '' };

/** The limits as trust.add / trust.addKey take them. */
export function trustLimitsInput(limits: TrustLimits): { notBefore?: string; notAfter?: string; scopes?: string[] } {
  const list = limits.scopes.split(/[\s,]+/).filter(Boolean);
  return {
    ...(limits.notBefore ? { notBefore: new Date(`${limits.notBefore}T00:00:00Z`).toISOString() } : {}),
    ...(limits.notAfter ? { notAfter: new Date(`${limits.notAfter}T00:00:00Z`).toISOString() } : {}),
    ...(list.length ? { scopes: list } : {}),
  };
}

/** The window and scope fields of the "Trust a key" form, shared with "Trust this key…" (TrustKeyAction). */
export function TrustLimitFields({
  idPrefix,
  value,
  onChange,
}: {
  idPrefix: string;
  value: TrustLimits;
  onChange(next: TrustLimits): void;
}) {
  return (
    <>
      <div className="field inline">
        <label htmlFor={`${idPrefix}-not-before`}>Trusted for signatures from</label>
        <input
          id={`${idPrefix}-not-before`}
          type="date"
          value={value.notBefore}
          onChange={(e) => onChange({ ...value, notBefore: e.target.value })}
        />
        <label htmlFor={`${idPrefix}-not-after`}>before</label>
        <input
          id={`${idPrefix}-not-after`}
          type="date"
          value={value.notAfter}
          onChange={(e) => onChange({ ...value, notAfter: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-scopes`}>
          Scopes for the exported policy (optional: registry[/namespace[/repository]], comma-separated)
        </label>
        <input
          id={`${idPrefix}-scopes`}
          value={value.scopes}
          onChange={(e) => onChange({ ...value, scopes: e.target.value })}
          spellCheck={false}
        />
      </div>
      <p className="hint">
        Trust is judged now: a window that has ended trusts nothing, since a signature’s time is only what its signer claims. Scopes limit
        the repositories the key vouches for, here and in the exported policy.
      </p>
    </>
  );
}

function AddTrustDialog({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState('');
  const [material, setMaterial] = useState<KeyMaterial>(NO_KEY_MATERIAL);
  const data = material.text;
  const [limits, setLimits] = useState<TrustLimits>(NO_LIMITS);
  const [leaf, setLeaf] = useState(false);
  const [stores, setStores] = useState('');
  const storeList = stores.split(/[\s,]+/).filter(Boolean);
  const badStore = storeList.find((s) => !/^(ca|signingAuthority|tsa):[a-zA-Z0-9_.-]{1,100}$/.test(s));
  const [error, setError] = useState<string>();
  const submit = async () => {
    if (!api) return;
    if (badStore) return setError(`${badStore} is not a Notation store: write ca:NAME, signingAuthority:NAME or tsa:NAME.`);
    const result = await api.trust.add({
      name: name.trim(),
      data,
      ...(material.encoding === 'base64' ? { encoding: material.encoding } : {}),
      ...(leaf ? { leaf: true } : {}),
      ...(storeList.length ? { stores: storeList } : {}),
      ...trustLimitsInput(limits),
    });
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setName('');
    setMaterial(NO_KEY_MATERIAL);
    setLimits(NO_LIMITS);
    setLeaf(false);
    setStores('');
    onDone();
  };
  return (
    <Dialog
      title="Trust a key"
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="trust-add" disabled={!name.trim() || !data.trim()}>
          Trust
        </CancelAndSubmit>
      }
    >
      <form
        id="trust-add"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="trust-name">Name</label>
          <input id="trust-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="Release team 2026" />
        </div>
        <KeyMaterialField
          fileId="trust-file"
          textId="trust-data"
          fileLabel="Key or certificate file"
          value={material}
          onChange={setMaterial}
          binaryNote="gpg --export, DER; it is read as it is"
          placeholder="-----BEGIN PUBLIC KEY----- / -----BEGIN PGP PUBLIC KEY BLOCK----- / -----BEGIN CERTIFICATE-----"
        />
        {data.includes('BEGIN CERTIFICATE') && (
          <label className="check">
            <input type="checkbox" checked={leaf} onChange={(e) => setLeaf(e.target.checked)} /> Trust only this certificate’s key (a leaf
            certificate, not a CA): signatures by any other certificate from its issuer are not trusted
          </label>
        )}
        {data.includes('BEGIN CERTIFICATE') && (
          <div className="field">
            <label htmlFor="trust-stores">
              Notation trust stores (optional: ca:NAME, signingAuthority:NAME or tsa:NAME, comma-separated; a Notation trust policy names
              them)
            </label>
            <input
              id="trust-stores"
              value={stores}
              onChange={(e) => setStores(e.target.value)}
              spellCheck={false}
              placeholder="ca:release"
            />
          </div>
        )}
        <TrustLimitFields idPrefix="trust" value={limits} onChange={setLimits} />
      </form>
    </Dialog>
  );
}

/** What the one-time move from implicit to explicit trust did, until someone who may change trust dismisses it. */
function MigrationNote({ note, canDismiss, onDismiss }: { note: TrustMigrationNote; canDismiss: boolean; onDismiss(): void }) {
  return (
    <div className="banner banner-warn" role="note" aria-label="Trust migration">
      <p>
        <strong>{note.message}</strong>
      </p>
      {note.entries.length > 0 && (
        <ul className="small">
          {note.entries.map((e) => (
            <li key={e.entryId}>
              “{e.entryName}” — Signet key “{e.keyName}”
            </li>
          ))}
        </ul>
      )}
      {note.pending.length > 0 && (
        <p className="small">
          Not yet trusted, their public key could not be read: {note.pending.map((p) => `“${p.keyName}”`).join(', ')}. They become entries
          when the vault is unlocked.
        </p>
      )}
      {note.skipped.length > 0 && (
        <ul className="small">
          {note.skipped.map((k) => (
            <li key={k.keyId}>
              Not trusted any more: “{k.keyName}” — {k.reason}
            </li>
          ))}
        </ul>
      )}
      {canDismiss && (
        <div className="actions">
          <button type="button" className="button secondary small" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}

function ImportPolicyDialog({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState('policy.json');
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const submit = async () => {
    if (!api) return;
    const result = await api.trust.importPolicy({ name: name.trim(), policy: text });
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setText('');
    onDone();
  };
  return (
    <Dialog
      title="Import policy.json"
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="policy-import" disabled={!name.trim() || !text.trim()}>
          Import
        </CancelAndSubmit>
      }
    >
      <form
        id="policy-import"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="policy-name">Name</label>
          <input id="policy-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="policy-file">File</label>
          <input
            id="policy-file"
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) {
                setName(f.name);
                void f.text().then(setText);
              }
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="policy-text">…or paste it</label>
          <textarea
            id="policy-text"
            rows={8}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            placeholder='{"default":[{"type":"reject"}], "transports": {…}}'
          />
        </div>
        <p className="hint">
          A containers policy.json is read strictly, as podman reads it: one unknown field rejects the whole file. A Notation
          trustpolicy.json (version 1.0, trustPolicies) is checked as notation checks it, and applies to Notation signatures; one is kept at
          a time.
        </p>
      </form>
    </Dialog>
  );
}

function ExportPolicyBody() {
  const api = useApp((s) => s.api);
  const [embed, setEmbed] = useState(true);
  const [fallback, setFallback] = useState<'reject' | 'insecureAcceptAnything'>('reject');
  const [lookaside, setLookaside] = useState('');
  const exported = useCall(
    api ? () => api.trust.exportPolicy({ embed, fallback, ...(lookaside.trim() ? { lookaside: lookaside.trim() } : {}) }) : undefined,
    [api, embed, fallback, lookaside],
  );
  return (
    <>
      <ErrorBanner message={exported.error} />
      <div className="field inline">
        <label className="check">
          <input type="checkbox" checked={embed} onChange={(e) => setEmbed(e.target.checked)} /> Embed the keys (keyData) instead of key
          files
        </label>
        <label htmlFor="export-fallback">Images outside every scope:</label>
        <select id="export-fallback" value={fallback} onChange={(e) => setFallback(e.target.value as typeof fallback)}>
          <option value="reject">reject</option>
          <option value="insecureAcceptAnything">accept (insecure)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="export-lookaside">Lookaside URL for registries.d (optional)</label>
        <input
          id="export-lookaside"
          value={lookaside}
          onChange={(e) => setLookaside(e.target.value)}
          spellCheck={false}
          placeholder="https://signatures.example.com/lookaside"
        />
      </div>
      {exported.data?.warnings.map((w) => (
        <div key={w} className="banner banner-warn" role="note">
          {w}
        </div>
      ))}
      {exported.data && (
        <>
          <h3>policy.json</h3>
          <CodePreview text={exported.data.policy} label="Exported policy" />
          <div className="actions">
            <CopyButton text={exported.data.policy} label="Copy policy" />
            <button type="button" className="button secondary" onClick={() => downloadFile('policy.json', { text: exported.data!.policy })}>
              Save policy.json
            </button>
          </div>
          <h3>registries.d</h3>
          <CodePreview text={exported.data.registriesD} label="registries.d snippet" />
          {exported.data.keyFiles.map((k) => (
            <div key={k.path} className="actions">
              <span className="mono small">{k.path}</span>
              <button
                type="button"
                className="button secondary small"
                onClick={() => downloadFile(k.path.split('/').pop() ?? 'key', { text: k.content })}
              >
                Save key file
              </button>
            </div>
          ))}
        </>
      )}
    </>
  );
}

function EvaluatePanel({ policies }: { policies: ReadonlyArray<{ id: string; name: string }> }) {
  const api = useApp((s) => s.api);
  const registries = useCall(api ? () => api.registry.list({}) : undefined, [api]);
  const [policyId, setPolicyId] = useState('');
  const [registryId, setRegistryId] = useState('');
  const [repository, setRepository] = useState('');
  const [reference, setReference] = useState('latest');
  const [lookaside, setLookaside] = useState('');
  const { result, error, busy, run } = useEvaluation();
  const evaluate = () =>
    run({
      policyId,
      id: registryId,
      repository: repository.trim(),
      reference: reference.trim(),
      ...(lookaside.trim() ? { lookaside: lookaside.trim() } : {}),
    });
  return (
    <section className="panel evaluate" aria-label="Evaluate a policy">
      <h2 className="column-title">Would podman admit it?</h2>
      <form
        className="field inline"
        onSubmit={(e) => {
          e.preventDefault();
          void evaluate();
        }}
      >
        <select aria-label="Policy" value={policyId} onChange={(e) => setPolicyId(e.target.value)}>
          <option value="">{policies.length ? 'Policy…' : 'Import a policy first'}</option>
          {policies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <select aria-label="Registry" value={registryId} onChange={(e) => setRegistryId(e.target.value)}>
          <option value="">Registry…</option>
          {registries.data
            ?.filter((r) => r.kind === 'distribution')
            .map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
        </select>
        <input
          aria-label="Repository"
          value={repository}
          onChange={(e) => setRepository(e.target.value)}
          placeholder="team/app"
          spellCheck={false}
        />
        <input aria-label="Tag or digest" value={reference} onChange={(e) => setReference(e.target.value)} spellCheck={false} />
        <PathField
          compact
          id="evaluate-lookaside"
          purpose={{ call: 'trust.evaluate', field: 'lookaside' }}
          label="Lookaside (optional)"
          value={lookaside}
          onChange={setLookaside}
          choices={['directory']}
          urls
          placeholder="lookaside dir or URL (optional)"
        />
        <button type="submit" className="button" disabled={busy || !policyId || !registryId || !repository.trim() || !reference.trim()}>
          {busy ? 'Evaluating…' : 'Evaluate'}
        </button>
      </form>
      <ErrorBanner message={error} />
      {result && <Decision result={result} />}
    </section>
  );
}

/** One trust.evaluate call at a time: its decision, or the sentence why it could not be made. */
function useEvaluation() {
  const api = useApp((s) => s.api);
  const [result, setResult] = useState<PolicyEvaluation>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (input: RequestOf<'trust.evaluate'>) => {
    if (!api) return;
    setBusy(true);
    const r = await api.trust.evaluate(input);
    setBusy(false);
    setResult(r.ok ? r.value : undefined);
    setError(r.ok ? undefined : r.message);
  };
  return { result, error, busy, run };
}

/** Files to preview, copy and save, each under its path. */
function FilePreviews({ files }: { files: ReadonlyArray<{ path: string; content: string }> }) {
  return (
    <>
      {files.map((f) => {
        const name = f.path.split('/').pop() ?? 'file';
        return (
          <section key={f.path} aria-label={f.path}>
            <h3 className="mono small">{f.path}</h3>
            <CodePreview text={f.content} label={`Preview of ${f.path}`} />
            <div className="actions">
              <CopyButton text={f.content} label={`Copy ${name}`} />
              <button type="button" className="button secondary" onClick={() => downloadFile(name, { text: f.content })}>
                Save {name}
              </button>
            </div>
          </section>
        );
      })}
    </>
  );
}

/** A policy's decision for one image: admitted or not, and each requirement, rule or authority that decided. */
function Decision({ result }: { result: PolicyEvaluation }) {
  return (
    <div role="status" aria-label="Policy decision">
      <p>
        <span className={`badge ${result.allowed ? 'badge-ok' : 'badge-bad'}`}>{result.allowed ? 'Admitted' : 'Rejected'}</span>{' '}
        <span className="mono small">
          {result.transport}:{result.identity}
        </span>{' '}
        — {result.section.scope ? `“${result.section.scope}”` : result.section.kind}
      </p>
      <ul className="steps">
        {result.requirements.map((r) => (
          <li key={r.index}>
            <span className={`badge ${r.outcome === 'admitted' ? 'badge-ok' : r.outcome === 'rejected' ? 'badge-bad' : ''}`}>
              {r.outcome}
            </span>{' '}
            <strong>{r.type}</strong> <span className="small">{r.summary}</span>: {r.reason}
            {r.signatures.length ? (
              <ul>
                {r.signatures.map((s, i) => (
                  <li key={`${s.source}-${i}`} className="small">
                    {s.outcome}: {s.source} — {s.reason}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      <p>{result.reason}</p>
    </div>
  );
}

type ExportTarget = 'containers' | 'notation' | AdmissionTarget;

const TARGETS: ReadonlyArray<{ id: ExportTarget; label: string }> = [
  { id: 'containers', label: 'podman / CRI-O / skopeo (policy.json)' },
  { id: 'kyverno', label: 'Kyverno (ClusterPolicy)' },
  { id: 'kyverno-ivp', label: 'Kyverno (ImageValidatingPolicy, CEL)' },
  { id: 'policy-controller', label: 'sigstore policy-controller (ClusterImagePolicy)' },
  { id: 'notation', label: 'Notation (trustpolicy.json and trust stores)' },
  { id: 'kbs', label: 'Confidential Containers (KBS tree)' },
  { id: 'cce', label: 'Huawei CCE image signature add-on (form values)' },
];

/** The trust store as an admission controller's policy: pick the controller, read the preview, copy or save it, try it on an image. */
function ExportForDialog({ onClose }: { onClose(): void }) {
  const [target, setTarget] = useState<ExportTarget>('containers');
  return (
    <Dialog
      title="Export for an admission controller"
      open
      onClose={onClose}
      wide
      footer={
        <button type="button" className="button secondary" onClick={onClose}>
          Close
        </button>
      }
    >
      <div className="field inline">
        <label htmlFor="export-target">Controller</label>
        <select id="export-target" value={target} onChange={(e) => setTarget(e.target.value as typeof target)}>
          {TARGETS.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      {target === 'containers' ? (
        <ExportPolicyBody />
      ) : target === 'notation' ? (
        <ExportNotationBody />
      ) : (
        <ExportAdmissionBody target={target} />
      )}
    </Dialog>
  );
}

function ExportAdmissionBody({ target }: { target: AdmissionTarget }) {
  const api = useApp((s) => s.api);
  const [audit, setAudit] = useState(false);
  const exported = useCall(
    api ? () => api.trust.exportAdmission({ for: target, ...(audit ? { failureAction: 'Audit' as const } : {}) }) : undefined,
    [api, target, audit],
  );
  const kubernetes = target === 'kyverno' || target === 'kyverno-ivp' || target === 'policy-controller';
  return (
    <>
      <ErrorBanner message={exported.error} />
      {kubernetes && (
        <label className="check">
          <input type="checkbox" checked={audit} onChange={(e) => setAudit(e.target.checked)} /> Only report violations (Audit / warn)
          instead of denying
        </label>
      )}
      {exported.data?.warnings.map((w) => (
        <div key={w} className="banner banner-warn" role="note">
          {w}
        </div>
      ))}
      {exported.data && !exported.data.files.length && <p className="muted">The trust store has no key this controller can use.</p>}
      {exported.data && <FilePreviews files={exported.data.files} />}
      {exported.data?.notes.length ? (
        <>
          <h3>How to apply it</h3>
          <ol className="small">
            {exported.data.notes.map((n) => (
              <li key={n} className="mono wrap">
                {n}
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {kubernetes && exported.data?.files[0] && <DryRun policy={exported.data.files[0].content} />}
    </>
  );
}

/** The imported Notation trust policy and the named stores, laid out as notation reads them. */
function ExportNotationBody() {
  const api = useApp((s) => s.api);
  const exported = useCall(api ? () => api.trust.exportNotation({}) : undefined, [api]);
  const files = exported.data
    ? [...(exported.data.trustPolicy ? [{ path: 'trustpolicy.json', content: exported.data.trustPolicy }] : []), ...exported.data.files]
    : [];
  return (
    <>
      <ErrorBanner message={exported.error} />
      {exported.data?.warnings.map((w) => (
        <div key={w} className="banner banner-warn" role="note">
          {w}
        </div>
      ))}
      {exported.data && !files.length && (
        <p className="muted">
          Import a Notation trust policy (Import policy) and add certificates to named stores (Trust a key → stores) first.
        </p>
      )}
      <FilePreviews files={files} />
      {files.length ? (
        <p className="hint">
          Place these under notation’s configuration directory (~/.config/notation), or run{' '}
          <code>signet policy export-notation --out ~/.config/notation</code>.
        </p>
      ) : null}
    </>
  );
}

/** Evaluates the previewed Kubernetes policy against one image of a saved registry, with the controller's matching. */
function DryRun({ policy }: { policy: string }) {
  const api = useApp((s) => s.api);
  const registries = useCall(api ? () => api.registry.list({}) : undefined, [api]);
  const [registryId, setRegistryId] = useState('');
  const [repository, setRepository] = useState('');
  const [reference, setReference] = useState('latest');
  const evaluation = useEvaluation();
  const { result, error, busy } = evaluation;
  const run = () => evaluation.run({ policy, id: registryId, repository: repository.trim(), reference: reference.trim() });
  return (
    <section className="panel" aria-label="Dry run">
      <h3>Dry run: would it admit this image?</h3>
      <form
        className="field inline"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <select aria-label="Dry-run registry" value={registryId} onChange={(e) => setRegistryId(e.target.value)}>
          <option value="">Registry…</option>
          {registries.data
            ?.filter((r) => r.kind === 'distribution')
            .map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
        </select>
        <input
          aria-label="Dry-run repository"
          value={repository}
          onChange={(e) => setRepository(e.target.value)}
          placeholder="team/app"
          spellCheck={false}
        />
        <input aria-label="Dry-run tag or digest" value={reference} onChange={(e) => setReference(e.target.value)} spellCheck={false} />
        <button type="submit" className="button" disabled={busy || !registryId || !repository.trim() || !reference.trim()}>
          {busy ? 'Evaluating…' : 'Try it'}
        </button>
      </form>
      <ErrorBanner message={error} />
      {result && <Decision result={result} />}
    </section>
  );
}
