import { SignetError } from '../../../shared/errors';
import type { LookasidePutResult, PublishResult } from '../../../shared/models/storage';
import { DirectoryStore } from './directory-store';
import { sameBytes, sha256Hex, type ObjectStore } from './object-store';

const MAX_SIGNATURES = 1000;
const SIGNATURE_KEY =
  /^((?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)@(sha256=[0-9a-f]{64}|sha512=[0-9a-f]{128})\/signature-([1-9][0-9]{0,5})$/;

/** `<repository>@sha256=<hex>/signature-N`, the containers/image lookaside layout. */
export function lookasideKey(repository: string, digest: string, n: number): string {
  if (!/^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(digest))
    throw new SignetError('INVALID_INPUT', `${digest.slice(0, 80)} is not a manifest digest.`);
  const key = `${repository}@${digest.replace(':', '=')}/signature-${n}`;
  if (!SIGNATURE_KEY.test(key))
    throw new SignetError(
      'INVALID_INPUT',
      `${repository.slice(0, 200)} is not a repository path (lower-case components separated by /, without the registry host).`,
    );
  return key;
}

/**
 * Stores a simple signature at the first free signature-N, never overwriting: an identical
 * signature already present is reported, not duplicated; a name taken by a concurrent writer
 * moves on to the next N.
 */
export async function putLookasideSignature(
  store: ObjectStore,
  repository: string,
  digest: string,
  signature: Uint8Array,
): Promise<LookasidePutResult & { alreadyPresent: boolean }> {
  for (let n = 1; n <= MAX_SIGNATURES; n++) {
    const key = lookasideKey(repository, digest, n);
    if (await store.exists(key)) {
      if (sameBytes(await store.get(key), signature))
        return { key, url: store.url(key), index: n, sha256: sha256Hex(signature), alreadyPresent: true };
      continue;
    }
    try {
      const put = await store.put(key, signature, { contentType: 'application/octet-stream' });
      return { key, url: put.url, index: n, sha256: put.sha256, alreadyPresent: false };
    } catch (error) {
      if (error instanceof SignetError && error.code === 'CONFLICT') continue;
      throw error;
    }
  }
  throw new SignetError('TOO_LARGE', `${repository}@${digest} already has ${MAX_SIGNATURES} signatures; Signet stops there.`);
}

/** The registries.d file that points podman, skopeo and CRI-O at a published lookaside. */
export function registriesDSnippet(baseUrl: string, scope?: string): string {
  const quoted = JSON.stringify(baseUrl);
  if (!scope) return `# /etc/containers/registries.d/signet.yaml\ndefault-docker:\n  lookaside: ${quoted}\n`;
  return `# /etc/containers/registries.d/signet.yaml\ndocker:\n  ${JSON.stringify(scope)}:\n    lookaside: ${quoted}\n`;
}

/**
 * Publishes a staging directory (as `lookaside-staging` or `signet sign --lookaside DIR` fill it)
 * to a store. Everything is checked before anything is written: objects already there with the
 * same bytes are left alone, a differing object refuses the whole publish (nothing is
 * overwritten), files that are not lookaside signatures are listed and skipped.
 */
export async function publishStaging(
  directory: string,
  target: ObjectStore,
  options: { scope?: string; progress?: (done: number, total: number, message: string) => void } = {},
): Promise<PublishResult> {
  const staging = new DirectoryStore(directory);
  const listed = await staging.list('', 100_000);
  if (!listed.complete) throw new SignetError('TOO_LARGE', `${directory} holds more than 100,000 files; publish it in parts.`);
  const ignored: PublishResult['ignored'] = [];
  const plan: Array<{ key: string; bytes: Uint8Array }> = [];
  const identical: string[] = [];
  const conflicts: string[] = [];
  for (const object of listed.objects) {
    if (!SIGNATURE_KEY.test(object.key)) {
      ignored.push({ path: object.key, reason: object.key.startsWith('.') ? 'hidden file' : 'not <repository>@sha256=<hex>/signature-N' });
      continue;
    }
    const bytes = await staging.get(object.key);
    const there = await target.head(object.key);
    if (!there) plan.push({ key: object.key, bytes });
    else if (sameBytes(await target.get(object.key), bytes)) identical.push(object.key);
    else conflicts.push(object.key);
  }
  if (conflicts.length) {
    throw new SignetError(
      'CONFLICT',
      `${target.description} already holds different signatures at ${conflicts.slice(0, 3).join(', ')}${conflicts.length > 3 ? ` and ${conflicts.length - 3} more` : ''}; nothing was published. Re-number the staged signatures or remove the published ones yourself.`,
    );
  }
  const uploaded: string[] = [];
  for (const [i, item] of plan.entries()) {
    options.progress?.(i, plan.length, `Uploading ${item.key}`);
    await target.put(item.key, item.bytes, { contentType: 'application/octet-stream' });
    uploaded.push(item.key);
  }
  options.progress?.(plan.length, plan.length, `Published ${uploaded.length} signature(s)`);
  const baseUrl = target.baseUrl();
  return { target: target.description, uploaded, identical, ignored, baseUrl, registriesD: registriesDSnippet(baseUrl, options.scope) };
}
