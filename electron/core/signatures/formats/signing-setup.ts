import { SignetError } from '../../../../shared/errors';
import type { KmsAlgorithm } from '../../../../shared/models/kms';
import { resolveSigner } from '../../keys/resolve-signer';
import { redactPin } from '../../pkcs11/uri';
import type { Signer } from '../../signing/signer';
import type { CoreServices } from '../../services';
import type { SignInput } from './format';

/** The signing key (software, vault, token or KMS) a call names, with the algorithm it asked for. */
export function keySigner(
  services: CoreServices,
  input: SignInput,
  algorithm: KmsAlgorithm | undefined = input.algorithm,
): Promise<Signer> {
  return resolveSigner(services, input.key, input.pin ? { pin: input.pin } : {}, algorithm);
}

/** What the audit log records about the key that signed: its id or URI, KMS key version, algorithm, fingerprint. */
export function signerDetails(signer: Signer): Record<string, string> {
  const d = signer.describe();
  return {
    signer: redactPin(d.keyId),
    keyName: redactPin(d.label),
    provider: d.provider,
    algorithm: d.algorithm,
    spkiSha256: d.spkiSha256,
    ...(d.keyVersion ? { keyVersion: d.keyVersion } : {}),
    ...(d.tokenSerial ? { tokenSerial: d.tokenSerial } : {}),
  };
}

/** Refuses options that belong to Notation when another format is asked for. */
export function refuseNotationOptions(input: SignInput): void {
  if (input.envelope || input.expiry || input.certificateChain)
    throw new SignetError('INVALID_INPUT', 'An envelope, an expiry and a certificate chain are Notation options.');
}
