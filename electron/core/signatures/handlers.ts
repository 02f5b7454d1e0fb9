import type { signatureCalls } from '../../../shared/contract/signatures';
import { SignetError } from '../../../shared/errors';
import type { SignatureReport, VerificationReport } from '../../../shared/models/signatures';
import type { CoreServices } from '../core';
import type { AreaHandlers } from '../dispatch';
import { resolveSigner } from '../keys/resolve-signer';
import type { Signer } from '../kms/signer';
import { RegistryConnections } from '../registry/handlers';
import { SavedRegistries } from '../registry/saved';
import { KeychainCredentialStore } from '../registry/credentials';
import { checkCosignPayload, readCosignSignatures, signatureTag, signCosign, verifyWithKey } from './cosign';
import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { signSimple, verifySimple, writeLookaside } from './simple';
import { openLookaside } from './lookaside/store';
import { loadRegistriesDir, lookasideFor } from './lookaside/registries-d';
import { parseNormalizedNamed } from '../trust/docker-reference';
import { fileURLToPath } from 'node:url';
import { ascObjectKey, readAsc } from './asc';
import { verifyTags } from './batch';
import { collectTrust, expiryCheck, type TrustedPgpKey, type TrustedPublicKey } from './trusted';
import { discoverBundles, verifyBundle } from './sigstore/bundle';
import type { RegistrySource } from '../registry/source';

/** Sigstore bundles attached through the referrers API (or its tag-schema fallback), each verified against the trusted keys. */
async function bundleReports(source: RegistrySource, repository: string, digest: string, keys: readonly TrustedPublicKey[]): Promise<SignatureReport[]> {
  let found;
  try {
    found = await discoverBundles(source, repository, digest);
  } catch (error) {
    if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
    return [];
  }
  const trusted = keys.map((k) => ({ name: k.name, key: createPublicKey(k.pem), fingerprint: k.fingerprint }));
  return found.map((b): SignatureReport => {
    const storage = `referrer ${b.referrer} (${b.via === 'api' ? 'referrers API' : 'referrers tag schema'})`;
    const base = { format: 'sigstore-bundle' as const, storage, payload: '', signature: '', annotations: {} };
    if (!b.bytes) return { ...base, checks: [{ name: 'digest binding', status: 'failed', reason: b.problem ?? 'Unusable referrer.' }], verdict: 'failed' };
    const v = verifyBundle(b.bytes, { digest, keys: trusted });
    const window = v.signer ? keys.find((k) => k.name === v.signer?.name)?.window : undefined;
    const expiry = v.signer ? expiryCheck(window, v.claimedTime !== undefined ? new Date(v.claimedTime * 1000) : undefined) : ({ name: 'expiry', status: 'not-checked', reason: 'No trusted key matched.' } as const);
    const bindingFailed = v.checks.some((c) => c.name === 'digest binding' && c.status === 'failed');
    return {
      ...base,
      ...(v.signer ? { signer: v.signer.name, fingerprint: v.signer.fingerprint } : {}),
      algorithm: v.content === 'dsse' ? `DSSE ${v.predicateType ?? ''}`.trim() : 'message signature',
      annotations: v.annotations,
      payload: b.bytes.toString('utf8').slice(0, 65_536),
      ...(v.claimedTime !== undefined ? { timestamp: v.claimedTime } : {}),
      checks: [...v.checks.map((c) => ({ name: c.name, status: c.status, reason: c.reason })), expiry],
      verdict: v.ok && expiry.status !== 'failed' ? 'verified' : bindingFailed || (v.signer && !v.ok) ? 'failed' : 'signed-untrusted',
    };
  });
}

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

/** A Huawei SWR .asc file, verified like a simple signature; the key it names must be the key that signed. */
async function ascReport(bytes: Uint8Array, location: string, digest: string, trusted: readonly TrustedPgpKey[], reference?: string): Promise<SignatureReport> {
  const base = { format: 'asc' as const, storage: location, algorithm: 'openpgp', payload: '', signature: Buffer.from(bytes).toString('utf8').slice(0, 65_536), annotations: {} };
  let read: ReturnType<typeof readAsc>;
  try {
    read = readAsc(bytes);
  } catch (error) {
    const reason = error instanceof SignetError ? error.message : 'The .asc file cannot be read.';
    return { ...base, checks: [{ name: 'signature', status: 'failed', reason }], verdict: 'failed' };
  }
  const v = await verifySimple(read.message, digest, trusted, reference);
  const named = v.keyId && !read.publicKeyId.endsWith(v.keyId) ? `The file names key ${read.publicKeyId}, but ${v.keyId} signed it.` : undefined;
  const expiry = v.signer ? expiryCheck(trusted.find((k) => k.name === v.signer)?.window, v.timestamp !== undefined ? new Date(v.timestamp * 1000) : undefined) : ({ name: 'expiry', status: 'not-checked', reason: 'No trusted key matched.' } as const);
  const ok = v.ok && !named && expiry.status !== 'failed';
  const unsigned = !v.signer && /No trusted key/.test(v.reason);
  return {
    ...base,
    ...(v.signer ? { signer: v.signer } : {}),
    fingerprint: v.keyId ?? read.publicKeyId,
    ...(v.identity ? { identity: v.identity } : {}),
    ...(v.creator ? { annotations: { creator: v.creator } } : {}),
    ...(v.timestamp !== undefined ? { timestamp: v.timestamp } : {}),
    checks: [
      { name: 'signature', status: v.signer ? 'passed' : 'failed', reason: v.signer ? `Signed by ${v.signer}.` : v.reason },
      { name: 'key trust', status: v.signer ? (named ? 'failed' : 'passed') : 'not-checked', reason: named ?? (v.signer ? `${v.signer} is trusted here.` : `The file names key ${read.publicKeyId}; no trusted key matched.`) },
      { name: 'digest binding', status: v.ok ? 'passed' : v.signer ? 'failed' : 'not-checked', reason: v.ok ? `The payload names ${digest}.` : v.signer ? v.reason : 'The payload is not read before the signature verifies.' },
      { name: 'identity', status: v.ok && reference ? 'passed' : 'not-checked', reason: v.identity ? `The payload names ${v.identity}.` : 'Not read.' },
      expiry,
    ],
    verdict: ok ? 'verified' : unsigned || (v.ok && !named) ? 'signed-untrusted' : 'failed',
  };
}

