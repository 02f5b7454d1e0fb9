import { GoStruct, goJson, type GoJson } from './go-json';

/** The two simple-signing payload types. They are not interchangeable. */
export const ATOMIC_TYPE = 'atomic container signature';
export const COSIGN_TYPE = 'cosign container image signature';
export const COSIGN_PAYLOAD_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';

const DIGEST = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;

export interface AtomicPayloadInput {
  /** Full reference, normally with its tag: `docker.io/library/busybox:latest`. */
  dockerReference: string;
  manifestDigest: string;
  creator?: string;
  /** Whole seconds since the epoch. */
  timestamp?: number;
  /** Further `optional` members (strings); `creator` and `timestamp` cannot be overridden here. */
  extra?: Readonly<Record<string, string>>;
}

export interface CosignPayloadInput {
  /** Repository without tag or digest, as cosign writes it: `index.docker.io/library/busybox`. */
  repository: string;
  manifestDigest: string;
  /** cosign's `-a key=value` annotations; none (and no timestamp) gives `"optional":null`. */
  annotations?: Readonly<Record<string, string>>;
  /**
   * Whole seconds since the epoch, in `optional.timestamp` as containers/image writes it in its sigstore payloads: the signer's claimed
   * time.
   */
  timestamp?: number;
}

export class PayloadInputError extends Error {}

/**
 * containers/image "atomic container signature", exactly as skopeo/podman write it: Go map
 * marshalling, so every object's keys are sorted.
 */
export function buildAtomicPayload(input: AtomicPayloadInput): string {
  checkDigest(input.manifestDigest);
  checkReference(input.dockerReference);
  const optional: Record<string, GoJson> = {};
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    if (key === 'creator' || key === 'timestamp') throw new PayloadInputError(`"${key}" is set by its own field, not as an extra entry.`);
    optional[key] = value;
  }
  if (input.creator !== undefined) optional.creator = input.creator;
  if (input.timestamp !== undefined) {
    if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0)
      throw new PayloadInputError('The timestamp must be whole seconds since 1970.');
    optional.timestamp = input.timestamp;
  }
  return goJson({
    critical: {
      identity: { 'docker-reference': input.dockerReference },
      image: { 'docker-manifest-digest': input.manifestDigest },
      type: ATOMIC_TYPE,
    },
    optional,
  });
}

/**
 * Huawei SWR's `.asc` payload, byte for byte what its instructions' `echo '{…}' > payload` writes:
 * `{"critical":{"identity":{"docker-reference":"NAMESPACE/REPO"},"image":{"docker-manifest-digest":"sha256:…"},"type":"atomic container
 * signature"}}`
 * and echo's newline. No registry host, no `optional`: containers/image refuses this form (it
 * requires `optional`), so it is for .asc files only.
 */
export function buildSwrPayload(input: { repository: string; manifestDigest: string }): string {
  checkDigest(input.manifestDigest);
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/.test(input.repository))
    throw new PayloadInputError(`SWR names images namespace/repository; ${input.repository.slice(0, 200)} is not one.`);
  return `${goJson({ critical: { identity: { 'docker-reference': input.repository }, image: { 'docker-manifest-digest': input.manifestDigest }, type: ATOMIC_TYPE } })}\n`;
}

/** cosign's payload: Go struct order (critical: identity, image, type), `optional` null or sorted. */
export function buildCosignPayload(input: CosignPayloadInput): string {
  checkDigest(input.manifestDigest);
  checkReference(input.repository);
  if (/[@]/.test(input.repository) || /:[^/]*$/.test(input.repository.replace(/^[^/]*\//, ''))) {
    throw new PayloadInputError('cosign names the repository without a tag or digest.');
  }
  const optional: Record<string, GoJson> = { ...(input.annotations ?? {}) };
  if (input.timestamp !== undefined) {
    if ('timestamp' in optional) throw new PayloadInputError('"timestamp" is set by its own field, not as an annotation.');
    if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0)
      throw new PayloadInputError('The timestamp must be whole seconds since 1970.');
    optional.timestamp = input.timestamp;
  }
  const annotations = Object.keys(optional).length > 0 ? optional : null;
  return goJson(
    new GoStruct([
      [
        'critical',
        new GoStruct([
          ['identity', new GoStruct([['docker-reference', input.repository]])],
          ['image', new GoStruct([['docker-manifest-digest', input.manifestDigest]])],
          ['type', COSIGN_TYPE],
        ]),
      ],
      ['optional', annotations],
    ]),
  );
}

function checkDigest(digest: string): void {
  if (!DIGEST.test(digest))
    throw new PayloadInputError(`"${digest.slice(0, 80)}" is not a manifest digest (sha256: and 64 lower-case hex digits).`);
}

function checkReference(reference: string): void {
  if (!reference || reference.length > 4096 || /\s/.test(reference))
    throw new PayloadInputError('The image reference is empty or contains spaces.');
}
