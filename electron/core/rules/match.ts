import { isSignatureArtifactTag } from '../../../shared/formats';
import { globMatcher } from '../../../shared/glob';
import type { Rule } from '../../../shared/models/rules';
import type { RegistrySource } from '../registry/source';

export interface RuleMatcher {
  /** The repository is in the rule's namespace and its rest matches the repository pattern. */
  repository(repository: string): boolean;
  /** The tag matches the tag pattern (signature tags such as sha256-….sig never do). */
  tag(tag: string): boolean;
}

export function ruleMatcher(rule: Pick<Rule, 'namespace' | 'repositories' | 'tags'>): RuleMatcher {
  const repo = globMatcher(rule.repositories);
  const tag = globMatcher(rule.tags);
  const prefix = `${rule.namespace}/`;
  return {
    repository: (name) => name.startsWith(prefix) && repo(name.slice(prefix.length)),
    tag: (name) => !isSignatureArtifactTag(name) && tag(name),
  };
}

/** An image a rule matches: one tag, resolved to its digest once. */
export interface Candidate {
  repository: string;
  tag: string;
  digest: string;
}

export interface Listed {
  candidates: Candidate[];
  repositories: number;
  complete: boolean;
  notes: string[];
}

/**
 * Every image the rule matches now: the registry's catalog narrowed to the namespace and the
 * repository pattern, each repository's tags narrowed to the tag pattern, each tag resolved to a
 * digest once. An image tagged twice is one candidate (its first tag), signed once.
 */
export async function listCandidates(
  source: RegistrySource,
  rule: Rule,
  progress?: (done: number, total: number, message: string) => void,
  stop?: () => boolean,
): Promise<Listed> {
  const match = ruleMatcher(rule);
  const notes: string[] = [];
  const catalog = await source.repositories();
  let complete = catalog.complete;
  if (!catalog.complete) notes.push('The registry did not list every repository; images in the ones it left out were not looked at.');
  const repositories = catalog.repositories.filter((r) => match.repository(r)).sort();
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const [i, repository] of repositories.entries()) {
    if (stop?.()) break;
    progress?.(i, repositories.length, `Listing the tags of ${repository}`);
    const listed = await source.tags(repository);
    if (!listed.complete) {
      complete = false;
      notes.push(`The registry did not list every tag of ${repository}.`);
    }
    for (const tag of listed.tags.filter((t) => match.tag(t)).sort()) {
      if (stop?.()) break;
      const manifest = await source.manifest(repository, tag);
      const key = `${repository}@${manifest.digest}`;
      if (seen.has(key)) continue;
      seen.add(key);
      candidates.push({ repository, tag, digest: manifest.digest });
    }
  }
  return { candidates, repositories: repositories.length, complete, notes };
}