export function createSignatureHandlers(services: CoreServices, connections = new RegistryConnections(new SavedRegistries(services.dataDir), new KeychainCredentialStore())): AreaHandlers<typeof signatureCalls> {
  return {
    'signatures.verify': async (input) => {
      const saved = await connections.saved.get(input.id);
      const source = await connections.source(input.id);
      const found = await readCosignSignatures(source, input.repository, input.digest);
      const trust = await collectTrust(services.dataDir, services.keys, { ...(input.publicKeys ? { publicKeys: input.publicKeys } : {}), ...(input.pgpKeys ? { pgpKeys: input.pgpKeys } : {}), ...(input.trustOnly ? { only: true } : {}) });
      const keys = trust.keys;
      const storage = `${saved.kind === 'oci-layout' ? 'layout' : saved.host}/${input.repository}:${signatureTag(input.digest)}`;
      const signatures: SignatureReport[] = found.map((sig) => {
        const payload = checkCosignPayload(sig.payload, input.digest);
        const match = keys.map((k) => ({ k, algorithm: verifyWithKey(k.pem, sig.payload, sig.signature) })).find((m) => m.algorithm);
        const checks: SignatureReport['checks'] = [
          { name: 'digest binding', status: payload.ok ? 'passed' : 'failed', reason: payload.ok ? `The payload names ${input.digest}.` : (payload.reason ?? 'The payload is not valid.') },
          match ? { name: 'signature', status: 'passed', reason: `Verifies with ${match.k.name}.` } : { name: 'signature', status: 'failed', reason: keys.length ? 'Does not verify with any trusted key (signed by an unknown key, or altered).' : 'No trusted key to check it with: add the signer’s public key.' },
          match ? { name: 'key trust', status: 'passed', reason: `${match.k.name} is trusted here.` } : { name: 'key trust', status: 'not-checked', reason: 'No trusted key matched.' },
          { name: 'identity', status: 'not-checked', reason: payload.identity ? `The payload claims ${payload.identity}; cosign does not bind the identity.` : 'No identity in the payload.' },
          match ? expiryCheck(match.k.window, undefined) : { name: 'expiry', status: 'not-checked', reason: 'No trusted key matched.' },
        ];
        const inWindow = checks[checks.length - 1]?.status !== 'failed';
        const verdict: SignatureReport['verdict'] = !payload.ok ? 'failed' : match && inWindow ? 'verified' : 'signed-untrusted';
        return {
          format: 'cosign',
          storage,
          ...(match ? { signer: match.k.name, fingerprint: match.k.fingerprint, algorithm: match.algorithm as string } : {}),
          ...(payload.identity ? { identity: payload.identity } : {}),
          annotations: payload.annotations ?? {},
          payload: sig.payload.toString('utf8').slice(0, 65_536),
          signature: sig.signature.toString('base64'),
          checks,
          verdict,
        };
      });
      const pgpTrusted = trust.pgp;
      const windowOf = (signer: string | undefined) => trust.pgp.find((k) => k.name === signer)?.window;
      signatures.push(...(await bundleReports(source, input.repository, input.digest, keys)));
      if (input.asc) {
        const store = await services.storage.open(input.asc);
        const key = ascObjectKey(input.repository, input.digest);
        if (await store.exists(key)) signatures.push(await ascReport(await store.get(key), store.url(key), input.digest, pgpTrusted, input.reference));
      }
      const lookaside = input.lookaside ?? (input.registriesD ? await lookasideFromRegistriesD(input.registriesD, saved.host, input.repository, input.digest, input.reference, false) : undefined);
      if (lookaside) {
        for (const file of await openLookaside(lookaside).read(input.repository, input.digest)) {
          const v = await verifySimple(file.bytes, input.digest, pgpTrusted, input.reference);
          const unsigned = !v.signer && /No trusted key|not signed|not a readable|Not a binary/.test(v.reason);
          const expiry = v.signer ? expiryCheck(windowOf(v.signer), v.timestamp !== undefined ? new Date(v.timestamp * 1000) : undefined) : ({ name: 'expiry', status: 'not-checked', reason: 'No trusted key matched.' } as const);
          signatures.push({
            format: 'simplesigning',
            storage: file.location,
            ...(v.signer ? { signer: v.signer } : {}),
            ...(v.keyId ? { fingerprint: v.keyId } : {}),
            algorithm: 'openpgp',
            ...(v.identity ? { identity: v.identity } : {}),
            annotations: v.creator ? { creator: v.creator } : {},
            payload: '',
            signature: file.bytes.toString('base64').slice(0, 65_536),
            ...(v.timestamp !== undefined ? { timestamp: v.timestamp } : {}),
            checks: [
              { name: 'signature', status: v.signer ? 'passed' : 'failed', reason: v.signer ? `Signed by ${v.signer}.` : v.reason },
              { name: 'key trust', status: v.signer ? 'passed' : 'not-checked', reason: v.signer ? `${v.signer} is trusted here.` : 'No trusted key matched.' },
              { name: 'digest binding', status: v.ok ? 'passed' : v.signer ? 'failed' : 'not-checked', reason: v.ok ? `The payload names ${input.digest}.` : v.signer ? v.reason : 'The payload is not read before the signature verifies.' },
              { name: 'identity', status: v.ok && input.reference ? 'passed' : 'not-checked', reason: v.identity ? `The payload names ${v.identity}.` : 'Not read.' },
              expiry,
            ],
            verdict: v.ok && expiry.status !== 'failed' ? 'verified' : v.ok || unsigned ? 'signed-untrusted' : 'failed',
          });
        }
      }
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
      const signed: Array<{ digest: string; platform?: string; where: string }> = [];
      let first: { tag: string; payload: string; signatureManifest?: string; file?: string } | undefined;
      if (input.format === 'simplesigning') {
        const lookaside = input.lookaside ?? (input.registriesD ? await lookasideFromRegistriesD(input.registriesD, saved.host, input.repository, input.digest, input.expectedTag, true) : undefined);
        if (!lookaside) throw new SignetError('INVALID_INPUT', 'Simple signing needs a lookaside directory to store the signature in (or a registries.d that names one).');
        if (/^https?:\/\//i.test(lookaside)) throw new SignetError('INVALID_INPUT', `${lookaside} is a web server; Signet writes simple signatures to a directory (lookaside-staging) and publishes that directory.`);
        const lookasideDirectory = lookaside.startsWith('file://') ? fileURLToPath(lookaside) : lookaside;
        const pgp = await services.keys.pgpSigner(input.key);
        const reference = `${saved.host}/${input.repository}${input.expectedTag ? `:${input.expectedTag}` : ''}`;
        for (const [i, target] of targets.entries()) {
          ctx.progress(i, targets.length, `Signing ${target.platform ?? 'the image'} (${target.digest.slice(0, 19)}…)`);
          const made = await signSimple(pgp, reference, target.digest, `${APP_NAME} ${APP_VERSION}`, new Date());
          const file = await writeLookaside(lookasideDirectory, input.repository, target.digest, made.message);
          await services.audit.append('image.signed', `Simple-signed ${reference}@${target.digest.slice(0, 19)}…${target.platform ? ` (${target.platform})` : ''} with "${input.key}"`, { digest: target.digest, key: input.key, file });
          signed.push({ digest: target.digest, ...(target.platform ? { platform: target.platform } : {}), where: file });
          first ??= { tag: path.basename(path.dirname(file)), payload: made.payload, file };
        }
      } else {
        const signer = await resolveSigner(services, input.key, input.pin ? { pin: input.pin } : {});
        for (const [i, target] of targets.entries()) {
          ctx.progress(i, targets.length, `Signing ${target.platform ?? 'the image'} (${target.digest.slice(0, 19)}…)`);
          const result = await signCosign({ source, registryHost: saved.kind === 'oci-layout' ? 'oci-layout' : saved.host, repository: input.repository, digest: target.digest, signer, ...(input.annotations ? { annotations: input.annotations } : {}) });
          await services.audit.append('image.signed', `Signed ${input.repository}@${target.digest.slice(0, 19)}…${target.platform ? ` (${target.platform})` : ''} in cosign format with "${input.key}"`, { digest: target.digest, key: input.key, tag: result.tag, ...signerDetails(signer) });
          signed.push({ digest: target.digest, ...(target.platform ? { platform: target.platform } : {}), where: `${input.repository}:${result.tag}` });
          first ??= { tag: result.tag, payload: result.payload, signatureManifest: result.signatureManifest };
        }
      }
      ctx.progress(targets.length, targets.length, `Signed ${signed.length} manifest(s)`);
      return { ...(first as NonNullable<typeof first>), signed };
    },
  };
}
