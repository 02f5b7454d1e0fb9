import type { offlineCalls } from '../../../shared/contract/offline';
import type { CoreServices } from '../core';
import type { AreaHandlers } from '../dispatch';
import { checkBundle } from './check';
import { readRequest, summarizeRequest } from './request';

export function createOfflineHandlers(_services: CoreServices): AreaHandlers<typeof offlineCalls> {
  return {
    'offline.inspectRequest': async (input) => {
      const read = readRequest(Buffer.from(input.request, 'base64'));
      return {
        sha256: read.sha256,
        summary: summarizeRequest(read),
        createdAt: read.request.createdAt,
        createdBy: read.request.createdBy,
        ...(read.request.note ? { note: read.request.note } : {}),
        signer: read.request.signer,
        items: read.items,
      };
    },
    'offline.checkBundle': async (input) => {
      const checked = await checkBundle(Buffer.from(input.request, 'base64'), Buffer.from(input.bundle, 'base64'));
      const { key } = checked.bundle;
      return {
        requestSha256: checked.bundle.requestSha256,
        signer: { kind: key.kind, fingerprint: key.fingerprint, algorithm: key.algorithm, ...(key.label ? { label: key.label } : {}) },
        signatures: checked.signatures.map((s) => ({ itemId: s.itemId, reference: s.reference, digest: s.digest, format: s.format })),
        declined: checked.bundle.declined,
      };
    },
  };
}
