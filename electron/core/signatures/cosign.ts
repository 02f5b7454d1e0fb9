import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import { buildCosignPayload, COSIGN_PAYLOAD_MEDIA_TYPE, PayloadInputError } from '../../../shared/payloads/payloads';
import type { ReasonCode } from '../../../shared/models/verdict';
import { parseSignedPayload, stringAnnotations } from './signed-payload';
import type { SignatureAlgorithm, Signer } from '../signing/signer';
import { verifyRawSignature } from '../signing/verify-raw';
import { isSm2Spki } from '../signing/sm2';
import { digestOf, parseDigest } from '../registry/digest';
import { MEDIA, type Descriptor } from '../registry/media';
import type { RegistrySource } from '../registry/source';
import { withFileLock, type FileLockTimes } from '../storage/file-lock';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const MAX_SIGNATURES = 1000;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const WRITE_ATTEMPTS = 8;

export function signatureTag(digest: string): string {
  return `${parseDigest(digest).replace(':', '-')}.sig`;
}

export interface CosignSignature {
  layerDigest: string;
  payload: Buffer;
  signature: Buffer;
  annotations: Record<string, string>;
}

/** Reads the `sha256-<hex>.sig` signature image: every layer is one signature. */
export async function readCosignSignatures(source: RegistrySource, repository: string, digest: string): Promise<CosignSignature[]> {
  return (await readCosignSignatureImage(source, repository, digest)).signatures;
}

/** The signature image's signatures, and the layers that could not be read as one (another media type, too large, no signature). */
export async function readCosignSignatureImage(
  source: RegistrySource,
  repository: string,
  digest: string,
): Promise<{ signatures: CosignSignature[]; unusable: Array<{ layerDigest: string; reason: string }> }> {
  const tag = signatureTag(digest);
  let manifest;
  try {
    manifest = await source.manifest(repository, tag);
  } catch (error) {
    if (error instanceof SignetError && error.code === 'NOT_FOUND') return { signatures: [], unusable: [] };
    throw error;
  }
  const layers = manifest.parsed.layers;
  if (layers.length > MAX_SIGNATURES)
    throw new SignetError('TOO_LARGE', `The signature image ${tag} has ${layers.length} layers; Signet reads at most ${MAX_SIGNATURES}.`);
  const usable: Array<{ layer: (typeof layers)[number]; annotation: string }> = [];
  const unusable: Array<{ layerDigest: string; reason: string }> = [];
  for (const layer of layers) {
    const annotation = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (layer.mediaType !== COSIGN_PAYLOAD_MEDIA_TYPE || layer.size > MAX_PAYLOAD_BYTES || annotation === undefined) {
      const reason =
        layer.mediaType !== COSIGN_PAYLOAD_MEDIA_TYPE
          ? `a ${layer.mediaType.slice(0, 100)} layer, not a cosign payload`
          : layer.size > MAX_PAYLOAD_BYTES
            ? `a ${layer.size}-byte payload, more than the ${MAX_PAYLOAD_BYTES} Signet reads`
            : 'a payload without its signature annotation';
      unusable.push({ layerDigest: layer.digest, reason });
      continue;
    }
    usable.push({ layer, annotation });
  }
  // Each payload once (signatures by several keys share one), a few at a time: 500 signatures read one after another took seconds.
  const payloads = new Map<string, Buffer>();
  const digests = [...new Set(usable.map((u) => u.layer.digest))];
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < digests.length; i = next++) {
      const digest = digests[i] as string;
      payloads.set(digest, await source.blob(repository, digest, MAX_PAYLOAD_BYTES));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAYLOAD_READS_AT_ONCE, digests.length) }, reader));
  const signatures = usable.map(({ layer, annotation }) => ({
    layerDigest: layer.digest,
    payload: payloads.get(layer.digest) as Buffer,
    signature: Buffer.from(annotation, 'base64'),
    annotations: layer.annotations ?? {},
  }));
  return { signatures, unusable };
}

const PAYLOAD_READS_AT_ONCE = 8;

export interface PayloadCheck {
  ok: boolean;
  code: ReasonCode;
  reason: string;
  identity?: string;
  annotations?: Record<string, string>;
  /** optional.timestamp: the signer's claimed time, seconds since the epoch. */
  timestamp?: number;
}

