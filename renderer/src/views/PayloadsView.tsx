import { useEffect, useState } from 'react';
import type { AscFile, BuiltPayload, PayloadType } from '../../../shared/models/payload';
import type { PutObjectResult } from '../../../shared/models/storage';
import { ErrorBanner } from '../components/Banner';
import { CopyButton } from '../components/Copy';
import { downloadFile } from '../components/download';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useKeptState } from '../hooks/useKeptState';
import { useCan } from '../hooks/useCan';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses `key=value` lines; returns the first bad line too. */
function parseExtra(text: string): { extra: Record<string, string>; bad?: string } {
  const extra: Record<string, string> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq < 1) return { extra, bad: line };
    extra[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { extra };
}

/**
 * The payload builder: an image and the payload fields in, the exact bytes that will be signed
 * out (live), then an .asc file signed with an OpenPGP key, saved or uploaded to a bucket.
 */
export function PayloadsView() {
  const api = useApp((s) => s.api);
  const can = useCan();
  const registries = useCall(api ? () => api.registry.list({}) : undefined, [api]);
  const [registryId, setRegistryId] = useKeptState('payloads.registryId', '');
  const [reference, setReference] = useKeptState('payloads.reference', '');
  const [digest, setDigest] = useKeptState('payloads.digest', '');
  const [type, setType] = useKeptState<PayloadType>('payloads.type', 'atomic');
  const [creator, setCreator] = useKeptState('payloads.creator', 'Signet');
  const [stamp, setStamp] = useKeptState('payloads.stamp', true);
  const [timestamp] = useKeptState('payloads.timestamp', () => Math.floor(Date.now() / 1000));
  const [extraText, setExtraText] = useKeptState('payloads.extraText', '');
  const [built, setBuilt] = useKeptState<BuiltPayload | undefined>('payloads.built', undefined);
  const [error, setError] = useState<string>();
  const [resolving, setResolving] = useState(false);
  const { extra, bad } = parseExtra(extraText);
  const input = {
    reference: reference.trim(),
    digest: digest.trim(),
    type,
    ...(type === 'atomic' && creator ? { creator } : {}),
    ...(type === 'atomic' && stamp ? { timestamp } : {}),
    ...(type !== 'swr' && Object.keys(extra).length ? { extra } : {}),
  };
  const inputKey = JSON.stringify(input);

  useEffect(() => {
    if (!api || !input.reference || !DIGEST.test(input.digest) || (type !== 'swr' && bad)) {
      setBuilt(undefined);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      void api.payload.build(input).then((result) => {
        if (!current) return;
        if (result.ok) {
          setBuilt(result.value);
          setError(undefined);
        } else {
          setBuilt(undefined);
          setError(result.message);
        }
      });
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // inputKey captures every field of input.
  }, [api, inputKey, bad]);

  const resolve = async () => {
    if (!api || !registryId) return;
    const saved = registries.data?.find((r) => r.id === registryId);
    const text = reference.trim();
    const withoutHost = saved && text.startsWith(`${saved.host}/`) ? text.slice(saved.host.length + 1) : text;
    const colon = withoutHost.lastIndexOf(':');
    const repository = colon > withoutHost.lastIndexOf('/') ? withoutHost.slice(0, colon) : withoutHost;
    const tag = colon > withoutHost.lastIndexOf('/') ? withoutHost.slice(colon + 1) : 'latest';
    setResolving(true);
    const result = await api.registry.image({ id: registryId, repository, reference: tag });
    setResolving(false);
    if (!result.ok) return setError(result.message);
    setDigest(result.value.digest);
    if (saved && !text.startsWith(`${saved.host}/`)) setReference(`${saved.host}/${repository}:${tag}`);
  };

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Payloads</h1>
      </header>
      <p className="muted">
        Build the simple-signing payload of an image and see the exact bytes before anything signs them; sign it into a Huawei SWR{' '}
        <code>.asc</code> file and save or upload it.
      </p>
      <ErrorBanner message={error} />
      <div className="split-wide">
        <form className="panel" aria-label="Payload fields" onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label htmlFor="payload-reference">Image reference</label>
            <input
              id="payload-reference"
              value={reference}
              onChange={(e) => setReference(e.target.value)}
              placeholder="swr.cn-north-4.myhuaweicloud.com/team/app:1.0"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="payload-digest">Manifest digest</label>
            <input
              id="payload-digest"
              value={digest}
              onChange={(e) => setDigest(e.target.value)}
              placeholder="sha256:…"
              spellCheck={false}
              aria-invalid={digest !== '' && !DIGEST.test(digest.trim())}
            />
            {digest !== '' && !DIGEST.test(digest.trim()) && (
              <span className="reason">A digest is sha256: and 64 lower-case hex digits.</span>
            )}
          </div>
          <div className="field inline">
            <label htmlFor="payload-registry">…or resolve the tag in</label>
            <select id="payload-registry" value={registryId} onChange={(e) => setRegistryId(e.target.value)}>
              <option value="">a saved registry…</option>
              {registries.data
                ?.filter((r) => r.kind === 'distribution')
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name ?? r.host}
                  </option>
                ))}
            </select>
            <button
              type="button"
              className="button secondary"
              disabled={!registryId || !reference.trim() || resolving}
              onClick={() => void resolve()}
            >
              {resolving ? 'Resolving…' : 'Resolve digest'}
            </button>
          </div>
          <fieldset className="field">
            <legend>Payload type</legend>
            <label>
              <input type="radio" name="payload-type" checked={type === 'atomic'} onChange={() => setType('atomic')} /> atomic container
              signature (containers/image, podman; .asc too)
            </label>
            <label>
              <input type="radio" name="payload-type" checked={type === 'cosign'} onChange={() => setType('cosign')} /> cosign container
              image signature
            </label>
            <label>
              <input type="radio" name="payload-type" checked={type === 'swr'} onChange={() => setType('swr')} /> SWR .asc form
              (namespace/repository, no optional section; .asc files only, containers/image refuses it)
            </label>
          </fieldset>
          {type === 'atomic' && (
            <>
              <div className="field">
                <label htmlFor="payload-creator">Creator (optional)</label>
                <input id="payload-creator" value={creator} onChange={(e) => setCreator(e.target.value)} />
              </div>
              <label className="check">
                <input type="checkbox" checked={stamp} onChange={(e) => setStamp(e.target.checked)} /> Timestamp (
                {new Date(timestamp * 1000).toISOString()})
              </label>
            </>
          )}
          {type !== 'swr' && (
            <div className="field">
              <label htmlFor="payload-extra">{type === 'atomic' ? 'Extra optional entries' : 'Annotations'} (key=value per line)</label>
              <textarea id="payload-extra" rows={3} value={extraText} onChange={(e) => setExtraText(e.target.value)} spellCheck={false} />
              {bad && <span className="reason">“{bad}” is not key=value.</span>}
            </div>
          )}
        </form>
        <div className="panel" aria-label="Payload preview">
          <h2 className="column-title">Exactly what is signed</h2>
          {built ? (
            <>
              <pre className="code wrap" aria-label="Payload bytes">
                {built.text}
              </pre>
              <dl className="facts compact">
                <div className="fact">
                  <dt>SHA-256</dt>
                  <dd className="mono small" aria-label="Payload SHA-256">
                    {built.sha256}
                  </dd>
                </div>
                <div className="fact">
                  <dt>Size</dt>
                  <dd>{built.size} bytes (UTF-8, no trailing newline)</dd>
                </div>
                <div className="fact">
                  <dt>Identity</dt>
                  <dd className="mono small">{built.identity}</dd>
                </div>
              </dl>
              <div className="actions">
                <CopyButton text={built.text} label="Copy payload" />
                <button type="button" className="button secondary" onClick={() => downloadFile('payload.json', { text: built.text })}>
                  Save payload.json
                </button>
              </div>
              {type !== 'cosign' && can('payload.sign') && <AscPanel key={inputKey} input={input} />}
            </>
          ) : (
            <p className="muted">Type a reference and its digest (or resolve it) to see the payload.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function AscPanel({
  input,
}: {
  input: { reference: string; digest: string; type: PayloadType; creator?: string; timestamp?: number; extra?: Record<string, string> };
}) {
  const api = useApp((s) => s.api);
  const keys = useCall(api ? () => api.keys.list({}) : undefined, [api]);
  const profiles = useCall(api ? () => api.storage.list({}) : undefined, [api]);
  const pgpKeys = keys.data?.filter((k) => k.kind === 'openpgp' && !k.retired) ?? [];
  const [key, setKey] = useKeptState('payloads.key', '');
  // Kept per payload: another reference or digest starts with no .asc.
  const scope = JSON.stringify(input);
  const [asc, setAsc] = useKeptState<AscFile | undefined>(`payloads.asc:${scope}`, undefined);
  const [profile, setProfile] = useKeptState('payloads.profile', '');
  const [overwrite, setOverwrite] = useState(false);
  const [uploaded, setUploaded] = useKeptState<PutObjectResult | undefined>(`payloads.uploaded:${scope}`, undefined);
  const [busy, setBusy] = useState<string>();
  // Each error shows beside the action that caused it, and a new attempt clears the old outcome.
  const [signError, setSignError] = useState<string>();
  const [uploadError, setUploadError] = useState<string>();
  const sign = async () => {
    if (!api || !key) return;
    setBusy('Signing…');
    setUploaded(undefined);
    setUploadError(undefined);
    const result = await api.payload.sign({ ...input, key });
    setBusy(undefined);
    if (!result.ok) return setSignError(result.message);
    setSignError(undefined);
    setAsc(result.value);
  };
  const upload = async () => {
    if (!api || !asc || !profile) return;
    setBusy('Uploading and reading back…');
    setUploaded(undefined);
    const result = await api.storage.upload({
      target: { profile },
      key: asc.objectKey,
      content: btoa(asc.text),
      contentType: 'application/json',
      ...(overwrite ? { overwrite: true } : {}),
    });
    setBusy(undefined);
    if (!result.ok) return setUploadError(result.message);
    setUploadError(undefined);
    setUploaded(result.value);
  };
  return (
    <section className="asc-panel" aria-label="SWR .asc file">
      <h2 className="column-title">Sign into an .asc file</h2>
      <div className="field inline">
        <label htmlFor="asc-key">OpenPGP key</label>
        <select id="asc-key" value={key} onChange={(e) => setKey(e.target.value)}>
          <option value="">{pgpKeys.length ? 'Choose a key…' : 'No OpenPGP key: generate one under Keys'}</option>
          {pgpKeys.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name} ({k.pgpKeyId})
            </option>
          ))}
        </select>
        <button type="button" className="button" disabled={!key || Boolean(busy)} onClick={() => void sign()}>
          Sign to .asc
        </button>
      </div>
      <ErrorBanner message={signError} />
      {busy && (
        <p className="muted" role="status">
          {busy}
        </p>
      )}
      {asc && (
        <>
          <p>
            Object key: <code>{asc.objectKey}</code> · signed by {asc.fingerprint}
          </p>
          <pre className="code wrap small" aria-label=".asc file">
            {asc.text}
          </pre>
          <div className="actions">
            <button type="button" className="button secondary" onClick={() => downloadFile(asc.fileName, { text: asc.text })}>
              Save the .asc file
            </button>
          </div>
          <div className="field inline">
            <label htmlFor="asc-profile">Upload to</label>
            <select id="asc-profile" value={profile} onChange={(e) => setProfile(e.target.value)}>
              <option value="">{profiles.data?.length ? 'a storage profile…' : 'No storage profile: add one in Settings → Storage'}</option>
              {profiles.data?.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} ({p.kind})
                </option>
              ))}
            </select>
            <label className="check">
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace an existing object
            </label>
            <button type="button" className="button" disabled={!profile || Boolean(busy)} onClick={() => void upload()}>
              Upload
            </button>
          </div>
          <ErrorBanner message={uploadError} />
          {uploaded && (
            <div className="banner banner-ok" role="status">
              Uploaded and read back{uploaded.overwritten ? ' (replaced the object there)' : ''}:{' '}
              <code aria-label="Object URL">{uploaded.url}</code> <CopyButton text={uploaded.url} label="Copy URL" />
            </div>
          )}
        </>
      )}
    </section>
  );
}
