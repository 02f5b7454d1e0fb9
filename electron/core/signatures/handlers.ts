import type { signatureCalls } from '../../../shared/contract/signatures';
import { SignetError } from '../../../shared/errors';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { redactPin } from '../pkcs11/uri';
import { APP_NAME, APP_VERSION } from '../../../shared/version';

import { repositoryStatus } from './repository-status';
import { chooseLookaside } from './lookaside/choose';
import { signatureLockDirectory } from './cosign';
import { TrustStore } from '../trust/store';
import { notationTrustFor } from '../trust/notation-trust';
import { imageReferenceFor, imageVerdict } from './verdict';
import { formatById } from './formats';
import { withSignedRecord } from './record';
import { keyDetails } from './key-details';
import { inspectImage, type Inspected } from './inspect';
import { tagSignature } from './tags';
import { findSignature, madeBy, performDelete, planDelete, resolveKeyFingerprint } from './delete';
import { isSignatureArtifactTag } from '../../../shared/formats';
import type { SignatureReport } from '../../../shared/models/signatures';
import type { SignContext, Signed } from './formats/format';
import type { RegistrySource } from '../registry/source';

/**
 * What signing an image covers: the manifest asked for and, for an index, each platform manifest
 * (attestation manifests, platform unknown/unknown, are left out), unless only the index is asked.
 */
