import type { offlineCalls } from '../../../shared/contract/offline';
import { resolveSigner } from '../keys/resolve-signer';
import { redactPin } from '../pkcs11/uri';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { checkBundle } from './check';
import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import { OciLayout } from '../registry/layout';
import { parseReference } from '../registry/reference';
import { extractTarFile } from '../registry/tar';
import { writeTarFile } from '../registry/tar-write';
import { attachBundle } from './attach';
import { signatureLockDirectory } from '../signatures/cosign';
import { countLayout, transferImages } from './transfer';
import { prepareRequest } from './prepare';
import { readRequest, sha256Hex, summarizeRequest } from './request';
import { signRequest } from './sign';
import { withSignedRecord } from '../signatures/record';
import { createHash, X509Certificate } from 'node:crypto';

export function createOfflineHandlers(services: CoreServices): AreaHandlers<typeof offlineCalls> {
  return {
    'offline.createRequest': async (input, ctx) => {
      const annotations = withSignedRecord(undefined, { description: input.description, metadata: input.metadata });
      let notation: { envelope: 'jws' | 'cose'; chain: Buffer[] } | undefined;
      if (input.formats.includes('notation')) {
        // The chain travels in the request: the key's own, from the key list (by its SPKI fingerprint).
        const signer = input.signer;
        if (signer.kind !== 'spki-sha256')
          throw new SignetError('INVALID_INPUT', 'Notation items name the signing key by its SPKI SHA-256, the key of the chain’s leaf.');
        const pem =
          input.chain ??
          (await services.keys.list()).find((k) => k.spkiSha256?.toLowerCase() === signer.value && k.certificateChain)?.certificateChain;
        if (!pem)
          throw new SignetError(
            'INVALID_INPUT',
            'Notation items need the signing key’s X.509 certificate chain: give it (the station exports it with `signet key export KEY --format x509`), or name a key of this machine that has one.',
          );
        let chain: Buffer[];
        try {
          chain = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b).raw);
        } catch {
          throw new SignetError('MALFORMED', 'The certificate chain cannot be read.');
        }
        const leaf = chain[0] ? new X509Certificate(chain[0]) : undefined;
        if (
          !leaf ||
          createHash('sha256')
            .update(leaf.publicKey.export({ type: 'spki', format: 'der' }))
            .digest('hex') !== signer.value
        )
          throw new SignetError('INVALID_INPUT', 'The chain’s first certificate is not for the key the request names.');
        notation = { envelope: input.envelope ?? 'jws', chain };
      } else if (input.envelope || input.chain) throw new SignetError('INVALID_INPUT', 'An envelope and a chain are Notation options.');
      const made = await prepareRequest({
        ...(notation ? { notation } : {}),
        references: input.references,
        signer: input.signer,
        formats: input.formats,
        ...(input.indexOnly ? { indexOnly: true } : {}),
        ...(input.note ? { note: input.note } : {}),
        ...(annotations ? { annotations } : {}),
        saved: services.registries.saved,
        credentials: services.registries.credentials,
        progress: ctx.progress,
      });
      await services.audit.append('offline.request', `Prepared a signing request for ${made.request.items.length} signature(s)`, {
        requestSha256: made.sha256,
      });
      return {
        request: made.bytes.toString('base64'),
        sha256: made.sha256,
        summary: summarizeRequest({ ...readRequest(made.bytes) }),
        items: made.request.items.length,
      };
    },
    'offline.sign': async (input, ctx) => {
      const offlineMode = services.network.offline;
      if (!offlineMode && !input.allowOnline) {
        throw new SignetError(
          'CONFLICT',
          'Offline mode is off, so this station may reach the network while it holds the signing key. Turn offline mode on (Settings, or `signet offline mode on`) and sign again, or sign with the explicit override, which the bundle and the audit log record.',
        );
      }
      const station = { offlineMode, override: !offlineMode };
      const requestBytes = Buffer.from(input.request, 'base64');
      const read = readRequest(requestBytes);
      const pgp = read.request.signer.kind === 'pgp-fingerprint';
      const signers = pgp ? { pgp: await services.keys.pgpSigner(input.key) } : { signer: await resolveSigner(services, input.key) };
      const signed = await signRequest({
        requestBytes,
        approved: input.approved ? new Set(input.approved) : 'all',
        signers,
        createdBy: `${APP_NAME} ${APP_VERSION}`,
        now: () => new Date(),
        station,
        progress: ctx.progress,
      });
      // One entry per signature made, as for online signing: which image, which digest, which format, which key.
      const { key: bundleKey } = signed.bundle;
      for (const made of signed.bundle.signatures) {
        const item = read.request.items.find((i) => i.id === made.itemId);
        if (!item) continue;
        await services.audit.append(
          'image.signed',
          `Signed ${item.repository}@${item.digest.slice(0, 19)}… offline in ${item.format} format with "${redactPin(input.key)}"`,
          {
            key: redactPin(input.key),
            fingerprint: bundleKey.fingerprint,
            ...(bundleKey.label ? { keyName: redactPin(bundleKey.label) } : {}),
            algorithm: bundleKey.algorithm,
            repository: item.repository,
            digest: item.digest,
            format: item.format,
            ...(item.platform ? { platform: item.platform } : {}),
            requestSha256: read.sha256,
            item: item.id,
          },
        );
      }
      await services.audit.append(
        'offline.signed',
        `Signed ${signed.signed} item(s) of request ${read.sha256.slice(0, 16)}… offline (${signed.declined} declined)`,
        {
          requestSha256: read.sha256,
          key: redactPin(input.key),
          fingerprint: bundleKey.fingerprint,
          offlineMode,
          ...(station.override ? { override: 'signed with offline mode off' } : {}),
        },
      );
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
    'offline.export': async (input, ctx) => {
      const connections = services.registries;
      const clientFor = async (host: string) => {
        const saved = (await connections.saved.list()).find((r) => r.kind === 'distribution' && r.host === host);
        return connections.clientFor(
          saved ?? { id: 'adhoc', kind: 'distribution', name: host, host, insecure: false, credentials: 'docker-config' },
        );
      };
      const toTar = input.out.endsWith('.tar');
      const target = path.resolve(input.out);
      if (toTar && (await fs.stat(target).catch(() => undefined)))
        throw new SignetError('CONFLICT', `${target} exists already; Signet does not overwrite it.`);
      const dir = toTar ? await fs.mkdtemp(path.join(os.tmpdir(), 'signet-export-')) : target;
      try {
        const layout = await OciLayout.create(dir);
        const byHost = new Map<string, Array<{ repository: string; tag: string }>>();
        for (const text of input.references) {
          const ref = parseReference(text);
          if (!ref.tag) throw new SignetError('INVALID_INPUT', `${text}: export needs a tag, so the image keeps its name in the layout.`);
          byHost.set(ref.registry, [...(byHost.get(ref.registry) ?? []), { repository: ref.repository, tag: ref.tag }]);
        }
        for (const [host, items] of byHost) await transferImages(await clientFor(host), layout, items, ctx.progress);
        const counts = await countLayout(layout);
        if (toTar) await writeTarFile(dir, target);
        return { out: target, ...counts };
      } finally {
        if (toTar) await fs.rm(dir, { recursive: true, force: true });
      }
    },
    'offline.import': async (input, ctx) => {
      const connections = services.registries;
      const saved = (await connections.saved.list()).find((r) => r.kind === 'distribution' && r.host === input.registry);
      const client = connections.clientFor(
        saved ?? {
          id: 'adhoc',
          kind: 'distribution',
          name: input.registry,
          host: input.registry,
          insecure: false,
          credentials: 'docker-config',
        },
      );
      const source = path.resolve(input.layout);
      const stat = await fs.stat(source).catch(() => undefined);
      if (!stat) throw new SignetError('NOT_FOUND', `There is nothing at ${source}.`);
      if (!stat.isFile() && !stat.isDirectory())
        throw new SignetError(
          'INVALID_INPUT',
          `${source} is neither an OCI layout directory nor a .tar file (it is a device, FIFO or socket).`,
        );
      const dir = stat.isFile() ? await fs.mkdtemp(path.join(os.tmpdir(), 'signet-import-')) : source;
      try {
        if (stat.isFile()) await extractTarFile(source, dir);
        const layout = new OciLayout(dir);
        await layout.check();
        const items: Array<{ repository: string; tag: string }> = [];
        for (const repository of (await layout.repositories()).repositories)
          for (const tag of (await layout.tags(repository)).tags) if (!tag.endsWith('.sig')) items.push({ repository, tag });
        const copied = await transferImages(layout, client, items, ctx.progress);
        return copied;
      } finally {
        if (stat.isFile()) await fs.rm(dir, { recursive: true, force: true });
      }
    },
    'offline.attach': async (input) => {
      const checked = await checkBundle(Buffer.from(input.request, 'base64'), Buffer.from(input.bundle, 'base64'));
      const connections = services.registries;
      const outcomes = await attachBundle(
        checked,
        async (host) => {
          const saved = (await connections.saved.list()).find((r) => r.kind === 'distribution' && r.host === host);
          return connections.clientFor(
            saved ?? { id: 'adhoc', kind: 'distribution', name: host, host, insecure: false, credentials: 'docker-config' },
          );
        },
        input.lookaside,
        input.asc ? await services.storage.open(input.asc) : undefined,
        signatureLockDirectory(services.dataDir),
      );
      const attached = outcomes.filter((o) => o.result === 'attached').length;
      await services.audit.append(
        'offline.attached',
        `Attached ${attached} signature(s) from bundle for request ${checked.read.sha256.slice(0, 16)}…`,
        { requestSha256: checked.read.sha256, attached },
      );
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
        ...(checked.bundle.station ? { station: checked.bundle.station } : {}),
      };
    },
  };
}
