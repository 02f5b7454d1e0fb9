import { useState } from 'react';
import type { KeyInfo } from '../../../shared/models/keys';
import type { KmsConnection, KmsCredentialSource, KmsKey, KmsProviderId, KmsProviderInfo, KmsTestResult } from '../../../shared/models/kms';
import { ErrorBanner } from '../components/Banner';
import { Fingerprint } from '../components/Copy';
import { CancelAndSubmit, Dialog } from '../components/Dialog';
import { PathField } from '../components/PathField';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useCan } from '../hooks/useCan';

const SOURCE_LABELS: Record<KmsCredentialSource, string> = {
  default: 'The vendor’s default chain (environment, CLI login, config files)',
  profile: 'A named profile in the vendor’s config file',
  file: 'A credentials file',
  keychain: 'Enter them here (kept in the OS keychain)',
};

/** Saved KMS connections under the key list: browse their keys, test-sign, add one as a signing key. */
export function KmsConnections({
  connectOpen,
  onConnectClose,
  onKeyAdded,
}: {
  connectOpen: boolean;
  onConnectClose(): void;
  onKeyAdded(k: KeyInfo): void;
}) {
  const can = useCan();
  const api = useApp((s) => s.api);
  const connections = useCall(api ? () => api.kms.list({}) : undefined, [api]);
  const [browsing, setBrowsing] = useState<KmsConnection>();
  const [error, setError] = useState<string>();
  const remove = async (c: KmsConnection) => {
    if (!api) return;
    const result = await api.kms.remove({ name: c.name });
    if (!result.ok) return setError(result.message);
    connections.reload();
  };
  return (
    <section className="kms-connections" aria-labelledby="kms-title">
      <h2 id="kms-title" className="column-title">
        KMS connections
      </h2>
      <ErrorBanner message={error ?? connections.error} />
      {connections.data?.length === 0 ? (
        <p className="muted">
          No KMS connected. Keys held in AWS KMS, Google Cloud KMS, Azure Key Vault, Vault transit, Tencent, Oracle or Huawei sign without
          leaving the cloud: use “Connect a KMS”.
        </p>
      ) : (
        <table className="table" aria-label="KMS connections">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Region or endpoint</th>
              <th scope="col">Credentials</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {connections.data?.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{c.provider}</td>
                <td className="mono small">{c.region ?? c.endpoint ?? '—'}</td>
                <td>
                  {c.credential.source}
                  {c.credential.profile ? ` (${c.credential.profile})` : ''}
                  {c.credential.identity ? <span className="muted"> {c.credential.identity}</span> : null}
                </td>
                <td className="actions">
                  <button type="button" className="button secondary small" onClick={() => setBrowsing(c)}>
                    Browse keys
                  </button>
                  {can('kms.remove') && (
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => void remove(c)}
                      aria-label={`Remove connection ${c.name}`}
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
      <ConnectDialog
        open={connectOpen}
        onClose={onConnectClose}
        onDone={(c) => {
          onConnectClose();
          connections.reload();
          setBrowsing(c);
        }}
      />
      {browsing && (
        <KmsKeysDialog
          connection={browsing}
          onClose={() => setBrowsing(undefined)}
          onKeyAdded={(k) => {
            setBrowsing(undefined);
            onKeyAdded(k);
          }}
        />
      )}
    </section>
  );
}

function ConnectDialog({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(c: KmsConnection): void }) {
  const api = useApp((s) => s.api);
  const providers = useCall(api && open ? () => api.kms.providers({}) : undefined, [api, open]);
  const [providerId, setProviderId] = useState<KmsProviderId>('awskms');
  const [name, setName] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [source, setSource] = useState<KmsCredentialSource>('default');
  const [profile, setProfile] = useState('');
  const [file, setFile] = useState('');
  const [secret, setSecret] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const provider: KmsProviderInfo | undefined = providers.data?.find((p) => p.id === providerId);
  const sources = provider?.credentialSources ?? [];
  const chosenSource = sources.includes(source) ? source : (sources[0] ?? 'default');
  const field = (k: 'region' | 'endpoint' | 'scope' | 'authorityHost') => (fields[k]?.trim() ? { [k]: fields[k]!.trim() } : {});
  const submit = async () => {
    if (!api || !provider) return;
    setBusy(true);
    const filled = Object.fromEntries(Object.entries(secret).filter(([, v]) => v));
    const result = await api.kms.add({
      name: name.trim(),
      provider: provider.id,
      ...field('region'),
      ...field('endpoint'),
      ...field('scope'),
      ...field('authorityHost'),
      credential: {
        source: chosenSource,
        ...(chosenSource === 'profile' ? { profile: profile.trim() } : {}),
        ...(chosenSource === 'file' ? { path: file.trim() } : {}),
        ...(chosenSource === 'keychain' ? { secret: filled } : {}),
      },
    });
    setBusy(false);
    setSecret({});
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setName('');
    onDone(result.value);
  };
  return (
    <Dialog
      title="Connect a KMS"
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="connect-kms" disabled={busy || !name.trim() || !provider}>
          {busy ? 'Saving…' : 'Save connection'}
        </CancelAndSubmit>
      }
    >
      <form
        id="connect-kms"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error ?? providers.error} />
        <div className="field">
          <label htmlFor="kms-provider">Provider</label>
          <select
            id="kms-provider"
            value={providerId}
            onChange={(e) => {
              setProviderId(e.target.value as KmsProviderId);
              setSecret({});
            }}
          >
            {providers.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          {provider && (
            <span className="hint">
              Key references look like <code>{provider.uriForm}</code>. Signet talks to it with {provider.library}.
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="kms-name">Connection name</label>
          <input id="kms-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="prod-signing" autoFocus />
        </div>
        {provider &&
          (['region', 'endpoint', 'scope', 'authorityHost'] as const).map((k) =>
            provider.fields[k] ? (
              <div className="field" key={k}>
                <label htmlFor={`kms-${k}`}>{provider.fields[k]}</label>
                <input
                  id={`kms-${k}`}
                  value={fields[k] ?? ''}
                  onChange={(e) => setFields({ ...fields, [k]: e.target.value })}
                  spellCheck={false}
                />
              </div>
            ) : null,
          )}
        <div className="field">
          <label htmlFor="kms-source">Credentials</label>
          <select id="kms-source" value={chosenSource} onChange={(e) => setSource(e.target.value as KmsCredentialSource)}>
            {sources.map((s) => (
              <option key={s} value={s}>
                {SOURCE_LABELS[s]}
              </option>
            ))}
          </select>
          {chosenSource === 'default' && provider && <span className="hint">Reads {provider.defaultCredentials}.</span>}
        </div>
        {chosenSource === 'profile' && (
          <div className="field">
            <label htmlFor="kms-profile">Profile</label>
            <input id="kms-profile" value={profile} onChange={(e) => setProfile(e.target.value)} />
          </div>
        )}
        {chosenSource === 'file' && (
          <PathField
            id="kms-file"
            purpose={{ call: 'kms.add', field: 'credential.path' }}
            label="Credentials file (path on this machine)"
            value={file}
            onChange={setFile}
            choices={['file']}
          />
        )}
        {chosenSource === 'keychain' &&
          provider?.secretFields.map((f) => (
            <div className="field" key={f}>
              <label htmlFor={`kms-secret-${f}`}>{f}</label>
              {/privateKey|pem/i.test(f) ? (
                <textarea
                  id={`kms-secret-${f}`}
                  rows={4}
                  value={secret[f] ?? ''}
                  onChange={(e) => setSecret({ ...secret, [f]: e.target.value })}
                  spellCheck={false}
                  autoComplete="off"
                />
              ) : (
                <input
                  id={`kms-secret-${f}`}
                  type={/id$|Id$|user|tenant|region|fingerprint/i.test(f) ? 'text' : 'password'}
                  value={secret[f] ?? ''}
                  onChange={(e) => setSecret({ ...secret, [f]: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </div>
          ))}
        <p className="hint">
          Secrets go to the OS keychain and never come back to this window. Keys stay in the KMS; Signet asks it to sign digests and checks
          each signature locally.
        </p>
      </form>
    </Dialog>
  );
}

function KmsKeysDialog({ connection, onClose, onKeyAdded }: { connection: KmsConnection; onClose(): void; onKeyAdded(k: KeyInfo): void }) {
  const can = useCan();
  const api = useApp((s) => s.api);
  const keys = useCall(api ? () => api.kms.keys({ connection: connection.name }) : undefined, [api, connection.name]);
  const [tested, setTested] = useState<Record<string, KmsTestResult | string>>({});
  const [adding, setAdding] = useState<KmsKey>();
  const test = async (k: KmsKey) => {
    if (!api) return;
    setTested((t) => ({ ...t, [k.uri]: 'Signing a test digest…' }));
    const result = await api.kms.test({ key: k.uri, connection: connection.name });
    setTested((t) => ({ ...t, [k.uri]: result.ok ? result.value : result.message }));
  };
  return (
    <Dialog
      title={`Keys in ${connection.name}`}
      open
      onClose={onClose}
      footer={
        <button type="button" className="button secondary" onClick={onClose}>
          Close
        </button>
      }
    >
      <ErrorBanner message={keys.error} />
      {keys.loading && (
        <p className="muted" role="status">
          Listing keys…
        </p>
      )}
      {keys.data?.keys.length === 0 && <p className="muted">This connection sees no keys.</p>}
      <ul className="kms-keys" aria-label="KMS keys">
        {keys.data?.keys.map((k) => {
          const t = tested[k.uri];
          return (
            <li key={k.uri} className="panel">
              <div className="mono small wrap">{k.uri}</div>
              <div>
                {k.label ? <strong>{k.label} </strong> : null}
                {k.keySpec ?? ''}{' '}
                <span className={`badge ${k.canSign && k.state === 'enabled' ? 'badge-ok' : 'badge-warn'}`}>
                  {k.canSign ? k.state : `cannot sign (${k.usage ?? 'not a signing key'})`}
                </span>
              </div>
              {k.canSign && (
                <div className="small">
                  Algorithms: {k.algorithms.join(', ') || 'none Signet can verify'} · versions:{' '}
                  {k.versions
                    .map(
                      (v) =>
                        `${v.version.length > 20 ? `…${v.version.slice(-10)}` : v.version}${v.current ? ' (current)' : ''}${v.state === 'enabled' ? '' : ` ${v.state}`}`,
                    )
                    .join(', ') || '—'}
                </div>
              )}
              {k.canSign && (
                <div className="actions">
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() => void test(k)}
                    aria-label={`Test-sign with ${k.name}`}
                  >
                    Test sign
                  </button>
                  {can('keys.addKms') && (
                    <button
                      type="button"
                      className="button small"
                      onClick={() => setAdding(k)}
                      aria-label={`Add ${k.name} as a signing key`}
                    >
                      Add as signing key
                    </button>
                  )}
                </div>
              )}
              {typeof t === 'string' && (
                <p className={t.endsWith('…') ? 'muted' : 'reason'} role="status">
                  {t}
                </p>
              )}
              {t && typeof t !== 'string' && (
                <p className="banner banner-ok" role="status">
                  Signed and verified locally: {t.algorithm}, {t.padding}, key version {t.keyVersion}, {t.signatureBytes} bytes in{' '}
                  {t.milliseconds} ms. Public key <Fingerprint value={t.publicKeyFingerprint} label="SPKI SHA-256" />
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {adding && <AddKmsKeyDialog kmsKey={adding} connection={connection.name} onClose={() => setAdding(undefined)} onDone={onKeyAdded} />}
    </Dialog>
  );
}

function AddKmsKeyDialog({
  kmsKey,
  connection,
  onClose,
  onDone,
}: {
  kmsKey: KmsKey;
  connection: string;
  onClose(): void;
  onDone(k: KeyInfo): void;
}) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState(kmsKey.label ?? kmsKey.name);
  const [algorithm, setAlgorithm] = useState(kmsKey.algorithms[0] ?? '');
  const [trust, setTrust] = useState(true);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!api) return;
    setBusy(true);
    const chosen = kmsKey.algorithms.find((a) => a === algorithm);
    const result = await api.keys.addKms({
      name: name.trim(),
      uri: kmsKey.uri,
      connection,
      ...(chosen ? { algorithm: chosen } : {}),
      trust,
    });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    onDone(result.value);
  };
  return (
    <Dialog
      title="Add a KMS key as a signing key"
      open
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="add-kms-key" disabled={busy || !name.trim()}>
          {busy ? 'Reading the public key…' : 'Add key'}
        </CancelAndSubmit>
      }
    >
      <form
        id="add-kms-key"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <p className="mono small wrap">{kmsKey.uri}</p>
        <div className="field">
          <label htmlFor="kms-key-name">Name in Signet</label>
          <input id="kms-key-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="kms-key-algorithm">Signing algorithm</label>
          <select id="kms-key-algorithm" value={algorithm} onChange={(e) => setAlgorithm(e.target.value)}>
            {kmsKey.algorithms.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={trust} onChange={(e) => setTrust(e.target.checked)} /> Trust this key for verification
          </label>
        </div>
        <p className="hint">
          Signet reads the public key from the KMS and keeps it with the key’s URI; the private key never leaves the KMS.
        </p>
      </form>
    </Dialog>
  );
}
