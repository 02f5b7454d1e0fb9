import { expect } from 'vitest';
import { SignetError, type ErrorCode } from '../../../shared/errors';
import type { KmsAlgorithm } from '../../../shared/models/kms';
import { verifyRawSignature } from '../../../electron/core/signing/verify-raw';
import { sm2Digest, sm2PublicKeyFromSpki, sm2VerifyDigest } from '../../../electron/core/signing/sm2';
import type { SignatureAlgorithm } from '../../../electron/core/signing/signer';
import { opensslVerify } from '../../harness/kms/openssl';

/** A KMS signature must verify with openssl and with Signet's own verifier. */
export async function expectVerifies(
  publicKeyPem: string,
  data: Uint8Array,
  signature: Uint8Array,
  algorithm: KmsAlgorithm,
): Promise<void> {
  expect(opensslVerify(publicKeyPem, data, signature, algorithm), `openssl verifies ${algorithm}`).toBe(true);
  if (algorithm === 'sm2-sm3') {
    const point = sm2PublicKeyFromSpki(publicKeyPem);
    expect(point).toBeDefined();
    expect(sm2VerifyDigest(point!, sm2Digest(point!, data), signature), 'Signet verifies SM2').toBe(true);
  } else {
    expect(verifyRawSignature(algorithm as SignatureAlgorithm, publicKeyPem, data, signature), `Signet verifies ${algorithm}`).toBe(true);
  }
  // A flipped bit must fail both ways (the checks can fail).
  const broken = Buffer.from(data);
  broken[0] = broken[0]! ^ 1;
  expect(opensslVerify(publicKeyPem, broken, signature, algorithm)).toBe(false);
}

export async function expectCode(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'the call fails').toBeInstanceOf(SignetError);
  const e = caught as SignetError;
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  expect(e.message).toMatch(message);
}