/** The payload must pass the one strict payload parser (cosign's type) and name this digest. */
export function checkCosignPayload(payload: Uint8Array, digest: string): PayloadCheck {
  const parsed = parseSignedPayload(payload, 'cosign');
  if (!parsed.ok) return { ok: false, code: parsed.code, reason: parsed.reason };
  const { manifestDigest, dockerReference, optional, timestamp } = parsed.payload;
  const claims = { identity: dockerReference, annotations: stringAnnotations(optional), ...(timestamp !== undefined ? { timestamp } : {}) };
  if (manifestDigest !== digest)
    return {
      ok: false,
      code: 'DIGEST_MISMATCH',
      reason: `The payload signs ${manifestDigest.slice(0, 80)}, not this image's ${digest}.`,
      ...claims,
    };
  return { ok: true, code: 'DIGEST_MATCH', reason: `The payload names ${digest}.`, ...claims };
}

/** The algorithms a public key may have signed a cosign payload with (cosign ≥2.6 and older). */
export function candidateAlgorithms(key: KeyObject): SignatureAlgorithm[] {
  if (key.asymmetricKeyType === 'ed25519') return ['ed25519'];
  if (key.asymmetricKeyType === 'rsa') return ['rsa-pkcs1v15-sha256', 'rsa-pss-sha256'];
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return ['ecdsa-p384-sha384', 'ecdsa-p256-sha256'];
  if (curve === 'secp521r1') return ['ecdsa-p521-sha512', 'ecdsa-p256-sha256'];
  return ['ecdsa-p256-sha256'];
}

/** A public key read once: SM2 (checked in JS from its PEM), a node KeyObject with the algorithms to try, or unreadable. */
type ParsedKey = { sm2: true } | { sm2: false; key: KeyObject; algorithms: SignatureAlgorithm[] } | undefined;

/**
 * Public keys already read, by their PEM text (the key's bytes): verifying many signatures with a few trusted keys parses each key
 * once, not once per signature. Bounded: emptied when it holds 1,024 keys.
 */
const parsedKeys = new Map<string, ParsedKey>();
const MAX_PARSED_KEYS = 1024;

function parsedKey(publicKeyPem: string): ParsedKey {
  if (parsedKeys.has(publicKeyPem)) return parsedKeys.get(publicKeyPem);
  let parsed: ParsedKey;
  if (isSm2Spki(publicKeyPem)) parsed = { sm2: true };
  else {
    try {
      const key = createPublicKey(publicKeyPem);
      parsed = { sm2: false, key, algorithms: candidateAlgorithms(key) };
    } catch {
      parsed = undefined;
    }
  }
  if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.clear();
  parsedKeys.set(publicKeyPem, parsed);
  return parsed;
}

export function verifyWithKey(publicKeyPem: string, payload: Uint8Array, signature: Uint8Array): SignatureAlgorithm | undefined {
  const parsed = parsedKey(publicKeyPem);
  if (parsed === undefined) return undefined;
  if (parsed.sm2) return verifyRawSignature('sm2-sm3', publicKeyPem, payload, signature) ? 'sm2-sm3' : undefined;
  for (const algorithm of parsed.algorithms) if (verifyRawSignature(algorithm, parsed.key, payload, signature)) return algorithm;
  return undefined;
}

/**
 * Adds a cosign signature to the image's signature image, keeping every other signature.
 * Read-modify-write of the tag under the signature tag's lock (see `withSignatureTag`); after
 * writing it reads the tag again and merges again when another writer moved it.
 */
export async function signCosign(options: {
  source: RegistrySource;
  registryHost: string;
  repository: string;
  digest: string;
  signer: Signer;
  annotations?: Record<string, string>;
  /** The signing time written into optional.timestamp (as containers/image does); none leaves it out, as cosign does. */
  now?: Date;
  /** The data directory's lock directory: writers sharing it take turns per signature tag across processes. */
  lockDirectory?: string;
}): Promise<{ payload: string; signature: string; tag: string; signatureManifest: string }> {
  const digest = parseDigest(options.digest);
  let text: string;
  try {
    text = buildCosignPayload({
      repository: `${options.registryHost}/${options.repository}`,
      manifestDigest: digest,
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.now ? { timestamp: Math.floor(options.now.getTime() / 1000) } : {}),
    });
  } catch (error) {
    if (error instanceof PayloadInputError) throw new SignetError('INVALID_INPUT', `${error.message} Nothing was signed.`);
    throw error;
  }
  const payload = Buffer.from(text, 'utf8');
  const signature = Buffer.from(await options.signer.sign(payload));
  if (!verifyWithKey(await options.signer.publicKeyPem(), payload, signature))
    throw new SignetError('SIGNING_FAILED', 'The signature does not verify with the key’s own public key; nothing was written.', {
      reason: 'self-check',
    });
  const tag = signatureTag(digest);
  return withSignatureTag(options.source, options.repository, tag, options.lockDirectory, () =>
    writeSignature(options.source, options.repository, tag, payload, signature),
  );
}

