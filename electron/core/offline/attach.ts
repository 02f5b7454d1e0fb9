import { SignetError } from '../../../shared/errors';
import { offlineWay } from '../signatures/formats';
import type { RegistrySource } from '../registry/source';
import { parseReference } from '../registry/reference';
import type { CheckedBundle } from './check';
import type { ObjectStore } from '../storage/object-store';

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
 * each tag still points where it did), then has each format's module store its signature.
 */
export async function attachBundle(
  checked: CheckedBundle,
  sourceFor: (registryHost: string) => Promise<RegistrySource>,
  lookaside?: string,
  ascStore?: ObjectStore,
  /** The data directory's signature-tag lock directory, shared with its other Signet processes. */
  lockDirectory?: string,
): Promise<AttachOutcome[]> {
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
      if (error instanceof SignetError && error.code === 'NOT_FOUND')
        throw new SignetError('CONFLICT', `${item.repository} no longer holds ${item.digest} (item ${item.id}); nothing was attached.`);
      throw error;
    }
    if (item.tag && !item.platform) {
      const now = await source.manifest(ref.repository, item.tag).catch(() => undefined);
      if (now && now.digest !== item.digest) {
        throw new SignetError(
          'CONFLICT',
          `The registry now holds ${now.digest} for ${item.repository}:${item.tag}; the signature is for ${item.digest} — the tag was probably re-pushed or re-compressed. Nothing was attached.`,
        );
      }
    }
  }
  const outcomes: AttachOutcome[] = [];
  const ctx = {
    sourceFor,
    signer: checked.read.request.signer.value,
    ...(lookaside ? { lookaside } : {}),
    ...(ascStore ? { asc: ascStore } : {}),
    ...(lockDirectory ? { lockDirectory } : {}),
  };
  for (const sig of checked.signatures) {
    const item = items.get(sig.itemId);
    if (!item) continue;
    const attached = await offlineWay(item.format).attach(ctx, item, sig.payload, sig.signature);
    outcomes.push({ itemId: item.id, reference: item.reference, digest: item.digest, format: item.format, ...attached });
  }
  return outcomes;
}
