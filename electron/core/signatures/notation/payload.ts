import type { SignatureCheck } from '../../../../shared/models/signatures';
import { parseStrictJson } from '../../json/strict';
import { isDigest } from '../../registry/digest';

export interface TargetDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface NotationPayload {
  targetArtifact: TargetDescriptor & { annotations?: Record<string, string>; artifactType?: string };
}

const DESCRIPTOR_MEMBERS = new Set(['mediaType', 'digest', 'size', 'annotations', 'artifactType', 'urls', 'platform', 'data']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Notary payload (`application/vnd.cncf.notary.payload.v1+json`), strictly: one member
 * `targetArtifact`, an OCI descriptor with a valid digest, a non-negative size and string
 * annotations (the signer's user metadata). Throws a sentence on anything else.
 */
export function parseNotationPayload(bytes: Uint8Array): NotationPayload {
  const doc = parseStrictJson(bytes, 'The Notation payload');
  if (!isObject(doc) || Object.keys(doc).join(',') !== 'targetArtifact')
    throw new Error('The Notation payload must hold exactly one member, targetArtifact.');
  const t = doc.targetArtifact;
  if (!isObject(t)) throw new Error('targetArtifact is not an object.');
  for (const k of Object.keys(t))
    if (!DESCRIPTOR_MEMBERS.has(k)) throw new Error(`targetArtifact has an unknown member ${JSON.stringify(k.slice(0, 60))}.`);
  if (typeof t.mediaType !== 'string' || !isDigest(t.digest) || typeof t.size !== 'number' || !Number.isSafeInteger(t.size) || t.size < 0)
    throw new Error('targetArtifact lacks a valid mediaType, digest or size.');
  let annotations: Record<string, string> | undefined;
  if (t.annotations !== undefined) {
    if (!isObject(t.annotations) || !Object.values(t.annotations).every((v) => typeof v === 'string'))
      throw new Error('targetArtifact.annotations must map strings to strings.');
    annotations = t.annotations as Record<string, string>;
  }
  if (t.artifactType !== undefined && typeof t.artifactType !== 'string') throw new Error('targetArtifact.artifactType is not a string.');
  return {
    targetArtifact: {
      mediaType: t.mediaType,
      digest: t.digest,
      size: t.size,
      ...(annotations ? { annotations } : {}),
      ...(typeof t.artifactType === 'string' ? { artifactType: t.artifactType } : {}),
    },
  };
}

/**
 * The digest-binding check: the payload's target must be this image's descriptor (digest, size and media type), as notation compares them.
 */
export function bindingCheck(payload: NotationPayload, image: TargetDescriptor): SignatureCheck {
  const t = payload.targetArtifact;
  if (t.digest !== image.digest)
    return {
      name: 'digest binding',
      status: 'failed',
      code: 'DIGEST_MISMATCH',
      reason: `The signature is for ${t.digest}, the image is ${image.digest}.`,
    };
  if (t.size !== image.size || t.mediaType !== image.mediaType)
    return {
      name: 'digest binding',
      status: 'failed',
      code: 'DESCRIPTOR_MISMATCH',
      reason: `The payload names ${t.digest} with size ${t.size} and media type ${t.mediaType}; the image's manifest is ${image.size} bytes of ${image.mediaType}.`,
    };
  return {
    name: 'digest binding',
    status: 'passed',
    code: 'DIGEST_MATCH',
    reason: `The payload's targetArtifact is this image: ${image.digest}, ${image.size} bytes, ${image.mediaType}.`,
  };
}