/**
 * Attaches a signature made elsewhere (an offline station) over exactly `payload`: the same
 * append, idempotent — attaching the same signature twice stores it once.
 */
export async function attachCosignSignature(
  source: RegistrySource,
  repository: string,
  digest: string,
  payload: Buffer,
  signature: Buffer,
  lockDirectory?: string,
): Promise<{ tag: string; added: boolean }> {
  const tag = signatureTag(digest);
  const before = await currentLayers(source, repository, tag);
  const payloadDigest = digestOf(payload);
  const present = before.some((l) => l.digest === payloadDigest && l.annotations?.[SIGNATURE_ANNOTATION] === signature.toString('base64'));
  if (present) return { tag, added: false };
  await withSignatureTag(source, repository, tag, lockDirectory, () => writeSignature(source, repository, tag, payload, signature));
  return { tag, added: true };
}

/** Held over a few registry requests: stale only after two minutes (or at once when its process is gone); waiters wait as long. */
const TAG_LOCK_TIMES: FileLockTimes = { staleMs: 120_000, waitMs: 120_000 };

/**
 * Who writes a signature tag at a time. The registry has no compare-and-swap for tags, so a
 * read-merge-push can overwrite a signature pushed between its read and its push.
 *
 * Guaranteed: writers in one process take turns per tag; with a lock directory (the data
 * directory's: the desktop app, `signet serve`, the rules listener and CLI processes on it), writers
 * in every process on it take turns too, under `<lockDirectory>/cosign-<hash of registry/repository:tag>.lock`.
 * Nobody among them can write between another's read and push.
 *
 * Writers outside the lock (cosign, crane, another machine, a Signet on another data directory)
 * can, so every writer still confirms with two re-reads after random pauses and merges again when
 * its signature is gone: two Signets on different data directories lose nothing
 * (tests/integration/signatures/refusals.test.ts, and concurrent-writers.test.ts with both on the
 * same 20 tags at once). Each writer keeps its own read-to-push short (uploads first, then a HEAD
 * comparing the tag with what it merged into, then the push), well inside the others' pauses. Not
 * guaranteed: a foreign writer slower than the pauses (it read before our push and pushes after our
 * second re-read) overwrites us unseen; cosign itself has the same race.
 */
function withSignatureTag<T>(
  source: RegistrySource,
  repository: string,
  tag: string,
  lockDirectory: string | undefined,
  work: (alone: (() => Promise<boolean>) | undefined) => Promise<T>,
): Promise<T> {
  const key = `${source.label}/${repository}:${tag}`;
  if (lockDirectory === undefined) return withTagLock(key, () => work(undefined));
  const file = path.join(lockDirectory, `cosign-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`);
  return withTagLock(key, () => withFileLock(file, (stillHeld) => work(stillHeld), TAG_LOCK_TIMES));
}

/** The lock directory of a data directory: every Signet process on it takes its signature-tag locks there. */
export function signatureLockDirectory(dataDir: string): string {
  return path.join(dataDir, 'locks');
}

const tagLocks = new Map<string, Promise<unknown>>();

/** Writers in this process take turns per signature tag. */
function withTagLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tagLocks.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  tagLocks.set(key, next);
  void next
    .finally(() => {
      if (tagLocks.get(key) === next) tagLocks.delete(key);
    })
    .catch(() => undefined);
  return next;
}

