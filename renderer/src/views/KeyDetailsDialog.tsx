import type { KeyDetails, SignatureReport } from '../../../shared/models/signatures';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';

/**
 * The fingerprint Signet's keys and trust entries are matched by: the SPKI SHA-256 (Notation: of the leaf's key) or the OpenPGP
 * fingerprint.
 */
export function keyFingerprintOf(s: SignatureReport): string | undefined {
  const f = s.keySpki ?? s.fingerprint;
  return f && /^[0-9A-Fa-f]{16,128}$/.test(f) ? f : undefined;
}

/** "Ask the KMS" and "Verify signature" both show the KMS's answer beside the local verdict. */
export function KmsAnswer({ kms }: { kms: NonNullable<KeyDetails['kms']> }) {
  return (
    <p role="status" aria-label="KMS answer">
      <span className={`badge ${kms.enabled ? 'badge-ok' : 'badge-bad'}`}>{kms.enabled ? 'KMS: enabled' : 'KMS: not enabled'}</span>{' '}
      {kms.reason} <span className="muted small">(the KMS’s word; the local verdict stands on its own checks)</span>
    </p>
  );
}

/**
 * View key details: the key's name, full fingerprint, algorithm and padding, the KMS key URI and
 * version, the certificate chain, each Signet key and trust entry with a link to it.
 */
export function KeyDetailsDialog({
  signature,
  digest,
  open,
  onClose,
}: {
  signature: SignatureReport;
  digest: string;
  open: boolean;
  onClose(): void;
}) {
  const api = useApp((s) => s.api);
  const navigate = useApp((s) => s.navigate);
  const fingerprint = keyFingerprintOf(signature);
  const details = useCall(
    api && open && fingerprint
      ? () => api.signatures.keyDetails({ fingerprint, digest, ...(signature.algorithm ? { algorithm: signature.algorithm } : {}) })
      : undefined,
    [api, open, fingerprint, digest, signature.algorithm],
  );
  const go = (area: 'keys' | 'trust', id: string) => {
    onClose();
    navigate({ area, sub: id });
  };
  const d = details.data;
  const kmsKey = d?.keys.find((k) => k.kind === 'kms');
  const chain = signature.notation?.chain.length
    ? signature.notation.chain.map((c) => c.subject)
    : d?.keys.find((k) => k.chain?.length)?.chain;
  return (
    <Dialog title="Key details" open={open} onClose={onClose} wide>
      <ErrorBanner message={details.error} />
      <dl className="facts compact">
        <div className="fact">
          <dt>Key name</dt>
          <dd>{signature.signer ?? <span className="muted">no trusted or Signet key matched</span>}</dd>
        </div>
        <div className="fact">
          <dt>Fingerprint</dt>
          <dd className="mono small wrap" aria-label="Full fingerprint">
            {signature.fingerprint ?? 'unknown'}
            {signature.keySpki ? <div className="muted">key (SPKI SHA-256): {signature.keySpki}</div> : null}
          </dd>
        </div>
        <div className="fact">
          <dt>Algorithm</dt>
          <dd>
            {signature.algorithm ?? 'unknown'}
            {d?.padding ? (
              <div className="muted small" aria-label="Padding">
                {d.padding}
              </div>
            ) : null}
          </dd>
        </div>
        {kmsKey && (
          <div className="fact">
            <dt>KMS key</dt>
            <dd className="mono small wrap">
              {kmsKey.uri}
              {(d?.kms?.version ?? d?.recorded?.keyVersion) ? (
                <div aria-label="Key version">version {d?.kms?.version ?? d?.recorded?.keyVersion}</div>
              ) : null}
            </dd>
          </div>
        )}
        {chain && chain.length > 0 && (
          <div className="fact">
            <dt>Certificate chain</dt>
            <dd>
              <ol className="small" aria-label="Certificate chain">
                {chain.map((c, i) => (
                  <li key={`${c}-${i}`}>{c}</li>
                ))}
              </ol>
            </dd>
          </div>
        )}
        {d && (
          <div className="fact">
            <dt>In Keys</dt>
            <dd>
              {d.keys.length ? (
                d.keys.map((k) => (
                  <div key={k.id}>
                    <a
                      href={`#/keys/${k.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        go('keys', k.id);
                      }}
                    >
                      {k.name}
                    </a>{' '}
                    <span className="muted small">
                      ({k.kind === 'kms' ? 'KMS key' : k.type}
                      {k.retired ? ', retired' : ''})
                    </span>
                  </div>
                ))
              ) : (
                <span className="muted">not one of Signet’s keys</span>
              )}
            </dd>
          </div>
        )}
        {d && (
          <div className="fact">
            <dt>In Trust</dt>
            <dd>
              {d.trust.length ? (
                d.trust.map((t) => (
                  <div key={t.id}>
                    <a
                      href={`#/trust/${t.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        go('trust', t.id);
                      }}
                    >
                      {t.name}
                    </a>{' '}
                    <span className="muted small">({t.scopes?.join(', ') ?? 'every registry'})</span>
                  </div>
                ))
              ) : (
                <span className="muted">not in the trust store</span>
              )}
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Token serial</dt>
          <dd className="small" aria-label="Token serial">
            {d?.recorded?.tokenSerial ? (
              <span className="mono">{d.recorded.tokenSerial}</span>
            ) : (
              <span className="muted">
                {kmsKey ? 'a KMS key, not a token' : 'none recorded (a token’s serial is known when this Signet signed with it)'}
              </span>
            )}
          </dd>
        </div>
        {d?.recorded && (
          <div className="fact">
            <dt>Signed here</dt>
            <dd className="small">
              {d.recorded.at} with {d.recorded.keyName ?? d.recorded.key ?? 'this key'}
              {d.recorded.provider ? ` (${d.recorded.provider})` : ''} <span className="muted">(from the audit log)</span>
            </dd>
          </div>
        )}
      </dl>
    </Dialog>
  );
}
