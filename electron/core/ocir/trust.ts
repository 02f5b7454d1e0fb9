import { createPublicKey } from 'node:crypto';
import { spkiSha256 } from '../keys/generate';
import { entryLabel, validityCheck, type TrustSet } from '../signatures/trusted';

export interface OcirTrust {
  /** `trusted`: the key version's public key is a trust-store key that covers this image and is valid now. */
  status: 'trusted' | 'untrusted' | 'not-checked';
  detail: string;
}

/**
 * Whether a signature that verifies with its KMS key version's public key is also trusted: that
 * public key must be a trust-store key whose scope covers the image and that is valid now. The
 * signature proves only that the KMS key signed; without this a reviewer would read "valid" for
 * any key in any tenancy.
 */
export function ocirTrust(trust: TrustSet, publicKeyPem: string | undefined, signatureValid: boolean, now: Date): OcirTrust {
  if (!signatureValid || !publicKeyPem) return { status: 'not-checked', detail: 'Trust is judged only for a signature that verifies.' };
  let fingerprint: string;
  try {
    fingerprint = spkiSha256(createPublicKey(publicKeyPem)).toUpperCase();
  } catch {
    return { status: 'not-checked', detail: 'The KMS key version’s public key cannot be read.' };
  }
  const match = trust.keys.find((k) => k.fingerprint.toUpperCase() === fingerprint);
  if (match) {
    const validity = validityCheck(match.validity, undefined, now);
    return validity.status === 'passed'
      ? { status: 'trusted', detail: `The KMS key version’s public key is the trusted key “${entryLabel(match.name)}”.` }
      : { status: 'untrusted', detail: validity.reason };
  }
  const elsewhere = trust.outOfScope.keys.find((k) => k.fingerprint.toUpperCase() === fingerprint);
  if (elsewhere)
    return {
      status: 'untrusted',
      detail: `The KMS key version’s public key is trusted (“${entryLabel(elsewhere.name)}”) for other repositories only.`,
    };
  return {
    status: 'untrusted',
    detail: `The KMS key version’s public key (SPKI SHA-256 ${fingerprint.toLowerCase()}) is not in the trust store: trust it to accept its signatures.`,
  };
}
