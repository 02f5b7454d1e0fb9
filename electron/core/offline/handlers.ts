import type { offlineCalls } from '../../../shared/contract/offline';
import type { CoreServices } from '../core';
import type { AreaHandlers } from '../dispatch';
import { checkBundle } from './check';
import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { KeychainCredentialStore } from '../registry/credentials';
import { SavedRegistries } from '../registry/saved';
import { RegistryConnections } from '../registry/handlers';
import { attachBundle } from './attach';
import { prepareRequest } from './prepare';
import { readRequest, sha256Hex, summarizeRequest } from './request';
import { signRequest } from './sign';

export function createOfflineHandlers(services: CoreServices): AreaHandlers<typeof offlineCalls> {
  return {
    'offline.createRequest': async (input, ctx) => {
      const made = await prepareRequest({
        references: input.references,
        signer: input.signer,
        formats: input.formats,
        ...(input.indexOnly ? { indexOnly: true } : {}),
        ...(input.note ? { note: input.note } : {}),
        saved: new SavedRegistries(services.dataDir),
        credentials: new KeychainCredentialStore(),
        progress: ctx.progress,
      });
      await services.audit.append('offline.request', `Prepared a signing request for ${made.request.items.length} signature(s)`, { requestSha256: made.sha256 });
      return { request: made.bytes.toString('base64'), sha256: made.sha256, summary: summarizeRequest({ ...readRequest(made.bytes) }), items: made.request.items.length };
    },
    'offline.sign': async (input, ctx) => {
      const requestBytes = Buffer.from(input.request, 'base64');
      const read = readRequest(requestBytes);
      const pgp = read.request.signer.kind === 'pgp-fingerprint';
      const signers = pgp ? { pgp: await services.keys.pgpSigner(input.key) } : { signer: await services.keys.signer(input.key) };
      const signed = await signRequest({
        requestBytes,
        approved: input.approved ? new Set(input.approved) : 'all',
        signers,
        createdBy: `${APP_NAME} ${APP_VERSION}`,
        now: () => new Date(),
        progress: ctx.progress,
      });
      await services.audit.append('offline.signed', `Signed ${signed.signed} item(s) of request ${read.sha256.slice(0, 16)}… offline (${signed.declined} declined)`, { requestSha256: read.sha256, key: input.key });
      return { bundle: signed.bytes.toString('base64'), sha256: sha256Hex(signed.bytes), signed: signed.signed, declined: signed.declined };
    },
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
    'offline.attach': async (input) => {
      const checked = await checkBundle(Buffer.from(input.request, 'base64'), Buffer.from(input.bundle, 'base64'));
      const connections = new RegistryConnections(new SavedRegistries(services.dataDir), new KeychainCredentialStore());
      const outcomes = await attachBundle(checked, async (host) => {
        const saved = (await connections.saved.list()).find((r) => r.kind === 'distribution' && r.host === host);
        return connections.clientFor(saved ?? { id: 'adhoc', kind: 'distribution', name: host, host, insecure: false, credentials: 'docker-config' });
      });
      const attached = outcomes.filter((o) => o.result === 'attached').length;
      await services.audit.append('offline.attached', `Attached ${attached} signature(s) from bundle for request ${checked.read.sha256.slice(0, 16)}…`, { requestSha256: checked.read.sha256, attached });
      return { outcomes };
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
