import type { TrustEntry } from '../../../../shared/models/trust';
import type { RegistrySource } from '../../registry/source';
import { entriesForImage } from '../../trust/scopes';
import type { TagVerdict } from '../batch';
import { notationFormat } from '../formats/notation';
import { certificateDerOf, emptyTrust } from '../trusted';
import { defaultNotationTrust, type NotationAnchor, type NotationTrust } from './trust';

const windowOf = (e: TrustEntry) =>
  e.notBefore || e.notAfter
    ? { ...(e.notBefore ? { notBefore: e.notBefore } : {}), ...(e.notAfter ? { notAfter: e.notAfter } : {}) }
    : undefined;

/**
 * Signet's default Notation trust for one image, from trust entries read once: the certificates (CAs, self-signed) and public keys in its
 * scope.
 */
export function defaultTrustFor(entries: readonly TrustEntry[], image: string): NotationTrust {
  const inScope = entriesForImage(entries, image).inScope;
  const anchors: NotationAnchor[] = [];
  for (const e of inScope) {
    if (e.kind !== 'certificate' || e.leaf) continue;
    // An entry that no longer parses vouches for nothing.
    const der = certificateDerOf(e);
    if (!der) continue;
    const window = windowOf(e);
    anchors.push({ store: 'Signet trust store', name: `${e.name} (trusted)`, der, ...(window ? { window } : {}) });
  }
  const keys = inScope
    .filter((e) => e.kind !== 'openpgp')
    .map((e) => {
      const window = windowOf(e);
      return { name: `${e.name} (trusted)`, spkiSha256: e.fingerprint.toLowerCase(), ...(window ? { window } : {}) };
    });
  return defaultNotationTrust(anchors, keys);
}

/**
 * The Notation part of a tag's badge: the image's Notation signatures verified with the trust
 * that applies to it (the imported Notation trust policy, or Signet's default); undefined when it
 * has none. `unknown` when its referrers could not be read.
 */
export async function notationTagVerdict(
  source: RegistrySource,
  repository: string,
  digest: string,
  trust: NotationTrust | { none: string },
  now: Date,
): Promise<TagVerdict['verdict'] | undefined> {
  let unreadable = false;
  const reports = await notationFormat.verifyAll({
    source,
    registryLabel: source.label,
    repository,
    digest,
    imageReference: `${repository}@${digest}`,
    trust: emptyTrust(),
    notation: trust,
    referrers: () => source.referrers(repository, digest),
    look: (place) => {
      if (place.outcome === 'unreadable') unreadable = true;
    },
    now,
  });
  const verdicts = reports.filter((r) => r.kind === 'signature').map((r) => r.verdict);
  if (verdicts.includes('verified')) return 'verified';
  if (verdicts.includes('failed')) return 'failed';
  if (verdicts.includes('signed-untrusted')) return 'signed-untrusted';
  if (verdicts.length || unreadable) return 'unknown';
  return undefined;
}
