import { SignetError } from '../../../shared/errors';
import { parseDigest } from '../registry/digest';
import { type OciLayout } from '../registry/layout';
import type { Descriptor } from '../registry/media';
import type { RegistrySource } from '../registry/source';
import { signatureTag } from '../signatures/cosign';

const MAX_BLOB_BYTES = 4 * 1024 * 1024 * 1024;

export interface TransferCounts {
  images: number;
  platformManifests: number;
  signatures: number;
  blobs: number;
}

export interface TransferItem {
  repository: string;
  tag: string;
}

/**
 * Copies images byte-exact (digests preserved) with their cosign signature images from one source
 * to another: registry → layout for export, layout → registry for import. Every blob and manifest
 * is re-read and checked against its digest on the way.
 */
export async function transferImages(
  from: RegistrySource,
  to: RegistrySource,
  items: readonly TransferItem[],
  progress?: (done: number, total: number, message: string) => void,
): Promise<TransferCounts> {
  const counts: TransferCounts = { images: 0, platformManifests: 0, signatures: 0, blobs: 0 };
  let done = 0;
  for (const item of items) {
    progress?.(done, items.length, `Copying ${item.repository}:${item.tag}`);
    const top = await from.manifest(item.repository, item.tag);
    const digests: string[] = [top.digest];
    if (top.parsed.kind === 'index') {
      for (const child of top.parsed.manifests) {
        await copyManifest(from, to, item.repository, child.digest, counts);
        digests.push(child.digest);
        counts.platformManifests += 1;
      }
    } else {
      await copyBlobs(from, to, item.repository, [top.parsed.config, ...top.parsed.layers], counts);
    }
    await to.pushManifest(item.repository, item.tag, top.bytes, top.mediaType);
    counts.images += 1;
    for (const digest of digests) {
      const tag = signatureTag(digest);
      let sig;
      try {
        sig = await from.manifest(item.repository, tag);
      } catch (error) {
        if (error instanceof SignetError && error.code === 'NOT_FOUND') continue;
        throw error;
      }
      await copyBlobs(from, to, item.repository, [sig.parsed.config, ...sig.parsed.layers], counts);
      await to.pushManifest(item.repository, tag, sig.bytes, sig.mediaType);
      counts.signatures += sig.parsed.layers.length;
    }
    done += 1;
  }
  progress?.(done, items.length, 'Done');
  return counts;
}

async function copyManifest(
  from: RegistrySource,
  to: RegistrySource,
  repository: string,
  digest: string,
  counts: TransferCounts,
): Promise<void> {
  const manifest = await from.manifest(repository, parseDigest(digest));
  await copyBlobs(from, to, repository, [manifest.parsed.config, ...manifest.parsed.layers], counts);
  const written = await to.pushManifest(repository, manifest.digest, manifest.bytes, manifest.mediaType);
  if (written !== manifest.digest) throw new SignetError('DIGEST_MISMATCH', `The copy of ${digest} came out as ${written}.`);
}

async function copyBlobs(
  from: RegistrySource,
  to: RegistrySource,
  repository: string,
  descriptors: ReadonlyArray<Descriptor | undefined>,
  counts: TransferCounts,
): Promise<void> {
  for (const d of descriptors) {
    if (!d) continue;
    // Streamed: a layer of any size passes through in pieces, checked against its digest as it goes.
    const blob = await from.openBlob(repository, d.digest, Math.min(MAX_BLOB_BYTES, Math.max(d.size, 0)));
    const written = await to.pushBlobStream(repository, blob);
    if (written !== d.digest) throw new SignetError('DIGEST_MISMATCH', `The copy of blob ${d.digest} came out as ${written}.`);
    counts.blobs += 1;
  }
}

/** Counts what a layout holds, to report after an export or import. */
export async function countLayout(layout: OciLayout): Promise<TransferCounts> {
  const counts: TransferCounts = { images: 0, platformManifests: 0, signatures: 0, blobs: 0 };
  for (const repository of (await layout.repositories()).repositories) {
    for (const tag of (await layout.tags(repository)).tags) {
      const manifest = await layout.manifest(repository, tag);
      if (tag.endsWith('.sig')) counts.signatures += manifest.parsed.layers.length;
      else {
        counts.images += 1;
        if (manifest.parsed.kind === 'index') counts.platformManifests += manifest.parsed.manifests.length;
      }
    }
  }
  return counts;
}
