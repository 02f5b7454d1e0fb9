import { SignetError } from '../../../shared/errors';
import type { OfflineFormat, RequestedSigner } from '../../../shared/models/offline';
import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { RegistryClient } from '../registry/client';
import { credentialsFromFiles, type CredentialStore } from '../registry/credentials';
import { platformName } from '../registry/media';
import { parseReference } from '../registry/reference';
import type { SavedRegistries } from '../registry/saved';
import { buildRequest, type RequestImage } from './request';

export interface PrepareOptions {
  references: readonly string[];
  signer: RequestedSigner;
  formats: readonly OfflineFormat[];
  indexOnly?: boolean;
  note?: string;
  /** For Notation items: the envelope and the key's chain. */
  notation?: { envelope: 'jws' | 'cose'; chain: readonly Buffer[] };
  /** Signed into every payload: cosign and simple signing `optional` members, Notation user metadata (the description and metadata). */
  annotations?: Readonly<Record<string, string>>;
  saved: SavedRegistries;
  credentials: CredentialStore;
  progress?: (done: number, total: number, message: string) => void;
}

/**
 * Resolves every reference once, to a digest, on the connected machine; an index is signed with
 * each of its platform manifests unless `indexOnly`. The payloads are built here, once.
 */
export async function prepareRequest(options: PrepareOptions): Promise<ReturnType<typeof buildRequest>> {
  const images: RequestImage[] = [];
  const savedList = await options.saved.list();
  const clients = new Map<string, RegistryClient>();
  let done = 0;
  for (const text of options.references) {
    const ref = parseReference(text);
    options.progress?.(done, options.references.length, `Resolving ${text}`);
    const saved = savedList.find((r) => r.kind === 'distribution' && r.host === ref.registry);
    let client = clients.get(ref.registry);
    if (!client) {
      client = new RegistryClient({
        registry: ref.registry,
        insecure: saved?.insecure ?? false,
        credentials: async () =>
          saved?.credentials === 'keychain' ? options.credentials.get(ref.registry) : credentialsFromFiles(ref.registry),
      });
      clients.set(ref.registry, client);
    }
    const fetched = await client.manifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
    if (ref.digest && fetched.digest !== ref.digest) throw new SignetError('DIGEST_MISMATCH', `${text} resolved to ${fetched.digest}.`);
    const repository = `${ref.registry}/${ref.repository}`;
    const base = { reference: text, repository, ...(ref.tag ? { tag: ref.tag } : {}) };
    images.push({ ...base, digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.bytes.length });
    if (fetched.parsed.kind === 'index' && !options.indexOnly) {
      for (const m of fetched.parsed.manifests) {
        if (!m.platform) continue;
        images.push({ ...base, digest: m.digest, mediaType: m.mediaType, size: m.size, platform: platformName(m.platform) });
      }
    }
    done += 1;
  }
  options.progress?.(done, options.references.length, 'Building the request');
  return buildRequest({
    signer: options.signer,
    formats: options.formats,
    images,
    createdBy: `${APP_NAME} ${APP_VERSION}`,
    now: new Date(),
    ...(options.note ? { note: options.note } : {}),
    ...(options.notation ? { notation: options.notation } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
}
