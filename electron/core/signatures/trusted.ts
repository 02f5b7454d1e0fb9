import { createPublicKey, X509Certificate } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import type { SignatureReport } from '../../../shared/models/signatures';
import type { TrustEntry } from '../../../shared/models/trust';
import { spkiSha256 } from '../keys/generate';
import type { KeyRing } from '../keys/registry';
import { TrustStore, withinWindow } from '../trust/store';

type Check = SignatureReport['checks'][number];

/** When a key may vouch for a signature: the trust entry's window, or a Signet key's expiry. */
export interface TrustWindow {
  notBefore?: string;
  notAfter?: string;
}

export interface TrustedPublicKey {
  name: string;
  pem: string;
  fingerprint: string;
  window?: TrustWindow;
}

export interface TrustedPgpKey {
  name: string;
  key: string;
  window?: TrustWindow;
}

export interface TrustSet {
  keys: TrustedPublicKey[];
  pgp: TrustedPgpKey[];
}

const windowOf = (e: Pick<TrustEntry, 'notBefore' | 'notAfter'>): TrustWindow | undefined =>
  e.notBefore || e.notAfter ? { ...(e.notBefore ? { notBefore: e.notBefore } : {}), ...(e.notAfter ? { notAfter: e.notAfter } : {}) } : undefined;

/**
 * Everything a verification may trust: the trust store (public keys, certificates' keys, OpenPGP
 * keys, with their windows), Signet's own keys (until they expire), and keys given for this call.
 */
export async function collectTrust(dataDir: string, keys: KeyRing, given: { publicKeys?: readonly string[]; pgpKeys?: readonly string[]; only?: boolean }): Promise<TrustSet> {
  const set: TrustSet = { keys: [], pgp: [] };
  if (given.only) return addGiven(set, given);
  for (const entry of await new TrustStore(dataDir).entries()) {
    const name = `${entry.name} (trusted)`;
    const window = windowOf(entry);
    if (entry.kind === 'openpgp') set.pgp.push({ name, key: entry.data, ...(window ? { window } : {}) });
    else {
      try {
        const key = entry.kind === 'certificate' ? new X509Certificate(entry.data).publicKey : createPublicKey(entry.data);
        set.keys.push({ name, pem: key.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: spkiSha256(key), ...(window ? { window } : {}) });
      } catch {
        // An entry that no longer parses vouches for nothing; the trust view shows it.
      }
    }
  }
  for (const info of await keys.list()) {
    const window = info.expires ? { notAfter: info.expires } : undefined;
    const exports = await keys.publicExports(info.id).catch(() => undefined);
    if (info.kind === 'openpgp' && exports?.pgp) set.pgp.push({ name: `${info.name} (Signet key)`, key: exports.pgp, ...(window ? { window } : {}) });
    else if (exports?.pem && info.spkiSha256 && !set.keys.some((k) => k.fingerprint === info.spkiSha256)) set.keys.push({ name: `${info.name} (Signet key)`, pem: exports.pem, fingerprint: info.spkiSha256, ...(window ? { window } : {}) });
  }
  return addGiven(set, given);
}

function addGiven(set: TrustSet, given: { publicKeys?: readonly string[]; pgpKeys?: readonly string[] }): TrustSet {
  for (const [i, pem] of (given.publicKeys ?? []).entries()) {
    try {
      set.keys.push({ name: `public key ${i + 1} (given)`, pem, fingerprint: spkiSha256(createPublicKey(pem)) });
    } catch {
      throw new SignetError('INVALID_INPUT', `Public key ${i + 1} cannot be read as a PEM public key.`);
    }
  }
  set.pgp.push(...(given.pgpKeys ?? []).map((key, i) => ({ name: `OpenPGP key ${i + 1} (given)`, key })));
  return set;
}

/**
 * The expiry check of a signature made by a trusted key: within the key's window at the time the
 * signature claims (claimed by the signer, so a window only narrows trust), or now when it
 * claims none.
 */
export function expiryCheck(window: TrustWindow | undefined, claimed: Date | undefined): Check {
  if (!window) return { name: 'expiry', status: 'passed', reason: 'The key has no validity window or expiry.' };
  const within = withinWindow(window, claimed);
  return { name: 'expiry', status: within.ok ? 'passed' : 'failed', reason: within.reason };
}
