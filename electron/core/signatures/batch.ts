import type { RegistrySource } from '../registry/source';
import { checkCosignPayload, readCosignSignatureImage, verifyWithKey } from './cosign';

export interface TagVerdict {
  tag: string;
  digest: string;
  /** `unknown`: the signature image holds layers Signet cannot read as signatures, and none verified. */
  verdict: 'unsigned' | 'verified' | 'signed-untrusted' | 'failed' | 'unknown';
}

/**
 * Verifies the cosign signatures of every tag of a repository with a bounded number of tags in
 * flight: three requests per tag (manifest, signature image, payload), nothing fetched twice.
 */
/** `trusted` is the keys for every tag, or a function giving each tag's (trust scopes may name a tag). */
export async function verifyTags(
  source: RegistrySource,
  repository: string,
  tags: readonly string[],
  trusted: readonly string[] | ((tag: string) => readonly string[]),
  concurrency = 8,
  progress?: (done: number, total: number) => void,
  other?: (tag: string, digest: string) => Promise<TagVerdict['verdict'] | undefined>,
): Promise<TagVerdict[]> {
  const results: TagVerdict[] = new Array(tags.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= tags.length) return;
      const tag = tags[index] as string;
      const manifest = await source.manifest(repository, tag);
      const { signatures, unusable } = await readCosignSignatureImage(source, repository, manifest.digest);
      let verdict: TagVerdict['verdict'] = signatures.length ? 'signed-untrusted' : unusable.length ? 'unknown' : 'unsigned';
      for (const sig of signatures) {
        if (!checkCosignPayload(sig.payload, manifest.digest).ok) {
          if (verdict !== 'verified') verdict = 'failed';
          continue;
        }
        const pems = typeof trusted === 'function' ? trusted(tag) : trusted;
        if (pems.some((pem) => verifyWithKey(pem, sig.payload, sig.signature))) verdict = 'verified';
      }
      // Another format (Notation) decides when cosign verified nothing: verified beats failed beats untrusted beats unknown beats unsigned.
      if (other && verdict !== 'verified') {
        const more = await other(tag, manifest.digest);
        const rank: Record<TagVerdict['verdict'], number> = { verified: 4, failed: 3, 'signed-untrusted': 2, unknown: 1, unsigned: 0 };
        if (more && rank[more] > rank[verdict]) verdict = more;
      }
      results[index] = { tag, digest: manifest.digest, verdict };
      progress?.(++done, tags.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tags.length) }, worker));
  return results;
}
