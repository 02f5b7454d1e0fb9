import { createPublicKey, X509Certificate } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import type { SignatureCheck } from '../../../shared/models/signatures';
import type { TrustEntry } from '../../../shared/models/trust';
import { spkiSha256 } from '../keys/generate';
import type { KeyRing } from '../keys/key-ring';
import { entriesForImage } from '../trust/scopes';
import { TrustStore } from '../trust/store';
import { pemSpkiSha256 } from '../signing/spki';
import { isSm2Spki } from '../signing/sm2';

/** When a trust entry may vouch for a signature ("trusted for signatures before …"). */
export interface TrustWindow {
  notBefore?: string;
  notAfter?: string;
}

/** What limits a trusted key's validity: the entry's window and, for a certificate, its own validity. */
export interface Validity {
  window?: TrustWindow;
  certificate?: { notBefore: string; notAfter: string; subject: string };
}

export interface TrustedPublicKey {
  name: string;
  pem: string;
  fingerprint: string;
  validity: Validity;
}

export interface TrustedPgpKey {
  name: string;
  key: string;
  validity: Validity;
}

/** A CA or self-signed root certificate of the trust store: a Notation CA-store anchor. */
export interface TrustedCertificate {
  name: string;
  der: Buffer;
  window?: TrustWindow;
}

/** A Signet key that is not in the trust store: it can name a signer, never vouch for one. */
export interface KnownKey {
  id: string;
  name: string;
}

export interface TrustSet {
  keys: TrustedPublicKey[];
  pgp: TrustedPgpKey[];
  /** Certificates that may anchor a chain (CAs and self-signed roots; single-key leaves are not anchors). */
  certificates: TrustedCertificate[];
  /** Trusted for other repositories only: named in reports, never used to accept. */
  outOfScope: { keys: TrustedPublicKey[]; pgp: TrustedPgpKey[]; certificates: TrustedCertificate[] };
  /** Signet's own keys that are not trusted. */
  known: { keys: Array<TrustedPublicKey & { known: KnownKey }>; pgp: Array<TrustedPgpKey & { known: KnownKey }> };
}

export const emptyTrust = (): TrustSet => ({
  keys: [],
  pgp: [],
  certificates: [],
  outOfScope: { keys: [], pgp: [], certificates: [] },
  known: { keys: [], pgp: [] },
});

const windowOf = (e: Pick<TrustEntry, 'notBefore' | 'notAfter'>): TrustWindow | undefined =>
  e.notBefore || e.notAfter
    ? { ...(e.notBefore ? { notBefore: e.notBefore } : {}), ...(e.notAfter ? { notAfter: e.notAfter } : {}) }
    : undefined;

/** A trust entry's name without the " (trusted)" Signet shows after signers, for sentences that say it is trusted. */
export function entryLabel(name: string): string {
  return name.replace(/ \(trusted\)$/, '');
}

/** A trust entry's public material read once: the key's PEM and fingerprint (and a certificate's validity), its DER as an anchor. */
interface Material {
  pem?: string;
  fingerprint?: string;
  certificate?: { notBefore: string; notAfter: string; subject: string };
  der?: Buffer;
}

/** Materials by entry kind and data: the tag list judges every tag with the same few entries, and parses each once. */
const materials = new Map<string, Material | undefined>();

/**
 * The material last read for an entry object, with the kind and data it was read from: the tag list passes the same entry objects for
 * every tag, and this finds their material without building and hashing a key from the whole PEM each time.
 */
const byEntry = new WeakMap<object, { kind: string; data: string; material: Material | undefined }>();

function materialOf(entry: Pick<TrustEntry, 'kind' | 'data'>): Material | undefined {
  const seen = byEntry.get(entry);
  if (seen && seen.kind === entry.kind && seen.data === entry.data) return seen.material;
  const material = materialOfData(entry);
  byEntry.set(entry, { kind: entry.kind, data: entry.data, material });
  return material;
}

function materialOfData(entry: Pick<TrustEntry, 'kind' | 'data'>): Material | undefined {
  const id = `${entry.kind}\n${entry.data}`;
  if (materials.has(id)) return materials.get(id);
  let material: Material | undefined;
  try {
    if (entry.kind === 'certificate') {
      const cert = new X509Certificate(entry.data);
      material = {
        pem: cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        fingerprint: spkiSha256(cert.publicKey),
        certificate: {
          notBefore: new Date(cert.validFrom).toISOString(),
          notAfter: new Date(cert.validTo).toISOString(),
          subject: cert.subject.replace(/\n/g, ', '),
        },
        der: cert.raw,
      };
    } else if (isSm2Spki(entry.data)) material = { pem: entry.data, fingerprint: pemSpkiSha256(entry.data) };
    else {
      const key = createPublicKey(entry.data);
      material = { pem: key.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: spkiSha256(key) };
    }
  } catch {
    // An entry that no longer parses vouches for nothing; the trust view shows it.
    material = undefined;
  }
  if (materials.size >= 1024) materials.clear();
  materials.set(id, material);
  return material;
}

