import { useState } from 'react';
import type { StorageCredentialSource, StorageKind, StorageProfile, StorageTestResult } from '../../../shared/models/storage';
import { ErrorBanner } from '../components/Banner';
import { CancelAndSubmit, Dialog } from '../components/Dialog';
import { PathField } from '../components/PathField';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { useCan } from '../hooks/useCan';

const KIND_LABELS: Record<StorageKind, string> = {
  aws: 'AWS S3',
  obs: 'Huawei OBS (S3-compatible, UNSIGNED-PAYLOAD)',
  's3-compatible': 'Another S3-compatible server (MinIO, Ceph …)',
  directory: 'A folder on this machine',
};

const SOURCE_LABELS: Record<Exclude<StorageCredentialSource, 'none'>, string> = {
  default: 'Environment, then ~/.aws/credentials',
  environment: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
  profile: 'A profile of ~/.aws/credentials',
  keychain: 'Enter them here (kept in the OS keychain)',
};

/** Settings → Storage: where .asc files and lookaside signatures go; test a profile before relying on it. */
export function StoragePage() {
  const api = useApp((s) => s.api);
  const can = useCan();
  const profiles = useCall(api ? () => api.storage.list({}) : undefined, [api]);
  const [adding, setAdding] = useState(false);
  const [tests, setTests] = useState<Record<string, StorageTestResult | string>>({});
  const [error, setError] = useState<string>();
  const test = async (p: StorageProfile) => {
    if (!api) return;
    setTests((t) => ({ ...t, [p.name]: 'Testing…' }));
    const result = await api.storage.test({ target: { profile: p.name } });
    setTests((t) => ({ ...t, [p.name]: result.ok ? result.value : result.message }));
  };
  const remove = async (p: StorageProfile) => {
    if (!api) return;
    const result = await api.storage.remove({ name: p.name });
    if (!result.ok) return setError(result.message);
    profiles.reload();
  };
  return (
    <div className="storage-page">
      <div className="page-header">
        <p className="muted">
          Storage profiles say where Huawei SWR <code>.asc</code> files and lookaside simple signatures are uploaded. Uploads are read back
          and compared; an existing object is never replaced unless you confirm it.
        </p>
        {can('storage.add') && (
          <button type="button" className="button" onClick={() => setAdding(true)}>
            Add storage
          </button>
        )}
      </div>
      <ErrorBanner message={error ?? profiles.error} />
      {profiles.data?.length === 0 && <p className="muted">No storage profiles yet.</p>}
      {profiles.data?.length ? (
        <table className="table" aria-label="Storage profiles">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Where</th>
              <th scope="col">Credentials</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {profiles.data.map((p) => {
              const t = tests[p.name];
              return (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>{p.kind}</td>
                  <td className="mono small">
                    {p.kind === 'directory' ? p.path : `s3://${p.bucket}${p.prefix ? `/${p.prefix}` : ''}`}
                    <div className="muted">{p.endpoint ?? p.region ?? ''}</div>
                  </td>
                  <td>
                    {p.credential.source}
                    {p.credential.profile ? ` (${p.credential.profile})` : ''}
                    {p.credential.identity ? <span className="muted"> {p.credential.identity}</span> : null}
                  </td>
                  <td>
                    <div className="actions">
                      <button type="button" className="button secondary small" onClick={() => void test(p)} aria-label={`Test ${p.name}`}>
                        Test
                      </button>
                      {can('storage.remove') && (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => void remove(p)}
                          aria-label={`Remove ${p.name}`}
                        >
                          Remove
                        </button>
                      )}
                    </div>
                    {typeof t === 'string' && (
                      <p className={t === 'Testing…' ? 'muted' : 'reason'} role="status">
                        {t}
                      </p>
                    )}
                    {t && typeof t !== 'string' && (
                      <ul className="steps" role="status" aria-label={`Test of ${p.name}`}>
                        {t.steps.map((s) => (
                          <li key={s.step}>
                            <span className={`badge ${s.ok ? 'badge-ok' : 'badge-bad'}`}>{s.ok ? 'ok' : 'failed'}</span> {s.step}
                            {s.detail ? `: ${s.detail}` : ''}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <AddStorageDialog
        open={adding}
        onClose={() => setAdding(false)}
        onDone={() => {
          setAdding(false);
          profiles.reload();
        }}
      />
    </div>
  );
}

function AddStorageDialog({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<StorageKind>('obs');
  const [bucket, setBucket] = useState('');
  const [prefix, setPrefix] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [region, setRegion] = useState('');
  const [pathStyle, setPathStyle] = useState(false);
  const [folder, setFolder] = useState('');
  const [publicUrl, setPublicUrl] = useState('');
  const [source, setSource] = useState<Exclude<StorageCredentialSource, 'none'>>('keychain');
  const [awsProfile, setAwsProfile] = useState('');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const directory = kind === 'directory';
  const opt = (v: string) => (v.trim() ? v.trim() : undefined);
  const submit = async () => {
    if (!api) return;
    setBusy(true);
    const fields = directory
      ? { path: folder.trim(), ...(opt(publicUrl) ? { publicUrl: publicUrl.trim() } : {}), credential: { source: 'none' as const } }
      : {
          bucket: bucket.trim(),
          ...(opt(prefix) ? { prefix: prefix.trim() } : {}),
          ...(opt(endpoint) ? { endpoint: endpoint.trim() } : {}),
          ...(opt(region) ? { region: region.trim() } : {}),
          ...(pathStyle ? { addressing: 'path' as const } : {}),
          ...(opt(publicUrl) ? { publicUrl: publicUrl.trim() } : {}),
          credential: {
            source,
            ...(source === 'profile' ? { profile: awsProfile.trim() } : {}),
            ...(source === 'keychain' ? { secret: { accessKeyId: accessKeyId.trim(), secretAccessKey } } : {}),
          },
        };
    const result = await api.storage.add({ name: name.trim(), kind, ...fields });
    setBusy(false);
    setSecretAccessKey('');
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setName('');
    onDone();
  };
  return (
    <Dialog
      title="Add storage"
      open={open}
      onClose={onClose}
      footer={
        <CancelAndSubmit onCancel={onClose} form="add-storage" disabled={busy || !name.trim()}>
          {busy ? 'Saving…' : 'Save'}
        </CancelAndSubmit>
      }
    >
      <form
        id="add-storage"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="storage-name">Profile name</label>
          <input id="storage-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="swr-obs" autoFocus />
        </div>
        <div className="field">
          <label htmlFor="storage-kind">Kind</label>
          <select id="storage-kind" value={kind} onChange={(e) => setKind(e.target.value as StorageKind)}>
            {(Object.keys(KIND_LABELS) as StorageKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        {directory ? (
          <PathField
            id="storage-folder"
            purpose={{ call: 'storage.add', field: 'path' }}
            label="Folder"
            value={folder}
            onChange={setFolder}
            choices={['directory']}
            placeholder="/srv/lookaside"
          />
        ) : (
          <>
            <div className="field">
              <label htmlFor="storage-bucket">Bucket</label>
              <input id="storage-bucket" value={bucket} onChange={(e) => setBucket(e.target.value)} spellCheck={false} />
            </div>
            <div className="field">
              <label htmlFor="storage-prefix">Prefix (optional)</label>
              <input
                id="storage-prefix"
                value={prefix}
                onChange={(e) => setPrefix(e.target.value)}
                spellCheck={false}
                placeholder="signatures"
              />
            </div>
            <div className="field">
              <label htmlFor="storage-region">Region{kind === 'obs' ? ' (e.g. cn-north-4)' : ''}</label>
              <input id="storage-region" value={region} onChange={(e) => setRegion(e.target.value)} spellCheck={false} />
            </div>
            <div className="field">
              <label htmlFor="storage-endpoint">Endpoint{kind === 's3-compatible' ? '' : ' (optional)'}</label>
              <input
                id="storage-endpoint"
                value={endpoint}
                onChange={(e) => setEndpoint(e.target.value)}
                spellCheck={false}
                placeholder={kind === 'obs' ? 'https://obs.cn-north-4.myhuaweicloud.com' : 'https://…'}
              />
            </div>
            <label className="check">
              <input type="checkbox" checked={pathStyle} onChange={(e) => setPathStyle(e.target.checked)} /> Path-style addressing
              (endpoint/bucket/key)
            </label>
            <div className="field">
              <label htmlFor="storage-source">Credentials</label>
              <select id="storage-source" value={source} onChange={(e) => setSource(e.target.value as typeof source)}>
                {(Object.keys(SOURCE_LABELS) as Array<keyof typeof SOURCE_LABELS>).map((s) => (
                  <option key={s} value={s}>
                    {SOURCE_LABELS[s]}
                  </option>
                ))}
              </select>
            </div>
            {source === 'profile' && (
              <div className="field">
                <label htmlFor="storage-aws-profile">AWS profile</label>
                <input id="storage-aws-profile" value={awsProfile} onChange={(e) => setAwsProfile(e.target.value)} />
              </div>
            )}
            {source === 'keychain' && (
              <>
                <div className="field">
                  <label htmlFor="storage-access-key">Access key id</label>
                  <input
                    id="storage-access-key"
                    value={accessKeyId}
                    onChange={(e) => setAccessKeyId(e.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                  />
                </div>
                <div className="field">
                  <label htmlFor="storage-secret-key">Secret access key</label>
                  <input
                    id="storage-secret-key"
                    type="password"
                    value={secretAccessKey}
                    onChange={(e) => setSecretAccessKey(e.target.value)}
                    autoComplete="off"
                  />
                </div>
              </>
            )}
          </>
        )}
        <div className="field">
          <label htmlFor="storage-public-url">Public URL (optional: where podman reads the objects)</label>
          <input id="storage-public-url" value={publicUrl} onChange={(e) => setPublicUrl(e.target.value)} spellCheck={false} />
        </div>
      </form>
    </Dialog>
  );
}
