import { z } from 'zod';
import { OFFLINE_FORMAT_IDS } from '../formats';

/**
 * The air-gap file formats (version 1). Both are UTF-8 JSON documents, parsed strictly.
 * A request carries, for each signature to make, the exact payload bytes to sign; the offline
 * station never rebuilds a payload. A bundle answers exactly one request, named by the SHA-256
 * of the request file's bytes.
 */
export const OFFLINE_FORMATS = OFFLINE_FORMAT_IDS;
export const OfflineFormat = z.enum(OFFLINE_FORMATS);
export type OfflineFormat = z.infer<typeof OfflineFormat>;

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/, 'a digest is sha256: and 64 lower-case hex digits');
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
  .max(8_000_000);

/** Which key must sign: the SHA-256 of its SPKI, its OpenPGP fingerprint, or a KMS / PKCS#11 URI. */
export const RequestedSigner = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('spki-sha256'), value: Hex64 }).strict(),
  z.object({ kind: z.literal('pgp-fingerprint'), value: z.string().regex(/^[0-9A-F]{40}$/) }).strict(),
  z
    .object({
      kind: z.literal('uri'),
      value: z
        .string()
        .regex(/^(awskms|gcpkms|azurekms|hashivault|tencentkms|ocikms|huaweikms):\/\/\S+$|^pkcs11:\S+$/)
        .max(2048),
    })
    .strict(),
]);
export type RequestedSigner = z.infer<typeof RequestedSigner>;

export const RequestItem = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    /** What the officer asked for, as typed (tag or digest). */
    reference: z.string().min(1).max(1024),
    /** registry/repository, without tag or digest. */
    repository: z.string().min(1).max(1024),
    tag: z.string().max(128).optional(),
    digest: Digest,
    mediaType: z.string().max(256).optional(),
    /** The manifest's size (Notation payloads name it). */
    size: z.number().int().nonnegative().optional(),
    platform: z.string().max(64).optional(),
    format: OfflineFormat,
    /** Notation: the envelope and the key's chain (base64 DER, leaf first); the payload is the envelope's signing input. */
    notation: z
      .object({ envelope: z.enum(['jws', 'cose']), chain: z.array(Base64).min(1).max(10) })
      .strict()
      .optional(),
    /** The exact bytes to sign, base64. */
    payload: Base64,
    payloadSha256: Hex64,
  })
  .strict();
export type RequestItem = z.infer<typeof RequestItem>;

export const SigningRequest = z
  .object({
    format: z.literal('signet-signing-request'),
    version: z.literal(1),
    createdAt: z.string().datetime(),
    createdBy: z.string().max(200),
    note: z.string().max(2000).optional(),
    signer: RequestedSigner,
    items: z.array(RequestItem).min(1).max(10_000),
  })
  .strict();
export type SigningRequest = z.infer<typeof SigningRequest>;

export const BundleSignature = z
  .object({
    itemId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    format: OfflineFormat,
    /**
     * cosign and notation: the raw signature (DER ECDSA, PKCS#1 or PSS RSA, Ed25519); simplesigning/asc: the binary OpenPGP signed message.
     */
    signature: Base64,
    signedAt: z.string().datetime(),
  })
  .strict();
export type BundleSignature = z.infer<typeof BundleSignature>;

export const StationState = z.object({ offlineMode: z.boolean(), override: z.boolean() }).strict();
export type StationState = z.infer<typeof StationState>;

export const SignatureBundle = z
  .object({
    format: z.literal('signet-signature-bundle'),
    version: z.literal(1),
    requestSha256: Hex64,
    createdAt: z.string().datetime(),
    createdBy: z.string().max(200),
    key: z
      .object({
        /** SPKI PEM for cosign signatures; armored OpenPGP public key for simplesigning/asc. */
        publicKey: z.string().max(100_000),
        kind: z.enum(['spki', 'openpgp']),
        algorithm: z.string().max(64),
        fingerprint: z.string().max(128),
        label: z.string().max(300).optional(),
      })
      .strict(),
    signatures: z.array(BundleSignature).max(10_000),
    declined: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).max(10_000),
    /** How the station stood: offline mode on, or off with the signer's explicit override. Absent in bundles of older versions. */
    station: StationState.optional(),
  })
  .strict();
export type SignatureBundle = z.infer<typeof SignatureBundle>;

/** One line per item of the review screens and of `signet offline` output. */
export const RequestItemView = z
  .object({
    id: z.string(),
    reference: z.string(),
    digest: z.string(),
    platform: z.string().optional(),
    format: OfflineFormat,
    identity: z.string(),
    payloadText: z.string(),
    payloadSha256: z.string(),
  })
  .strict();
export type RequestItemView = z.infer<typeof RequestItemView>;
