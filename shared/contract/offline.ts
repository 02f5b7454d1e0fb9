import { z } from 'zod';
import { OfflineFormat, RequestedSigner, RequestItemView } from '../models/offline';
import { call } from './define';

const FileBytes = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64').max(90_000_000);

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
    signer: z.object({ kind: z.enum(['spki', 'openpgp']), fingerprint: z.string(), algorithm: z.string(), label: z.string().optional() }).strict(),
    signatures: z.array(z.object({ itemId: z.string(), reference: z.string(), digest: z.string(), format: OfflineFormat }).strict()),
    declined: z.array(z.string()),
  })
  .strict();
export type BundleInspection = z.infer<typeof BundleInspection>;

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
} as const;
