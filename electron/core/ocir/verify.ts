import { constants, createPublicKey, verify as verifySignature } from 'node:crypto';
import type { ReasonCode } from '../../../shared/models/verdict';
import type { OcirSignatureResource } from './client';
import { decodeMessage, OCIR_ALGORITHMS, type DecodedMessage, type OcirAlgorithm } from './message';

export type OcirVerdictStatus = 'valid' | 'invalid' | 'unknown';

export interface OcirVerdict {
  status: OcirVerdictStatus;
  reason: ReasonCode;
  /** The specifics: which digest, which repository, why the key was not read. */
  detail: string;
  decoded?: DecodedMessage;
}

const HASH: Readonly<Record<OcirAlgorithm, 'sha224' | 'sha256' | 'sha384' | 'sha512'>> = {
  SHA_224_RSA_PKCS_PSS: 'sha224',
  SHA_256_RSA_PKCS_PSS: 'sha256',
  SHA_384_RSA_PKCS_PSS: 'sha384',
  SHA_512_RSA_PKCS_PSS: 'sha512',
};

/** RSASSA-PSS, MGF1 with the same hash, any salt length (OCI Vault's was not documented; formats.md §5.3). */
export function verifyPss(algorithm: OcirAlgorithm, publicKeyPem: string, data: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'rsa') return false;
  return verifySignature(
    HASH[algorithm],
    data,
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
    signature,
  );
}

/**
 * More than OCIR's get-verify: the message is decoded strictly and must name this image's digest
 * and repository and the record's key, key version and algorithm; then the RSA-PSS signature is
 * verified locally over the message bytes with the key version's public key (when it could be read).
 */
export function verifyOcirSignature(input: {
  signature: OcirSignatureResource;
  repository: string;
  digest: string;
  publicKeyPem?: string;
  /** Why the public key could not be read, when it could not. */
  keyProblem?: string;
}): OcirVerdict {
  const s = input.signature;
  let decoded: DecodedMessage;
  try {
    decoded = decodeMessage(s.message);
  } catch (error) {
    return { status: 'invalid', reason: 'PAYLOAD_INVALID', detail: (error as Error).message };
  }
  const m = decoded.message;
  if (m.imageDigest !== input.digest)
    return {
      status: 'invalid',
      reason: 'DIGEST_MISMATCH',
      detail: `The message names ${m.imageDigest.slice(0, 80)}, not ${input.digest}.`,
      decoded,
    };
  if (m.repositoryName !== input.repository)
    return {
      status: 'invalid',
      reason: 'IDENTITY_MISMATCH',
      detail: `The message names the repository ${m.repositoryName.slice(0, 255)}, not ${input.repository}.`,
      decoded,
    };
  if (m.kmsKeyId !== s.kmsKeyId || m.kmsKeyVersionId !== s.kmsKeyVersionId || m.signingAlgorithm !== s.signingAlgorithm)
    return {
      status: 'invalid',
      reason: 'KEY_ID_MISMATCH',
      detail: 'The signed message’s kmsKeyId, kmsKeyVersionId or signingAlgorithm differs from the signature record’s.',
      decoded,
    };
  if (!(OCIR_ALGORITHMS as readonly string[]).includes(m.signingAlgorithm))
    return {
      status: 'invalid',
      reason: 'PAYLOAD_INVALID',
      detail: `${m.signingAlgorithm.slice(0, 60)} is not an OCIR signing algorithm.`,
      decoded,
    };
  if (!input.publicKeyPem)
    return {
      status: 'unknown',
      reason: 'SIG_NOT_CHECKED',
      detail: `The public key of ${s.kmsKeyVersionId} could not be read${input.keyProblem ? `: ${input.keyProblem}` : ''}.`,
      decoded,
    };
  let ok = false;
  try {
    ok = verifyPss(m.signingAlgorithm as OcirAlgorithm, input.publicKeyPem, decoded.json, Buffer.from(s.signature, 'base64'));
  } catch {
    ok = false;
  }
  return ok
    ? {
        status: 'valid',
        reason: 'SIG_VALID_KMS_KEY',
        detail: `RSA-PSS (${m.signingAlgorithm}) verifies with ${s.kmsKeyVersionId}.`,
        decoded,
      }
    : {
        status: 'invalid',
        reason: 'SIG_INVALID',
        detail: `The signature does not verify with the public key of ${s.kmsKeyVersionId}.`,
        decoded,
      };
}
