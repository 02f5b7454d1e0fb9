import { z } from 'zod';
import { DirectoryPath } from './host-path';
import {
  AddressingStyle,
  LookasidePutResult,
  ObjectKey,
  PublishResult,
  PutObjectResult,
  StorageCredentialSource,
  StorageKind,
  StorageProfile,
  StorageProfileName,
  StorageTarget,
  StorageTestResult,
  StoredObject,
} from '../models/storage';
import { call, JobId, NoInput } from './define';

const Base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
  .max(90_000_000);
const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/, 'a digest is sha256: and 64 lower-case hex digits');

/**
 * What a person types when adding a storage profile. `secret` goes to the OS keychain and is
 * never stored in storage.json, logged, or sent back.
 */
const AddRequest = z
  .object({
    name: StorageProfileName,
    kind: StorageKind,
    endpoint: StorageProfile.shape.endpoint,
    region: StorageProfile.shape.region,
    bucket: StorageProfile.shape.bucket,
    prefix: StorageProfile.shape.prefix,
    addressing: AddressingStyle.optional(),
    path: DirectoryPath.optional(),
    publicUrl: StorageProfile.shape.publicUrl,
    credential: z
      .object({
        source: StorageCredentialSource,
        profile: z.string().min(1).max(128).optional(),
        secret: z
          .object({
            accessKeyId: z.string().min(1).max(256),
            secretAccessKey: z.string().min(1).max(1024),
            sessionToken: z.string().min(1).max(8192).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    replace: z.boolean().optional(),
  })
  .strict();

/** Object storage for .asc files and lookaside signatures: S3, Huawei OBS, plain directories. */
export const storageCalls = {
  'storage.list': call({
    summary: 'The saved storage profiles (no secrets)',
    effect: 'read',
    request: NoInput,
    response: z.array(StorageProfile),
  }),
  'storage.add': call({
    summary: 'Save a storage profile (typed-in credentials go to the OS keychain)',
    effect: 'local-write',
    request: AddRequest,
    response: StorageProfile,
  }),
  'storage.remove': call({
    summary: 'Forget a storage profile and its keychain entry (the bucket is not touched)',
    effect: 'delete',
    request: z.object({ name: StorageProfileName }).strict(),
    response: z.object({ removed: z.literal(true) }).strict(),
  }),
  'storage.test': call({
    summary: 'Test a profile: write, read back and delete a probe object under .signet-probe/ (or only list)',
    effect: 'remote-write',
    request: z.object({ target: StorageTarget, mode: z.enum(['write', 'list']).optional() }).strict(),
    response: StorageTestResult,
  }),
  'storage.upload': call({
    summary: 'Upload one object: refuses an existing key unless overwrite is set, then reads it back and compares',
    effect: 'remote-write',
    request: z
      .object({
        target: StorageTarget,
        key: ObjectKey,
        content: Base64,
        contentType: z.string().max(200).optional(),
        overwrite: z.boolean().optional(),
        jobId: JobId.optional(),
      })
      .strict(),
    response: PutObjectResult,
  }),
  'storage.objects': call({
    summary: 'List the objects under a prefix of the target',
    effect: 'read',
    request: z
      .object({ target: StorageTarget, prefix: z.string().max(1024).optional(), limit: z.number().int().min(1).max(100_000).optional() })
      .strict(),
    response: z.object({ objects: z.array(StoredObject), complete: z.boolean() }).strict(),
  }),
  'storage.download': call({
    summary: 'Read one object back (for verification)',
    effect: 'read',
    request: z.object({ target: StorageTarget, key: ObjectKey }).strict(),
    response: z.object({ key: z.string(), content: Base64, size: z.number().int().nonnegative(), sha256: z.string() }).strict(),
  }),
  'storage.lookaside': call({
    summary: 'Put a simple signature at <repository>@sha256=<hex>/signature-N (the first free N; never overwrites)',
    effect: 'remote-write',
    request: z.object({ target: StorageTarget, repository: z.string().min(1).max(255), digest: Digest, signature: Base64 }).strict(),
    response: LookasidePutResult,
  }),
  'storage.publish': call({
    summary:
      'Publish a lookaside staging directory: uploads what is missing, skips identical objects, refuses differing ones; returns the registries.d snippet',
    effect: 'remote-write',
    request: z
      .object({
        directory: DirectoryPath,
        target: StorageTarget,
        scope: z.string().max(300).optional(),
        jobId: JobId.optional(),
      })
      .strict(),
    response: PublishResult,
  }),
} as const;
