import { useState } from 'react';
import { KEY_TYPES, signingFormats, type KeyInfo, type KeyType } from '../../../shared/models/keys';
import { Empty, ErrorBanner } from '../components/Banner';
import { CopyButton, Fingerprint } from '../components/Copy';
import { CancelAndSubmit, Dialog } from '../components/Dialog';
import { downloadFile } from '../components/download';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { KmsConnections } from './KmsPanel';
import { QrCode } from '../components/Qr';
import { TokensPanel } from './TokensPanel';
import { TrustKeyAction } from './TrustKeyAction';
import { useCan } from '../hooks/useCan';
import { KeyMaterialField, NO_KEY_MATERIAL, type KeyMaterial } from '../components/KeyMaterialField';

const TYPE_LABELS: Record<KeyType | 'kms' | 'pgp', string> = {
  kms: 'Cloud KMS key',
  pgp: 'OpenPGP (imported)',
  'ecdsa-p256': 'ECDSA P-256 (cosign default)',
  'ecdsa-p384': 'ECDSA P-384',
  'rsa-2048': 'RSA 2048',
  'rsa-3072': 'RSA 3072',
  'rsa-4096': 'RSA 4096',
  ed25519: 'Ed25519',
  'pgp-ed25519': 'OpenPGP Ed25519 (simple signing)',
  'pgp-rsa-3072': 'OpenPGP RSA 3072',
  'pgp-rsa-4096': 'OpenPGP RSA 4096',
  'x509-ecdsa-p256': 'X.509 ECDSA P-256 (test CA + code-signing certificate)',
};

const SOON_MS = 30 * 24 * 3600 * 1000;

const download = (name: string, text: string) => downloadFile(name, { text });