/** A certificate entry's DER, read once (undefined when it does not parse). */
export function certificateDerOf(entry: Pick<TrustEntry, 'kind' | 'data'>): Buffer | undefined {
  return entry.kind === 'certificate' ? materialOf(entry)?.der : undefined;
}

function trustedOf(entry: TrustEntry): { pgp: TrustedPgpKey } | { key: TrustedPublicKey } | undefined {
  const name = `${entry.name} (trusted)`;
  const window = windowOf(entry);
  if (entry.kind === 'openpgp') return { pgp: { name, key: entry.data, validity: window ? { window } : {} } };
  const m = materialOf(entry);
  if (!m?.pem || !m.fingerprint) return undefined;
  const validity: Validity = { ...(window ? { window } : {}), ...(m.certificate ? { certificate: m.certificate } : {}) };
  return { key: { name, pem: m.pem, fingerprint: m.fingerprint, validity } };
}

function certificateOf(entry: TrustEntry): TrustedCertificate | undefined {
  const der = certificateDerOf(entry);
  if (!der) return undefined;
  const window = windowOf(entry);
  return { name: `${entry.name} (trusted)`, der, ...(window ? { window } : {}) };
}

export interface TrustRequest {
  /** Public keys given for this call only (PEM). */
  publicKeys?: readonly string[];
  /** OpenPGP keys given for this call only (armored). */
  pgpKeys?: readonly string[];
  /** Trust only what is given, not the trust store. */
  only?: boolean;
  /** The image being verified (`host/repo:tag` or `host/repo@digest`): selects the entries whose scopes name it. */
  image?: string;
}

/**
 * Everything a verification may trust: the trust store's entries whose scope covers the image
 * (with their windows and certificate validity), and keys given for this call. Trust comes only
 * from there. Signet's own keys are collected apart, so a report can say "signed by your key X,
 * which is not trusted" and offer to trust it.
 */
export async function collectTrust(dataDir: string, keys: KeyRing | undefined, request: TrustRequest): Promise<TrustSet> {
  if (request.only) return addGiven(emptyTrust(), request);
  const entries = await new TrustStore(dataDir).entries();
  const set = trustSetOf(entries, request.image);
  if (keys) await collectKnown(set, keys, entries);
  return addGiven(set, request);
}

/**
 * The trust set of one image from trust entries read once (the tag list asks this per tag): the entries whose scope covers the image,
 * and those trusted for other repositories only. Without an image every entry is in scope. Signet's own keys are not collected.
 */
export function trustSetOf(entries: readonly TrustEntry[], image?: string): TrustSet {
  const set = emptyTrust();
  const { inScope, outOfScope } = image ? entriesForImage(entries, image) : { inScope: entries, outOfScope: [] };
  for (const [target, list] of [
    [set, inScope],
    [set.outOfScope, outOfScope],
  ] as const) {
    for (const entry of list) {
      const t = trustedOf(entry);
      if (t && 'pgp' in t) target.pgp.push(t.pgp);
      else if (t) target.keys.push(t.key);
      const anchor = entry.kind === 'certificate' && !entry.leaf ? certificateOf(entry) : undefined;
      if (anchor) target.certificates.push(anchor);
    }
  }
  return set;
}

async function collectKnown(set: TrustSet, keys: KeyRing, entries: readonly TrustEntry[]): Promise<void> {
  const trustedFingerprints = new Set(entries.map((e) => e.fingerprint.toUpperCase()));
  for (const info of await keys.list()) {
    if (info.spkiSha256 && trustedFingerprints.has(info.spkiSha256.toUpperCase())) continue;
    if (info.pgpFingerprint && trustedFingerprints.has(info.pgpFingerprint.toUpperCase())) continue;
    const exports = await keys.publicExports(info.id).catch(() => undefined);
    const known = { id: info.id, name: info.name };
    const name = `${info.name} (your key, not trusted)`;
    if (info.kind === 'openpgp' && exports?.pgp) set.known.pgp.push({ name, key: exports.pgp, validity: {}, known });
    else if (exports?.pem && info.spkiSha256)
      set.known.keys.push({ name, pem: exports.pem, fingerprint: info.spkiSha256, validity: {}, known });
  }
}

