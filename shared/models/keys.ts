import { z } from 'zod';

export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519', 'pgp-ed25519', 'pgp-rsa-3072', 'pgp-rsa-4096'] as const;
export const KeyType = z.enum(KEY_TYPES);
export type KeyType = z.infer<typeof KeyType>;

export const KeyId = z.string().regex(/^k-[0-9a-f]{16}$/);
export const KeyName = z.string().min(1).max(100).regex(/^[^\0\r\n]+$/, 'a key name is one line of text');

export const KeyInfo = z
  .object({
    id: KeyId,
    name: KeyName,
    type: KeyType,
    kind: z.enum(['software', 'openpgp']),
    /** The signing algorithm Signet uses with it. */
    algorithm: z.string(),
    /** SHA-256 of the DER SPKI (software keys), lower-case hex. */
    spkiSha256: z.string().optional(),
    pgpFingerprint: z.string().optional(),
    pgpKeyId: z.string().optional(),
    userIds: z.array(z.string()).optional(),
    created: z.string(),
    expires: z.string().optional(),
    store: z.enum(['keychain']),
    labels: z.array(z.string().max(64)).max(32),
    retired: z.boolean(),
  })
  .strict();
export type KeyInfo = z.infer<typeof KeyInfo>;

export const PublicExports = z
  .object({
    /** SPKI PEM; for cosign this is also `cosign.pub`. */
    pem: z.string().optional(),
    /** Armored OpenPGP public key. */
    pgp: z.string().optional(),
  })
  .strict();
export type PublicExports = z.infer<typeof PublicExports>;
