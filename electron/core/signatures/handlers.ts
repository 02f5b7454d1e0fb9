import type { signatureCalls } from '../../../shared/contract/signatures';
import { SignetError } from '../../../shared/errors';
import type { SignatureReport, VerificationReport } from '../../../shared/models/signatures';
import type { CoreServices } from '../core';
import type { AreaHandlers } from '../dispatch';
import { resolveSigner } from '../keys/resolve-signer';
import { redactPin } from '../pkcs11/uri';
import type { Signer } from '../kms/signer';
import { RegistryConnections } from '../registry/handlers';
import { SavedRegistries } from '../registry/saved';
import { KeychainCredentialStore } from '../registry/credentials';
import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { loadRegistriesDir, lookasideFor } from './lookaside/registries-d';
import { parseNormalizedNamed } from '../trust/docker-reference';
import { fileURLToPath } from 'node:url';
import { verifyTags } from './batch';
import { collectTrust, expiryCheck } from './trusted';
import { FORMATS, formatById } from './formats';
import type { SignContext, Signed, VerifyContext } from './formats/format';
import type { RegistrySource } from '../registry/source';

/**
 * What signing an image covers: the manifest asked for and, for an index, each platform manifest
 * (attestation manifests, platform unknown/unknown, are left out), unless only the index is asked.
 */
async function signingTargets(source: RegistrySource, repository: string, digest: string, indexOnly: boolean): Promise<Array<{ digest: string; platform?: string }>> {
  const top = await source.manifest(repository, digest);
  if (top.digest !== digest) throw new SignetError('DIGEST_MISMATCH', `The registry answered ${top.digest} for ${digest}; nothing was signed.`);
  if (top.parsed.kind !== 'index' || indexOnly) return [{ digest }];
  const platforms = top.parsed.manifests
    .filter((m) => !(m.platform?.os === 'unknown' && m.platform.architecture === 'unknown'))
    .map((m) => ({ digest: m.digest, platform: m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'unnamed platform' }));
  return [{ digest }, ...platforms];
}

/** The lookaside a registries.d directory names for this image, for reading or (staging first) writing. */
async function lookasideFromRegistriesD(dir: string, host: string, repository: string, digest: string, tagOrReference: string | undefined, write: boolean): Promise<string | undefined> {
  const config = await loadRegistriesDir(dir);
  const tag = tagOrReference && !tagOrReference.includes('/') && !tagOrReference.startsWith('sha') ? tagOrReference : undefined;
  const ref = parseNormalizedNamed(`${host}/${repository}${tag ? `:${tag}` : `@${digest}`}`);
  return lookasideFor(config, ref, write)?.url;
}

/** What the audit log records about the key that signed: its id or URI, KMS key version, algorithm, fingerprint. */
function signerDetails(signer: Signer): Record<string, string> {
  const d = signer.describe();
  return { signer: d.keyId, algorithm: d.algorithm, spkiSha256: d.spkiSha256, ...(d.keyVersion ? { keyVersion: d.keyVersion } : {}) };
}