export function KeysView({ sub }: { sub?: string | undefined }) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const confirm = useApp((s) => s.confirm);
  const navigate = useApp((s) => s.navigate);
  const keys = useCall(api ? () => api.keys.list({}) : undefined, [api]);
  const [generating, setGenerating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [connecting, setConnecting] = useState(false);
  const selected = keys.data?.find((k) => k.id === sub);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Keys</h1>
        {can('keys.generate') && (
          <div className="actions">
            <button type="button" className="button secondary" onClick={() => setConnecting(true)}>
              Connect a KMS
            </button>
            <button type="button" className="button secondary" onClick={() => setImporting(true)}>
              Import key
            </button>
            <button type="button" className="button" onClick={() => setGenerating(true)}>
              Generate key
            </button>
          </div>
        )}
      </header>
      <ErrorBanner message={keys.error} />
      <VaultBar refresh={keys.data} />
      {keys.data?.length === 0 ? (
        <Empty title="No signing keys yet.">
          <p>
            Generate a key: its private part goes to the OS keychain and never reaches this window. ECDSA P-256 signs in cosign format;
            OpenPGP keys sign containers/image simple signatures.
          </p>
        </Empty>
      ) : (
        <div className="split-wide">
          <table className="table" aria-label="Signing keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {keys.data?.map((k) => (
                <tr key={k.id} className={k.id === selected?.id ? 'selected' : undefined}>
                  <td>
                    <a
                      href={`#/keys/${k.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate({ area: 'keys', sub: k.id });
                      }}
                    >
                      {k.name}
                    </a>
                    {k.retired && <span className="badge badge-warn">retired</span>}
                  </td>
                  <td>{TYPE_LABELS[k.type]}</td>
                  <td className="mono small">{(k.spkiSha256 ?? k.pgpFingerprint ?? '').slice(0, 16)}…</td>
                  <td>{new Date(k.created).toLocaleDateString()}</td>
                  <td>{k.expires ? <Expiry date={k.expires} /> : <span className="muted">never</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {selected && (
            <KeyDetail
              key={selected.id}
              info={selected}
              onChanged={() => keys.reload()}
              onDeleted={() => {
                keys.reload();
                navigate({ area: 'keys' });
              }}
            />
          )}
        </div>
      )}
      <KmsConnections
        connectOpen={connecting}
        onConnectClose={() => setConnecting(false)}
        onKeyAdded={(k) => {
          keys.reload();
          navigate({ area: 'keys', sub: k.id });
        }}
      />
      <ImportDialog
        open={importing}
        onClose={() => setImporting(false)}
        onDone={(k) => {
          setImporting(false);
          keys.reload();
          confirm(`Imported ${k.name}.`);
          navigate({ area: 'keys', sub: k.id });
        }}
      />
      <GenerateDialog
        open={generating}
        onClose={() => setGenerating(false)}
        onDone={(k) => {
          setGenerating(false);
          keys.reload();
          confirm(`Generated ${k.name}.`);
          navigate({ area: 'keys', sub: k.id });
        }}
      />
      <TokensPanel />
    </section>
  );
}

/** The vault's state, and unlocking it with a passphrase the user types (cleared at once). */
function useVault(refresh?: unknown) {
  const api = useApp((s) => s.api);
  const status = useCall(api ? () => api.keys.vaultStatus({}) : undefined, [api, refresh]);
  const unlock = async (passphrase: string): Promise<string | undefined> => {
    if (!api) return 'Not connected.';
    const result = await api.keys.vaultUnlock({ passphrase });
    status.reload();
    return result.ok ? undefined : result.message;
  };
  const lock = async () => {
    if (!api) return;
    await api.keys.vaultLock({});
    status.reload();
  };
  return { status: status.data, unlock, lock, reload: status.reload };
}

function VaultBar({ refresh }: { refresh: unknown }) {
  const can = useCan();
  const vault = useVault(refresh);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string>();
  if (!vault.status) return null;
  const s = vault.status;
  return (
    <div className="vault-bar field inline small" aria-label="Vault">
      <strong>Encrypted vault:</strong>
      {!s.exists ? (
        <span className="muted">none yet (created when you first keep a key in it)</span>
      ) : s.unlocked ? (
        <span className="badge badge-ok">unlocked</span>
      ) : (
        <span className="badge">locked</span>
      )}
      {s.exists && s.unlocked && (
        <>
          <span className="muted">
            {s.entries ?? 0} key(s); locks itself at {s.locksAt ? new Date(s.locksAt).toLocaleTimeString() : '—'}
          </span>
          <button type="button" className="button secondary small" onClick={() => void vault.lock()}>
            Lock
          </button>
        </>
      )}
      {s.exists && !s.unlocked && can('keys.vaultUnlock') && (
        <form
          className="field inline"
          onSubmit={(e) => {
            e.preventDefault();
            void vault.unlock(passphrase).then((m) => {
              setPassphrase('');
              setError(m);
            });
          }}
        >
          <input
            type="password"
            aria-label="Vault passphrase"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            autoComplete="off"
          />
          <button type="submit" className="button secondary small" disabled={!passphrase}>
            Unlock
          </button>
        </form>
      )}
      {error && (
        <span className="reason" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** The store choice of the generate and import dialogs, with the vault passphrase when it is locked. */
function StoreChoice({
  store,
  setStore,
  passphrase,
  setPassphrase,
  vaultUnlocked,
  idPrefix,
}: {
  store: 'keychain' | 'vault';
  setStore(s: 'keychain' | 'vault'): void;
  passphrase: string;
  setPassphrase(p: string): void;
  vaultUnlocked: boolean;
  idPrefix: string;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-store`}>Keep the private key in</label>
        <select id={`${idPrefix}-store`} value={store} onChange={(e) => setStore(e.target.value as 'keychain' | 'vault')}>
          <option value="keychain">The OS keychain</option>
          <option value="vault">The encrypted vault file (scrypt + AES-256-GCM)</option>
        </select>
      </div>
      {store === 'vault' && !vaultUnlocked && (
        <div className="field">
          <label htmlFor={`${idPrefix}-vault-pass`}>Vault passphrase (a new vault is created with it)</label>
          <input
            id={`${idPrefix}-vault-pass`}
            type="password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            autoComplete="new-password"
          />
        </div>
      )}
    </>
  );
}

function Expiry({ date }: { date: string }) {
  const left = Date.parse(date) - Date.now();
  const text = new Date(date).toLocaleDateString();
  if (left < 0) return <span className="badge badge-bad">expired {text}</span>;
  if (left < SOON_MS) return <span className="badge badge-warn">expires soon: {text}</span>;
  return <span>{text}</span>;
}

function GenerateDialog({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(k: KeyInfo): void }) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState('');
  const [type, setType] = useState<KeyType>('ecdsa-p256');
  const [uid, setUid] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [store, setStore] = useState<'keychain' | 'vault'>('keychain');
  const [vaultPass, setVaultPass] = useState('');
  const [trust, setTrust] = useState(true);
  const vault = useVault();
  const pgp = type.startsWith('pgp-');
  const submit = async () => {
    if (!api) return;
    setBusy(true);
    if (store === 'vault' && !vault.status?.unlocked) {
      const problem = await vault.unlock(vaultPass);
      setVaultPass('');
      if (problem) {
        setBusy(false);
        return setError(problem);
      }
    }
    const result = await api.keys.generate({
      name: name.trim(),
      type,
      ...(pgp && uid.trim() ? { userId: uid.trim() } : {}),
      ...(expires ? { expires: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
      store,
      trust,
    });
    vault.reload();
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setName('');
    setTrust(true);
    onDone(result.value);
  };
  return (
    <Dialog
      title="Generate a signing key"
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="generate-key" disabled={busy || !name.trim()}>
          {busy ? 'Generating…' : 'Generate'}
        </CancelAndSubmit>
      }
    >
      <form
        id="generate-key"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="release-2026" />
        </div>
        <div className="field">
          <label htmlFor="key-type">Type</label>
          <select id="key-type" value={type} onChange={(e) => setType(e.target.value as KeyType)}>
            {KEY_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        {pgp && (
          <div className="field">
            <label htmlFor="key-uid">User id</label>
            <input id="key-uid" value={uid} onChange={(e) => setUid(e.target.value)} placeholder="Release Team <release@example.com>" />
          </div>
        )}
        <div className="field">
          <label htmlFor="key-expires">Expires (optional)</label>
          <input id="key-expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </div>
        <StoreChoice
          store={store}
          setStore={setStore}
          passphrase={vaultPass}
          setPassphrase={setVaultPass}
          vaultUnlocked={vault.status?.unlocked ?? false}
          idPrefix="generate"
        />
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={trust} onChange={(e) => setTrust(e.target.checked)} /> Trust this key for verification
          </label>
          <span className="hint">
            {trust
              ? 'Its public key goes to the trust store, as an entry named after the key: signatures it makes verify.'
              : 'Signet will sign with it, but its signatures show as “signed, but by no trusted key” until you trust it.'}
          </span>
        </div>
        <p className="hint">The private key is created in Signet’s main process and never reaches this window.</p>
      </form>
    </Dialog>
  );
}

function KeyDetail({ info, onChanged, onDeleted }: { info: KeyInfo; onChanged(): void; onDeleted(): void }) {
  const can = useCan();
  const api = useApp((s) => s.api);
  const detail = useCall(api ? () => api.keys.get({ key: info.id }) : undefined, [api, info.id]);
  const trust = useCall(api ? () => api.trust.list({}) : undefined, [api, info.id]);
  const trustedAs = trust.data?.entries.find((e) => e.signetKey?.id === info.id);
  const navigate = useApp((s) => s.navigate);
  const [exporting, setExporting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string>();
  const publicText = detail.data?.exports.pem ?? detail.data?.exports.pgp ?? '';
  const formats = signingFormats(info);
  const attach = async (chain: string) => {
    if (!api) return;
    const result = await api.keys.attachCertificate({ key: info.id, chain, encoding: 'pem' });
    if (!result.ok) return setError(result.message);
    setError(undefined);
    detail.reload();
    onChanged();
  };
  const retire = async () => {
    if (!api) return;
    const result = await api.keys.retire({ key: info.id });
    if (result.ok) onChanged();
    else setError(result.message);
  };
  return (
    <aside className="panel key-detail" aria-label="Key details">
      <h2>{info.name}</h2>
      <ErrorBanner message={error ?? detail.error} />
      <dl className="facts compact">
        <div className="fact">
          <dt>Algorithm</dt>
          <dd>{info.algorithm === 'openpgp' ? `OpenPGP v4${info.pgpAlgorithm ? `, ${info.pgpAlgorithm}` : ''}` : info.algorithm}</dd>
        </div>
        {info.spkiSha256 && (
          <div className="fact">
            <dt>SPKI SHA-256</dt>
            <dd>
              <Fingerprint value={info.spkiSha256} label="SPKI SHA-256" />
            </dd>
          </div>
        )}
        {info.pgpFingerprint && (
          <div className="fact">
            <dt>Fingerprint</dt>
            <dd>
              <Fingerprint value={info.pgpFingerprint} label="OpenPGP fingerprint" />
            </dd>
          </div>
        )}
        {info.pgpKeyId && (
          <div className="fact">
            <dt>Key id</dt>
            <dd className="mono">{info.pgpKeyId}</dd>
          </div>
        )}
        {info.pgpSigningSubkey && (
          <div className="fact">
            <dt>Signs with subkey</dt>
            <dd>
              <Fingerprint value={info.pgpSigningSubkey} label="Signing subkey fingerprint" />
            </dd>
          </div>
        )}
        {info.userIds?.length ? (
          <div className="fact">
            <dt>User id</dt>
            <dd>{info.userIds.join(', ')}</dd>
          </div>
        ) : null}
        <div className="fact">
          <dt>Stored in</dt>
          <dd>
            {info.kind === 'kms' ? (
              <>
                Cloud KMS{info.connection ? ` (connection ${info.connection})` : ''}
                <div className="mono small wrap">{info.uri}</div>
              </>
            ) : info.store === 'vault' ? (
              'Encrypted vault file'
            ) : (
              'OS keychain'
            )}
          </dd>
        </div>
        <div className="fact">
          <dt>Signs in</dt>
          <dd>
            {formats.formats.length ? formats.formats.join(', ') : 'no image format'}
            {formats.note ? <div className="muted small">{formats.note}</div> : null}
          </dd>
        </div>
        {(info.spkiSha256 || info.pgpFingerprint) && (
          <div className="fact">
            <dt>Fingerprint QR</dt>
            <dd>
              <QrCode
                text={info.pgpFingerprint ? `openpgp4fpr:${info.pgpFingerprint}` : `SHA256:${info.spkiSha256 ?? ''}`}
                label={`QR code of the fingerprint of ${info.name}`}
                size={132}
              />
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Status</dt>
          <dd>{info.retired ? 'Retired: verifies, no longer signs' : 'Active'}</dd>
        </div>
        {trust.data && (
          <div className="fact">
            <dt>Verification</dt>
            <dd aria-label="Trust status">
              {trustedAs ? (
                <>
                  Trusted as{' '}
                  <a
                    href="#/trust"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate({ area: 'trust' });
                    }}
                  >
                    “{trustedAs.name}”
                  </a>{' '}
                  <span className="muted small">(in the Trust view)</span>
                </>
              ) : (
                <>
                  <div className="muted small">Not trusted: signatures made with this key show as “signed, but by no trusted key”.</div>
                  <TrustKeyAction keyId={info.id} keyName={info.name} expires={info.expires} onTrusted={() => trust.reload()} />
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
      {detail.data?.exports.x509 && (
        <div className="field">
          <label htmlFor="x509-chain">Certificate chain (leaf first)</label>
          <textarea id="x509-chain" readOnly rows={6} value={detail.data.exports.x509} />
          <div className="actions">
            <CopyButton text={detail.data.exports.x509} label="Copy chain" />
            <button type="button" className="button secondary" onClick={() => download(`${info.name}.crt`, detail.data!.exports.x509!)}>
              Download chain
            </button>
          </div>
        </div>
      )}
      <div className="field">
        <label htmlFor="public-key">Public key ({detail.data?.exports.pem ? 'PEM, also cosign.pub' : 'armored OpenPGP'})</label>
        <textarea id="public-key" readOnly rows={8} value={publicText} />
      </div>
      <div className="actions wrap">
        <CopyButton text={publicText} label="Copy public key" />
        <button
          type="button"
          className="button secondary"
          onClick={() => download(detail.data?.exports.pem ? `${info.name}.pub` : `${info.name}.asc`, publicText)}
          disabled={!publicText}
        >
          Download public key
        </button>
        {can('keys.exportCosign') && info.kind === 'software' && (
          <button type="button" className="button secondary" onClick={() => setExporting(true)}>
            Export cosign.key…
          </button>
        )}
        {can('keys.exportPgpSecret') && info.kind === 'openpgp' && (
          <button type="button" className="button secondary" onClick={() => setExporting(true)}>
            Export secret key…
          </button>
        )}
        {can('keys.attachCertificate') && info.spkiSha256 && (
          <label className="button secondary file-button">
            Attach certificate chain…
            <input
              type="file"
              accept=".pem,.crt,.cer"
              className="sr-only"
              aria-label="Attach certificate chain"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void f.text().then(attach);
                e.target.value = '';
              }}
            />
          </label>
        )}
        {can('keys.retire') && !info.retired && (
          <button type="button" className="button secondary" onClick={() => void retire()}>
            Retire
          </button>
        )}
        {can('keys.delete') && (
          <button type="button" className="button danger" onClick={() => setDeleting(true)}>
            Delete…
          </button>
        )}
      </div>
      <ExportSecretDialog open={exporting} info={info} onClose={() => setExporting(false)} />
      <DeleteDialog open={deleting} info={info} onClose={() => setDeleting(false)} onDeleted={onDeleted} />
    </aside>
  );
}

/** Exports the private key, encrypted: cosign.key for software keys, an armored OpenPGP secret key for OpenPGP keys. */
function ExportSecretDialog({ open, info, onClose }: { open: boolean; info: KeyInfo; onClose(): void }) {
  const api = useApp((s) => s.api);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string>();
  const pgp = info.kind === 'openpgp';
  const submit = async () => {
    if (!api) return;
    if (password !== again) return setError('The two passwords differ.');
    if (pgp) {
      const result = await api.keys.exportPgpSecret({ key: info.id, passphrase: password });
      setPassword('');
      setAgain('');
      if (!result.ok) return setError(result.message);
      download(`${info.name}-secret.asc`, result.value.armored);
    } else {
      const result = await api.keys.exportCosign({ key: info.id, password });
      setPassword('');
      setAgain('');
      if (!result.ok) return setError(result.message);
      download('cosign.key', result.value.key);
      download('cosign.pub', result.value.pub);
    }
    setError(undefined);
    onClose();
  };
  return (
    <Dialog
      title={pgp ? 'Export the OpenPGP secret key' : 'Export cosign.key'}
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="export-secret" disabled={pgp && !password}>
          Export
        </CancelAndSubmit>
      }
    >
      <form
        id="export-secret"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="banner banner-warn" role="note">
          {pgp
            ? 'This writes the secret key to an armored file, encrypted with the passphrase you choose, for gpg --import or skopeo --sign-by. Anyone with the file and the passphrase can sign as you.'
            : 'This writes the private key to a file, encrypted with the password you choose (scrypt + NaCl secretbox, as cosign does). Anyone with the file and the password can sign as you.'}
        </div>
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="export-pw">{pgp ? 'Passphrase' : 'Password for cosign.key'}</label>
          <input
            id="export-pw"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
          />
        </div>
        <div className="field">
          <label htmlFor="export-pw2">{pgp ? 'Passphrase again' : 'Password again'}</label>
          <input id="export-pw2" type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" />
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ open, info, onClose, onDeleted }: { open: boolean; info: KeyInfo; onClose(): void; onDeleted(): void }) {
  const api = useApp((s) => s.api);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string>();
  const submit = async () => {
    if (!api) return;
    const result = await api.keys.delete({ key: info.id, confirmName: typed });
    if (!result.ok) return setError(result.message);
    onClose();
    onDeleted();
  };
  return (
    <Dialog
      title={`Delete ${info.name}`}
      open={open}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="delete-key" className="button danger" disabled={typed !== info.name}>
            Delete for good
          </button>
        </>
      }
    >
      <form
        id="delete-key"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>
          {info.kind === 'kms'
            ? 'Signet forgets this key; it stays in the KMS. Signatures'
            : 'The private key is removed from the OS keychain; signatures'}{' '}
          it made can no longer be matched to it here. Retiring keeps it for verification instead.
        </p>
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="delete-name">Type “{info.name}” to confirm</label>
          <input id="delete-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </div>
      </form>
    </Dialog>
  );
}

function ImportDialog({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(k: KeyInfo): void }) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState('');
  const [material, setMaterial] = useState<KeyMaterial>(NO_KEY_MATERIAL);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [found, setFound] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [store, setStore] = useState<'keychain' | 'vault'>('keychain');
  const [vaultPass, setVaultPass] = useState('');
  const vault = useVault();
  const submit = async () => {
    if (!api) return;
    setBusy(true);
    if (store === 'vault' && !vault.status?.unlocked) {
      const problem = await vault.unlock(vaultPass);
      setVaultPass('');
      if (problem) {
        setBusy(false);
        return setError(problem);
      }
    }
    const result = await api.keys.import({ name: name.trim(), text: material.text, encoding: material.encoding, password, store });
    vault.reload();
    setBusy(false);
    setPassword('');
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setFound(result.value.found);
    setMaterial(NO_KEY_MATERIAL);
    setName('');
    onDone(result.value.info);
  };
  return (
    <Dialog
      title="Import a key"
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="import-key" disabled={busy || !name.trim() || !material.text.trim()}>
          {busy ? 'Importing…' : 'Import'}
        </CancelAndSubmit>
      }
    >
      <form
        id="import-key"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        {found && (
          <div className="banner banner-ok" role="status">
            Imported {found}.
          </div>
        )}
        <div className="field">
          <label htmlFor="import-name">Name</label>
          <input id="import-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </div>
        <KeyMaterialField
          fileId="import-file"
          textId="import-text"
          fileLabel="Key file"
          value={material}
          onChange={setMaterial}
          binaryNote={
            <>
              such as <code>gpg --export-secret-key</code> writes; it is imported as it is
            </>
          }
          placeholder="-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
        />
        <div className="field">
          <label htmlFor="import-password">Password (empty if the file has none)</label>
          <input id="import-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />
        </div>
        <StoreChoice
          store={store}
          setStore={setStore}
          passphrase={vaultPass}
          setPassphrase={setVaultPass}
          vaultUnlocked={vault.status?.unlocked ?? false}
          idPrefix="import"
        />
        <p className="hint">cosign.key, PKCS#8 (plain or encrypted), PKCS#1, SEC1 and OpenPGP secret keys (armored or binary).</p>
      </form>
    </Dialog>
  );
}
