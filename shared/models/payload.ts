import { z } from 'zod';
import { MAX_DESCRIPTION_CHARS, MAX_METADATA_BYTES } from '../payloads/record';

/** `swr`: Huawei SWR's .asc payload (atomic type, `critical` only, identity namespace/repository); containers/image does not accept it. */
export const PayloadType = z.enum(['atomic', 'cosign', 'swr']);
export type PayloadType = z.infer<typeof PayloadType>;

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/, 'a digest is sha256: and 64 lower-case hex digits');

/** What a payload is built from: an image reference and its manifest digest, plus optional fields. */
export const PayloadInput = z
  .object({
    /** registry/repository[:tag] as typed; Docker Hub short names are expanded. */
    reference: z.string().min(1).max(1024),
    digest: Digest,
    type: PayloadType.optional(),
    /** atomic only: optional.creator. */
    creator: z.string().max(200).optional(),
    /** atomic and cosign: optional.timestamp, whole seconds since 1970 (Signet writes the signing time in both). */
    timestamp: z.number().int().nonnegative().max(253402300799).optional(),
    /** atomic: further optional members; cosign: annotations. */
    extra: z.record(z.string().min(1).max(200), z.string().max(4000)).optional(),
    /** atomic and cosign: a description signed in `optional` (the `description` member). */
    description: z.string().min(1).max(MAX_DESCRIPTION_CHARS).optional(),
    /** atomic and cosign: a JSON object (as text) signed in `optional` as compact JSON text (the `metadata` member). */
    metadata: z
      .string()
      .min(1)
      .max(4 * MAX_METADATA_BYTES)
      .optional(),
  })
  .strict();
export type PayloadInput = z.infer<typeof PayloadInput>;

export const BuiltPayload = z
  .object({
    type: PayloadType,
    /** The exact text that is signed (UTF-8, no trailing newline). */
    text: z.string(),
    /** SHA-256 of those bytes, lower-case hex. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().nonnegative(),
    /** The identity written into the payload. */
    identity: z.string(),
  })
  .strict();
export type BuiltPayload = z.infer<typeof BuiltPayload>;

/** A Huawei SWR `.asc` file made by Signet. */
export const AscFile = z
  .object({
    /** `{sha256-hex}.asc` (the image manifest digest). */
    fileName: z.string(),
    /** `{namespace}/{repo}/{sha256-hex}.asc`, where SWR's bucket layout puts it. */
    objectKey: z.string(),
    /** The .asc JSON document, exactly as saved. */
    text: z.string(),
    payload: BuiltPayload,
    fingerprint: z.string().regex(/^[0-9A-F]{40}$/),
    keyId: z.string().regex(/^[0-9A-F]{16}$/),
  })
  .strict();
export type AscFile = z.infer<typeof AscFile>;

export const AscVerification = z
  .object({
    /** The signed payload bytes, as UTF-8 text (the signatures area checks its digest binding). */
    payload: z.string(),
    payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The PublicKeyID the file names. */
    publicKeyId: z.string(),
    /** Which of the given keys verified it. */
    signer: z.string(),
    fingerprint: z.string().regex(/^[0-9A-F]{40}$/),
    keyId: z.string().regex(/^[0-9A-F]{16}$/),
    created: z.string().optional(),
    /** When a digest was given: whether the payload names exactly that manifest digest. */
    digestMatches: z.boolean().optional(),
  })
  .strict();
export type AscVerification = z.infer<typeof AscVerification>;
