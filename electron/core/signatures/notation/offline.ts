import { SignetError } from '../../../../shared/errors';
import { APP_NAME, APP_VERSION } from '../../../../shared/version';
import type { Descriptor } from '../../registry/media';
import type { RegistrySource } from '../../registry/source';
import { assembleCose, assembleJws, buildNotationPayload, coseSigningInput, ENVELOPE_MEDIA_TYPE, jwsSigningInput } from './build';
import { algorithmForKey, readCertificate } from './certs';
import { parseCose } from './cose';
import { EnvelopeError, type EnvelopeKind, type NotationEnvelope } from './envelope';
import { parseJws } from './jws';
import { parseNotationPayload, type NotationPayload } from './payload';
import { derToRaw } from './sign';
import { storeNotationSignature } from './store';
import { defaultNotationTrust } from './trust';
import { verifyNotation } from './verify';

/**
 * Notation items of air-gapped signing requests. The request carries, as its exact payload, the
 * bytes the signature is over (the JWS signing input or the COSE Sig_structure, with the signing
 * time and the expiry fixed when the request is made) and the key's chain; the offline station
 * signs those bytes like any other payload; attaching assembles the envelope from them, checks it
 * with the verifier and stores it as `signet sign --format notation` does.
 */
const EC_SIZE: Partial<Record<string, number>> = { ES256: 32, ES384: 48, ES512: 66 };

export function notationSigningInput(
  kind: EnvelopeKind,
  subject: Descriptor,
  chain: readonly Buffer[],
  now: Date,
  expiresInMs?: number,
  annotations?: Record<string, string>,
): Buffer {
  const leaf = readCertificate(chain[0] as Buffer);
  const alg = algorithmForKey(leaf.publicKey);
  if (!alg) throw new SignetError('UNSUPPORTED', 'Notation signs with RSA 2048/3072/4096 or EC P-256/384/521 keys only.');
  const signingTime = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const req = {
    payload: buildNotationPayload(subject, annotations),
    alg,
    signingTime,
    ...(expiresInMs ? { expiry: new Date(signingTime.getTime() + expiresInMs) } : {}),
  };
  return kind === 'jws' ? jwsSigningInput(req) : coseSigningInput(req);
}

/** The envelope the signing input and a signature make, parsed (strictly) for its headers and payload. */
function assemble(
  kind: EnvelopeKind,
  signingInput: Buffer,
  chain: readonly Buffer[],
  signature: Buffer,
): { bytes: Buffer; env: NotationEnvelope } {
  const bytes =
    kind === 'jws'
      ? assembleJws(signingInput, chain, `${APP_NAME}/${APP_VERSION}`, signature)
      : assembleCose(signingInput, chain, `${APP_NAME}/${APP_VERSION}`, signature);
  return { bytes, env: kind === 'jws' ? parseJws(bytes) : parseCose(bytes) };
}

/** Reads a request item's signing input: a valid Notation envelope but for its signature, over a payload naming `digest`. */
export function readNotationSigningInput(
  kind: EnvelopeKind,
  signingInput: Buffer,
  chain: readonly Buffer[],
  digest: string,
): { payload: NotationPayload; signingTime: Date } {
  let env: NotationEnvelope;
  try {
    env = assemble(kind, signingInput, chain, Buffer.alloc(0)).env;
  } catch (error) {
    throw new SignetError(
      'MALFORMED',
      `The Notation signing input is not a Notary ${kind.toUpperCase()} envelope: ${error instanceof EnvelopeError || error instanceof Error ? error.message : 'unreadable'}.`,
    );
  }
  let payload: NotationPayload;
  try {
    payload = parseNotationPayload(env.payload);
  } catch (error) {
    throw new SignetError('MALFORMED', error instanceof Error ? error.message : 'The Notation payload is not valid.');
  }
  if (payload.targetArtifact.digest !== digest)
    throw new SignetError('MALFORMED', `The Notation payload names ${payload.targetArtifact.digest}, not the image's ${digest}.`);
  return { payload, signingTime: env.signingTime as Date };
}

/**
 * Assembles the envelope from a request item and the station's signature (DER for ECDSA, as every
 * Signer returns it), checks it with the verifier against the image the registry holds now
 * (integrity and binding, anchored at the chain's root) and stores it. Storing the same
 * signature again adds nothing.
 */
export async function attachNotationSignature(
  source: RegistrySource,
  repository: string,
  digest: string,
  kind: EnvelopeKind,
  signingInput: Buffer,
  chain: readonly Buffer[],
  signature: Buffer,
): Promise<{ where: string; added: boolean }> {
  const leaf = readCertificate(chain[0] as Buffer);
  const alg = algorithmForKey(leaf.publicKey);
  const size = alg ? EC_SIZE[alg] : undefined;
  const { bytes, env } = assemble(kind, signingInput, chain, size ? derToRaw(signature, size) : signature);
  const manifest = await source.manifest(repository, digest);
  const subject: Descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
  const check = verifyNotation(
    bytes,
    ENVELOPE_MEDIA_TYPE[kind],
    subject,
    defaultNotationTrust([{ store: 'self-check', name: 'the chain’s root', der: chain[chain.length - 1] as Buffer }]),
    new Date(),
  );
  const broken = check.checks.find((c) => c.status === 'failed' && (c.name === 'signature' || c.name === 'digest binding'));
  if (broken)
    throw new SignetError(
      'VERIFICATION_FAILED',
      `The assembled Notation envelope does not verify (${broken.code}: ${broken.reason}); nothing was attached.`,
    );
  const stored = await storeNotationSignature(
    source,
    repository,
    subject,
    bytes,
    ENVELOPE_MEDIA_TYPE[kind],
    chain.map((c) => readCertificate(c).sha256),
    env.signingTime as Date,
  );
  return { where: stored.where, added: stored.added };
}
