/**
 * The one signing interface. Software keys (electron/core/keys), PKCS#11 tokens and every cloud
 * KMS (electron/core/kms/<provider>.ts) implement it; every signature format signs through it.
 * A signer never hands out private key material.
 */
export type SignatureAlgorithm =
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'rsa-pkcs1v15-sha256'
  | 'rsa-pkcs1v15-sha384'
  | 'rsa-pkcs1v15-sha512'
  | 'rsa-pss-sha224'
  | 'rsa-pss-sha256'
  | 'rsa-pss-sha384'
  | 'rsa-pss-sha512'
  | 'ed25519'
  | 'sm2-sm3';

export type SignerProvider =
  'software' | 'pkcs11' | 'awskms' | 'gcpkms' | 'azurekms' | 'hashivault' | 'tencentkms' | 'ocikms' | 'huaweikms';

export interface SignerDescription {
  /** Signet's key id, or the provider's key URI for keys Signet does not hold. */
  readonly keyId: string;
  readonly provider: SignerProvider;
  readonly algorithm: SignatureAlgorithm;
  /** A name a person recognises: key name, token label + key label, KMS key URI. */
  readonly label: string;
  /** SHA-256 of the DER SPKI, lower-case hex. */
  readonly spkiSha256: string;
  /** The KMS key version that signs (recorded with every signature). */
  readonly keyVersion?: string;
  /** The PKCS#11 token's serial number, for a token key (recorded in the audit log). */
  readonly tokenSerial?: string;
}

export interface Signer {
  describe(): SignerDescription;
  /** The public key as SPKI PEM. */
  publicKeyPem(): Promise<string>;
  /**
   * Signs `data` with the signer's algorithm (hashing inside). ECDSA signatures are ASN.1 DER,
   * Ed25519 raw 64 bytes, RSA the raw modulus-sized block. Token and KMS signers verify the
   * signature locally with the public key before returning it.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** Signs a precomputed digest where the algorithm allows it (not Ed25519). */
  signDigest?(digest: Uint8Array): Promise<Uint8Array>;
}

/** OpenPGP signing (containers/image simple signing, .asc files). */
export interface PgpSigner {
  /** Upper-case hex v4 fingerprint (40 characters). */
  readonly fingerprint: string;
  /** Upper-case hex long key id (16 characters). */
  readonly keyId: string;
  /** When a subkey makes the signatures: its fingerprint (what gpg and containers/image report as the signer). */
  readonly signingSubkey?: string;
  readonly userIds: readonly string[];
  armoredPublicKey(): Promise<string>;
  /** A binary, non-detached signed OpenPGP message over `data` (what containers/image stores). */
  signMessage(data: Uint8Array): Promise<Uint8Array>;
  /** An armored detached signature over `data` (.asc files). */
  signDetached(data: Uint8Array): Promise<string>;
}
