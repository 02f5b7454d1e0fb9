import { useEffect, useRef, useState } from 'react';
import type { SavedRegistry } from '../../../shared/models/registry';
import {
  DATE_KIND_TEXT,
  payloadDataLabel,
  type KeyDetails,
  type SignatureDate,
  type SignatureReport,
  type VerificationReport,
} from '../../../shared/models/signatures';
import { DESCRIPTION_KEY, MAX_DESCRIPTION_CHARS, MAX_METADATA_BYTES, METADATA_KEY } from '../../../shared/payloads/record';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { choosesPaths, isChosenHandle, PathField } from '../components/PathField';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { signingFormats } from '../../../shared/models/keys';
import { compatibilityOf, type SignatureKind } from '../../../shared/compat';
import { FORMAT_TABLE } from '../../../shared/formats';
import { TrustKeyAction } from './TrustKeyAction';
import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { KeyDetailsDialog, KmsAnswer, keyFingerprintOf } from './KeyDetailsDialog';
import { DeleteByKeyDialog, DeleteSignatureDialog, type Places } from './DeleteSignature';
import { SignatureTagsEditor, TagsLine } from './SignatureTags';
import { useCan } from '../hooks/useCan';
import { OcirSignatures } from './OcirSignatures';
import { SignatureTableHead } from './SignatureTableHead';

type AnyVerdict = VerificationReport['verdict'] | SignatureReport['verdict'];
const VERDICT_TEXT: Record<AnyVerdict, string> = {
  unsigned: 'Unsigned',
  'signed-untrusted': 'Signed, but by no trusted key',
  verified: 'Verified',
  failed: 'Failed',
  unknown: 'Unknown',
  'not-verifiable': 'Not verifiable yet',
};
const VERDICT_CLASS: Record<AnyVerdict, string> = {
  unsigned: 'badge',
  'signed-untrusted': 'badge badge-warn',
  verified: 'badge badge-ok',
  failed: 'badge badge-bad',
  unknown: 'badge badge-warn',
  'not-verifiable': 'badge badge-warn',
};
const COMPAT_KINDS: readonly string[] = ['cosign', 'simplesigning', 'asc', 'sigstore-bundle', 'notation'];

