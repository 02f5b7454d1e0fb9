import { SignetError } from '../../../../shared/errors';
import { digestOf } from '../../registry/digest';
import { MEDIA, type Descriptor } from '../../registry/media';
import type { RegistrySource } from '../../registry/source';

export const NOTARY_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
export const THUMBPRINT_ANNOTATION = 'io.cncf.notary.x509chain.thumbprint#S256';
const EMPTY = Buffer.from('{}');
const MAX_REFERRERS = 1000;
const WRITE_ATTEMPTS = 5;

/** The tag of the referrers tag schema for a digest: `sha256-<hex>`. */
export const referrersTag = (digest: string) => digest.replace(':', '-');

export interface StoredSignature {
  signatureManifest: string;
  /** `referrers API`, or the `sha256-<hex>` tag that lists it. */
  where: string;
  tag: string;
  /** False when this very signature manifest was listed already (nothing changed). */
  added: boolean;
}

const locks = new Map<string, Promise<unknown>>();
/** Writers in this process take turns per referrers tag; other processes are caught by the re-reads. */
function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const next = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
  locks.set(key, next);
  void next
    .finally(() => {
      if (locks.get(key) === next) locks.delete(key);
    })
    .catch(() => undefined);
  return next;
}
const pause = (min: number, spread: number) => new Promise((resolve) => setTimeout(resolve, min + Math.floor(Math.random() * spread)));

/**
 * Pushes a signature manifest. Two signers uploading the same blob at once (the empty config every
 * Notation signature shares) can leave docker-registry 2.8 answering MANIFEST_BLOB_UNKNOWN for a
 * moment: the blobs are pushed again and the manifest retried, a few times.
 */
async function pushReferringManifest(
  source: RegistrySource,
  repository: string,
  digest: string,
  manifest: Buffer,
  blobs: readonly Buffer[],
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await source.pushManifest(repository, digest, manifest, MEDIA.ociManifest);
      return;
    } catch (error) {
      if (attempt >= 4 || !(error instanceof SignetError && error.reason === 'blob-unknown')) throw error;
      await pause(30 * attempt, 120);
      for (const blob of blobs) await source.pushBlob(repository, blob);
    }
  }
}

/** The descriptors the referrers tag lists now (none when the tag is absent); a tag that is not an index is refused, never overwritten. */
async function currentIndex(source: RegistrySource, repository: string, tag: string): Promise<Descriptor[]> {
  try {
    const m = await source.manifest(repository, tag);
    if (m.parsed.kind !== 'index')
      throw new SignetError(
        'CONFLICT',
        `${repository}:${tag} is not a referrers index (it is a ${m.parsed.mediaType}); nothing was written over it.`,
      );
    return m.parsed.manifests;
  } catch (error) {
    if (error instanceof SignetError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
}

/**
 * Stores a Notation signature as notation does: the envelope as the single layer of an OCI image
 * manifest with `artifactType` application/vnd.cncf.notary.signature, the empty config, the image
 * as `subject` and the chain's thumbprints; then, unless the registry's referrers API lists it,
 * appends it to the `sha256-<hex>` referrers index (Debian's docker-registry 2.8 has no referrers
 * API), keeping every other referrer: read, merge, write, and read again after pauses until ours
 * survives, as cosign signing does for its signature tag.
 */
export async function storeNotationSignature(
  source: RegistrySource,
  repository: string,
  subject: Descriptor,
  envelope: Buffer,
  envelopeMediaType: string,
  thumbprints: readonly string[],
  now: Date,
): Promise<StoredSignature> {
  const layer = { mediaType: envelopeMediaType, digest: await source.pushBlob(repository, envelope), size: envelope.length };
  const config = { mediaType: MEDIA.ociEmpty, digest: await source.pushBlob(repository, EMPTY), size: EMPTY.length };
  const annotations = {
    [THUMBPRINT_ANNOTATION]: JSON.stringify(thumbprints.map((t) => t.toLowerCase())),
    'org.opencontainers.image.created': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      artifactType: NOTARY_ARTIFACT_TYPE,
      config,
      layers: [layer],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    }),
  );
  const digest = digestOf(manifest);
  const ours: Descriptor = { mediaType: MEDIA.ociManifest, digest, size: manifest.length, artifactType: NOTARY_ARTIFACT_TYPE, annotations };
  const tag = referrersTag(subject.digest);
  const listed = await source.referrers(repository, subject.digest);
  if (listed.descriptors.some((d) => d.digest === digest))
    return { signatureManifest: digest, where: listed.source === 'api' ? 'referrers API' : tag, tag, added: false };
  await pushReferringManifest(source, repository, digest, manifest, [envelope, EMPTY]);
  if (listed.source === 'api') return { signatureManifest: digest, where: 'referrers API', tag, added: true };
  return withLock(`${source.label}/${repository}:${tag}`, async () => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const current = await currentIndex(source, repository, tag);
      if (current.length >= MAX_REFERRERS)
        throw new SignetError('TOO_LARGE', `The referrers index ${tag} already lists ${MAX_REFERRERS} referrers.`);
      const manifests = current.some((d) => d.digest === digest) ? current : [...current, ours];
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
      await source.pushManifest(repository, tag, index, MEDIA.ociIndex);
      // No compare-and-swap on tags: ours must survive two re-reads after random pauses.
      await pause(40, 160);
      if (!(await currentIndex(source, repository, tag)).some((d) => d.digest === digest)) continue;
      await pause(150, 350);
      if ((await currentIndex(source, repository, tag)).some((d) => d.digest === digest))
        return { signatureManifest: digest, where: tag, tag, added: true };
    }
    throw new SignetError(
      'CONFLICT',
      `Others kept rewriting ${tag}; the signature manifest ${digest} is stored but not listed there after ${WRITE_ATTEMPTS} attempts. Try again.`,
    );
  });
}

