import { SignetError } from '../../../shared/errors';
import type { KeyInfo } from '../../../shared/models/keys';
import type { TrustEntry } from '../../../shared/models/trust';
import type { AuditLog } from '../audit/log';
import type { KeyRing } from '../keys/key-ring';
import type { TrustStore } from './store';

/**
 * Signet's own keys and the trust store. A key in Signet's key list is something Signet signs
 * with; it is trusted for verification only through a trust entry holding its public key
 * (ARCHITECTURE rule 9). These helpers make and find such entries.
 */

/** The fingerprint a trust entry for this key carries (SPKI SHA-256 or OpenPGP fingerprint), upper-case. */
export function ownFingerprint(info: Pick<KeyInfo, 'spkiSha256' | 'pgpFingerprint'>): string | undefined {
  return (info.spkiSha256 ?? info.pgpFingerprint)?.toUpperCase();
}

/** The trust entry holding this key's public key, if any (certificates count: same key). */
export function entryForKey(entries: readonly TrustEntry[], info: Pick<KeyInfo, 'spkiSha256' | 'pgpFingerprint'>): TrustEntry | undefined {
  const fingerprint = ownFingerprint(info);
  return fingerprint ? entries.find((e) => e.fingerprint.toUpperCase() === fingerprint) : undefined;
}

/** What a trust entry for the key holds: its PEM public key, or its armored OpenPGP public key. */
export async function trustMaterial(keys: KeyRing, info: KeyInfo): Promise<string> {
  const exports = await keys.publicExports(info.id);
  const data = info.kind === 'openpgp' ? exports.pgp : exports.pem;
  if (!data) throw new SignetError('UNSUPPORTED', `"${info.name}" has no public key Signet can read, so there is nothing to trust.`);
  return data;
}

/** `base`, or `base (2)`, `base (3)`, … whichever no trust entry is named yet (at most 100 characters). */
export function freeEntryName(entries: readonly Pick<TrustEntry, 'name'>[], base: string): string {
  const taken = new Set(entries.map((e) => e.name));
  const first = base.slice(0, 100);
  if (!taken.has(first)) return first;
  for (let i = 2; ; i += 1) {
    const suffix = ` (${i})`;
    const name = `${base.slice(0, 100 - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/** A trust window end from a key's expiry, when it has one that reads as a date. */
export function expiryWindow(info: Pick<KeyInfo, 'expires'>): { notAfter?: string } {
  if (!info.expires) return {};
  const t = Date.parse(info.expires);
  return Number.isNaN(t) ? {} : { notAfter: new Date(t).toISOString() };
}

export interface TrustKeyOptions {
  /** The entry's name; default the key's name, or the first free `name (N)` when `uniqueName`. */
  name?: string;
  uniqueName?: boolean;
  notBefore?: string;
  notAfter?: string;
  scopes?: string[];
  /** Why, for the audit entry: `generated`, `added`, `user`, `migration`. */
  via: string;
}

/**
 * Adds a trust entry for one of Signet's keys and writes the audit entry. Refuses (CONFLICT) a
 * key that is trusted already, naming the entry.
 */
export async function trustSignetKey(
  store: TrustStore,
  keys: KeyRing,
  audit: AuditLog,
  info: KeyInfo,
  options: TrustKeyOptions,
): Promise<TrustEntry> {
  const entries = await store.entries();
  const existing = entryForKey(entries, info);
  if (existing) throw new SignetError('CONFLICT', `"${info.name}" is trusted already, as "${existing.name}".`);
  const data = await trustMaterial(keys, info);
  const name = options.name ?? (options.uniqueName ? freeEntryName(entries, info.name) : info.name.slice(0, 100));
  const entry = await store.add({
    name,
    data,
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
    ...(options.scopes?.length ? { scopes: options.scopes } : {}),
  });
  await audit.append('trust.changed', `Trusted the Signet key "${info.name}" as "${entry.name}"`, {
    id: entry.id,
    fingerprint: entry.fingerprint,
    kind: entry.kind,
    keyId: info.id,
    via: options.via,
    ...(entry.notAfter ? { notAfter: entry.notAfter } : {}),
  });
  return entry;
}