/** The image's signatures, each with its checks; Sign and Verify actions. */
export function SignaturesPanel({
  registry,
  repository,
  digest,
  tag,
  isIndex,
  onSigned,
  openId,
  onOpenId,
}: {
  registry: SavedRegistry;
  repository: string;
  digest: string;
  tag?: string | undefined;
  isIndex?: boolean;
  onSigned?(): void;
  /** The signature whose details are open, by its id: part of the page's URL. */
  openId?: string | undefined;
  onOpenId?(id: string | undefined): void;
}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const profiles = useCall(api ? () => api.storage.list({}) : undefined, [api]);
  const [ascProfile, setAscProfile] = useState('');
  // Opening the view checks passively; the Verify button is a person asking, and is audited.
  const [requested, setRequested] = useState(0);
  const report = useCall(
    api
      ? () =>
          api.signatures.verify({
            id: registry.id,
            repository,
            digest,
            ...(tag && !/^sha256[:-]/.test(tag) ? { tag } : {}),
            ...(ascProfile ? { asc: { profile: ascProfile } } : {}),
            ...(requested ? { requested: true } : {}),
          })
      : undefined,
    [api, registry.id, repository, digest, tag, ascProfile, requested],
  );
  const [signing, setSigning] = useState(false);
  const [signedHere, setSignedHere] = useState(false);
  const [open, setOpen] = useState<SignatureReport>();
  // Opening or closing a signature's details changes the URL, so the place can be reloaded and shared.
  const shownId = useRef(openId);
  useEffect(() => {
    // Nothing is open yet when the panel mounts: a signature the URL names opens once the report has it.
    if (!open && shownId.current && !report.data) return;
    if (open?.id === shownId.current) return;
    shownId.current = open?.id;
    onOpenId?.(open?.id);
  }, [open?.id]);
  const [changed, setChanged] = useState<string>();
  useEffect(() => setChanged(undefined), [registry.id, repository, digest]);
  // After a re-verification the open signature shows its new report (matched by where it is stored and its bytes).
  useEffect(() => {
    setOpen((current) =>
      current && report.data
        ? ([...report.data.signatures, ...report.data.attestations].find(
            (s) => s.storage === current.storage && s.signature === current.signature,
          ) ?? current)
        : current,
    );
  }, [report.data]);
  // A link names a signature: its details open once the report has it.
  useEffect(() => {
    if (!openId || !report.data) return;
    const named = [...report.data.signatures, ...report.data.attestations].find((s) => s.id === openId);
    if (named) {
      shownId.current = named.id;
      setOpen(named);
    }
  }, [openId, report.data]);
  return (
    <section className="signatures" aria-label="Signatures">
      <div className="signatures-head">
        <h3>Signatures</h3>
        {report.data && (
          <span className={VERDICT_CLASS[report.data.verdict]} aria-label="Verdict">
            {VERDICT_TEXT[report.data.verdict]}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="button secondary" onClick={() => setRequested((n) => n + 1)} disabled={report.loading}>
          {report.loading ? 'Verifying…' : 'Verify'}
        </button>
        {can('signatures.sign') && (
          <button type="button" className="button" onClick={() => setSigning(true)}>
            Sign…
          </button>
        )}
      </div>
      {/* Every storage profile, directories included: `offline attach` writes .asc files to those too. */}
      {profiles.data && profiles.data.length > 0 && (
        <div className="field inline small">
          <label htmlFor="asc-source">Also read SWR .asc files from</label>
          <select id="asc-source" value={ascProfile} onChange={(e) => setAscProfile(e.target.value)}>
            <option value="">nowhere else</option>
            {profiles.data.map((p) => (
              <option key={p.name} value={p.name}>{`${p.name} (${p.kind === 'directory' ? 'directory' : `${p.kind} bucket`})`}</option>
            ))}
          </select>
        </div>
      )}
      <ErrorBanner message={report.error} />
      {report.data && report.data.verdict !== 'verified' && report.data.verdict !== 'unsigned' && (
        <p className="reason wrap" role="note">
          {report.data.reason}
        </p>
      )}
      {report.data && report.data.verdict === 'unsigned' && (
        <p className="muted" role="note">
          No signature was found in any of the {report.data.looked.length} places Signet looked.
        </p>
      )}
      {report.data && <LookedPlaces report={report.data} />}
      {report.data && report.data.signatures.length > 0 && (
        <SignatureTable label="Signature list" rows={report.data.signatures} onOpen={setOpen} />
      )}
      {report.data && report.data.attestations.length > 0 && (
        <>
          <h4>
            Attestations <span className="muted small">(signed statements about the image; they do not make it signed)</span>
          </h4>
          <SignatureTable label="Attestation list" rows={report.data.attestations} onOpen={setOpen} />
        </>
      )}
      {registry.ocir && <OcirSignatures registry={registry} repository={repository} digest={digest} />}
      {changed && (
        <div className="banner banner-ok" role="status" aria-label="Signatures changed">
          {changed}
        </div>
      )}
      <SignatureDrawer
        signature={open}
        onClose={() => setOpen(undefined)}
        onReverify={() => setRequested((n) => n + 1)}
        verifying={report.loading}
        places={{ registry, repository, digest, ascProfile: ascProfile || undefined }}
        onChanged={(outcome) => {
          setOpen(undefined);
          setChanged(outcome);
          report.reload();
        }}
        onTagged={(tags) => {
          setOpen((s) => (s ? { ...s, tags } : s));
          report.reload();
        }}
      />
      <SignDialog
        open={signing}
        onClose={() => {
          setSigning(false);
          if (signedHere) onSigned?.();
        }}
        onSigned={() => {
          setSignedHere(true);
          report.reload();
        }}
        registry={registry}
        repository={repository}
        digest={digest}
        tag={tag}
        isIndex={isIndex ?? false}
      />
    </section>
  );
}

/** Where Signet looked for signatures and what it found: the ground an "unsigned" verdict stands on. */
function LookedPlaces({ report }: { report: VerificationReport }) {
  return (
    <details className="small" open={report.verdict === 'unsigned' || report.verdict === 'unknown'}>
      <summary>Where Signet looked ({report.looked.length})</summary>
      <ul className="checks" aria-label="Places looked at">
        {report.looked.map((l, i) => (
          <li key={`${l.kind}-${i}`}>
            <span className={`badge ${l.outcome === 'found' ? 'badge-ok' : l.outcome === 'unreadable' ? 'badge-bad' : ''}`}>
              {l.outcome === 'none' ? 'nothing' : l.outcome}
            </span>{' '}
            <span className="mono small wrap">{l.place}</span>
            {l.reason && <div className="reason">{l.reason}</div>}
          </li>
        ))}
      </ul>
    </details>
  );
}

function SignatureTable({ label, rows, onOpen }: { label: string; rows: readonly SignatureReport[]; onOpen(s: SignatureReport): void }) {
  return (
    <table className="table signature-table" aria-label={label}>
      <SignatureTableHead />
      <tbody>
        {rows.map((s, i) => {
          const annotations = Object.entries(s.annotations)
            .filter(([k]) => k !== DESCRIPTION_KEY && k !== METADATA_KEY)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ');
          return (
            <tr key={`${s.signature.slice(0, 24)}-${i}`}>
              <td>
                {FORMAT_TABLE[s.format as keyof typeof FORMAT_TABLE]?.label ?? s.format}
                {s.id && (
                  <div className="muted small mono" aria-label="Signature id">
                    {s.id}
                  </div>
                )}
              </td>
              <td>
                {s.signer ?? <span className="muted">unknown key</span>}
                {s.description !== undefined && (
                  <div className="small wrap" aria-label="Description">
                    <span className="muted">Description ({payloadDataLabel(s)}): </span>
                    {s.description.length > 300 ? `${s.description.slice(0, 300)}…` : s.description}
                  </div>
                )}
                {s.metadata !== undefined && (
                  <div className="small mono wrap" aria-label="Metadata">
                    <span className="muted">Metadata ({payloadDataLabel(s)}): </span>
                    {s.metadata.length > 200 ? `${s.metadata.slice(0, 200)}… (see the details)` : s.metadata}
                  </div>
                )}
                <div className="muted small" aria-label="Algorithm">
                  {s.algorithm ?? 'algorithm unknown'}
                </div>
                {annotations && (
                  <div className="small" aria-label="Annotations">
                    {annotations}
                  </div>
                )}
                <TagsLine tags={s.tags} />
              </td>
              <td>
                <SignatureDateText date={s.date} />
              </td>
              <td>
                <button type="button" className="link-button" onClick={() => onOpen(s)}>
                  <span className={VERDICT_CLASS[s.verdict]}>{VERDICT_TEXT[s.verdict]}</span>
                </button>
                {s.verdict !== 'verified' && (
                  <div className="reason">
                    {(s.checks.find((c) => c.code === s.code) ?? s.checks.find((c) => c.status === 'failed'))?.reason}
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A signature's date and what kind of date it is (verified, claimed by the signer, seen at the registry). */
function SignatureDateText({ date }: { date?: SignatureDate | undefined }) {
  if (!date)
    return (
      <div className="muted small" aria-label="Date">
        no date
      </div>
    );
  return (
    <div className="small" aria-label="Date">
      <time dateTime={date.at} title={date.at}>
        {new Date(date.at).toLocaleString()}
      </time>
      <div className={date.kind === 'verified' ? 'badge badge-ok' : 'muted'}>{DATE_KIND_TEXT[date.kind]}</div>
    </div>
  );
}

function SignatureDrawer({
  signature,
  onClose,
  onReverify,
  verifying,
  places,
  onChanged,
  onTagged,
}: {
  signature?: SignatureReport | undefined;
  onClose(): void;
  onReverify(): void;
  verifying: boolean;
  places: Places;
  onChanged(outcome: string): void;
  onTagged(tags: Record<string, string>): void;
}) {
  const api = useApp((s) => s.api);
  const can = useCan();
  const [keyOpen, setKeyOpen] = useState(false);
  const [deleting, setDeleting] = useState<'one' | 'key'>();
  const [kms, setKms] = useState<KeyDetails['kms']>();
  const [kmsError, setKmsError] = useState<string>();
  useEffect(() => {
    setKms(undefined);
    setKmsError(undefined);
  }, [signature?.storage, signature?.signature]);
  const fingerprint = signature ? keyFingerprintOf(signature) : undefined;
  // Re-runs every check (an audited verification) and, for a KMS key, asks the KMS whether the version is still enabled.
  const verifyAgain = async () => {
    onReverify();
    if (!api || !signature || !fingerprint) return;
    const result = await api.signatures.keyDetails({
      fingerprint,
      digest: places.digest,
      ...(signature.algorithm ? { algorithm: signature.algorithm } : {}),
      askKms: true,
    });
    if (!result.ok) return setKmsError(result.message);
    setKms(result.value.kms);
  };
  let pretty = signature?.payload ?? '';
  try {
    pretty = JSON.stringify(JSON.parse(pretty), null, 2);
  } catch {
    // shown as stored
  }
  return (
    <Dialog title="Signature details" open={Boolean(signature)} onClose={onClose} wide>
      {signature && (
        <>
          <div className="actions">
            <button type="button" className="button secondary" onClick={() => setKeyOpen(true)}>
              View key details
            </button>
            <button type="button" className="button secondary" onClick={() => void verifyAgain()} disabled={verifying}>
              {verifying ? 'Verifying…' : 'Verify signature'}
            </button>
            {signature.id && can('signatures.delete') && (
              <button type="button" className="button secondary" onClick={() => setDeleting('one')}>
                Delete signature…
              </button>
            )}
            {fingerprint && can('signatures.deleteByKey') && (
              <button type="button" className="button secondary" onClick={() => setDeleting('key')}>
                Delete every signature by this key…
              </button>
            )}
          </div>
          <DeleteSignatureDialog
            signature={signature}
            places={places}
            open={deleting === 'one'}
            onClose={() => setDeleting(undefined)}
            onDeleted={(outcome) => {
              setDeleting(undefined);
              onChanged(outcome);
            }}
          />
          {fingerprint && (
            <DeleteByKeyDialog
              fingerprint={fingerprint}
              keyName={signature.signer ?? fingerprint}
              places={places}
              open={deleting === 'key'}
              onClose={() => setDeleting(undefined)}
              onDeleted={(outcome) => {
                setDeleting(undefined);
                onChanged(outcome);
              }}
            />
          )}
          <p aria-label="Local verdict">
            <span className={VERDICT_CLASS[signature.verdict]}>{VERDICT_TEXT[signature.verdict]}</span>{' '}
            <span className="muted small">local verdict, from the checks below</span>
          </p>
          <ErrorBanner message={kmsError} />
          {kms && <KmsAnswer kms={kms} />}
          <KeyDetailsDialog signature={signature} digest={places.digest} open={keyOpen} onClose={() => setKeyOpen(false)} />
          <dl className="facts compact">
            {signature.id && (
              <div className="fact">
                <dt>Signature id</dt>
                <dd className="mono" aria-label="Signature id">
                  {signature.id}
                </dd>
              </div>
            )}
            <div className="fact">
              <dt>Stored at</dt>
              <dd className="mono small">{signature.storage}</dd>
            </div>
            <div className="fact">
              <dt>Signer</dt>
              <dd>
                {signature.signer ?? 'No trusted key matched'}
                {signature.fingerprint ? <div className="mono small">{signature.fingerprint}</div> : null}
              </dd>
            </div>
            {signature.knownKey && (
              <div className="fact">
                <dt>Signet key</dt>
                <dd>
                  Made with “{signature.knownKey.name}”, which is not trusted.{' '}
                  <TrustKeyAction keyId={signature.knownKey.id} keyName={signature.knownKey.name} />
                </dd>
              </div>
            )}
            {signature.identity && (
              <div className="fact">
                <dt>Identity</dt>
                <dd className="mono small">
                  {signature.identity} <span className="muted">(claimed by the signer)</span>
                </dd>
              </div>
            )}
            <div className="fact">
              <dt>Date</dt>
              <dd>
                <SignatureDateText date={signature.date} />
              </dd>
            </div>
            {signature.description !== undefined && (
              <div className="fact">
                <dt>Description</dt>
                <dd className="wrap">
                  {signature.description}{' '}
                  <span className="muted">
                    ({payloadDataLabel(signature) === 'signed' ? 'signed data' : 'in the payload, but the signature does not verify'})
                  </span>
                </dd>
              </div>
            )}
            {signature.metadata !== undefined && (
              <div className="fact">
                <dt>Metadata</dt>
                <dd>
                  <pre className="code small">{prettyJson(signature.metadata)}</pre>
                  <span className="muted">
                    ({payloadDataLabel(signature) === 'signed' ? 'signed data' : 'in the payload, but the signature does not verify'})
                  </span>
                </dd>
              </div>
            )}
          </dl>
          {signature.notation && <NotationFacts details={signature.notation} />}
          {signature.judgedAt?.claimed !== undefined && (
            <p>
              Signed at {new Date(signature.judgedAt.claimed * 1000).toISOString()}{' '}
              <span className="muted">(claimed by the signer, not verified: never used to widen trust)</span>
            </p>
          )}
          {signature.judgedAt && (
            <p>
              Judged at {signature.judgedAt.at}{' '}
              <span className="muted">
                (
                {signature.judgedAt.source === 'now'
                  ? 'verification time: Signet verified no signing time'
                  : `time verified from ${signature.judgedAt.source}`}
                )
              </span>
            </p>
          )}
          <SignatureTagsEditor signature={signature} places={places} onChanged={onTagged} />
          <h4>Checks</h4>
          <ul className="checks">
            {signature.checks.map((c) => (
              <li key={`${c.name}-${c.code}`}>
                <span
                  className={`badge ${c.status === 'passed' ? 'badge-ok' : c.status === 'failed' ? 'badge-bad' : c.status === 'logged' ? 'badge-warn' : ''}`}
                >
                  {c.status}
                </span>{' '}
                <strong>{c.name}</strong>: {c.reason} <span className="muted small mono">{c.code}</span>
              </li>
            ))}
          </ul>
          <h4>Signed payload</h4>
          {pretty ? (
            <pre className="code">{pretty}</pre>
          ) : (
            <p className="muted">Not shown: inside an OpenPGP message it is only read once the signature verifies with a trusted key.</p>
          )}
          <h4>Signature (base64, unsigned envelope field)</h4>
          <pre className="code">{signature.signature}</pre>
          {COMPAT_KINDS.includes(signature.format) && (
            <Compatibility kind={signature.format as SignatureKind} algorithm={signature.algorithm} />
          )}
        </>
      )}
    </Dialog>
  );
}

/** A Notation signature's envelope, signing time, chain and the trust policy that judged it. */
function NotationFacts({ details }: { details: NonNullable<SignatureReport['notation']> }) {
  const p = details.policy;
  return (
    <section aria-label="Notation">
      <h4>Notation</h4>
      <dl className="facts compact">
        <div className="fact">
          <dt>Envelope</dt>
          <dd>
            {details.envelope ? details.envelope.toUpperCase() : 'unreadable'} <span className="muted small mono">{details.mediaType}</span>
          </dd>
        </div>
        {details.signingScheme && (
          <div className="fact">
            <dt>Signing scheme</dt>
            <dd className="mono small">{details.signingScheme}</dd>
          </div>
        )}
        {details.signingTime && (
          <div className="fact">
            <dt>Signing time</dt>
            <dd>
              {details.signingTime.at}{' '}
              <span className="muted">
                ({details.signingTime.authenticated ? 'authenticated' : 'claimed: not verified, never used to widen trust'})
              </span>
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Expiry</dt>
          <dd>{details.expiry ?? 'none'}</dd>
        </div>
        <div className="fact">
          <dt>Timestamp</dt>
          <dd>
            {details.timestamp
              ? `RFC 3161, verified: ${details.timestamp.at} by ${details.timestamp.tsa}`
              : details.timestampToken
                ? 'RFC 3161 countersignature present, not verified (see the timestamp check)'
                : 'none'}
          </dd>
        </div>
        {details.anchor && (
          <div className="fact">
            <dt>Trusted through</dt>
            <dd>{details.anchor}</dd>
          </div>
        )}
        <div className="fact">
          <dt>Trust policy</dt>
          <dd>
            {p.name}{' '}
            <span className="muted">
              ({p.source === 'trust-store' ? 'the trust store’s certificates are the CA store' : 'imported Notation trust policy'}; level{' '}
              {p.level}
              {p.decidingCheck ? `; decided by the ${p.decidingCheck} check` : ''})
            </span>
          </dd>
        </div>
      </dl>
      {details.chain.length > 0 && (
        <table className="table small" aria-label="Certificate chain">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Subject</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Valid</th>
            </tr>
          </thead>
          <tbody>
            {details.chain.map((c, i) => (
              <tr key={c.sha256}>
                <td>{i === 0 ? 'leaf' : i === details.chain.length - 1 ? 'root' : i}</td>
                <td>{c.subject}</td>
                <td className="mono small wrap">{c.sha256}</td>
                <td className="small">
                  {c.notBefore} – {c.notAfter}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Which consumers will find and accept a signature of this kind. */
export function Compatibility({ kind, algorithm }: { kind: SignatureKind; algorithm?: string | undefined }) {
  return (
    <section aria-label="Compatibility">
      <h4>Who will accept it</h4>
      <ul className="checks">
        {compatibilityOf(kind, algorithm).map((c) => (
          <li key={c.consumer}>
            <span className={`badge ${c.accepts === 'yes' ? 'badge-ok' : c.accepts === 'no' ? 'badge-bad' : 'badge-warn'}`}>
              {c.accepts === 'with-settings' ? 'with settings' : c.accepts}
            </span>{' '}
            <strong>{c.consumer}</strong>: {c.why}
          </li>
        ))}
      </ul>
    </section>
  );
}

let signJobs = 0;

/** Why the metadata text cannot be signed (not JSON, not an object, too large), or nothing. The host checks again, strictly. */
function metadataProblem(text: string): string | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'Not JSON: write an object such as {"ticket": "REL-42"}.';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'The metadata must be a JSON object ({…}), not a list or a single value.';
  if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_METADATA_BYTES)
    return `At most ${MAX_METADATA_BYTES} bytes of metadata are signed.`;
  return undefined;
}

function SignDialog({
  open,
  onClose,
  onSigned,
  registry,
  repository,
  digest,
  tag,
  isIndex,
}: {
  open: boolean;
  onClose(): void;
  onSigned(): void;
  registry: SavedRegistry;
  repository: string;
  digest: string;
  tag?: string | undefined;
  isIndex: boolean;
}) {
  const api = useApp((s) => s.api);
  const keys = useCall(api && open ? () => api.keys.list({}) : undefined, [api, open]);
  const [format, setFormat] = useState<'cosign' | 'simplesigning' | 'notation'>('cosign');
  const [envelope, setEnvelope] = useState<'jws' | 'cose'>('jws');
  const [expiry, setExpiry] = useState('');
  const badExpiry = format === 'notation' && expiry.trim() !== '' && !/^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/.test(expiry.trim());
  const usable = keys.data?.filter((k) => !k.retired && signingFormats(k).formats.includes(format)) ?? [];
  const [key, setKey] = useState('');
  const chosen = usable.find((k) => k.id === key);
  const [annotations, setAnnotations] = useState('');
  const [description, setDescription] = useState('');
  const [metadata, setMetadata] = useState('');
  const badMetadata = metadataProblem(metadata);
  const record = {
    ...(description.trim() ? { description: description.trim() } : {}),
    ...(metadata.trim() && !badMetadata ? { metadata: metadata.trim() } : {}),
  };
  // The last lookaside used for this registry (not a secret: a directory), else the one saved with the registry.
  const lookasideMemory = `signet.lookaside.${registry.id}`;
  // In the desktop app a folder is chosen in a dialog each time (its handle does not outlive the window); an empty field then means
  // the directory saved with the registry, which the core uses when none is given.
  const savedDirectory = registry.lookaside?.startsWith('/') ? registry.lookaside : undefined;
  const [lookaside, setLookaside] = useState(() =>
    choosesPaths() ? '' : (globalThis.localStorage?.getItem(lookasideMemory) ?? savedDirectory ?? ''),
  );
  const lookasideMissing = format === 'simplesigning' && !lookaside.trim() && !(choosesPaths() && savedDirectory);
  const [indexOnly, setIndexOnly] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string>();
  const [done, setDone] = useState<Array<{ digest: string; platform?: string | undefined; where: string }>>();
  const [signedAlgorithm, setSignedAlgorithm] = useState<string>();
  const parsed = annotations
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split('=')) as Array<[string, ...string[]]>;
  const bad = parsed.find((p) => p.length < 2 || !p[0]);
  const realTag = tag && !tag.startsWith('sha') ? tag : undefined;
  const annotationMap = Object.fromEntries(parsed.map(([k, ...v]) => [k, v.join('=')]));
  const preview = useCall(
    api && open && !bad && format !== 'notation'
      ? () =>
          api.payload.build({
            reference: `${registry.host}/${repository}${realTag ? `:${realTag}` : ''}`,
            digest,
            type: format === 'cosign' ? 'cosign' : 'atomic',
            ...(parsed.length ? { extra: annotationMap } : {}),
            ...record,
            timestamp: Math.floor(Date.now() / 1000),
            ...(format === 'simplesigning' ? { creator: `${APP_NAME} ${APP_VERSION}` } : {}),
          })
      : undefined,
    [api, open, format, annotations, digest, description, metadata],
  );
  const submit = async () => {
    if (!api || !chosen || bad || badExpiry || badMetadata) return;
    if (lookasideMissing) return;
    if (format === 'simplesigning' && !isChosenHandle(lookaside)) globalThis.localStorage?.setItem(lookasideMemory, lookaside.trim());
    setBusy(true);
    const jobId = `sign-${Date.now()}-${++signJobs}`;
    const unsubscribe = api.events.subscribe((e) => {
      if (e.type === 'job.progress' && e.payload.jobId === jobId)
        setProgress(`${e.payload.message} (${e.payload.done}/${e.payload.total})`);
    });
    const result = await api.signatures.sign({
      id: registry.id,
      repository,
      digest,
      key: chosen.id,
      format,
      jobId,
      ...(format === 'simplesigning' && lookaside.trim() ? { lookaside: lookaside.trim() } : {}),
      ...(parsed.length ? { annotations: annotationMap } : {}),
      ...record,
      ...(format === 'notation' ? { envelope, ...(expiry.trim() ? { expiry: expiry.trim() } : {}) } : {}),
      ...(realTag ? { expectedTag: realTag } : {}),
      ...(isIndex && indexOnly ? { indexOnly: true } : {}),
    });
    unsubscribe();
    setBusy(false);
    setProgress(undefined);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setDone(result.value.signed);
    setSignedAlgorithm(result.value.algorithm);
    onSigned();
  };
  const close = () => {
    setDone(undefined);
    onClose();
  };
  return (
    <Dialog
      title="Sign this image"
      open={open}
      onClose={close}
      wide
      footer={
        done ? (
          <button type="button" className="button" onClick={close}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button secondary" onClick={close}>
              Cancel
            </button>
            <button
              type="submit"
              form="sign-image"
              className="button"
              disabled={busy || !chosen || Boolean(bad) || badExpiry || Boolean(badMetadata) || lookasideMissing}
            >
              {busy ? 'Signing…' : 'Sign'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <div role="status" aria-label="Signed">
          <div className="banner banner-ok">
            Signed {done.length} manifest{done.length === 1 ? '' : 's'}.
          </div>
          <ul className="checks">
            {done.map((d) => (
              <li key={d.digest}>
                <strong>{d.platform ?? 'image'}</strong> <span className="mono small">{d.digest}</span> →{' '}
                <span className="mono small">{d.where}</span>
              </li>
            ))}
          </ul>
          <Compatibility kind={format} algorithm={signedAlgorithm} />
        </div>
      ) : (
        <form
          id="sign-image"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <ErrorBanner message={error} />
          <p>Signet signs exactly this manifest{isIndex && !indexOnly ? ' and each of its platform manifests' : ''}:</p>
          <p className="mono small wrap">
            {registry.host}/{repository}@{digest}
          </p>
          {realTag && <p className="hint">If the tag {realTag} has moved by the time the signature is written, nothing is signed.</p>}
          <fieldset className="field">
            <legend>Format</legend>
            <label>
              <input
                type="radio"
                name="sign-format"
                checked={format === 'cosign'}
                onChange={() => {
                  setFormat('cosign');
                  setKey('');
                }}
              />{' '}
              cosign (signature image at <code>{digest.replace(':', '-')}.sig</code> beside it)
            </label>
            <label>
              <input
                type="radio"
                name="sign-format"
                checked={format === 'simplesigning'}
                onChange={() => {
                  setFormat('simplesigning');
                  setKey('');
                }}
              />{' '}
              containers/image simple signing (OpenPGP, lookaside signature-N)
            </label>
            <label>
              <input
                type="radio"
                name="sign-format"
                checked={format === 'notation'}
                onChange={() => {
                  setFormat('notation');
                  setKey('');
                }}
              />{' '}
              Notation (a referrer; keys with an X.509 certificate chain)
            </label>
          </fieldset>
          {format === 'notation' && (
            <fieldset className="field">
              <legend>Envelope</legend>
              <label>
                <input type="radio" name="sign-envelope" checked={envelope === 'jws'} onChange={() => setEnvelope('jws')} /> JWS
                (application/jose+json, notation’s default)
              </label>
              <label>
                <input type="radio" name="sign-envelope" checked={envelope === 'cose'} onChange={() => setEnvelope('cose')} /> COSE
                (application/cose)
              </label>
            </fieldset>
          )}
          {format === 'notation' && (
            <div className="field">
              <label htmlFor="sign-expiry">Expiry (optional duration after signing, e.g. 720h)</label>
              <input id="sign-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)} spellCheck={false} placeholder="none" />
              {badExpiry && <span className="reason">A duration such as 720h, 1h30m or 3600s.</span>}
            </div>
          )}
          <div className="field">
            <label htmlFor="sign-key-choice">Key</label>
            <select id="sign-key-choice" value={key} onChange={(e) => setKey(e.target.value)}>
              <option value="">
                {usable.length
                  ? 'Choose a key…'
                  : format === 'cosign'
                    ? 'No active cosign-capable key: generate one or add a KMS key under Keys'
                    : format === 'notation'
                      ? 'No active key with an X.509 chain: generate an X.509 key or attach a certificate under Keys'
                      : 'No active OpenPGP key: generate one under Keys'}
              </option>
              {usable.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name} ({k.kind === 'kms' ? `KMS, ${k.algorithm}` : k.type})
                </option>
              ))}
            </select>
            {chosen && (
              <span className="hint">
                Signs in: {signingFormats(chosen).formats.join(', ')}.
                {chosen.kind === 'kms'
                  ? ` The KMS signs the digest (${chosen.algorithm}); Signet verifies it locally before anything is written.`
                  : ''}
              </span>
            )}
          </div>
          {format === 'simplesigning' && (
            <>
              <PathField
                id="sign-lookaside"
                purpose={{ call: 'signatures.sign', field: 'lookaside' }}
                label="Lookaside directory (staging; publish it under Payloads or with signet publish)"
                value={lookaside}
                onChange={setLookaside}
                choices={['directory']}
                placeholder="/var/lib/signet/lookaside"
                invalid={lookasideMissing}
                describedBy="sign-lookaside-error"
                {...(choosesPaths() && savedDirectory
                  ? { hint: `Nothing chosen: the directory saved with the registry, ${savedDirectory}.` }
                  : {})}
              />
              {lookasideMissing && (
                <span id="sign-lookaside-error" className="field-error">
                  Simple signatures are stored in a lookaside directory: name one.
                </span>
              )}
            </>
          )}
          {isIndex && (
            <label className="check">
              <input type="checkbox" checked={indexOnly} onChange={(e) => setIndexOnly(e.target.checked)} /> Sign only the index, not each
              platform
            </label>
          )}
          <div className="field">
            <label htmlFor="sign-description">Description (optional, signed in the payload)</label>
            <input
              id="sign-description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              maxLength={MAX_DESCRIPTION_CHARS}
              placeholder="Release 1.4, approved by QA"
            />
          </div>
          <div className="field">
            <label htmlFor="sign-metadata">Metadata (optional JSON object, signed in the payload)</label>
            <textarea
              id="sign-metadata"
              rows={3}
              value={metadata}
              onChange={(e) => setMetadata(e.target.value)}
              spellCheck={false}
              placeholder='{"ticket": "REL-42"}'
            />
            {badMetadata && <span className="reason">{badMetadata}</span>}
          </div>
          <div className="field">
            <label htmlFor="sign-annotations">Annotations (key=value per line, signed in the payload)</label>
            <textarea
              id="sign-annotations"
              rows={3}
              value={annotations}
              onChange={(e) => setAnnotations(e.target.value)}
              spellCheck={false}
            />
            {bad && <span className="reason">Each line is key=value.</span>}
          </div>
          <h4>What will be signed{isIndex && !indexOnly ? ' (for the index; each platform gets the same with its own digest)' : ''}</h4>
          <pre className="code wrap small" aria-label="Payload to sign">
            {format === 'notation'
              ? `{"targetArtifact":{"mediaType":"<this manifest's media type>","digest":"${digest}","size":<its size>${parsed.length ? `,"annotations":${JSON.stringify(annotationMap)}` : ''}${record.description || record.metadata ? ' (with the description and metadata as annotations)' : ''}}}`
              : preview.data
                ? preview.data.text
                : (preview.error ?? '…')}
          </pre>
          {progress && (
            <p className="muted" role="status">
              {progress}
            </p>
          )}
        </form>
      )}
    </Dialog>
  );
}
