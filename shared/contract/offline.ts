import { z } from 'zod';
import { DirectoryPath, hostPath } from './host-path';
import { MAX_DESCRIPTION_CHARS, MAX_METADATA_BYTES } from '../payloads/record';
import { StorageTarget } from '../models/storage';
import { OfflineFormat, RequestedSigner, RequestItemView, StationState } from '../models/offline';
import { call } from './define';

const FileBytes = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
  .max(90_000_000);

export const RequestInspection = z
  .object({
    sha256: z.string(),
    summary: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    note: z.string().optional(),
    signer: RequestedSigner,
    items: z.array(RequestItemView),
  })
  .strict();
export type RequestInspection = z.infer<typeof RequestInspection>;

export const BundleInspection = z
  .object({
    requestSha256: z.string(),
    signer: z
      .object({ kind: z.enum(['spki', 'openpgp']), fingerprint: z.string(), algorithm: z.string(), label: z.string().optional() })
      .strict(),
    signatures: z.array(z.object({ itemId: z.string(), reference: z.string(), digest: z.string(), format: OfflineFormat }).strict()),
    declined: z.array(z.string()),
    station: StationState.optional(),
  })
  .strict();
export type BundleInspection = z.infer<typeof BundleInspection>;

export const CreatedRequest = z.object({ request: z.string(), sha256: z.string(), summary: z.string(), items: z.number() }).strict();
export const SignedBundle = z.object({ bundle: z.string(), sha256: z.string(), signed: z.number(), declined: z.number() }).strict();

/** Air-gapped signing: signing requests and signature bundles carried across on removable media. */
export const offlineCalls = {
  'offline.inspectRequest': call({
    summary: 'Read a signing request strictly and show every item, its decoded payload and the request’s SHA-256',
    effect: 'read',
    request: z.object({ request: FileBytes }).strict(),
    response: RequestInspection,
  }),
  'offline.checkBundle': call({
    summary: 'Check that a signature bundle answers this request, with the key it named, every signature verifying over its payload bytes',
    effect: 'read',
    request: z.object({ request: FileBytes, bundle: FileBytes }).strict(),
    response: BundleInspection,
  }),
  'offline.createRequest': call({
    summary:
      'Resolve images once (indexes expand to their platforms) and return a signing request carrying the exact payloads (nothing is written)',
    effect: 'read',
    request: z
      .object({
        references: z.array(z.string().min(1).max(1024)).min(1).max(1000),
        signer: RequestedSigner,
        formats: z.array(OfflineFormat).min(1).max(4),
        indexOnly: z.boolean().optional(),
        /**
         * Notation items: the envelope (default JWS) and the signing key's X.509 chain (PEM, leaf first; default: the key's own, when it is
         * in this machine's key list).
         */
        envelope: z.enum(['jws', 'cose']).optional(),
        chain: z.string().min(1).max(100_000).optional(),
        note: z.string().max(2000).optional(),
        /** Signed into every payload, as `signatures.sign` does: a description and a JSON object (as text). */
        description: z.string().min(1).max(MAX_DESCRIPTION_CHARS).optional(),
        metadata: z
          .string()
          .min(1)
          .max(4 * MAX_METADATA_BYTES)
          .optional(),
        jobId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    response: CreatedRequest,
  }),
  'offline.sign': call({
    summary:
      'Sign the approved items of a request over their exact payload bytes with a local key, giving a signature bundle (offline mode on, or `allowOnline`, recorded in the bundle and the audit log)',
    effect: 'sign',
    request: z
      .object({
        request: FileBytes,
        key: z.string().min(1).max(1024),
        approved: z
          .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/))
          .max(10_000)
          .optional(),
        allowOnline: z.boolean().optional(),
        jobId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    response: SignedBundle,
  }),
  'offline.export': call({
    summary: 'Export images with their cosign signatures, byte-exact, to an OCI layout directory or .tar, and count what arrived',
    effect: 'local-write',
    request: z
      .object({
        references: z.array(z.string().min(1).max(1024)).min(1).max(1000),
        out: hostPath(z.string().min(1).max(4096), { choices: ['save', 'directory'] }),
        jobId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    response: z
      .object({ out: z.string(), images: z.number(), platformManifests: z.number(), signatures: z.number(), blobs: z.number() })
      .strict(),
  }),
  'offline.import': call({
    summary: 'Import every image of an OCI layout (directory or .tar) with its signatures into a registry, byte-exact, and count them',
    effect: 'remote-write',
    request: z
      .object({
        layout: hostPath(z.string().min(1).max(4096), { choices: ['directory', 'file'] }),
        registry: z.string().min(1).max(255),
        jobId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    response: z.object({ images: z.number(), platformManifests: z.number(), signatures: z.number(), blobs: z.number() }).strict(),
  }),
  'offline.attach': call({
    summary: 'Check a bundle against its request and the registry, then attach each signature and read it back (twice is harmless)',
    effect: 'sign',
    request: z
      .object({ request: FileBytes, bundle: FileBytes, lookaside: DirectoryPath.optional(), asc: StorageTarget.optional() })
      .strict(),
    response: z
      .object({
        outcomes: z.array(
          z
            .object({
              itemId: z.string(),
              reference: z.string(),
              digest: z.string(),
              format: z.string(),
              result: z.enum(['attached', 'already-present', 'not-attached']),
              detail: z.string(),
            })
            .strict(),
        ),
      })
      .strict(),
  }),
} as const;