async function signingTargets(
  source: RegistrySource,
  repository: string,
  digest: string,
  indexOnly: boolean,
): Promise<Array<{ digest: string; platform?: string }>> {
  const top = await source.manifest(repository, digest);
  if (top.digest !== digest)
    throw new SignetError('DIGEST_MISMATCH', `The registry answered ${top.digest} for ${digest}; nothing was signed.`);
  if (top.parsed.kind !== 'index' || indexOnly) return [{ digest }];
  const platforms = top.parsed.manifests
    .filter((m) => !(m.platform?.os === 'unknown' && m.platform.architecture === 'unknown'))
    .map((m) => ({
      digest: m.digest,
      platform: m.platform
        ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}`
        : 'unnamed platform',
    }));
  return [{ digest }, ...platforms];
}

export function createSignatureHandlers(services: CoreServices, connections = services.registries): AreaHandlers<typeof signatureCalls> {
  /** Every deletion is its own audit entry: which signature, where, whose. */
  const auditDeletion = (s: SignatureReport, repository: string, digest: string, outcome: string, byKey?: string) =>
    services.audit.append(
      'signature.deleted',
      `Deleted the ${s.format} signature ${s.id} of ${repository}@${digest.slice(0, 19)}…: ${outcome}`,
      {
        repository,
        digest,
        format: s.format,
        signatureId: s.id ?? '',
        storage: s.storage.slice(0, 500),
        ...(s.signer ? { signer: s.signer } : {}),
        ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
        ...(byKey ? { byKey } : {}),
      },
    );
  return {
    'signatures.verify': async (input) => {
      const { signatures, attestations, looked } = await inspectImage(services, connections, input);
      const summary = imageVerdict(signatures, looked);
      if (input.requested)
        await services.audit.append('image.verified', `Verified ${input.repository}@${input.digest.slice(0, 19)}…: ${summary.verdict}`, {
          call: 'signatures.verify',
          repository: input.repository,
          digest: input.digest,
          ...(input.tag ? { tag: input.tag } : {}),
          verdict: summary.verdict,
          code: summary.code,
          signatures: signatures.length,
        });
      return { digest: input.digest, ...summary, signatures, attestations, looked };
    },
    'signatures.status': async (input, ctx) => {
      const saved = await connections.saved.get(input.id);
      const source = await connections.source(input.id);
      const host = saved.kind === 'oci-layout' ? 'oci-layout' : saved.host;
      // Scopes may name a tag: each tag (or digest) gets the keys of its own scope, as podman would choose them.
      const entries = await new TrustStore(services.dataDir).entries();
      // Notation signatures count too, judged by the imported Notation trust policy (or Signet's default for each tag's scope).
      const notationPolicy = await notationTrustFor(services.dataDir, `${host}/${input.repository}`);
      // Simple signatures in the lookaside podman would read for this repository (saved with the registry, registries.d, built-in).
      const lookaside = await chooseLookaside({}, saved, `${host}/${input.repository}`, false).catch((error: unknown) => ({
        unreadable: error instanceof Error ? error.message : 'the lookaside could not be chosen',
      }));
      const results = await repositoryStatus({
        source,
        host,
        repository: input.repository,
        tags: input.tags,
        entries,
        ...(notationPolicy ? { notationPolicy } : {}),
        ...(lookaside ? { lookaside } : {}),
        now: new Date(),
        concurrency: 8,
        progress: (done, total) => ctx.progress(done, total, `Checked ${done} of ${total} tags`),
      });
      return { results };
    },
    'signatures.keyDetails': (input) => keyDetails(services, input),
    'signatures.tag': async (input) => {
      const { ctx, signatures, attestations } = await inspectImage(services, connections, input);
      const s = findSignature([...signatures, ...attestations], input.signature);
      const result = await tagSignature(ctx, s, input.add ?? {}, input.remove ?? []);
      await services.audit.append(
        'signature.tagged',
        `Tagged the ${s.format} signature ${s.id} of ${input.repository}@${input.digest.slice(0, 19)}…: ${
          Object.entries(result.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')
            .slice(0, 300) || 'no tags'
        }`,
        {
          repository: input.repository,
          digest: input.digest,
          format: s.format,
          signatureId: s.id ?? '',
          ...(input.add ? { added: Object.keys(input.add).join(' ').slice(0, 500) } : {}),
          ...(input.remove ? { removed: input.remove.join(' ').slice(0, 500) } : {}),
          ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
        },
      );
      return result;
    },
    'signatures.delete': async (input) => {
      const { ctx, signatures, attestations } = await inspectImage(services, connections, input);
      const s = findSignature([...signatures, ...attestations], input.signature);
      const plan = await planDelete(ctx, s);
      if (input.dryRun) return { deleted: false, plan };
      const outcome = await performDelete(ctx, s);
      await auditDeletion(s, input.repository, input.digest, outcome);
      return { deleted: true, plan, outcome };
    },
    'signatures.deleteByKey': async (input, ctx) => {
      const key = await resolveKeyFingerprint(services.keys, await new TrustStore(services.dataDir).entries(), input.key);
      const source = await connections.source(input.id);
      if (input.tags && !input.repository)
        throw new SignetError('INVALID_INPUT', 'Tags name images of one repository: give the repository too.');
      // A repository, or every repository of the registry (its catalog).
      let repositories: string[];
      if (input.repository) repositories = [input.repository];
      else {
        const listed = await source.repositories();
        if (!listed.complete)
          throw new SignetError(
            'TOO_LARGE',
            'The registry lists more repositories than Signet reads at once; delete by key repository by repository.',
          );
        repositories = listed.repositories;
      }
      // Each tagged image, and for an index each platform manifest: signatures sit on either.
      const images = new Map<string, { repository: string; digest: string; tags: string[] }>();
      for (const repository of repositories) {
        const tags = input.tags ?? (await source.tags(repository)).tags.filter((t) => !isSignatureArtifactTag(t));
        const add = (digest: string, tag: string) => {
          const at = `${repository}@${digest}`;
          images.set(at, { repository, digest, tags: [...(images.get(at)?.tags ?? []), tag] });
        };
        for (const tag of tags) {
          const m = await source.manifest(repository, tag);
          add(m.digest, tag);
          if (m.parsed.kind === 'index')
            for (const child of m.parsed.manifests.slice(0, 256))
              add(child.digest, `${tag} (${child.platform ? `${child.platform.os}/${child.platform.architecture}` : 'platform'})`);
        }
      }
      const found: Array<{ repository: string; digest: string; tags: string[]; report: SignatureReport; inspected: Inspected }> = [];
      let done = 0;
      for (const image of images.values()) {
        ctx.progress(done++, images.size, `Looking at ${image.repository}:${image.tags[0]} (${image.digest.slice(0, 19)}…)`);
        const inspected = await inspectImage(services, connections, {
          id: input.id,
          repository: image.repository,
          digest: image.digest,
          ...(input.lookaside ? { lookaside: input.lookaside } : {}),
          ...(input.registriesD ? { registriesD: input.registriesD } : {}),
        });
        for (const report of [...inspected.signatures, ...inspected.attestations])
          if (report.id && madeBy(report, key.fingerprint)) found.push({ ...image, report, inspected });
      }
      ctx.progress(images.size, images.size, `Found ${found.length} signature(s) by the key`);
      const row = (f: (typeof found)[number], deleted: boolean, outcome?: string) => ({
        repository: f.repository,
        digest: f.digest,
        tags: f.tags,
        id: f.report.id as string,
        format: f.report.format,
        storage: f.report.storage,
        deleted,
        ...(outcome ? { outcome } : {}),
      });
      const base = {
        fingerprint: key.fingerprint,
        ...(key.name ? { keyName: key.name } : {}),
        repositories: repositories.length,
        images: images.size,
      };
      if (input.dryRun) return { ...base, signatures: found.map((f) => row(f, false)), deleted: 0 };
      if (input.expectedCount !== undefined && input.expectedCount !== found.length)
        throw new SignetError(
          'CONFLICT',
          `The dry run counted ${input.expectedCount} signature(s) by this key; there are ${found.length} now. Nothing was deleted: count again.`,
        );
      const rows = [];
      for (const [i, f] of found.entries()) {
        ctx.progress(i, found.length, `Deleting ${f.report.id} on ${f.repository}:${f.tags[0]}`);
        const outcome = await performDelete(f.inspected.ctx, f.report);
        await auditDeletion(f.report, f.repository, f.digest, outcome, key.name ?? key.fingerprint);
        rows.push(row(f, true, outcome));
      }
      ctx.progress(found.length, found.length, `Deleted ${rows.length} signature(s)`);
      return { ...base, signatures: rows, deleted: rows.length };
    },
    'signatures.sign': async (input, ctx) => {
      // Refused before anything is read or signed: metadata that is not a JSON object, or too large.
      const annotations = withSignedRecord(input.annotations, { description: input.description, metadata: input.metadata });
      const saved = await connections.saved.get(input.id);
      const source = await connections.source(input.id);
      if (input.expectedTag) {
        const now = await source.manifest(input.repository, input.expectedTag);
        if (now.digest !== input.digest)
          throw new SignetError(
            'CONFLICT',
            `The tag ${input.expectedTag} moved to ${now.digest} since you chose ${input.digest}; nothing was signed. Look at the image again.`,
          );
      }
      const targets = await signingTargets(source, input.repository, input.digest, input.indexOnly ?? false);
      const format = formatById(input.format ?? 'cosign');
      const base: Omit<SignContext, 'digest'> = {
        source,
        registryHost: saved.kind === 'oci-layout' ? 'oci-layout' : saved.host,
        repository: input.repository,
        ...(input.expectedTag ? { tag: input.expectedTag } : {}),
        ...(annotations ? { annotations } : {}),
        creator: `${APP_NAME} ${APP_VERSION}`,
        now: new Date(),
        lockDirectory: signatureLockDirectory(services.dataDir),
      };
      if (!format.sign || !format.setUpSigning) throw new SignetError('UNSUPPORTED', `Signet does not write ${format.id} signatures.`);
      const host = saved.kind === 'oci-layout' ? 'oci-layout' : saved.host;
      const imageReference = imageReferenceFor(
        host,
        input.repository,
        input.digest,
        input.expectedTag ? `${host}/${input.repository}:${input.expectedTag}` : undefined,
      );
      const setup = await format.setUpSigning(input, { services, saved, imageReference });
      Object.assign(base, setup.ctx);
      const describeSigner = setup.signer;
      const signed: Array<{ digest: string; platform?: string; where: string }> = [];
      let first: Signed | undefined;
      for (const [i, target] of targets.entries()) {
        ctx.progress(i, targets.length, `Signing ${target.platform ?? 'the image'} (${target.digest.slice(0, 19)}…)`);
        const made = await format.sign({ ...base, digest: target.digest });
        await services.audit.append(
          'image.signed',
          `Signed ${input.repository}@${target.digest.slice(0, 19)}…${target.platform ? ` (${target.platform})` : ''} in ${format.id} format with "${redactPin(input.key)}"`,
          {
            digest: target.digest,
            key: redactPin(input.key),
            format: format.id,
            repository: input.repository,
            where: made.where,
            ...(target.platform ? { platform: target.platform } : {}),
            ...describeSigner,
          },
        );
        signed.push({ digest: target.digest, ...(target.platform ? { platform: target.platform } : {}), where: made.where });
        first ??= made;
      }
      ctx.progress(targets.length, targets.length, `Signed ${signed.length} manifest(s)`);
      const { where: _where, ...result } = first as Signed;
      return { ...result, ...(describeSigner.algorithm ? { algorithm: describeSigner.algorithm } : {}), signed };
    },
  };
}
