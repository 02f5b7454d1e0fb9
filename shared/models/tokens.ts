import { z } from 'zod';

export const TOKEN_KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072'] as const;
export const TokenKeyType = z.enum(TOKEN_KEY_TYPES);
export type TokenKeyType = z.infer<typeof TokenKeyType>;

/** An absolute path to a PKCS#11 module (a shared library). */
export const ModulePath = z
  .string()
  .min(2)
  .max(1024)
  .regex(/^(\/|[A-Za-z]:[\\/])[^\0\r\n]*$/, 'a PKCS#11 module is named by its absolute path');

/** A token is addressed by its serial number (or, in the CLI, its label when that is unique). */
export const TokenRef = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\0\r\n]+$/);

/** A PIN entered for exactly one call; never stored. */
export const Pin = z.string().max(256);

export const TokenModule = z
  .object({
    path: z.string(),
    name: z.string(),
    source: z.enum(['known-path', 'p11-kit', 'configured']),
  })
  .strict();
export type TokenModule = z.infer<typeof TokenModule>;

export const TokenFlags = z
  .object({
    loginRequired: z.boolean(),
    protectedAuthenticationPath: z.boolean(),
    userPinInitialized: z.boolean(),
    tokenInitialized: z.boolean(),
    writeProtected: z.boolean(),
    userPinCountLow: z.boolean(),
    userPinFinalTry: z.boolean(),
    userPinLocked: z.boolean(),
    userPinToBeChanged: z.boolean(),
  })
  .strict();
export type TokenFlags = z.infer<typeof TokenFlags>;

export const TokenSummary = z
  .object({
    module: z.string(),
    slotId: z.string(),
    slotDescription: z.string(),
    label: z.string(),
    serial: z.string(),
    manufacturer: z.string(),
    model: z.string(),
    flags: TokenFlags,
    minPinLength: z.number().int(),
    maxPinLength: z.number().int(),
  })
  .strict();
export type TokenSummary = z.infer<typeof TokenSummary>;

export const TokenKey = z
  .object({
    label: z.string(),
    /** CKA_ID, lower-case hex. */
    idHex: z.string(),
    keyType: z.string(),
    /** For EC keys: P-256, P-384, P-521 or the curve OID. */
    curve: z.string().optional(),
    modulusBits: z.number().int().optional(),
    hasPrivateKey: z.boolean(),
    hasPublicKey: z.boolean(),
    /** CKA_SIGN on the private key. */
    canSign: z.boolean(),
    alwaysAuthenticate: z.boolean(),
    /** CKA_ALLOWED_MECHANISMS, when the token sets it. */
    allowedMechanisms: z.array(z.string()).optional(),
    /** The algorithms Signet can sign with using this key. */
    algorithms: z.array(z.string()),
    /** RFC 7512 address of the private key (no PIN). */
    uri: z.string(),
    spkiSha256: z.string().optional(),
    publicKeyPem: z.string().optional(),
  })
  .strict();
export type TokenKey = z.infer<typeof TokenKey>;

export const TokenKeys = z
  .object({
    token: TokenSummary,
    /** False when listed without a PIN: private keys of a login-required token are then hidden. */
    loggedIn: z.boolean(),
    keys: z.array(TokenKey),
  })
  .strict();
export type TokenKeys = z.infer<typeof TokenKeys>;

export const TestSignResult = z
  .object({
    ok: z.literal(true),
    uri: z.string(),
    algorithm: z.string(),
    mechanism: z.string(),
    spkiSha256: z.string(),
    signatureBytes: z.number().int(),
    verifiedWith: z.string(),
  })
  .strict();
export type TestSignResult = z.infer<typeof TestSignResult>;

export const TokenAttribute = z
  .object({
    group: z.enum(['module', 'slot', 'token', 'mechanism']),
    name: z.string(),
    value: z.string(),
  })
  .strict();
export type TokenAttribute = z.infer<typeof TokenAttribute>;

export const TokenDiagnostics = z
  .object({
    token: TokenSummary,
    attributes: z.array(TokenAttribute),
  })
  .strict();
export type TokenDiagnostics = z.infer<typeof TokenDiagnostics>;
