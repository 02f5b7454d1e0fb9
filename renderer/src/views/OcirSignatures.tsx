import { useState } from 'react';
import type { OcirSignature } from '../../../shared/contract/ocir';
import type { SavedRegistry } from '../../../shared/models/registry';
import { DATE_KIND_TEXT } from '../../../shared/models/signatures';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { useCan } from '../hooks/useCan';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { SignatureTableHead } from './SignatureTableHead';
import { TagsLine } from './SignatureTags';

/** A signature that verifies is "Verified" only when its key is trusted for this image now; else "Signed, not trusted". */
function statusOf(s: OcirSignature): { text: string; className: string } {
  if (s.verdict.status === 'invalid') return { text: 'Failed', className: 'badge badge-bad' };
  if (s.verdict.status === 'unknown') return { text: 'Unknown', className: 'badge badge-warn' };
  return s.trust.status === 'trusted'
    ? { text: 'Verified', className: 'badge badge-ok' }
    : { text: 'Signed, not trusted', className: 'badge badge-warn' };
}

/** Free-form tags and defined tags (namespace.key=value) in one line. */
function tagsOf(s: OcirSignature): Record<string, string> {
  const tags: Record<string, string> = { ...s.freeformTags };
  for (const [ns, values] of Object.entries(s.definedTags)) for (const [k, v] of Object.entries(values)) tags[`${ns}.${k}`] = String(v);
  return tags;
}

/**
 * Oracle OCIR's own image signatures (API resources, not in the registry), for a registry marked
 * as OCIR: the same columns as the registry's signatures. A local verdict means the signed message names
 * this image and the signature verifies with its KMS key version's public key; "Verified" also needs
 * that public key in the trust store, covering this image and valid now. "Ask OCI Vault" adds the Vault's own answer, as OCIR's get-verify
 * asks it.
 */
