import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import type { BuiltPayload, PayloadInput } from '../../../shared/models/payload';
import { buildAtomicPayload, buildCosignPayload, buildSwrPayload, PayloadInputError } from '../../../shared/payloads/payloads';
import { parseReference } from '../registry/reference';
import { withSignedRecord } from '../signatures/record';

/**
 * The payload for an image, byte for byte as it will be signed: containers/image's atomic payload
 * (identity = the full reference with its tag, Docker Hub names expanded) or cosign's (identity =
 * the repository without tag, Docker Hub as index.docker.io, the way cosign writes it), or SWR's
 * .asc form (identity = namespace/repository, no optional section).
 */
export function buildPayload(input: PayloadInput): BuiltPayload {
  const ref = parseReference(input.reference);
  if (ref.digest && ref.digest !== input.digest)
    throw new SignetError('INVALID_INPUT', `The reference names ${ref.digest} but the digest given is ${input.digest}.`);
  const type = input.type ?? 'atomic';
  if (type === 'swr' && (input.description !== undefined || input.metadata !== undefined))
    throw new SignetError('INVALID_INPUT', 'The SWR payload has no optional section: no description or metadata.');
  const extra = withSignedRecord(input.extra, { description: input.description, metadata: input.metadata });
  let text: string;
  let identity: string;
  try {
    if (type === 'atomic') {
      identity = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}`;
      text = buildAtomicPayload({
        dockerReference: identity,
        manifestDigest: input.digest,
        ...(input.creator !== undefined ? { creator: input.creator } : {}),
        ...(input.timestamp !== undefined ? { timestamp: input.timestamp } : {}),
        ...(extra ? { extra } : {}),
      });
    } else if (type === 'swr') {
      if (input.creator !== undefined || input.timestamp !== undefined || input.extra)
        throw new SignetError('INVALID_INPUT', 'The SWR payload has no optional section: no creator, timestamp or extra members.');
      identity = ref.repository;
      text = buildSwrPayload({ repository: identity, manifestDigest: input.digest });
    } else {
      if (input.creator !== undefined)
        throw new SignetError('INVALID_INPUT', 'Signet’s cosign payloads have no creator; put extra information in annotations.');
      identity = `${ref.registry === 'docker.io' ? 'index.docker.io' : ref.registry}/${ref.repository}`;
      text = buildCosignPayload({
        repository: identity,
        manifestDigest: input.digest,
        ...(extra ? { annotations: extra } : {}),
        ...(input.timestamp !== undefined ? { timestamp: input.timestamp } : {}),
      });
    }
  } catch (error) {
    if (error instanceof PayloadInputError) throw new SignetError('INVALID_INPUT', error.message);
    throw error;
  }
  const bytes = Buffer.from(text, 'utf8');
  return { type, text, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, identity };
}
