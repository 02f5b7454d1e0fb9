import { SignetError } from '../../../../shared/errors';
import type { RequestItem } from '../../../../shared/models/offline';
import { ATOMIC_TYPE, buildAtomicPayload, buildCosignPayload, COSIGN_TYPE } from '../../../../shared/payloads/payloads';
import { parseStrictJson } from '../../json/strict';
import type { OfflineImage, OfflinePayloadOptions, OfflineWay } from './format';

/** The cosign payload an air-gapped request carries for an image. */
export function cosignOfflinePayload(image: OfflineImage, options: OfflinePayloadOptions): { bytes: Buffer } {
  const text = buildCosignPayload({
    repository: image.repository,
    manifestDigest: image.digest,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return { bytes: Buffer.from(text, 'utf8') };
}

/** The containers/image atomic payload (simple signing, .asc) an air-gapped request carries for an image. */
export function atomicOfflinePayload(image: OfflineImage, options: OfflinePayloadOptions): { bytes: Buffer } {
  const text = buildAtomicPayload({
    dockerReference: image.tag ? `${image.repository}:${image.tag}` : image.repository,
    manifestDigest: image.digest,
    creator: options.createdBy,
    timestamp: Math.floor(options.now.getTime() / 1000),
    ...(options.annotations ? { extra: options.annotations } : {}),
  });
  return { bytes: Buffer.from(text, 'utf8') };
}

/**
 * The identity a JSON payload of `type` signs, read strictly (no duplicate keys, no trailing
 * data): it must name exactly the item's digest.
 */
export function jsonPayloadIdentity(item: RequestItem, payload: Buffer, type: typeof COSIGN_TYPE | typeof ATOMIC_TYPE): string {
  if (item.notation) throw new SignetError('MALFORMED', `Item ${item.id} is not a Notation item but carries Notation fields.`);
  const doc = parseStrictJson(payload, `Item ${item.id}'s payload`) as {
    critical?: { type?: unknown; image?: { 'docker-manifest-digest'?: unknown }; identity?: { 'docker-reference'?: unknown } };
  };
  if (doc?.critical?.type !== type) throw new SignetError('MALFORMED', `Item ${item.id}'s payload is not a "${type}" payload.`);
  const named = doc.critical.image?.['docker-manifest-digest'];
  if (named !== item.digest)
    throw new SignetError('MALFORMED', `Item ${item.id}'s payload names ${String(named).slice(0, 80)}, not the image's ${item.digest}.`);
  const identity = doc.critical.identity?.['docker-reference'];
  if (typeof identity !== 'string') throw new SignetError('MALFORMED', `Item ${item.id}'s payload has no identity.`);
  return identity;
}

/** Simple signing and .asc items: an atomic payload, signed by an OpenPGP key. They differ only in where they are attached. */
export const ATOMIC_OFFLINE: Omit<OfflineWay, 'attach'> = {
  key: 'openpgp',
  payload: atomicOfflinePayload,
  identity: (item, payload) => jsonPayloadIdentity(item, payload, ATOMIC_TYPE),
};

export { ATOMIC_TYPE, COSIGN_TYPE };
