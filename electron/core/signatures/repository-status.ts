import type { TrustEntry } from '../../../shared/models/trust';
import type { RegistrySource } from '../registry/source';
import { verifyTags, type TagVerdict } from './batch';
import { SignetError } from '../../../shared/errors';
import type { SignatureReport } from '../../../shared/models/signatures';
import type { VerifyContext } from './formats/format';
import { judgeSimpleFile, simpleFormat } from './formats/simple';
import { openLookaside, type LookasideStore } from './lookaside/store';
import type { NotationTrust } from './notation/trust';
import { defaultTrustFor, notationTagVerdict } from './notation/tag-status';
import { publicKeysValidFor, trustSetOf, type TrustSet } from './trusted';
import { entriesForImage } from '../trust/scopes';

export interface RepositoryStatusInput {
  source: RegistrySource;
  /** The registry host as identities and trust scopes name it ("oci-layout" for layouts). */
  host: string;
  repository: string;
  tags: readonly string[];
  /** The trust store's entries, read once for every tag. */
  entries: readonly TrustEntry[];
  /** The imported Notation trust policy for host/repository; absent: Signet's default, per tag's scope. */
  notationPolicy?: NotationTrust | { none: string };
  /** Where simple signatures are read (a lookaside directory or URL); `unreadable` when choosing it failed. */
  lookaside?: { url: string; from: string } | { unreadable: string };
  now?: Date;
  concurrency?: number;
  progress?: (done: number, total: number) => void;
}

const RANK: Record<TagVerdict['verdict'], number> = { verified: 4, failed: 3, 'signed-untrusted': 2, unknown: 1, unsigned: 0 };

