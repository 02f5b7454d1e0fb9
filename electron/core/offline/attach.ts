import { SignetError } from '../../../shared/errors';
import { attachCosignSignature } from '../signatures/cosign';
import type { RegistrySource } from '../registry/source';
import { parseReference } from '../registry/reference';
import type { CheckedBundle } from './check';

export interface AttachOutcome {
  itemId: string;
  reference: string;
  digest: string;
  format: string;
  result: 'attached' | 'already-present' | 'not-attached';
  detail: string;
}

/**
 * Attaches the checked signatures: first confirms the registry still holds every digest (and
 * each tag still points where it did), then appends each signature and re-reads it.
 */
export async function attachBundle(checked: CheckedBundle, sourceFor: (registryHost: string) => Promise<RegistrySource>): Promise<AttachOutcome[]> {
  const items = new Map(checked.read.request.items.map((i) => [i.id, i]));
  // Check everything before writing anything.
  for (const sig of checked.signatures) {
    const item = items.get(sig.itemId);
    if (!item) continue;
    const ref = parseReference(item.repository);
    const source = await sourceFor(ref.registry);
    try {
      await source.manifest(ref.repository, item.digest);
    } catch (error) {
      if (error instanceof SignetError && error.code === 'NOT_FOUND') throw new SignetError('CONFLICT', `${item.repository} no longer holds ${item.digest} (item ${item.id}); nothing was attached.`);
      throw error;
    }
    if (item.tag && !item.platform) {
      const now = await source.manifest(ref.repository, item.tag).catch(() => undefined);
      if (now && now.digest !== item.digest) {
        throw new SignetError('CONFLICT', `The registry now holds ${now.digest} for ${item.repository}:${item.tag}; the signature is for ${item.digest} — the tag was probably re-pushed or re-compressed. Nothing was attached.`);
      }
    }
  }
  const outcomes: AttachOutcome[] = [];
  for (const sig of checked.signatures) {
    const item = items.get(sig.itemId);
    if (!item) continue;
    const base = { itemId: item.id, reference: item.reference, digest: item.digest, format: item.format };
    if (item.format !== 'cosign') {
      outcomes.push({ ...base, result: 'not-attached', detail: 'Simple-signing and .asc storage are not built yet; the verified signature stays in the bundle.' });
      continue;
    }
    const ref = parseReference(item.repository);
    const source = await sourceFor(ref.registry);
    const { tag, added } = await attachCosignSignature(source, ref.repository, item.digest, sig.payload, sig.signature);
    outcomes.push({ ...base, result: added ? 'attached' : 'already-present', detail: `${item.repository}:${tag}` });
  }
  return outcomes;
}