async function writeSignature(
  source: RegistrySource,
  repository: string,
  tag: string,
  payload: Buffer,
  signature: Buffer,
): Promise<{ payload: string; signature: string; tag: string; signatureManifest: string }> {
  const ours: Descriptor = {
    mediaType: COSIGN_PAYLOAD_MEDIA_TYPE,
    size: payload.length,
    digest: digestOf(payload),
    annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
  };
  const upload = (again = false) => uploadOnce(source, repository, payload, ours.digest, again);
  // The payload and the config of a signature image holding only ours (the usual case: an image signed for the first time) go up
  // while the tag is read. Content-addressed, the config is the same for every key signing this image, so uploaded once; when the
  // tag holds others it stays an unreferenced blob, as a refusal's payload does (a refusal of what was read comes first).
  const freshConfig = signatureConfig([ours]);
  const [first, ...uploads] = await Promise.allSettled([
    readSignatureImage(source, repository, tag),
    upload(),
    uploadOnce(source, repository, freshConfig, digestOf(freshConfig), false),
  ]);
  if (first.status === 'rejected') throw first.reason;
  if ((first.value?.layers.length ?? 0) >= MAX_SIGNATURES)
    throw new SignetError('TOO_LARGE', `The signature image already holds ${MAX_SIGNATURES} signatures; nothing was written.`);
  for (const u of uploads) if (u.status === 'rejected') throw u.reason;
  let configUp: string | undefined = digestOf(freshConfig);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
    // The first attempt merges into what was read alongside the uploads; later ones read again, just before writing.
    const read = attempt === 0 ? first.value : await readSignatureImage(source, repository, tag);
    let stale = attempt === 0;
    const current = read?.layers ?? [];
    const layers = current.some((l) => sameSignature(l, ours)) ? current : [...current, ours];
    if (layers.length > MAX_SIGNATURES)
      throw new SignetError('TOO_LARGE', `The signature image already holds ${MAX_SIGNATURES} signatures.`);
    let manifest: Buffer;
    try {
      const config = signatureConfig(layers);
      if (digestOf(config) !== configUp) {
        // Merging into other signatures needs their config (it names every layer), uploaded after the read.
        configUp = await (source.uploadBlob ? source.uploadBlob(repository, config) : source.pushBlob(repository, config));
        stale = true;
      }
      // Uploads went on between our read and our push: the tag must still be what was read (compare before write, a HEAD). What
      // lies between the state we merge into and our push — where we would overwrite a writer outside the lock — is then one HEAD
      // and one push, short next to that writer's confirming pauses, however slow the uploads.
      if (stale && (await tagDigest(source, repository, tag)) !== read?.digest) continue;
      manifest = await pushSignatureImage(source, repository, tag, layers, configUp);
    } catch (error) {
      // Another signer uploading the same payload at once can leave the registry without the blob for a moment: upload it again and retry.
      if (!(error instanceof SignetError && error.reason === 'blob-unknown')) throw error;
      configUp = undefined;
      await backOff(attempt);
      await upload(true);
      continue;
    }
    const written = {
      payload: payload.toString('utf8'),
      signature: signature.toString('base64'),
      tag,
      signatureManifest: digestOf(manifest),
    };
    // Writers sharing the lock cannot overwrite us, but writers outside it (cosign, another machine, a Signet on another data
    // directory) can, even after one re-read: a writer that read before our push may push after it. Ours must survive two
    // re-reads after random pauses; when it is gone, back off and merge again. (No unpaused re-read first: the paused ones see
    // all it would.) A re-read asks for the tag's digest only (HEAD) and reads the manifest only when the tag moved, to find
    // whether the new image still holds ours (another writer merged it).
    const kept = async () => {
      if (source.resolve) {
        const now = await tagDigest(source, repository, tag);
        if (now === undefined) return false;
        if (now === written.signatureManifest) return true;
      }
      return (await currentLayers(source, repository, tag)).some((l) => sameSignature(l, ours));
    };
    await pause(40, 160);
    if (await kept()) {
      await pause(150, 350);
      if (await kept()) return written;
    }
    await backOff(attempt);
  }
  throw new SignetError(
    'CONFLICT',
    `Others kept rewriting ${tag}; the signature was not kept after ${WRITE_ATTEMPTS} attempts. Try again.`,
  );
}

/** Blobs this process uploaded (registry, repository, digest): an image signed with several keys uploads its payload and config once. */
const uploaded = new Set<string>();

/**
 * Uploads a blob unless this process uploaded it to the repository before (or `again`: the registry said it does not know it, say
 * after a garbage collection). A new blob goes up without asking first whether it is there.
 */
