import { z } from 'zod';
import { DirectoryPath } from '../contract/host-path';

/** Where objects go: AWS S3, Huawei OBS (S3-compatible, UNSIGNED-PAYLOAD only), another S3-compatible server, or a plain directory. */
export const STORAGE_KINDS = ['aws', 'obs', 's3-compatible', 'directory'] as const;
export const StorageKind = z.enum(STORAGE_KINDS);
export type StorageKind = z.infer<typeof StorageKind>;

/** `path`: https://endpoint/bucket/key; `virtual`: https://bucket.endpoint/key. */
export const AddressingStyle = z.enum(['path', 'virtual']);
export type AddressingStyle = z.infer<typeof AddressingStyle>;

export const StorageProfileName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a profile name is letters, digits, . _ - (starting with a letter or digit)');

/**
 * Where a profile's credentials come from. Only `keychain` holds anything Signet stores; the
 * others read what the AWS tools already use. `default` is the environment, then the shared
 * credentials file (AWS_PROFILE or [default]); it never asks an instance-metadata service.
 */
export const StorageCredentialSource = z.enum(['default', 'environment', 'profile', 'keychain', 'none']);
export type StorageCredentialSource = z.infer<typeof StorageCredentialSource>;

export const StorageCredentialRef = z
  .object({
    source: StorageCredentialSource,
    /** A profile of ~/.aws/credentials (and ~/.aws/config). */
    profile: z.string().min(1).max(128).optional(),
    /** The keychain entry holding the secret (never the secret). */
    keychainEntry: z.string().max(200).optional(),
    /** The access key id, shown so a person recognises the credentials (not secret). */
    identity: z.string().max(300).optional(),
  })
  .strict();
export type StorageCredentialRef = z.infer<typeof StorageCredentialRef>;

const Prefix = z
  .string()
  .max(512)
  .regex(/^(?:[^/\0\\]+\/)*[^/\0\\]*$/, 'a prefix is path segments separated by / (no leading /, no backslash)')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'a prefix has no . or .. segments');
const BucketName = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'a bucket name is 3-63 lower-case letters, digits, dots and dashes');
const HttpUrl = z
  .string()
  .max(512)
  .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/, 'an http(s) URL');

export const StorageProfile = z
  .object({
    name: StorageProfileName,
    kind: StorageKind,
    /** S3 endpoint (required for s3-compatible; optional for aws and obs). */
    endpoint: HttpUrl.optional(),
    region: z.string().min(1).max(64).optional(),
    bucket: BucketName.optional(),
    /** Key prefix every object of this profile goes under. */
    prefix: Prefix.optional(),
    addressing: AddressingStyle.optional(),
    /** Directory profiles: the root folder. */
    path: z.string().min(1).max(4096).optional(),
    /** Where the objects can be read over HTTP(S) (a CDN or website endpoint), for links and registries.d. */
    publicUrl: HttpUrl.optional(),
    credential: StorageCredentialRef,
  })
  .strict();
export type StorageProfile = z.infer<typeof StorageProfile>;

/** A destination for one call: a saved profile, overridden or completed by the fields given here. */
export const StorageTarget = z
  .object({
    profile: StorageProfileName.optional(),
    kind: StorageKind.optional(),
    endpoint: HttpUrl.optional(),
    region: z.string().min(1).max(64).optional(),
    bucket: BucketName.optional(),
    prefix: Prefix.optional(),
    addressing: AddressingStyle.optional(),
    path: DirectoryPath.optional(),
    publicUrl: HttpUrl.optional(),
    /** Use this ~/.aws/credentials profile (targets without a saved Signet profile). */
    awsProfile: z.string().min(1).max(128).optional(),
  })
  .strict();
export type StorageTarget = z.infer<typeof StorageTarget>;

/** A key relative to the target's prefix: path segments, no `.`/`..`, no leading `/`, no NUL or backslash. */
export const ObjectKey = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^(?:[^/\0\\]+\/)*[^/\0\\]+$/, 'an object key is path segments separated by /')
  .refine((k) => !k.split('/').some((s) => s === '.' || s === '..'), 'an object key has no . or .. segments');

export const StoredObject = z
  .object({
    key: z.string(),
    size: z.number().int().nonnegative(),
    etag: z.string().optional(),
    lastModified: z.string().optional(),
  })
  .strict();
export type StoredObject = z.infer<typeof StoredObject>;

export const PutObjectResult = z
  .object({
    key: z.string(),
    /** Where the object can be read (public URL when configured, else the endpoint URL or file:// path). */
    url: z.string(),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** True only when `overwrite` was asked for and an object was replaced. */
    overwritten: z.boolean(),
  })
  .strict();
export type PutObjectResult = z.infer<typeof PutObjectResult>;

export const StorageTestResult = z
  .object({
    target: z.string(),
    mode: z.enum(['write', 'list']),
    /** What was done, in order, each with its outcome. */
    steps: z.array(z.object({ step: z.string(), ok: z.boolean(), detail: z.string().optional() }).strict()),
    ok: z.boolean(),
    milliseconds: z.number().nonnegative(),
  })
  .strict();
export type StorageTestResult = z.infer<typeof StorageTestResult>;

export const LookasidePutResult = z
  .object({
    key: z.string(),
    url: z.string(),
    /** The N of signature-N. */
    index: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type LookasidePutResult = z.infer<typeof LookasidePutResult>;

export const PublishResult = z
  .object({
    target: z.string(),
    /** Objects written. */
    uploaded: z.array(z.string()),
    /** Objects already there with the same bytes (left alone). */
    identical: z.array(z.string()),
    /** Files of the staging directory that are not lookaside signatures, with why. */
    ignored: z.array(z.object({ path: z.string(), reason: z.string() }).strict()),
    /** The URL podman reads the lookaside from. */
    baseUrl: z.string(),
    /** A registries.d YAML file pointing podman/skopeo at `baseUrl`. */
    registriesD: z.string(),
  })
  .strict();
export type PublishResult = z.infer<typeof PublishResult>;