export function OcirSignatures({ registry, repository, digest }: { registry: SavedRegistry; repository: string; digest: string }) {
  const api = useApp((s) => s.api);
  const [kmsVerify, setKmsVerify] = useState(false);
  const [managing, setManaging] = useState<OcirSignature>();
  const [signing, setSigning] = useState(false);
  const can = useCan();
  const list = useCall(
    api && registry.ocir
      ? () => api.ocir.list({ id: registry.id, repository, digest, ...(kmsVerify ? { kmsVerify: true } : {}) })
      : undefined,
    [api, registry.id, repository, digest, kmsVerify],
  );
  if (!registry.ocir) return null;
  return (
    <section aria-label="OCIR signatures">
      <div className="signatures-head">
        <h4>
          OCIR signatures <span className="muted small">(kept by OCI Artifacts, not in the registry)</span>
        </h4>
        <span className="spacer" />
        <button
          type="button"
          className="button secondary"
          onClick={() => (kmsVerify ? list.reload() : setKmsVerify(true))}
          disabled={list.loading}
        >
          {list.loading ? 'Asking…' : 'Ask OCI Vault'}
        </button>
        {can('ocir.sign') && (
          <button type="button" className="button" onClick={() => setSigning(true)}>
            Sign for OCIR…
          </button>
        )}
      </div>
      <ErrorBanner message={list.error} />
      {list.data && list.data.signatures.length === 0 && (
        <p className="muted" role="note">
          OCIR has no signature of {list.data.repositoryName}@{digest.slice(0, 19)}… in {list.data.region}.
        </p>
      )}
      {list.data && list.data.signatures.length > 0 && (
        <table className="table signature-table" aria-label="OCIR signature list">
          <SignatureTableHead />
          <tbody>
            {list.data.signatures.map((s) => (
              <tr key={s.id}>
                <td>
                  OCIR
                  <div className="muted small mono wrap" aria-label="Signature id">
                    …{s.id.slice(-12)}
                  </div>
                </td>
                <td>
                  <div className="small mono wrap" aria-label="KMS key" title={s.kmsKeyId}>
                    {s.kmsKeyId}
                  </div>
                  <div className="muted small mono wrap" aria-label="KMS key version" title={s.kmsKeyVersionId}>
                    version {s.kmsKeyVersionId}
                  </div>
                  {s.description !== undefined && s.description !== '' && (
                    <div className="small wrap" aria-label="Description">
                      <span className="muted">Description (signed): </span>
                      {s.description.length > 300 ? `${s.description.slice(0, 300)}…` : s.description}
                    </div>
                  )}
                  {s.metadata && (
                    <div className="small mono wrap" aria-label="Metadata">
                      <span className="muted">Metadata (signed): </span>
                      {JSON.stringify(s.metadata).slice(0, 200)}
                    </div>
                  )}
                  <div className="muted small" aria-label="Algorithm">
                    {s.algorithm}
                  </div>
                  <TagsLine tags={tagsOf(s)} />
                </td>
                <td>
                  {new Date(s.timeCreated).toLocaleString()}
                  <div className="muted small">{DATE_KIND_TEXT.registry}</div>
                </td>
                <td>
                  <span className={statusOf(s).className}>{statusOf(s).text}</span>
                  <div className="reason wrap">{s.verdict.detail}</div>
                  {s.trust.status !== 'not-checked' && <div className="reason wrap">{s.trust.detail}</div>}
                  {(can('ocir.tag') || can('ocir.delete')) && (
                    <button type="button" className="link-button small" onClick={() => setManaging(s)}>
                      Tags and delete…
                    </button>
                  )}
                  {s.kmsVerdict && (
                    <div className="small wrap" aria-label="OCI Vault answer">
                      <span className="muted">OCI Vault: </span>
                      {s.kmsVerdict.status} — {s.kmsVerdict.detail}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {signing && (
        <OcirSignDialog
          image={{ id: registry.id, repository, digest }}
          onClose={() => setSigning(false)}
          onSigned={() => {
            setSigning(false);
            list.reload();
          }}
        />
      )}
      {managing && (
        <ManageOcirSignature
          signature={managing}
          image={{ id: registry.id, repository, digest }}
          onClose={() => setManaging(undefined)}
          onChanged={() => {
            setManaging(undefined);
            list.reload();
          }}
        />
      )}
    </section>
  );
}

/**
 * Tags (free-form key=value, defined namespace.key=value; unsigned) and delete for one OCIR
 * signature; deleting asks for the last 12 characters of its OCID.
 */
function ManageOcirSignature({
  signature,
  image,
  onClose,
  onChanged,
}: {
  signature: OcirSignature;
  image: { id: string; repository: string; digest: string };
  onClose(): void;
  onChanged(): void;
}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const [add, setAdd] = useState('');
  const [remove, setRemove] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const short = signature.id.slice(-12);
  const saveTags = async () => {
    if (!api) return;
    const setFreeform: Record<string, string> = {};
    const setDefined: Record<string, Record<string, string>> = {};
    for (const pair of add.split(/[\s,]+/).filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq < 1) return setError(`${pair} is not key=value.`);
      const [k, v] = [pair.slice(0, eq), pair.slice(eq + 1)];
      const dot = k.indexOf('.');
      if (dot === -1) setFreeform[k] = v;
      else (setDefined[k.slice(0, dot)] ??= {})[k.slice(dot + 1)] = v;
    }
    const removes = remove.split(/[\s,]+/).filter(Boolean);
    const result = await api.ocir.tag({
      ...image,
      signature: signature.id,
      ...(Object.keys(setFreeform).length ? { setFreeform } : {}),
      ...(Object.keys(setDefined).length ? { setDefined } : {}),
      ...(removes.some((k) => !k.includes('.')) ? { removeFreeform: removes.filter((k) => !k.includes('.')) } : {}),
      ...(removes.some((k) => k.includes('.')) ? { removeDefined: removes.filter((k) => k.includes('.')) } : {}),
    });
    if (!result.ok) return setError(result.message);
    onChanged();
  };
  const remove1 = async () => {
    if (!api) return;
    const result = await api.ocir.delete({ ...image, signature: signature.id });
    if (!result.ok) return setError(result.message);
    onChanged();
  };
  return (
    <Dialog title={`OCIR signature …${short}`} open onClose={onClose}>
      <ErrorBanner message={error} />
      <TagsLine tags={tagsOf(signature)} />
      {can('ocir.tag') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void saveTags();
          }}
        >
          <div className="field">
            <label htmlFor="ocir-tag-add">Add or change tags</label>
            <input
              id="ocir-tag-add"
              value={add}
              spellCheck={false}
              placeholder="stage=prod Ops.CostCenter=42"
              onChange={(e) => setAdd(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="ocir-tag-remove">Remove tags</label>
            <input
              id="ocir-tag-remove"
              value={remove}
              spellCheck={false}
              placeholder="stage Ops.CostCenter"
              onChange={(e) => setRemove(e.target.value)}
            />
            <span className="hint">Tags are not signed: anyone allowed to manage OCIR signatures can change them.</span>
          </div>
          <button type="submit" className="button secondary" disabled={!add.trim() && !remove.trim()}>
            Save tags
          </button>
        </form>
      )}
      {can('ocir.delete') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void remove1();
          }}
        >
          <div className="field">
            <label htmlFor="ocir-delete-confirm">Type {short} to delete this signature (the image is no longer trusted by it)</label>
            <input id="ocir-delete-confirm" value={confirm} spellCheck={false} onChange={(e) => setConfirm(e.target.value)} />
          </div>
          <button type="submit" className="button danger" disabled={confirm.trim() !== short}>
            Delete signature
          </button>
        </form>
      )}
    </Dialog>
  );
}

const ALGORITHMS = ['SHA_256_RSA_PKCS_PSS', 'SHA_384_RSA_PKCS_PSS', 'SHA_512_RSA_PKCS_PSS', 'SHA_224_RSA_PKCS_PSS'] as const;

/** Metadata for OCIR: a JSON object of strings (it is signed as its sorted, compact JSON text). */
function ocirMetadata(text: string): { value?: Record<string, string>; problem?: string } {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'Not JSON: write an object such as {"buildNumber": "123"}.' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string'))
    return { problem: 'OCIR metadata is a JSON object of strings.' };
  return { value: value as Record<string, string> };
}

/** Sign the image for OCIR with an OCI Vault key (one of Signet's ocikms:// keys, or a URI typed). */
function OcirSignDialog({
  image,
  onClose,
  onSigned,
}: {
  image: { id: string; repository: string; digest: string };
  onClose(): void;
  onSigned(): void;
}) {
  const api = useApp((s) => s.api);
  const keys = useCall(api ? () => api.keys.list({}) : undefined, [api]);
  const ociKeys = (keys.data ?? []).filter((k) => k.uri?.startsWith('ocikms://'));
  const [key, setKey] = useState('');
  const [algorithm, setAlgorithm] = useState<(typeof ALGORITHMS)[number]>('SHA_256_RSA_PKCS_PSS');
  const [description, setDescription] = useState('');
  const [metadata, setMetadata] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const parsed = ocirMetadata(metadata);
  const uri = key || ociKeys[0]?.uri || '';
  const submit = async () => {
    if (!api || !uri || parsed.problem) return;
    setBusy(true);
    const result = await api.ocir.sign({
      ...image,
      key: uri,
      algorithm,
      ...(description ? { description } : {}),
      ...(parsed.value ? { metadata: parsed.value } : {}),
    });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    onSigned();
  };
  return (
    <Dialog title="Sign for OCIR" open onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="ocir-sign-key">OCI Vault key</label>
          <input
            id="ocir-sign-key"
            list="ocir-sign-keys"
            value={uri}
            spellCheck={false}
            placeholder="ocikms://…-crypto.kms.REGION.oraclecloud.com/ocid1.key…[/ocid1.keyversion…]"
            onChange={(e) => setKey(e.target.value)}
          />
          <datalist id="ocir-sign-keys">
            {ociKeys.map((k) => (
              <option key={k.id} value={k.uri}>
                {k.name}
              </option>
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="ocir-sign-algorithm">Signing algorithm</label>
          <select id="ocir-sign-algorithm" value={algorithm} onChange={(e) => setAlgorithm(e.target.value as (typeof ALGORITHMS)[number])}>
            {ALGORITHMS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ocir-sign-description">Description (signed)</label>
          <input id="ocir-sign-description" value={description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ocir-sign-metadata">Metadata (signed JSON object of strings)</label>
          <input id="ocir-sign-metadata" value={metadata} spellCheck={false} onChange={(e) => setMetadata(e.target.value)} />
          {parsed.problem && <span className="field-error">{parsed.problem}</span>}
        </div>
        <button type="submit" className="button" disabled={busy || !uri || Boolean(parsed.problem)}>
          {busy ? 'Signing…' : 'Sign'}
        </button>
      </form>
    </Dialog>
  );
}
