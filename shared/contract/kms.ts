import { z } from 'zod';
import { FilePath } from './host-path';
import {
  KmsAlgorithm,
  KmsConnection,
  KmsConnectionName,
  KmsCredentialSource,
  KmsKey,
  KmsKeyUri,
  KmsProviderId,
  KmsProviderInfo,
  KmsTestResult,
} from '../models/kms';
import { call, NoInput } from './define';

/**
 * What a person types when connecting a KMS. `secret` goes to the OS keychain and is never
 * stored in kms.json, logged, or sent back.
 */
const AddRequest = z
  .object({
    name: KmsConnectionName,
    provider: KmsProviderId,
    region: z.string().min(1).max(64).optional(),
    endpoint: z.string().min(1).max(512).optional(),
    scope: z.string().min(1).max(512).optional(),
    authorityHost: z.string().min(1).max(512).optional(),
    caCertificates: z.string().min(1).max(200_000).optional(),
    credential: z
      .object({
        source: KmsCredentialSource,
        profile: z.string().min(1).max(128).optional(),
        path: FilePath.optional(),
        /** Field name → value, for `keychain` only; names per provider (kms.providers → secretFields). */
        secret: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/), z.string().max(20_000)).optional(),
      })
      .strict(),
    /** Replace a connection of the same name. */
    replace: z.boolean().optional(),
  })
  .strict();

/** Cloud KMS connections and keys. Private keys never leave the KMS; secrets never leave the core. */
export const kmsCalls = {
  'kms.providers': call({
    summary: 'The KMS providers Signet can sign with, their key URI forms and credential sources',
    effect: 'read',
    request: NoInput,
    response: z.array(KmsProviderInfo),
  }),
  'kms.add': call({
    summary: 'Save a named KMS connection (secrets go to the OS keychain)',
    effect: 'local-write',
    request: AddRequest,
    response: KmsConnection,
  }),
  'kms.list': call({ summary: 'The saved KMS connections', effect: 'read', request: NoInput, response: z.array(KmsConnection) }),
  'kms.remove': call({
    summary: 'Forget a KMS connection and its keychain entry (the keys stay in the KMS)',
    effect: 'delete',
    request: z.object({ name: KmsConnectionName }).strict(),
    response: z.object({ removed: z.literal(true) }).strict(),
  }),
  'kms.keys': call({
    summary: 'The keys a connection can see, with their versions and the signing algorithms each offers',
    effect: 'read',
    request: z.object({ connection: KmsConnectionName }).strict(),
    response: z.object({ keys: z.array(KmsKey) }).strict(),
  }),
  'kms.key': call({
    summary: 'One key by URI: its versions and algorithms',
    effect: 'read',
    request: z.object({ key: KmsKeyUri, connection: KmsConnectionName.optional() }).strict(),
    response: KmsKey,
  }),
  'kms.publicKey': call({
    summary: 'A KMS key’s public key (SPKI PEM) and fingerprint, read from the KMS, to verify with or trust',
    effect: 'read',
    request: z.object({ key: KmsKeyUri, connection: KmsConnectionName.optional() }).strict(),
    response: z
      .object({ publicKeyPem: z.string(), spkiSha256: z.string(), algorithm: z.string(), keyVersion: z.string().optional() })
      .strict(),
  }),
  'kms.test': call({
    summary: 'Sign a random digest with a KMS key and verify it locally; says algorithm, padding, key version and public key fingerprint',
    effect: 'sign',
    request: z
      .object({
        key: KmsKeyUri,
        connection: KmsConnectionName.optional(),
        algorithm: KmsAlgorithm.optional(),
        version: z.string().min(1).max(300).optional(),
      })
      .strict(),
    response: KmsTestResult,
  }),
} as const;
