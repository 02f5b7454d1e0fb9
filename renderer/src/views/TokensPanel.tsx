import { useEffect, useState } from 'react';
import type { TestSignResult, TokenAttribute, TokenKey, TokenKeyType, TokenSummary } from '../../../shared/models/tokens';
import { TOKEN_KEY_TYPES } from '../../../shared/models/tokens';
import { Empty, ErrorBanner } from '../components/Banner';
import { CopyButton, Fingerprint } from '../components/Copy';
import { PathField, shownPath } from '../components/PathField';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useCan } from '../hooks/useCan';

const TYPE_LABELS: Record<TokenKeyType, string> = {
  'ecdsa-p256': 'ECDSA P-256 (cosign default)',
  'ecdsa-p384': 'ECDSA P-384',
  'rsa-2048': 'RSA 2048',
  'rsa-3072': 'RSA 3072',
};

function pinWarning(t: TokenSummary): string | undefined {
  if (t.flags.userPinLocked)
    return 'The user PIN of this token is locked. An officer with the SO PIN must unblock it; Signet never tries PINs.';
  if (t.flags.userPinFinalTry)
    return 'The token reports ONE PIN try left: a wrong PIN locks it. Tick "use the last try" only if you are sure of the PIN.';
  if (t.flags.userPinCountLow) return 'The token reports that few PIN tries are left.';
  return undefined;
}

function keyKind(k: TokenKey): string {
  if (k.keyType === 'EC') return `EC ${k.curve ?? ''}`.trim();
  if (k.keyType === 'RSA') return `RSA ${k.modulusBits ?? ''}`.trim();
  return k.keyType;
}

/**
 * PKCS#11 tokens: modules → tokens → keys, with PIN entry per call, test-sign, diagnostics and key
 * generation. Closed at first: opening it loads the module (its code runs, readers are polled).
 */
export function TokensPanel() {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <section className="panel tokens-panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title">PKCS#11 tokens</h2>
        <p className="hint">Hardware tokens, smart cards and HSMs (SoftHSM2, OpenSC, YubiKey’s ykcs11, cloud HSM modules).</p>
        <button type="button" className="button secondary" onClick={() => setOpen(true)}>
          Show tokens
        </button>
      </section>
    );
  }
  return <OpenTokensPanel />;
}

