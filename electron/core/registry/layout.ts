import { constants, createWriteStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import { writeFileAtomic } from '../storage/atomic';
import { openRegularFile, readRegularFile, readRegularFileIfPresent } from '../storage/bounded-read';
import { verifiedChunks, type BlobStream } from './blob-stream';
import { parseStrictJson } from '../json/strict';
import type { FetchedManifest } from './client';
import { checkDigest, digestOf, parseDigest, type Digest } from './digest';
import { MEDIA, parseManifest, type Descriptor } from './media';
import { isValidRepository, isValidTag } from './reference';
import type { RegistrySource } from './source';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_INDEX_BYTES = 16 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_MARKER_BYTES = 64 * 1024;
/** A layout written by skopeo (`oci:DIR:TAG`) names only the tag; those images live here. */
export const DEFAULT_LAYOUT_REPOSITORY = 'image';

/**
 * An OCI image layout directory as a registry source: `index.json` names the images
 * (`org.opencontainers.image.ref.name` = `tag` or `repository:tag`), blobs live under
 * `blobs/<alg>/<hex>` and are checked against their digests on every read.
 */
/** How much of a blob one read takes while streaming it out of a layout. */
const BLOB_READ_CHUNK = 1024 * 1024;

export class OciLayout implements RegistrySource {
  readonly label: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {
    this.label = `OCI layout ${root}`;
  }

  static async create(root: string): Promise<OciLayout> {
    await fs.mkdir(path.join(root, 'blobs', 'sha256'), { recursive: true });
    const layoutFile = path.join(root, 'oci-layout');
    if (!(await exists(layoutFile))) await writeFileAtomic(layoutFile, '{"imageLayoutVersion":"1.0.0"}');
    if (!(await exists(path.join(root, 'index.json'))))
      await writeFileAtomic(path.join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] }));
    return new OciLayout(root);
  }

  async check(): Promise<void> {
    const bytes = await readRegularFileIfPresent(path.join(this.root, 'oci-layout'), {
      maxBytes: MAX_MARKER_BYTES,
      what: "The OCI layout's oci-layout file",
      within: this.root,
    }).catch((error: unknown) => {
      // A layout root that is not a directory (or not there) has no oci-layout file either.
      if (error instanceof SignetError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    });
    if (!bytes) throw new SignetError('NOT_FOUND', `${this.root} is not an OCI image layout (no oci-layout file).`);
    const marker = parseStrictJson(bytes, 'oci-layout');
    if ((marker as { imageLayoutVersion?: unknown }).imageLayoutVersion !== '1.0.0')
      throw new SignetError('UNSUPPORTED', `${this.root} has an OCI layout version Signet does not know.`);
    await this.index();
  }

  private async index(): Promise<Descriptor[]> {
    const file = path.join(this.root, 'index.json');
    const bytes = await readRegularFileIfPresent(file, {
      maxBytes: MAX_INDEX_BYTES,
      what: "The OCI layout's index.json",
      within: this.root,
    });
    if (!bytes) throw new SignetError('NOT_FOUND', `${this.root} has no index.json.`);
    return parseManifest(bytes, MEDIA.ociIndex).manifests;
  }

  private static split(refName: string): { repository: string; tag: string } | undefined {
    const colon = refName.lastIndexOf(':');
    const slash = refName.lastIndexOf('/');
    if (colon > slash && colon > 0) {
      const repository = refName.slice(0, colon);
      const tag = refName.slice(colon + 1);
      return isValidRepository(repository) && isValidTag(tag) ? { repository, tag } : undefined;
    }
    return isValidTag(refName) ? { repository: DEFAULT_LAYOUT_REPOSITORY, tag: refName } : undefined;
  }

  async repositories(): Promise<{ repositories: string[]; complete: boolean }> {
    const names = new Set<string>();
    for (const d of await this.index()) {
      const ref = d.annotations?.[REF_NAME];
      const split = ref ? OciLayout.split(ref) : undefined;
      if (split) names.add(split.repository);
    }
    return { repositories: [...names].sort(), complete: true };
  }

  async tags(repository: string): Promise<{ tags: string[]; complete: boolean }> {
    const tags: string[] = [];
    for (const d of await this.index()) {
      const ref = d.annotations?.[REF_NAME];
      const split = ref ? OciLayout.split(ref) : undefined;
      if (split?.repository === repository) tags.push(split.tag);
    }
    return { tags, complete: true };
  }

  async manifest(repository: string, reference: string): Promise<FetchedManifest> {
    let digest: Digest;
    if (reference.includes(':')) digest = parseDigest(reference);
    else {
      const entry = (await this.index()).find((d) => {
        const split = d.annotations?.[REF_NAME] ? OciLayout.split(d.annotations[REF_NAME]) : undefined;
        return split?.repository === repository && split.tag === reference;
      });
      if (!entry) throw new SignetError('NOT_FOUND', `${this.label} has no ${repository}:${reference}.`);
      digest = parseDigest(entry.digest);
    }
    const bytes = await this.blob(repository, digest, MAX_MANIFEST_BYTES);
    const parsed = parseManifest(bytes);
    return { digest, mediaType: parsed.mediaType, bytes, parsed };
  }

  async blob(_repository: string, digest: string, maxBytes: number): Promise<Buffer> {
    const d = parseDigest(digest);
    const file = this.blobPath(d);
    const bytes = await readRegularFileIfPresent(file, { maxBytes, what: `The blob ${d}`, within: this.root });
    if (!bytes) throw new SignetError('NOT_FOUND', `${this.label} has no blob ${d}.`);
    checkDigest(bytes, d, `The blob ${d} in ${this.root}`);
    return bytes;
  }

  async openBlob(_repository: string, digest: string, maxBytes: number): Promise<BlobStream> {
    const d = parseDigest(digest);
    const file = this.blobPath(d);
    const opened = await openRegularFile(file, { maxBytes, what: `The blob ${d}`, within: this.root });
    if (!opened) throw new SignetError('NOT_FOUND', `${this.label} has no blob ${d}.`);
    const { handle, stat } = opened;
    const root = this.root;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    // The size is fixed at open; the stream reads exactly that many bytes and closes the file.
    const read = async function* (): AsyncGenerator<Uint8Array> {
      try {
        // One buffer for every read: consumers take each chunk (hash, copy or write it) before asking for the next.
        const buffer = Buffer.allocUnsafe(Math.min(BLOB_READ_CHUNK, stat.size));
        for (let at = 0; at < stat.size;) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, stat.size - at), at);
          if (bytesRead === 0) throw new SignetError('MALFORMED', `The blob ${d} in ${root} is shorter than it was when opened.`);
          at += bytesRead;
          yield buffer.subarray(0, bytesRead);
        }
      } finally {
        await close();
      }
    };
    return { digest: d, size: stat.size, chunks: verifiedChunks(read(), d, maxBytes, `The blob ${d} in ${this.root}`), discard: close };
  }

  /** Writes a streamed blob to a temporary file beside its place, and renames it in only once every byte matched the digest. */
  async pushBlobStream(_repository: string, blob: BlobStream): Promise<Digest> {
    const digest = parseDigest(blob.digest);
    const file = this.blobPath(digest);
    const partial = `${file}.partial-${process.pid}-${Date.now()}`;
    try {
      if (await exists(file)) return digest;
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Each chunk is copied before the write is queued: a source may reuse its buffer for the next chunk.
      await pipeline(Readable.from(copies(blob.chunks)), createWriteStream(partial, { flags: 'wx', mode: 0o644 }));
      const handle = await fs.open(partial, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(partial, file);
    } finally {
      await blob.discard();
      await fs.rm(partial, { force: true });
    }
    return digest;
  }

  async pushBlob(_repository: string, bytes: Uint8Array): Promise<Digest> {
    const digest = digestOf(bytes);
    const file = this.blobPath(digest);
    if (!(await exists(file))) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, Buffer.from(bytes));
    }
    return digest;
  }

  /** Stores a manifest and, for a tag, points index.json's entry at it (replacing that tag only). */
  async pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    const digest = await this.pushBlob(repository, bytes);
    if (reference.includes(':')) {
      parseDigest(reference);
      if (reference !== digest) throw new SignetError('DIGEST_MISMATCH', `The manifest is ${digest}, not ${reference}.`);
      return digest;
    }
    if (!isValidTag(reference) || !isValidRepository(repository))
      throw new SignetError('INVALID_INPUT', `${repository}:${reference} is not a valid name.`);
    const refName = repository === DEFAULT_LAYOUT_REPOSITORY ? reference : `${repository}:${reference}`;
    const work = this.queue.then(async () => {
      const file = path.join(this.root, 'index.json');
      const doc = parseStrictJson(
        await readRegularFile(file, { maxBytes: MAX_INDEX_BYTES, what: "The OCI layout's index.json", within: this.root }),
        'index.json',
      ) as { manifests?: Array<{ annotations?: Record<string, string> }> } & Record<string, unknown>;
      const manifests = (doc.manifests ?? []).filter((m) => m.annotations?.[REF_NAME] !== refName);
      manifests.push({ mediaType, digest, size: bytes.length, annotations: { [REF_NAME]: refName } } as never);
      await writeFileAtomic(file, JSON.stringify({ ...doc, schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
    });
    this.queue = work.catch(() => undefined);
    await work;
    return digest;
  }

  async referrers(repository: string, digest: string): Promise<{ descriptors: Descriptor[]; source: 'api' | 'tag-schema' }> {
    const d = parseDigest(digest);
    const tags = await this.tags(repository);
    const tag = d.replace(':', '-');
    if (!tags.tags.includes(tag)) return { descriptors: [], source: 'tag-schema' };
    return { descriptors: (await this.manifest(repository, tag)).parsed.manifests, source: 'tag-schema' };
  }

  private blobPath(digest: Digest): string {
    const [algorithm, hex] = digest.split(':') as [string, string];
    return path.join(this.root, 'blobs', algorithm, hex);
  }
}

async function* copies(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
