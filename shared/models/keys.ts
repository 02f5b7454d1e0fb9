import { z } from 'zod';

export const KEY_TYPES = [
  'ecdsa-p256',
  'ecdsa-p384',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ed25519',
  'pgp-ed25519',
  'pgp-rsa-3072',
  'pgp-rsa-4096',
  'x509-ecdsa-p256',
] as const;
export const KeyType = z.enum(KEY_TYPES);
export type KeyType = z.infer<typeof KeyType>;

export const KeyId = z.string().regex(/^k-[0-9a-f]{16}$/);
export const KeyName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\0\r\n]+$/, 'a key name is one line of text');

export const KeyInfo = z
  .object({
    id: KeyId,
    name: KeyName,
    /** How it was made; `kms` for a key held in a cloud KMS, `pgp` for an imported OpenPGP key of another algorithm (see pgpAlgorithm). */
    type: z.union([KeyType, z.literal('kms'), z.literal('pgp')]),
    kind: z.enum(['software', 'openpgp', 'kms']),
    /** The signing algorithm Signet uses with it. */
    algorithm: z.string(),
    /** SHA-256 of the DER SPKI (software keys), lower-case hex. */
    spkiSha256: z.string().optional(),
    pgpFingerprint: z.string().optional(),
    pgpKeyId: z.string().optional(),
    /** The OpenPGP primary key's algorithm, e.g. "RSA 3072", "EdDSA (ed25519)". */
    pgpAlgorithm: z.string().max(64).optional(),
    /** When an OpenPGP key signs with a subkey: that subkey's fingerprint (what gpg reports as the signer). */
    pgpSigningSubkey: z.string().optional(),
    userIds: z.array(z.string()).optional(),
    created: z.string(),
    expires: z.string().optional(),
    store: z.enum(['keychain', 'vault', 'kms']),
    /** For KMS keys: the key URI (awskms://…) and the saved connection it signs through. */
    uri: z.string().max(1024).optional(),
    connection: z.string().max(64).optional(),
    /** X.509: the key's certificate chain, leaf first (PEM). */
    certificateChain: z.string().max(100_000).optional(),
    /** For KMS keys: the public key (SPKI PEM) read from the KMS when the key was added. */
    publicKeyPem: z.string().max(20_000).optional(),
    labels: z.array(z.string().max(64)).max(32),
    retired: z.boolean(),
  })
  .strict();
export type KeyInfo = z.infer<typeof KeyInfo>;

export const VaultStatus = z
  .object({
    exists: z.boolean(),
    unlocked: z.boolean(),
    file: z.string(),
    locksAt: z.string().optional(),
    entries: z.number().int().optional(),
  })
  .strict();
export type VaultStatus = z.infer<typeof VaultStatus>;

export const PublicExports = z
  .object({
    /** SPKI PEM; for cosign this is also `cosign.pub`. */
    pem: z.string().optional(),
    /** Armored OpenPGP public key. */
    pgp: z.string().optional(),
    /** The X.509 certificate chain, leaf first (PEM). */
    x509: z.string().optional(),
  })
  .strict();
export type PublicExports = z.infer<typeof PublicExports>;

/**
 * The signature formats a key can make. Cosign verifiers take ECDSA, RSA and Ed25519 keys; containers/image simple signing and .asc files
 * take OpenPGP keys.
 */
export const SIGNING_FORMATS = ['cosign', 'simplesigning', 'asc', 'notation'] as const;
export type SigningFormat = (typeof SIGNING_FORMATS)[number];

/** Algorithms a Notation envelope can carry (JWS and COSE take ECDSA P-256/384/521 and RSA-PSS). */
const NOTATION_ALGORITHMS: ReadonlySet<string> = new Set([
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ecdsa-p521-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
]);

export function signingFormats(key: Pick<KeyInfo, 'kind' | 'algorithm'> & { certificateChain?: string | undefined }): {
  formats: SigningFormat[];
  note?: string;
} {
  if (key.kind === 'openpgp') return { formats: ['simplesigning', 'asc'] };
  if (key.algorithm.startsWith('sm2'))
    return {
      formats: [],
      note: 'SM2 signatures are not read by cosign, podman or skopeo; Signet can test-sign with this key but no image format accepts it.',
    };
  const notation = key.certificateChain && NOTATION_ALGORITHMS.has(key.algorithm);
  return {
    formats: notation ? ['cosign', 'notation'] : ['cosign'],
    ...(key.kind === 'kms' ? { note: 'A KMS key is not an OpenPGP key, so it cannot make simple signatures or .asc files.' } : {}),
  };
}