async function uploadOnce(source: RegistrySource, repository: string, bytes: Buffer, digest: string, again: boolean): Promise<void> {
  const key = `${source.label}/${repository}@${digest}`;
  if (uploaded.has(key) && !again) return;
  uploaded.delete(key);
  await (source.uploadBlob ? source.uploadBlob(repository, bytes) : source.pushBlob(repository, bytes));
  if (uploaded.size >= 10_000) uploaded.clear();
  uploaded.add(key);
}

/** After a detected conflict: a jittered exponential delay (up to 25 ms, 50 ms, … 2 s), so writers that collided spread out. */
const backOff = (attempt: number) => pause(0, Math.min(2_000, 25 * 2 ** attempt));

/** The go-containerregistry empty config that cosign writes, with these layers' digests as diff_ids. */
function signatureConfig(layers: readonly Descriptor[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

/**
 * Writes the signature image with these layers, as cosign lays it out: the go-containerregistry empty config with the layers' digests as
 * diff_ids. `configUp`: the digest of a config already uploaded for this write, not uploaded again when it is this one.
 */
async function pushSignatureImage(
  source: RegistrySource,
  repository: string,
  tag: string,
  layers: readonly Descriptor[],
  configUp?: string,
): Promise<Buffer> {
  const config = signatureConfig(layers);
  let configDigest = digestOf(config);
  // The config names this very list of layers: new but for a rewrite of the same list, so it goes up without asking first.
  if (configDigest !== configUp)
    configDigest = await (source.uploadBlob ? source.uploadBlob(repository, config) : source.pushBlob(repository, config));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, size: config.length, digest: configDigest },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        size: l.size,
        digest: l.digest,
        ...(l.annotations ? { annotations: l.annotations } : {}),
      })),
    }),
  );
  await source.pushManifest(repository, tag, manifest, MEDIA.ociManifest);
  return manifest;
}

type SignatureImage = { digest: string; layers: Descriptor[] };

/** The digest the tag points at now (HEAD where the source can, else a fresh read); undefined when there is none. */
async function tagDigest(source: RegistrySource, repository: string, tag: string): Promise<string | undefined> {
  if (source.resolve) return (await source.resolve(repository, tag))?.digest;
  return (await readSignatureImage(source, repository, tag))?.digest;
}