/**
 * Removes one referrer (a Notation signature or a Sigstore bundle manifest) of an image: the
 * manifest is deleted by digest, then — where the registry has no referrers API — unlisted from
 * the `sha256-<hex>` referrers index, keeping every other referrer: read, drop, write, and read
 * again after pauses until it stays out (signers appending meanwhile keep theirs, as they
 * re-read too). The manifest must still name this image as its subject.
 */
export async function removeReferrer(
  source: RegistrySource,
  repository: string,
  subjectDigest: string,
  manifestDigest: string,
): Promise<{ where: string; remaining: number }> {
  const manifest = await source.manifest(repository, manifestDigest);
  if (manifest.parsed.kind === 'index' || manifest.parsed.subject?.digest !== subjectDigest)
    throw new SignetError('CONFLICT', `${manifestDigest} is not a referrer of ${subjectDigest}; nothing was deleted.`);
  if (!source.deleteManifest) throw new SignetError('UNSUPPORTED', `${source.label} cannot delete manifests; nothing was deleted.`);
  await source.deleteManifest(repository, manifestDigest);
  const tag = referrersTag(subjectDigest);
  const listed = await source.referrers(repository, subjectDigest);
  if (listed.source === 'api')
    return { where: 'referrers API', remaining: listed.descriptors.filter((d) => d.digest !== manifestDigest).length };
  return withLock(`${source.label}/${repository}:${tag}`, async () => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const current = await currentIndex(source, repository, tag);
      if (!current.some((d) => d.digest === manifestDigest)) return { where: tag, remaining: current.length };
      const manifests = current.filter((d) => d.digest !== manifestDigest);
      await source.pushManifest(
        repository,
        tag,
        Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests })),
        MEDIA.ociIndex,
      );
      await pause(40, 160);
      if ((await currentIndex(source, repository, tag)).some((d) => d.digest === manifestDigest)) continue;
      await pause(150, 350);
      const after = await currentIndex(source, repository, tag);
      if (!after.some((d) => d.digest === manifestDigest)) return { where: tag, remaining: after.length };
    }
    throw new SignetError(
      'CONFLICT',
      `Others kept rewriting ${tag}; the deleted signature manifest ${manifestDigest} is still listed there after ${WRITE_ATTEMPTS} attempts. Try again.`,
    );
  });
}

/**
 * Rewrites a referrer's descriptor (its unsigned annotations) in the `sha256-<hex>` referrers
 * index, keeping every other entry: applied to the index as read just before writing, read back
 * twice after pauses. A registry with the referrers API builds its listing from the (immutable)
 * manifests, so there is no descriptor to change there: refused.
 */
export async function updateReferrerDescriptor(
  source: RegistrySource,
  repository: string,
  subjectDigest: string,
  manifestDigest: string,
  change: (d: Descriptor) => Descriptor,
): Promise<Descriptor> {
  const listed = await source.referrers(repository, subjectDigest);
  if (listed.source === 'api')
    throw new SignetError(
      'UNSUPPORTED',
      `${source.label} lists referrers through its API, from the signature manifests themselves, which cannot change; tags on Notation signatures and bundles need the referrers tag schema. Nothing was changed.`,
    );
  const tag = referrersTag(subjectDigest);
  const same = (a: Descriptor, b: Descriptor) => JSON.stringify(a.annotations ?? {}) === JSON.stringify(b.annotations ?? {});
  return withLock(`${source.label}/${repository}:${tag}`, async () => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const current = await currentIndex(source, repository, tag);
      const entry = current.find((d) => d.digest === manifestDigest);
      if (!entry) throw new SignetError('NOT_FOUND', `The referrers index ${tag} no longer lists ${manifestDigest}; nothing was changed.`);
      const wanted = change(entry);
      if (wanted.digest !== entry.digest) throw new Error('a descriptor change may touch only its annotations');
      if (same(wanted, entry)) return entry;
      await source.pushManifest(
        repository,
        tag,
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MEDIA.ociIndex,
            manifests: current.map((d) => (d.digest === manifestDigest ? wanted : d)),
          }),
        ),
        MEDIA.ociIndex,
      );
      await pause(40, 160);
      const kept = (await currentIndex(source, repository, tag)).find((d) => d.digest === manifestDigest);
      if (!kept || !same(kept, wanted)) continue;
      await pause(150, 350);
      const still = (await currentIndex(source, repository, tag)).find((d) => d.digest === manifestDigest);
      if (still && same(still, wanted)) return still;
    }
    throw new SignetError('CONFLICT', `Others kept rewriting ${tag}; the change was not kept after ${WRITE_ATTEMPTS} attempts. Try again.`);
  });
}