export function createSignatureHandlers(services: CoreServices, connections = new RegistryConnections(new SavedRegistries(services.dataDir), new KeychainCredentialStore())): AreaHandlers<typeof signatureCalls> {
  return {
    'signatures.verify': async (input) => {
      const saved = await connections.saved.get(input.id);
      const source = await connections.source(input.id);
      const trust = await collectTrust(services.dataDir, services.keys, { ...(input.publicKeys ? { publicKeys: input.publicKeys } : {}), ...(input.pgpKeys ? { pgpKeys: input.pgpKeys } : {}), ...(input.trustOnly ? { only: true } : {}) });
      const lookaside = input.lookaside ?? (input.registriesD ? await lookasideFromRegistriesD(input.registriesD, saved.host, input.repository, input.digest, input.reference, false) : undefined);
      const ctx: VerifyContext = {
        source,
        registryLabel: saved.kind === 'oci-layout' ? 'layout' : saved.host,
        repository: input.repository,
        digest: input.digest,
        trust,
        ...(input.reference ? { reference: input.reference } : {}),
        ...(lookaside ? { lookaside } : {}),
        ...(input.asc ? { asc: await services.storage.open(input.asc) } : {}),
      };
      const signatures: SignatureReport[] = [];
      for (const format of FORMATS) signatures.push(...(await format.verifyAll(ctx)));
      const verdict: VerificationReport['verdict'] = signatures.length === 0 ? 'unsigned' : signatures.some((s) => s.verdict === 'verified') ? 'verified' : signatures.some((s) => s.verdict === 'failed') ? 'failed' : 'signed-untrusted';
      await services.audit.append('image.verified', `Verified ${input.repository}@${input.digest.slice(0, 19)}…: ${verdict}`, { digest: input.digest, verdict, signatures: signatures.length });
      return { digest: input.digest, verdict, signatures };
    },
    'signatures.status': async (input, ctx) => {
      const source = await connections.source(input.id);
      const trust = await collectTrust(services.dataDir, services.keys, {});
      const results = await verifyTags(source, input.repository, input.tags, trust.keys.filter((k) => expiryCheck(k.window, undefined).status === 'passed').map((k) => k.pem), 8, (done, total) => ctx.progress(done, total, `Checked ${done} of ${total} tags`));
      return { results };
    },
    'signatures.sign': async (input, ctx) => {
      const saved = await connections.saved.get(input.id);
      const source = await connections.source(input.id);
      if (input.expectedTag) {
        const now = await source.manifest(input.repository, input.expectedTag);
        if (now.digest !== input.digest) throw new SignetError('CONFLICT', `The tag ${input.expectedTag} moved to ${now.digest} since you chose ${input.digest}; nothing was signed. Look at the image again.`);
      }
      const targets = await signingTargets(source, input.repository, input.digest, input.indexOnly ?? false);
      const format = formatById(input.format ?? 'cosign');
      const base: Omit<SignContext, 'digest'> = {
        source,
        registryHost: saved.kind === 'oci-layout' ? 'oci-layout' : saved.host,
        repository: input.repository,
        ...(input.expectedTag ? { tag: input.expectedTag } : {}),
        ...(input.annotations ? { annotations: input.annotations } : {}),
        creator: `${APP_NAME} ${APP_VERSION}`,
        now: new Date(),
      };
      let describeSigner: Record<string, string>;
      if (format.id === 'simplesigning') {
        const lookaside = input.lookaside ?? (input.registriesD ? await lookasideFromRegistriesD(input.registriesD, saved.host, input.repository, input.digest, input.expectedTag, true) : undefined);
        if (!lookaside) throw new SignetError('INVALID_INPUT', 'Simple signing needs a lookaside directory to store the signature in (or a registries.d that names one).');
        if (/^https?:\/\//i.test(lookaside)) throw new SignetError('INVALID_INPUT', `${lookaside} is a web server; Signet writes simple signatures to a directory (lookaside-staging) and publishes that directory.`);
        const pgp = await services.keys.pgpSigner(input.key);
        Object.assign(base, { pgp, lookasideDirectory: lookaside.startsWith('file://') ? fileURLToPath(lookaside) : lookaside });
        describeSigner = { signer: pgp.fingerprint, algorithm: 'openpgp' };
      } else {
        const signer = await resolveSigner(services, input.key, input.pin ? { pin: input.pin } : {});
        Object.assign(base, { signer });
        describeSigner = signerDetails(signer);
      }
      if (!format.sign) throw new SignetError('UNSUPPORTED', `Signet does not write ${format.id} signatures.`);
      const signed: Array<{ digest: string; platform?: string; where: string }> = [];
      let first: Signed | undefined;
      for (const [i, target] of targets.entries()) {
        ctx.progress(i, targets.length, `Signing ${target.platform ?? 'the image'} (${target.digest.slice(0, 19)}…)`);
        const made = await format.sign({ ...base, digest: target.digest });
        await services.audit.append('image.signed', `Signed ${input.repository}@${target.digest.slice(0, 19)}…${target.platform ? ` (${target.platform})` : ''} in ${format.id} format with "${redactPin(input.key)}"`, { digest: target.digest, key: redactPin(input.key), where: made.where, ...describeSigner });
        signed.push({ digest: target.digest, ...(target.platform ? { platform: target.platform } : {}), where: made.where });
        first ??= made;
      }
      ctx.progress(targets.length, targets.length, `Signed ${signed.length} manifest(s)`);
      const { where: _where, ...result } = first as Signed;
      return { ...result, signed };
    },
  };
}
