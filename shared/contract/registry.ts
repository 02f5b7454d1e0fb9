import { z } from 'zod';
import {
  Capabilities,
  DigestString,
  ImageSummary,
  LookasideLocation,
  OcirSettings,
  RegistryHost,
  RegistryId,
  Repository,
  SavedRegistry,
  TagOrDigest,
} from '../models/registry';
import { call, NoInput } from './define';
import { hostPath } from './host-path';

/** OCI registries: saved connections, browsing, images. Credentials go in, never out. */
export const registryCalls = {
  'registry.list': call({ summary: 'The saved registries', effect: 'read', request: NoInput, response: z.array(SavedRegistry) }),
  'registry.add': call({
    summary: 'Save a registry (or an OCI image layout directory or .tar); a username and password go to the OS keychain',
    effect: 'local-write',
    request: z
      .object({
        host: RegistryHost.optional(),
        layoutPath: hostPath(z.string().min(1).max(4096), { choices: ['directory', 'file'] }).optional(),
        name: z.string().min(1).max(100).optional(),
        insecure: z.boolean().optional(),
        username: z.string().min(1).max(256).optional(),
        password: z.string().min(1).max(4096).optional(),
        /** Where simple signatures for this registry are kept (read before registries.d). */
        lookaside: LookasideLocation.optional(),
        /** Mark the registry as Oracle OCIR: its image signatures are listed and made through the OCI Artifacts API. */
        ocir: OcirSettings.optional(),
        /**
         * Save without first reaching the registry and signing in (by default a registry that does not answer, or refuses the credentials,
         * is not saved).
         */
        saveAnyway: z.boolean().optional(),
      })
      .strict()
      .refine((r) => (r.username === undefined) === (r.password === undefined), 'give both a username and a password, or neither')
      .refine((r) => (r.host === undefined) !== (r.layoutPath === undefined), 'give a registry host or an OCI layout path'),
    response: SavedRegistry,
  }),
  'registry.edit': call({
    summary: 'Rename a saved registry, set or clear the lookaside its simple signatures are read from, or its OCIR settings',
    effect: 'local-write',
    request: z
      .object({
        id: RegistryId,
        name: z.string().min(1).max(100).optional(),
        lookaside: z.union([LookasideLocation, z.null()]).optional(),
        /**
         * Mark as Oracle OCIR (or change its OCI settings); null forgets them. Settings without a config file keep the saved one
         * (the desktop app names files only through its dialogs); null and setting OCIR again drops it.
         */
        ocir: z.union([OcirSettings, z.null()]).optional(),
      })
      .strict(),
    response: SavedRegistry,
  }),
  'registry.remove': call({
    summary: 'Forget a saved registry and its stored credentials',
    effect: 'local-write',
    request: z.object({ id: RegistryId }).strict(),
    response: z.object({ removed: z.boolean() }).strict(),
  }),
  'registry.probe': call({
    summary: 'What a registry can do: auth scheme, catalog, referrers API',
    effect: 'read',
    request: z.object({ id: RegistryId, repository: Repository.optional() }).strict(),
    response: Capabilities,
  }),
  'registry.repositories': call({
    summary: 'Repositories in the registry catalog, filtered',
    effect: 'read',
    request: z.object({ id: RegistryId, filter: z.string().max(200).optional() }).strict(),
    response: z.object({ repositories: z.array(z.string()), complete: z.boolean(), total: z.number() }).strict(),
  }),
  'registry.tags': call({
    summary: 'Every tag of a repository',
    effect: 'read',
    request: z
      .object({
        id: RegistryId,
        repository: Repository,
        jobId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    response: z.object({ tags: z.array(z.string()), complete: z.boolean() }).strict(),
  }),
  'registry.image': call({
    summary: 'An image by tag or digest: its digest, platforms, config and layers',
    effect: 'read',
    request: z.object({ id: RegistryId, repository: Repository, reference: TagOrDigest }).strict(),
    response: ImageSummary,
  }),
  'registry.manifest': call({
    summary: 'The exact manifest text of a digest',
    effect: 'read',
    request: z.object({ id: RegistryId, repository: Repository, digest: DigestString }).strict(),
    response: z.object({ text: z.string(), mediaType: z.string(), digest: DigestString }).strict(),
  }),
} as const;
