import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import type { RegistryConnections } from '../registry/handlers';
import { readCosignSignatures } from '../signatures/cosign';
import { decodeStoredSignature, type StoredSignature } from '../signatures/lookaside/blob';
import { builtinLookaside, loadRegistriesDir, lookasideFor, useSigstoreAttachments } from '../signatures/lookaside/registries-d';
import { openLookaside } from '../signatures/lookaside/store';
import { readRegularFileIfPresent } from '../storage/bounded-read';
import { COSIGN_PAYLOAD_MEDIA_TYPE } from '../../../shared/payloads/payloads';
import { parseNormalizedNamed, refString, tagNameOnly } from './docker-reference';
import type { PolicyImage } from './evaluate';

const MAX_MANIFEST = 4 * 1024 * 1024;
const MAX_SIGNATURE = 4 * 1024 * 1024;
const MAX_SIGNATURES = 1000;

/**
 * A containers `dir:` image as the policy sees it: identity is the resolved absolute path, the
 * digest is of manifest.json, signatures are signature-1, -2, … until the first gap.
 */
export async function loadDirImage(dir: string): Promise<PolicyImage> {
  if (!path.isAbsolute(dir)) throw new SignetError('INVALID_INPUT', 'The dir: image path must be absolute.');
  let resolved: string;
  try {
    resolved = await fs.realpath(dir);
  } catch {
    throw new SignetError('NOT_FOUND', `There is no directory ${dir}.`);
  }
  const manifestFile = path.join(resolved, 'manifest.json');
  const manifest = await readRegularFileIfPresent(manifestFile, {
    maxBytes: MAX_MANIFEST,
    what: "The dir: image's manifest.json",
    within: resolved,
  });
  if (!manifest) throw new SignetError('NOT_FOUND', `${dir} has no manifest.json; it is not a dir: image.`);
  const signatures: PolicyImage['signatures'][number][] = [];
  for (let n = 1; n <= MAX_SIGNATURES; n += 1) {
    const file = path.join(resolved, `signature-${n}`);
    const bytes = await readRegularFileIfPresent(file, { maxBytes: MAX_SIGNATURE, what: "The dir: image's signature", within: resolved });
    if (!bytes) break;
    signatures.push({ source: file, signature: decodeStoredSignature(bytes) });
  }
  return {
    transport: 'dir',
    reference: resolved,
    manifestDigest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
    manifest,
    signatures,
  };
}

export interface RegistryImageOptions {
  id: string;
  repository: string;
  reference: string;
  /** A lookaside directory or URL, overriding registries.d. */
  lookaside?: string;
  /** A registries.d directory; without it (and without `lookaside`) the user's or system's is used. */
  registriesD?: string;
  /** Read the .sig tag whatever registries.d says (Kubernetes admission controllers always do). */
  sigstoreAttachments?: boolean;
  fetchImpl?: typeof fetch;
}

/** The directory containers/image would read: ~/.config/containers/registries.d if present, else /etc/containers/registries.d. */
async function defaultRegistriesDir(): Promise<string> {
  const user = path.join(os.homedir(), '.config/containers/registries.d');
  return (await fs.stat(user).catch(() => undefined)) ? user : '/etc/containers/registries.d';
}

/**
 * A registry image as podman would see it: simple signatures from the lookaside that
 * registries.d names (or the one given), cosign attachments from the `.sig` tag only when
 * registries.d turns `use-sigstore-attachments` on.
 */
export async function loadRegistryImage(
  connections: RegistryConnections,
  options: RegistryImageOptions,
): Promise<PolicyImage & { notes: string[] }> {
  const saved = await connections.saved.get(options.id);
  const source = await connections.source(options.id);
  const fetched = await source.manifest(options.repository, options.reference);
  const notes: string[] = [];
  if (saved.kind === 'oci-layout') {
    notes.push('containers/image reads no signatures from an OCI layout.');
    return {
      transport: 'oci',
      reference: saved.path ?? saved.host,
      manifestDigest: fetched.digest,
      manifest: fetched.bytes,
      signatures: [],
      notes,
    };
  }
  const isDigest = options.reference.includes(':');
  const ref = tagNameOnly(
    parseNormalizedNamed(`${saved.host}/${options.repository}${isDigest ? `@${options.reference}` : `:${options.reference}`}`),
  );
  const config = await loadRegistriesDir(options.registriesD ?? (await defaultRegistriesDir()));
  const signatures: Array<{ source: string; signature: StoredSignature }> = [];
  const choice = options.lookaside
    ? { url: options.lookaside, scope: 'given' }
    : lookasideFor(config, ref, false, builtinLookaside(os.homedir(), process.getuid?.() === 0));
  if (choice) {
    const store = openLookaside(choice.url, options.fetchImpl);
    for (const entry of await store.read(ref.path, fetched.digest))
      signatures.push({ source: entry.location, signature: decodeStoredSignature(entry.bytes) });
    notes.push(`Simple signatures read from ${choice.url} (${choice.scope}).`);
  }
  if (options.sigstoreAttachments || useSigstoreAttachments(config, ref)) {
    for (const sig of await readCosignSignatures(source, options.repository, fetched.digest)) {
      signatures.push({
        source: `${refString({ ...ref, tag: undefined, digest: undefined })}:${fetched.digest.replace(':', '-')}.sig (${sig.layerDigest.slice(0, 19)}…)`,
        signature: { kind: 'sigstore', mimeType: COSIGN_PAYLOAD_MEDIA_TYPE, payload: sig.payload, annotations: sig.annotations },
      });
    }
    notes.push('cosign signatures read from the .sig tag (use-sigstore-attachments).');
  } else
    notes.push(
      'cosign (.sig) signatures are not read: registries.d does not set use-sigstore-attachments for this image, so podman would not read them either.',
    );
  return { transport: 'docker', reference: refString(ref), manifestDigest: fetched.digest, manifest: fetched.bytes, signatures, notes };
}
