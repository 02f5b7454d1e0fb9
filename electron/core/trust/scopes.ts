import type { TrustEntry } from '../../../shared/models/trust';
import { parseNormalizedNamed, policyIdentity, policyNamespaces, tagNameOnly } from './docker-reference';

/**
 * Which trust entries vouch for an image, by the rule the exported policy.json gives podman: the
 * most specific scope in the store that names the image (its exact reference, then each parent
 * namespace, then `*.domain` wildcards) selects the entries scoped to it, plus every unscoped
 * entry; with no matching scope, only unscoped entries apply. The rest are out of scope.
 */
export function entriesForImage<T extends Pick<TrustEntry, 'scopes'>>(
  entries: readonly T[],
  imageReference: string,
): { inScope: T[]; outOfScope: T[]; scope?: string } {
  const scopes = new Set(entries.flatMap((e) => e.scopes ?? []));
  let scope: string | undefined;
  if (scopes.size) {
    const ref = tagNameOnly(parseNormalizedNamed(imageReference));
    scope = [policyIdentity(ref), ...policyNamespaces(ref)].find((s) => scopes.has(s));
  }
  const applies = (e: T) => !e.scopes?.length || (scope !== undefined && e.scopes.includes(scope));
  return { inScope: entries.filter(applies), outOfScope: entries.filter((e) => !applies(e)), ...(scope !== undefined ? { scope } : {}) };
}