/**
 * The PEM public keys that may vouch for one image now (its scope's entries, windows and
 * certificate validity judged now), from entries read once: the tag list asks this per tag.
 */
export function publicKeysValidFor(entries: readonly TrustEntry[], image: string, now = new Date()): string[] {
  return entriesForImage(entries, image)
    .inScope.map(trustedOf)
    .flatMap((t) => (t && 'key' in t && validityCheck(t.key.validity, undefined, now).status === 'passed' ? [t.key.pem] : []));
}

function addGiven(set: TrustSet, given: TrustRequest): TrustSet {
  for (const [i, pem] of (given.publicKeys ?? []).entries()) {
    try {
      set.keys.push({
        name: `public key ${i + 1} (given)`,
        pem,
        fingerprint: isSm2Spki(pem) ? pemSpkiSha256(pem) : spkiSha256(createPublicKey(pem)),
        validity: {},
      });
    } catch {
      throw new SignetError('INVALID_INPUT', `Public key ${i + 1} cannot be read as a PEM public key.`);
    }
  }
  set.pgp.push(...(given.pgpKeys ?? []).map((key, i) => ({ name: `OpenPGP key ${i + 1} (given)`, key, validity: {} })));
  return set;
}

/**
 * Whether a trusted key may vouch for a signature now. Its window and its certificate's validity
 * are judged at `now`: a time the signer wrote (`claimed`) is not verified, so it can only narrow
 * trust (a claim outside the window fails), never place a signature inside a window that has
 * ended. Signet verifies no signing time today (no RFC 3161 tokens, no log inclusion proofs).
 */
export function validityCheck(validity: Validity, claimed: Date | undefined, now = new Date()): SignatureCheck {
  const fail = (code: SignatureCheck['code'], reason: string): SignatureCheck => ({ name: 'expiry', status: 'failed', code, reason });
  const claim = claimed ? ` (the signature claims ${claimed.toISOString()}, which Signet cannot verify)` : '';
  const cert = validity.certificate;
  if (cert) {
    if (now.getTime() >= Date.parse(cert.notAfter))
      return fail('CERT_EXPIRED', `The trusted certificate ${cert.subject} expired on ${cert.notAfter}; it is judged now${claim}.`);
    if (now.getTime() < Date.parse(cert.notBefore))
      return fail('CERT_NOT_YET_VALID', `The trusted certificate ${cert.subject} is valid only from ${cert.notBefore}.`);
  }
  const w = validity.window;
  if (w?.notAfter && now.getTime() >= Date.parse(w.notAfter))
    return fail(
      'WINDOW_ENDED',
      `Trusted only for signatures made before ${w.notAfter}; Signet cannot verify when this one was made${claim}, so it is judged now, which is later.`,
    );
  if (w?.notBefore && now.getTime() < Date.parse(w.notBefore))
    return fail('WINDOW_NOT_STARTED', `Trusted only for signatures from ${w.notBefore}; it is earlier now.`);
  if (w && claimed) {
    if (w.notAfter && claimed.getTime() >= Date.parse(w.notAfter))
      return fail('WINDOW_CLAIM_OUTSIDE', `The signature claims ${claimed.toISOString()}, after the window's end ${w.notAfter}.`);
    if (w.notBefore && claimed.getTime() < Date.parse(w.notBefore))
      return fail('WINDOW_CLAIM_OUTSIDE', `The signature claims ${claimed.toISOString()}, before the window's start ${w.notBefore}.`);
  }
  if (w)
    return {
      name: 'expiry',
      status: 'passed',
      code: 'WINDOW_OK',
      reason: `Within the trust window now${w.notAfter ? ` (trusted for signatures before ${w.notAfter})` : ''}${cert ? `; the certificate is valid until ${cert.notAfter}` : ''}.`,
    };
  return {
    name: 'expiry',
    status: 'passed',
    code: 'WINDOW_NONE',
    reason: cert ? `No trust window; the certificate is valid until ${cert.notAfter}.` : 'The trust entry has no validity window.',
  };
}

export const noTrustedKeyExpiry: SignatureCheck = {
  name: 'expiry',
  status: 'not-checked',
  code: 'KEY_NOT_CHECKED',
  reason: 'No trusted key matched.',
};
