import type { KmsAlgorithm, KmsConnection, KmsKey, KmsProviderId } from '../../../shared/models/kms';
import type { KmsKeyRef } from './uri';

/**
 * What each cloud KMS module implements (one folder per vendor). A client talks to one
 * connection; the generic `KmsSigner` (kms-signer.ts) does version choice, algorithm checks and
 * the local self-check, so a provider only speaks its vendor's protocol.
 */
export interface KmsClient {
  readonly provider: KmsProviderId;
  /** Keys the connection can see (scope from the connection), with versions and algorithms. */
  listKeys(): Promise<KmsKey[]>;
  /** One key: its state, versions, and the algorithms the KMS allows for it. */
  describeKey(ref: KmsKeyRef): Promise<KmsKey>;
  /** SPKI PEM of a key version. */
  getPublicKey(ref: KmsKeyRef, version: string): Promise<string>;
  /**
   * Asks the KMS to sign a digest. Returns the signature exactly as the KMS encodes it for
   * verifiers (RSA block, DER ECDSA/SM2; providers convert raw r‖s first) and the version used.
   */
  signDigest(ref: KmsKeyRef, request: SignDigestRequest): Promise<{ signature: Uint8Array; version: string }>;
  /** Asks the KMS itself whether a signature over a whole message verifies (OCI Vault's verify, as OCIR's get-verify asks). */
  verifyMessage?(
    ref: KmsKeyRef,
    request: { version: string; algorithm: KmsAlgorithm; message: Uint8Array; signature: Uint8Array },
  ): Promise<boolean>;
}

export interface SignDigestRequest {
  version: string;
  algorithm: KmsAlgorithm;
  digest: Uint8Array;
}

/** A connection with its secret (from the keychain) resolved; lives only as long as a call. */
export interface ResolvedConnection {
  readonly connection: KmsConnection;
  /** Secret fields from the keychain; empty for the other credential sources. */
  readonly secret: Readonly<Record<string, string>>;
  /** Environment to read (process.env normally; tests pass their own). */
  readonly env: NodeJS.ProcessEnv;
  /** Home directory for the vendors' config files (~/.aws, ~/.oci, ~/.tccli, ~/.huaweicloud). */
  readonly home: string;
}

export interface KmsProviderModule {
  createClient(resolved: ResolvedConnection): KmsClient;
}
