import { SignetError } from '../../../shared/errors';
import { attachCosignSignature } from '../signatures/cosign';
import { attachNotationSignature } from '../signatures/notation/offline';
import { lookasideDir, readLookaside, writeLookaside } from '../signatures/simple';
import type { RegistrySource } from '../registry/source';
import { parseReference } from '../registry/reference';
import type { CheckedBundle } from './check';
import { ascDocument, ascObjectKey } from '../signatures/asc';
import { sameBytes, type ObjectStore } from '../storage/object-store';

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
  for (const sig of checked.signatures) {
    const item = items.get(sig.itemId);
    if (!item) continue;
    const base = { itemId: item.id, reference: item.reference, digest: item.digest, format: item.format };
    const ref = parseReference(item.repository);
    if (item.format === 'simplesigning') {
      if (!lookaside) {
        outcomes.push({ ...base, result: 'not-attached', detail: 'Give a lookaside directory to store simple signatures in.' });
        continue;
      }
      const existing = await readLookaside(lookaside, ref.repository, item.digest);
      if (existing.some((e) => e.bytes.equals(sig.signature))) {
        outcomes.push({ ...base, result: 'already-present', detail: lookasideDir(lookaside, ref.repository, item.digest) });
        continue;
      }
      outcomes.push({ ...base, result: 'attached', detail: await writeLookaside(lookaside, ref.repository, item.digest, sig.signature) });
      continue;
    }
    if (item.format === 'asc') {
      if (!ascStore) {
        outcomes.push({ ...base, result: 'not-attached', detail: 'Give a storage profile or bucket to upload .asc files to.' });
        continue;
      }
      const key = ascObjectKey(ref.repository, item.digest);
      const text = Buffer.from(ascDocument(checked.read.request.signer.value, sig.signature).text);
      if (await ascStore.exists(key)) {
        const there = await ascStore.get(key);
        outcomes.push(
          sameBytes(there, text)
            ? { ...base, result: 'already-present', detail: ascStore.url(key) }
            : { ...base, result: 'not-attached', detail: `${ascStore.url(key)} already holds another .asc file; it was not replaced.` },
        );
        continue;
      }
      outcomes.push({ ...base, result: 'attached', detail: (await ascStore.put(key, text, { contentType: 'application/json' })).url });
      continue;
    }
    if (item.format === 'notation' && item.notation) {
      const source = await sourceFor(ref.registry);
      const chain = item.notation.chain.map((c) => Buffer.from(c, 'base64'));
      const { where, added } = await attachNotationSignature(
        source,
        ref.repository,
        item.digest,
        item.notation.envelope,
        sig.payload,
        chain,
        sig.signature,
      );
      outcomes.push({ ...base, result: added ? 'attached' : 'already-present', detail: `${item.repository} (${where})` });
      continue;
    }
    if (item.format !== 'cosign') {
      outcomes.push({ ...base, result: 'not-attached', detail: `Unknown format ${item.format}.` });
      continue;
    }
    const source = await sourceFor(ref.registry);
    const { tag, added } = await attachCosignSignature(source, ref.repository, item.digest, sig.payload, sig.signature, lockDirectory);
    outcomes.push({ ...base, result: added ? 'attached' : 'already-present', detail: `${item.repository}:${tag}` });
  }
  return outcomes;
}