/** The stronger of two verdicts: verified beats failed beats untrusted beats unknown beats unsigned. */
export function strongerVerdict(
  a: TagVerdict['verdict'] | undefined,
  b: TagVerdict['verdict'] | undefined,
): TagVerdict['verdict'] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * The simple-signing part of a tag's badge: the lookaside's signatures of the image verified with the OpenPGP keys trusted for
 * `host/repository:tag` (its identity must name that tag, as podman's matchRepoDigestOrExact asks); undefined when it has none.
 */
export async function simpleTagVerdict(
  source: RegistrySource,
  host: string,
  repository: string,
  tag: string,
  digest: string,
  entries: readonly TrustEntry[],
  lookaside: { url: string; from: string },
  now: Date,
  /**
   * What the caller made once for many tags: the image's trust set (repositoryStatus shares one among the tags whose images select the
   * same scope) and the lookaside opened (undefined: it cannot be opened).
   */
  shared: { trust?: TrustSet; store?: { opened: LookasideStore | undefined } } = {},
): Promise<TagVerdict['verdict'] | undefined> {
  const image = `${host}/${repository}${/^sha256:/.test(tag) ? '@' : ':'}${tag}`;
  let unreadable = false;
  const ctx: VerifyContext = {
    source,
    registryLabel: source.label,
    repository,
    digest,
    imageReference: image,
    trust: shared.trust ?? trustSetOf(entries, image),
    lookaside,
    referrers: () => source.referrers(repository, digest),
    look: (place) => {
      if (place.outcome === 'unreadable') unreadable = true;
    },
    now,
  };
  const verdictOf = (r: SignatureReport): TagVerdict['verdict'] => (r.verdict === 'not-verifiable' ? 'unknown' : r.verdict);
  const store = shared.store ? shared.store.opened : openLookasideOrUndefined(lookaside.url);
  if (!store?.readOne) {
    // A directory (or a lookaside that cannot be opened: the format says so): every file is read and judged.
    let verdict: TagVerdict['verdict'] | undefined;
    for (const r of await simpleFormat.verifyAll(ctx)) verdict = strongerVerdict(verdict, verdictOf(r));
    return strongerVerdict(verdict, unreadable ? 'unknown' : undefined);
  }
  // Over HTTP, signature-1, -2, … are read one by one until one verifies (the badge needs no more) or the first gap.
  let verdict: TagVerdict['verdict'] | undefined;
  for (let n = 1; ; n += 1) {
    let file;
    try {
      file = await store.readOne(repository, digest, n);
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      return strongerVerdict(verdict, 'unknown');
    }
    if (!file) return verdict;
    verdict = strongerVerdict(verdict, verdictOf(await judgeSimpleFile(ctx, file)));
    if (verdict === 'verified') return verdict;
  }
}

interface ScopeTrust {
  /** The PEM public keys valid now (publicKeysValidFor). */
  keys(): string[];
  /** The trust set (trustSetOf). */
  set(): TrustSet;
  /** Signet's default Notation trust (defaultTrustFor). */
  notation(): NotationTrust;
}

/**
 * The trust of each tag's image, from entries read once: which entries apply to an image depends only on the scope its reference selects
 * (none when no entry is scoped), so the tags that select the same scope share one answer of each kind, made on first use. `now` is
 * the call's. The answers are shared: nothing downstream changes a trust set.
 */
function trustByScope(entries: readonly TrustEntry[], now: Date): (image: string) => ScopeTrust {
  const scoped = entries.some((e) => e.scopes?.length);
  const byScope = new Map<string | null, ScopeTrust>();
  return (image) => {
    // entriesForImage throws for an image reference it cannot read, as trustSetOf and the others would.
    const scope = scoped ? (entriesForImage(entries, image).scope ?? null) : null;
    let found = byScope.get(scope);
    if (!found) {
      const once = <T>(make: () => T): (() => T) => {
        let made: { value: T } | undefined;
        return () => (made ??= { value: make() }).value;
      };
      found = {
        keys: once(() => publicKeysValidFor(entries, image, now)),
        set: once(() => trustSetOf(entries, image)),
        notation: once(() => defaultTrustFor(entries, image)),
      };
      byScope.set(scope, found);
    }
    return found;
  };
}

function openLookasideOrUndefined(url: string): LookasideStore | undefined {
  try {
    return openLookaside(url);
  } catch {
    return undefined;
  }
}

/**
 * Every tag's signed state, as the tag list's "Check all" and `signet tags` show it: cosign signatures first, then (when they verified
 * nothing) simple signatures in the lookaside, then Notation signatures, each judged with the trust that applies to the tag. A format is
 * read only while no signature verified, so a signed tag costs the requests of the format that signed it (and of those tried before).
 */
export function repositoryStatus(input: RepositoryStatusInput): Promise<TagVerdict[]> {
  const { source, host, repository, entries } = input;
  const now = input.now ?? new Date();
  const imageOf = (tag: string) => `${host}/${repository}${/^sha256:/.test(tag) ? '@' : ':'}${tag}`;
  const trust = trustByScope(entries, now);
  const keysFor = (tag: string) => trust(imageOf(tag)).keys();
  const lookaside = input.lookaside;
  // The lookaside's store holds no state between reads: one for every tag.
  const store = lookaside && !('unreadable' in lookaside) ? { opened: openLookasideOrUndefined(lookaside.url) } : undefined;
  const others = async (tag: string, digest: string): Promise<TagVerdict['verdict'] | undefined> => {
    let verdict: TagVerdict['verdict'] | undefined;
    if (lookaside && 'unreadable' in lookaside) verdict = 'unknown';
    else if (lookaside)
      verdict = await simpleTagVerdict(source, host, repository, tag, digest, entries, lookaside, now, {
        trust: trust(imageOf(tag)).set(),
        ...(store ? { store } : {}),
      });
    if (verdict === 'verified') return verdict;
    const notation = await notationTagVerdict(source, repository, digest, input.notationPolicy ?? trust(imageOf(tag)).notation(), now);
    return strongerVerdict(verdict, notation);
  };
  return verifyTags(source, repository, input.tags, keysFor, input.concurrency ?? 8, input.progress, others);
}
