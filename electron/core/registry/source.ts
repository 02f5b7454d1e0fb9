import type { BlobStream } from './blob-stream';
import type { Digest } from './digest';
import type { Descriptor } from './media';
import type { FetchedManifest } from './client';

/**
 * Where images come from (architecture rule 4): an OCI distribution registry, or an OCI image
 * layout on disk. Every implementation checks bytes against digests and bounds sizes.
 */
export interface RegistrySource {
  readonly label: string;
  repositories(): Promise<{ repositories: string[]; complete: boolean }>;
  tags(repository: string): Promise<{ tags: string[]; complete: boolean }>;
  manifest(repository: string, reference: string): Promise<FetchedManifest>;
  /** HEAD: the digest a tag points at now (undefined when it is gone), without reading the manifest; absent where that saves nothing. */
  resolve?(repository: string, tag: string): Promise<{ digest: Digest } | undefined>;
  blob(repository: string, digest: string, maxBytes: number): Promise<Buffer>;
  pushBlob(repository: string, bytes: Uint8Array): Promise<Digest>;
  /** Uploads a blob without asking first whether it is there (for one just made); absent where that saves nothing. */
  uploadBlob?(repository: string, bytes: Uint8Array): Promise<Digest>;
  /** A blob as a stream checked against its digest as it passes (large layers never sit whole in memory). */
  openBlob(repository: string, digest: string, maxBytes: number): Promise<BlobStream>;
  /** Stores a streamed blob; nothing is committed unless every byte arrived and matched the digest. */
  pushBlobStream(repository: string, blob: BlobStream): Promise<Digest>;
  pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest>;
  /**
   * Deletes a manifest by digest (and the tags naming it); UNSUPPORTED where the registry does not delete. Absent for sources that cannot
   * delete.
   */
  deleteManifest?(repository: string, digest: string): Promise<void>;
  referrers(repository: string, digest: string): Promise<{ descriptors: Descriptor[]; source: 'api' | 'tag-schema' }>;
}