function OpenTokensPanel() {
  const api = useApp((s) => s.api);
  const can = useCan();
  const modules = useCall(api ? () => api.tokens.modules({}) : undefined, [api]);
  const [module, setModule] = useState<string>();
  const current = module ?? modules.data?.[0]?.path;
  const tokens = useCall(api && current ? () => api.tokens.list({ module: current }) : undefined, [api, current]);
  const [serial, setSerial] = useState<string>();
  const token = tokens.data?.find((t) => t.serial === serial);

  return (
    <section className="panel tokens-panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">PKCS#11 tokens</h2>
      <ErrorBanner message={modules.error ?? tokens.error} />
      {modules.data?.length === 0 ? (
        <Empty title="No PKCS#11 module found.">
          <p>Install SoftHSM2, OpenSC or YubiKey’s ykcs11, or add a module by its path.</p>
        </Empty>
      ) : (
        <div className="field">
          <label htmlFor="token-module">Module</label>
          <select
            id="token-module"
            value={current ?? ''}
            onChange={(e) => {
              setModule(e.target.value);
              setSerial(undefined);
            }}
          >
            {modules.data?.map((m) => (
              <option key={m.path} value={m.path}>
                {m.name} — {m.path} ({m.source})
              </option>
            ))}
          </select>
        </div>
      )}
      {can('tokens.addModule') && (
        <AddModule
          onAdded={(path) => {
            modules.reload();
            setModule(path);
          }}
        />
      )}
      {tokens.data && (
        <table className="table" aria-label="Tokens">
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Serial</th>
              <th scope="col">Manufacturer / model</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={`${t.slotId}-${t.serial}`} className={t.serial === serial ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link-button" disabled={!t.flags.tokenInitialized} onClick={() => setSerial(t.serial)}>
                    {t.label || '(no label)'}
                  </button>
                </td>
                <td className="mono">{t.serial}</td>
                <td>
                  {t.manufacturer} {t.model}
                </td>
                <td>
                  {!t.flags.tokenInitialized && <span className="badge">not initialised</span>}
                  {t.flags.userPinLocked && <span className="badge badge-bad">PIN locked</span>}
                  {t.flags.userPinFinalTry && <span className="badge badge-bad">final PIN try</span>}
                  {t.flags.userPinCountLow && <span className="badge badge-warn">PIN count low</span>}
                  {t.flags.protectedAuthenticationPath && <span className="badge">PIN pad</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tokens.data?.length === 0 && <p className="muted">No token is present in this module.</p>}
      {token && current && (
        <TokenDetail key={`${current}:${token.serial}`} module={current} token={token} onChanged={() => tokens.reload()} />
      )}
    </section>
  );
}

function AddModule({ onAdded }: { onAdded(path: string): void }) {
  const api = useApp((s) => s.api);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string>();
  const add = async () => {
    if (!api) return;
    const result = await api.tokens.addModule({ path: path.trim() });
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setPath('');
    onAdded(shownPath(path.trim()));
  };
  return (
    <details className="add-module">
      <summary>Add a module…</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <ErrorBanner message={error} />
        <PathField
          id="module-path"
          purpose={{ call: 'tokens.addModule', field: 'path' }}
          label="Module path"
          value={path}
          onChange={setPath}
          choices={['file']}
          extensions={['so', 'dylib', 'dll']}
          placeholder="/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
        />
        <p className="hint">Loading a module runs its code inside Signet: add only modules from a vendor you trust.</p>
        <button type="submit" className="button secondary" disabled={!path.trim()}>
          Add module
        </button>
      </form>
    </details>
  );
}

function TokenDetail({ module, token, onChanged }: { module: string; token: TokenSummary; onChanged(): void }) {
  const can = useCan();
  const api = useApp((s) => s.api);
  // The PIN lives only in this field, for this one token, and is cleared after every call.
  const [pin, setPin] = useState('');
  const [pinPad, setPinPad] = useState(false);
  const [finalTry, setFinalTry] = useState(false);
  const [keys, setKeys] = useState<TokenKey[]>();
  const [loggedIn, setLoggedIn] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [tested, setTested] = useState<{ label: string; result: TestSignResult }>();
  const [attributes, setAttributes] = useState<TokenAttribute[]>();
  const [label, setLabel] = useState('');
  const [type, setType] = useState<TokenKeyType>('ecdsa-p256');
  const warning = pinWarning(token);
  const padAvailable = token.flags.protectedAuthenticationPath;

  useEffect(() => () => setPin(''), []);

  const auth = () => {
    const fields = { ...(pinPad && padAvailable ? { pinPad: true } : pin ? { pin } : {}), ...(finalTry ? { confirmFinalTry: true } : {}) };
    setPin('');
    setFinalTry(false);
    return fields;
  };
  const haveAuth = (pinPad && padAvailable) || pin.length > 0;

  const run = async <T,>(
    what: string,
    call: () => Promise<{ ok: true; value: T } | { ok: false; message: string }>,
    done: (value: T) => void,
  ) => {
    setBusy(what);
    setError(undefined);
    const result = await call();
    setBusy(undefined);
    if (!result.ok) {
      setError(result.message);
      onChanged(); // the PIN flags (tries left, locked) may have changed
      return;
    }
    done(result.value);
  };

  const listKeys = (withPin: boolean) => {
    if (!api) return;
    const fields = withPin ? auth() : {};
    void run(
      'keys',
      () => api.tokens.keys({ module, token: token.serial, ...fields }),
      (value) => {
        setKeys(value.keys);
        setLoggedIn(value.loggedIn);
      },
    );
  };
  const testSign = (k: TokenKey) => {
    if (!api) return;
    const fields = auth();
    void run(
      `test-${k.idHex}`,
      () => api.tokens.testSign({ uri: k.uri, ...fields }),
      (result) => setTested({ label: k.label, result }),
    );
  };
  const generate = () => {
    if (!api) return;
    const fields = auth();
    void run(
      'generate',
      () => api.tokens.generate({ module, token: token.serial, label: label.trim(), type, ...fields }),
      (k) => {
        setLabel('');
        setKeys((ks) => [...(ks ?? []), k]);
      },
    );
  };
  const diagnose = () => {
    if (!api) return;
    void run(
      'diagnostics',
      () => api.tokens.diagnostics({ module, token: token.serial }),
      (d) => setAttributes(d.attributes),
    );
  };

  return (
    <div className="token-detail" aria-label={`Token ${token.label}`}>
      <h3>
        {token.label} <span className="muted mono small">serial {token.serial}</span>
      </h3>
      {warning && (
        <div className={`banner ${token.flags.userPinLocked || token.flags.userPinFinalTry ? 'banner-error' : 'banner-warn'}`} role="note">
          {warning}
        </div>
      )}
      <ErrorBanner message={error} />
      <form
        className="pin-entry"
        onSubmit={(e) => {
          e.preventDefault();
          listKeys(true);
        }}
      >
        <div className="field">
          <label htmlFor="token-pin">User PIN for {token.label} (used for the next action only, then cleared)</label>
          <input
            id="token-pin"
            type="password"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            autoComplete="off"
            disabled={token.flags.userPinLocked || (pinPad && padAvailable)}
            maxLength={Math.min(token.maxPinLength || 256, 256)}
          />
        </div>
        {padAvailable && (
          <label>
            <input type="checkbox" checked={pinPad} onChange={(e) => setPinPad(e.target.checked)} /> Enter the PIN on the token’s PIN pad
          </label>
        )}
        {token.flags.userPinFinalTry && (
          <label>
            <input type="checkbox" checked={finalTry} onChange={(e) => setFinalTry(e.target.checked)} /> Use the last try
          </label>
        )}
        <div className="actions wrap">
          <button type="submit" className="button" disabled={!haveAuth || busy !== undefined || token.flags.userPinLocked}>
            {busy === 'keys' ? 'Logging in…' : 'Log in and list keys'}
          </button>
          <button type="button" className="button secondary" onClick={() => listKeys(false)} disabled={busy !== undefined}>
            List public keys
          </button>
          <button type="button" className="button secondary" onClick={diagnose} disabled={busy !== undefined}>
            Diagnostics
          </button>
        </div>
      </form>

      {keys && (
        <>
          {!loggedIn && <p className="hint">Not logged in: private keys are hidden. Enter the PIN to see them and to test-sign.</p>}
          {keys.length === 0 ? (
            <p className="muted">No keys on this token.</p>
          ) : (
            <table className="table" aria-label="Token keys">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Type</th>
                  <th scope="col">Id</th>
                  <th scope="col">Attributes</th>
                  <th scope="col">SPKI SHA-256</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={`${k.idHex}-${k.label}`}>
                    <td>{k.label || <span className="muted">(no label)</span>}</td>
                    <td>{keyKind(k)}</td>
                    <td className="mono small">{k.idHex || '—'}</td>
                    <td className="small">
                      {k.hasPrivateKey ? (k.canSign ? 'sign' : 'no CKA_SIGN') : 'public only'}
                      {k.alwaysAuthenticate && <span className="badge">always-authenticate</span>}
                      {k.allowedMechanisms && <div className="muted">{k.allowedMechanisms.join(', ')}</div>}
                    </td>
                    <td>{k.spkiSha256 ? <Fingerprint value={k.spkiSha256} label="SPKI SHA-256" /> : <span className="muted">—</span>}</td>
                    <td>
                      <div className="actions wrap">
                        {k.hasPrivateKey && k.canSign && (
                          <button
                            type="button"
                            className="button secondary"
                            disabled={!haveAuth || busy !== undefined}
                            title={haveAuth ? undefined : 'Enter the PIN first'}
                            onClick={() => testSign(k)}
                          >
                            {busy === `test-${k.idHex}` ? 'Signing…' : 'Test-sign'}
                          </button>
                        )}
                        <CopyButton text={k.uri} label="Copy URI" />
                        {k.publicKeyPem && <CopyButton text={k.publicKeyPem} label="Copy public key" />}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}

      {tested && (
        <div className="banner banner-ok" role="status">
          Test signature with “{tested.label}” verified: {tested.result.algorithm} via {tested.result.mechanism},{' '}
          {tested.result.signatureBytes} bytes, checked with {tested.result.verifiedWith}.
          <div className="mono small">SPKI SHA-256 {tested.result.spkiSha256}</div>
        </div>
      )}

      {can('tokens.generate') && (
        <form
          className="generate-token-key"
          onSubmit={(e) => {
            e.preventDefault();
            generate();
          }}
        >
          <h4>Generate a key on this token</h4>
          <div className="field">
            <label htmlFor="token-key-label">Label</label>
            <input
              id="token-key-label"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              placeholder="release-2026"
              maxLength={64}
            />
          </div>
          <div className="field">
            <label htmlFor="token-key-type">Type</label>
            <select id="token-key-type" value={type} onChange={(e) => setType(e.target.value as TokenKeyType)}>
              {TOKEN_KEY_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          </div>
          <p className="hint">
            The private key is created on the token, marked sensitive and non-extractable; it never leaves the token. Uses the PIN entered
            above.
          </p>
          <button type="submit" className="button" disabled={!label.trim() || !haveAuth || busy !== undefined}>
            {busy === 'generate' ? 'Generating…' : 'Generate on token'}
          </button>
        </form>
      )}

      {attributes && (
        <table className="table diagnostics" aria-label="Token diagnostics">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Attribute</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {attributes.map((a, i) => (
              <tr key={`${a.group}-${a.name}-${i}`}>
                <td>{a.group}</td>
                <td className="mono small">{a.name}</td>
                <td className="mono small">{a.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