/** The signature image as it is now, read fresh by tag: its digest and layers; undefined when there is none. */
async function readSignatureImage(source: RegistrySource, repository: string, tag: string): Promise<SignatureImage | undefined> {
  try {
    const m = await source.manifest(repository, tag);
    return { digest: m.digest, layers: m.parsed.layers };
  } catch (error) {
    if (error instanceof SignetError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Whether a layer is the one holding this signature: its payload digest, and its signature
 * annotation decoding to the same bytes (another writer may have encoded it differently).
 */
function isLayer(layerDigest: string, signatureB64: string): (l: Descriptor) => boolean {
  const bytes = Buffer.from(signatureB64, 'base64');
  return (l) => {
    const annotation = l.annotations?.[SIGNATURE_ANNOTATION];
    return l.digest === layerDigest && annotation !== undefined && Buffer.from(annotation, 'base64').equals(bytes);
  };
}

/** The layer of the signature image that holds one signature (its payload digest and signature), as it is stored now. */
export async function findCosignLayer(
  source: RegistrySource,
  repository: string,
  digest: string,
  layerDigest: string,
  signatureB64: string,
): Promise<Descriptor | undefined> {
  return (await readSignatureImage(source, repository, signatureTag(digest)))?.layers.find(isLayer(layerDigest, signatureB64));
}

/**
 * Removes exactly one signature (one layer: its payload digest and signature) from the image's
 * signature image, keeping every other one. Before writing it reads the tag again and starts over
 * when it moved (a signer appended meanwhile); after writing it reads the tag twice after pauses,
 * and removes the layer again if a concurrent writer put it back. Signet's writers sharing the lock
 * directory wait for the delete (`withSignatureTag`); a signer without it re-reads after pauses, so a
 * signature appended during the delete is merged back by its signer.
 * When no signature remains the signature image is deleted (or, where the registry does not
 * delete, written without layers).
 */
export async function removeCosignLayer(
  source: RegistrySource,
  repository: string,
  digest: string,
  layerDigest: string,
  signatureB64: string,
  lockDirectory?: string,
): Promise<{ tag: string; remaining: number; imageDeleted: boolean }> {
  const tag = signatureTag(digest);
  const target = isLayer(layerDigest, signatureB64);
  return withSignatureTag(source, repository, tag, lockDirectory, async () => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const before = await readSignatureImage(source, repository, tag);
      if (!before?.layers.some(target)) throw new SignetError('NOT_FOUND', `${tag} no longer holds that signature; nothing was deleted.`);
      const keep = before.layers.filter((l) => !target(l));
      // Compare before write: the tag must still be what the new layer list was made from.
      if ((await readSignatureImage(source, repository, tag))?.digest !== before.digest) continue;
      let imageDeleted = false;
      if (keep.length === 0 && source.deleteManifest) {
        try {
          await source.deleteManifest(repository, before.digest);
          imageDeleted = true;
        } catch (error) {
          if (!(error instanceof SignetError && error.code === 'UNSUPPORTED')) throw error;
        }
      }
      if (!imageDeleted) await pushSignatureImage(source, repository, tag, keep);
      await pause(40, 160);
      if ((await readSignatureImage(source, repository, tag))?.layers.some(target)) continue;
      await pause(150, 350);
      const after = await readSignatureImage(source, repository, tag);
      if (after?.layers.some(target)) continue;
      return { tag, remaining: after?.layers.length ?? 0, imageDeleted: imageDeleted && !after };
    }
    throw new SignetError(
      'CONFLICT',
      `Others kept rewriting ${tag}; the signature was still there after ${WRITE_ATTEMPTS} attempts. Try again.`,
    );
  });
}

/**
 * Rewrites one layer's descriptor (its unsigned annotations) in the signature image, keeping every
 * other layer: the change is applied to the tag as it is read just before writing, and read back
 * twice after pauses; a concurrent writer's version makes it start over. The payload and its
 * signature are untouched, so the signature verifies as before.
 */
export async function updateCosignLayer(
  source: RegistrySource,
  repository: string,
  digest: string,
  layerDigest: string,
  signatureB64: string,
  change: (layer: Descriptor) => Descriptor,
  lockDirectory?: string,
): Promise<Descriptor> {
  const tag = signatureTag(digest);
  const target = isLayer(layerDigest, signatureB64);
  const same = (a: Descriptor, b: Descriptor) => JSON.stringify(a.annotations ?? {}) === JSON.stringify(b.annotations ?? {});
  return withSignatureTag(source, repository, tag, lockDirectory, async () => {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const before = await readSignatureImage(source, repository, tag);
      const layer = before?.layers.find(target);
      if (!before || !layer) throw new SignetError('NOT_FOUND', `${tag} no longer holds that signature; nothing was changed.`);
      const wanted = change(layer);
      if (wanted.digest !== layer.digest || wanted.annotations?.[SIGNATURE_ANNOTATION] !== layer.annotations?.[SIGNATURE_ANNOTATION])
        throw new Error('a layer change may touch only unsigned annotations');
      if (same(wanted, layer)) return layer;
      if ((await readSignatureImage(source, repository, tag))?.digest !== before.digest) continue;
      await pushSignatureImage(
        source,
        repository,
        tag,
        before.layers.map((l) => (target(l) ? wanted : l)),
      );
      await pause(40, 160);
      const kept = (await readSignatureImage(source, repository, tag))?.layers.find(target);
      if (!kept || !same(kept, wanted)) continue;
      await pause(150, 350);
      const still = (await readSignatureImage(source, repository, tag))?.layers.find(target);
      if (still && same(still, wanted)) return still;
    }
    throw new SignetError('CONFLICT', `Others kept rewriting ${tag}; the change was not kept after ${WRITE_ATTEMPTS} attempts. Try again.`);
  });
}

const pause = (min: number, spread: number) => new Promise((resolve) => setTimeout(resolve, min + Math.floor(Math.random() * spread)));

async function currentLayers(source: RegistrySource, repository: string, tag: string): Promise<Descriptor[]> {
  try {
    // A fresh read by tag: never a cached manifest.
    return (await source.manifest(repository, tag)).parsed.layers;
  } catch (error) {
    if (error instanceof SignetError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
}

function sameSignature(a: Descriptor, b: Descriptor): boolean {
  return a.digest === b.digest && a.annotations?.[SIGNATURE_ANNOTATION] === b.annotations?.[SIGNATURE_ANNOTATION];
}
