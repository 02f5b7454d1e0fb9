import type { SignatureDate, SignatureReport } from '../../../shared/models/signatures';
import { readSignedRecord } from '../../../shared/payloads/record';

/**
 * The date a signature shows, strongest kind first: a time Signet verified (RFC 3161 timestamp,
 * transparency log), else the signer's claim (payload timestamp, OpenPGP creation time, Notation
 * signing time), else when the storage says it was stored.
 */
export function signatureDate(r: Pick<SignatureReport, 'judgedAt' | 'timestamp' | 'storedAt'>): SignatureDate | undefined {
  if (r.judgedAt && r.judgedAt.source !== 'now') return { at: r.judgedAt.at, kind: 'verified' };
  const claimed = r.timestamp ?? r.judgedAt?.claimed;
  if (claimed !== undefined && Number.isFinite(claimed) && Math.abs(claimed) <= 8.64e12)
    return { at: new Date(claimed * 1000).toISOString(), kind: 'claimed' };
  if (r.storedAt) return { at: r.storedAt, kind: 'registry' };
  return undefined;
}

/** Every format's report, finished the same way: the signed description and metadata, and the date with its kind. */
export function finishReport(r: SignatureReport): SignatureReport {
  const date = signatureDate(r);
  return { ...r, ...readSignedRecord(r.annotations), ...(date ? { date } : {}) };
}
