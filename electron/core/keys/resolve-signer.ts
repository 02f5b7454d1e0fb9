import { SignetError } from '../../../shared/errors';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { KMS_ALGORITHMS } from '../../../shared/models/kms';
import type { KmsService } from '../kms/service';
import type { Signer } from '../signing/signer';
import { looksLikeKeyUri } from '../kms/uri';
import type { PinInput, TokenService } from '../pkcs11/service';
import type { KeyRing } from './key-ring';

const KMS_ALGORITHM_SET: ReadonlySet<string> = new Set(KMS_ALGORITHMS);

/**
 * What `--key` and every "sign with" field resolve to: a PKCS#11 URI (RFC 7512, PIN from the
 * call, the URI's pin-value or its pin-source file, as cosign reads them), a KMS key URI (awskms://…), a KMS key
 * saved in the key list, or a software key by name or id. One place, so every format and host
 * accepts the same references.
 */
export async function resolveSigner(
  services: { keys: KeyRing; kms: KmsService; tokens: TokenService },
  key: string,
  token: PinInput = {},
  chosen?: KmsAlgorithm,
): Promise<Signer> {
  const { keys, kms } = services;
  if (key.startsWith('pkcs11:')) {
    const signer = await services.tokens.openSigner(key.trim(), token);
    if (chosen && signer.describe().algorithm !== chosen)
      throw new SignetError(
        'INVALID_INPUT',
        `The token key signs ${signer.describe().algorithm}; Signet does not choose another algorithm for token keys.`,
      );
    return signer;
  }
  if (looksLikeKeyUri(key)) return kms.signer(key.trim(), chosen ? { algorithm: chosen } : {});
  const info = await keys.get(key);
  if (info.kind !== 'kms') return keys.signer(info.id, chosen);
  const ref = await keys.kmsReference(info.id);
  const algorithm = chosen ?? (KMS_ALGORITHM_SET.has(ref.algorithm) ? (ref.algorithm as KmsAlgorithm) : undefined);
  return kms.signer(ref.uri, { ...(ref.connection ? { connection: ref.connection } : {}), ...(algorithm ? { algorithm } : {}) });
}
