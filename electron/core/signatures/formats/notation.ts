import { SignetError } from '../../../../shared/errors';
import type { SignatureCheck, SignatureReport } from '../../../../shared/models/signatures';
import type { Descriptor } from '../../registry/media';
import { ENVELOPE_MEDIA_TYPES } from '../notation/envelope';
import { defaultNotationTrust, type NotationTrust } from '../notation/trust';
import { verifyNotation } from '../notation/verify';
import { notationSignerAlgorithm, parseDuration, signNotation } from '../notation/sign';
import { KMS_ALGORITHMS, type KmsAlgorithm } from '../../../../shared/models/kms';
import { redactPin } from '../../pkcs11/uri';
import { keySigner, signerDetails } from './signing-setup';
import type { TargetDescriptor } from '../notation/payload';
import { decide } from './decide';
import { identify } from '../handle';
import type { OfflineWay, SignatureFormat, VerifyContext } from './format';
import { attachNotationSignature, notationSigningInput, readNotationSigningInput } from '../notation/offline';
import { parseReference } from '../../registry/reference';

const KMS_ALGORITHM_SET: ReadonlySet<string> = new Set(KMS_ALGORITHMS);

export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
/** notation-go reads envelopes up to this size. */
const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

const message = (error: unknown) => (error instanceof Error ? error.message.slice(0, 300) : 'unreadable');
const rethrowOffline = (error: unknown) => {
  if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
};

/** The Notation trust a signature on this image is judged by: the policy the context resolved, or Signet's trust store as the CA store. */
function trustFor(ctx: VerifyContext): NotationTrust | { none: string } {
  return (
    ctx.notation ??
    defaultNotationTrust(
      ctx.trust.certificates.map((c) => ({
        store: 'Signet trust store',
        name: c.name,
        der: c.der,
        ...(c.window ? { window: c.window } : {}),
      })),
      ctx.trust.keys.map((k) => ({ name: k.name, spkiSha256: k.fingerprint, ...(k.validity.window ? { window: k.validity.window } : {}) })),
    )
  );
}

function unusable(
  storage: string,
  code: SignatureCheck['code'],
  reason: string,
  trust: NotationTrust | { none: string },
  mediaType = 'unknown',
): SignatureReport {
  const checks: SignatureCheck[] = [{ name: 'signature', status: 'failed', code, reason }];
  return {
    format: 'notation',
    kind: 'signature',
    storage,
    annotations: {},
    payload: '',
    signature: '',
    checks,
    notation: {
      mediaType,
      chain: [],
      timestampToken: false,
      policy:
        'none' in trust
          ? { name: 'none', level: 'strict', source: 'trust-policy', decidingCheck: 'signature' }
          : { ...trust.policy, decidingCheck: 'signature' },
    },
    ...decide(checks),
  };
}

/** One signature manifest: its single envelope layer read and verified against the image's descriptor. */
async function report(
  ctx: VerifyContext,
  image: TargetDescriptor,
  storage: string,
  manifestDigest: string,
  trust: NotationTrust | { none: string },
): Promise<SignatureReport | undefined> {
  const manifest = await ctx.source.manifest(ctx.repository, manifestDigest);
  const parsed = manifest.parsed;
  if (parsed.kind === 'index') return undefined;
  // Both on-wire forms: artifactType with an empty config (notation ≥ 1.2 spec default) or the notary config media type (notation 1.0–1.3).
  const notary =
    parsed.artifactType === NOTATION_ARTIFACT_TYPE
      ? parsed.config?.mediaType === undefined ||
        parsed.config.mediaType === EMPTY_CONFIG ||
        parsed.config.mediaType === NOTATION_ARTIFACT_TYPE
      : parsed.artifactType === undefined && parsed.config?.mediaType === NOTATION_ARTIFACT_TYPE;
  if (!notary) return undefined;
  // A referrer must name this image as its subject (refusal N08): anything else is not a signature of it.
  if (parsed.subject?.digest !== ctx.digest) return undefined;
  if (parsed.layers.length !== 1)
    return unusable(
      storage,
      'SIG_UNREADABLE',
      `The signature manifest has ${parsed.layers.length} layers; a Notation signature has exactly one, the envelope.`,
      trust,
    );
  const layer = parsed.layers[0] as Descriptor;
  if (layer.size > MAX_ENVELOPE_BYTES)
    return unusable(
      storage,
      'SIG_UNREADABLE',
      `The envelope is ${layer.size} bytes; Signet reads at most ${MAX_ENVELOPE_BYTES}.`,
      trust,
      layer.mediaType,
    );
  if ('none' in trust) {
    const checks: SignatureCheck[] = [{ name: 'key trust', status: 'failed', code: 'POLICY_NONE_APPLIES', reason: trust.none }];
    return {
      format: 'notation',
      kind: 'signature',
      storage,
      annotations: {},
      payload: '',
      signature: '',
      checks,
      notation: {
        mediaType: layer.mediaType,
        chain: [],
        timestampToken: false,
        policy: { name: 'none', level: 'strict', source: 'trust-policy', decidingCheck: 'key trust' },
      },
      ...decide(checks),
    };
  }
  const bytes = await ctx.source.blob(ctx.repository, layer.digest, MAX_ENVELOPE_BYTES);
  const result = verifyNotation(bytes, layer.mediaType, image, trust, ctx.now);
  const leaf = result.chain[0];
  const env = result.envelope;
  const signedAnnotations = result.payload?.targetArtifact.annotations ?? {};
  // A signature by one of Signet's own keys that is not trusted: the report offers to trust it.
  const leafSpki = leaf?.spkiSha256;
  const known = result.anchor ? undefined : ctx.trust.known.keys.find((k) => k.fingerprint.toLowerCase() === leafSpki)?.known;
  return {
    format: 'notation',
    kind: 'signature',
    storage,
    ...(leaf ? { signer: leaf.subject, fingerprint: leaf.sha256, ...(leafSpki ? { keySpki: leafSpki } : {}) } : {}),
    ...(known ? { knownKey: known } : {}),
    algorithm: env
      ? `Notation ${env.kind.toUpperCase()} ${env.alg}`
      : `Notation (${(ENVELOPE_MEDIA_TYPES as Record<string, string>)[layer.mediaType] ?? layer.mediaType})`,
    annotations: Object.fromEntries(Object.entries(signedAnnotations).slice(0, 50)),
    payload: env ? env.payload.toString('utf8').slice(0, 65_536) : '',
    signature: env ? env.signature.toString('base64') : '',
    ...(env?.signingTime ? { timestamp: Math.floor(env.signingTime.getTime() / 1000) } : {}),
    judgedAt: {
      ...(result.timestamp
        ? { source: 'rfc3161' as const, at: result.timestamp.genTime.toISOString() }
        : { source: 'now' as const, at: ctx.now.toISOString() }),
      ...(env?.signingTime ? { claimed: Math.floor(env.signingTime.getTime() / 1000) } : {}),
    },
    checks: result.checks,
    notation: { ...result.details, ...(result.anchor ? { anchor: `${result.anchor.name} in ${result.anchor.store}` } : {}) },
    ...decide(result.checks),
  };
}

/**
 * Notation (Notary Project) signatures: found through the referrers API or its `sha256-<hex>`
 * tag schema, in both manifest forms, each envelope (JWS or COSE) verified by notation/verify.ts
 * against the Notation trust policy that applies to the image, or — with none imported — with
 * Signet's trust store certificates as the CA store.
 */
/** An air-gapped Notation item: the envelope's signing input, signed by an X.509 key, attached as a referrer. */
const notationOffline: OfflineWay = {
  key: 'signer',
  payload(image, options) {
    if (!options.notation || image.size === undefined || !image.mediaType)
      throw new SignetError('INVALID_INPUT', 'A Notation item needs the key’s certificate chain and the manifest’s media type and size.');
    const bytes = notationSigningInput(
      options.notation.envelope,
      { mediaType: image.mediaType, digest: image.digest, size: image.size },
      options.notation.chain,
      options.now,
      undefined,
      options.annotations ? { ...options.annotations } : undefined,
    );
    const notation = { envelope: options.notation.envelope, chain: options.notation.chain.map((c) => c.toString('base64')) };
    return { bytes, item: { notation } };
  },
  identity(item, payload) {
    if (!item.notation) throw new SignetError('MALFORMED', `Item ${item.id} is a Notation item without its envelope and chain.`);
    const chain = item.notation.chain.map((c) => Buffer.from(c, 'base64'));
    const read = readNotationSigningInput(item.notation.envelope, payload, chain, item.digest);
    return `${item.repository}@${read.payload.targetArtifact.digest} (Notation ${item.notation.envelope.toUpperCase()}, signing time ${read.signingTime.toISOString()})`;
  },
  async attach(ctx, item, payload, signature) {
    if (!item.notation) return { result: 'not-attached', detail: `Item ${item.id} is a Notation item without its envelope and chain.` };
    const ref = parseReference(item.repository);
    const source = await ctx.sourceFor(ref.registry);
    const chain = item.notation.chain.map((c) => Buffer.from(c, 'base64'));
    const { where, added } = await attachNotationSignature(
      source,
      ref.repository,
      item.digest,
      item.notation.envelope,
      payload,
      chain,
      signature,
    );
    return { result: added ? 'attached' : 'already-present', detail: `${item.repository} (${where})` };
  },
};

export const notationFormat: SignatureFormat = {
  id: 'notation',
  offline: notationOffline,
  async setUpSigning(input, { services }) {
    let signer = await keySigner(services, input);
    if (!input.algorithm && !input.key.startsWith('pkcs11:')) {
      // An RSA key signs PKCS#1 v1.5 by default (cosign's choice); Notation takes PSS only, with the hash its key size calls for.
      const wanted = notationSignerAlgorithm(await signer.publicKeyPem());
      if (wanted && wanted !== signer.describe().algorithm && KMS_ALGORITHM_SET.has(wanted))
        signer = await keySigner(services, input, wanted as KmsAlgorithm);
    }
    // The chain travels with the key in the key list (generated with a test CA, or attached).
    const info = input.certificateChain
      ? { certificateChain: input.certificateChain }
      : await services.keys.get(input.key).catch(() => undefined);
    if (!info?.certificateChain)
      throw new SignetError(
        'INVALID_INPUT',
        `Notation signing needs a key with an X.509 certificate chain; "${redactPin(input.key).slice(0, 100)}" has none (attach one with \`signet key attach-cert\`, or generate an x509 key).`,
      );
    const notation = {
      certificateChain: info.certificateChain,
      envelope: input.envelope ?? 'jws',
      ...(input.expiry ? { expiresInMs: parseDuration(input.expiry) } : {}),
    };
    return { ctx: { signer, notation }, signer: signerDetails(signer) };
  },
  async sign(ctx) {
    if (!ctx.signer) throw new SignetError('INVALID_INPUT', 'Notation signing needs a Signer.');
    if (!ctx.notation) throw new SignetError('INVALID_INPUT', 'Notation signing needs a key with an X.509 certificate chain.');
    const made = await signNotation({
      source: ctx.source,
      repository: ctx.repository,
      digest: ctx.digest,
      signer: ctx.signer,
      certificateChain: ctx.notation.certificateChain,
      envelope: ctx.notation.envelope,
      ...(ctx.notation.expiresInMs ? { expiresInMs: ctx.notation.expiresInMs } : {}),
      ...(ctx.annotations ? { annotations: ctx.annotations } : {}),
      now: ctx.now,
    });
    return {
      where: `${ctx.repository}@${made.signatureManifest} (${made.where})`,
      payload: made.payload,
      tag: made.tag,
      signatureManifest: made.signatureManifest,
    };
  },
  async verifyAll(ctx) {
    const place = `${ctx.registryLabel}/${ctx.repository} referrers of ${ctx.digest}`;
    let referrers;
    try {
      referrers = await ctx.referrers();
    } catch (error) {
      rethrowOffline(error);
      ctx.look({ kind: 'referrers', place, outcome: 'unreadable', reason: message(error) });
      return [];
    }
    const via = referrers.source === 'api' ? 'referrers API' : 'referrers tag schema';
    const candidates = referrers.descriptors.filter((d) => d.artifactType === undefined || d.artifactType === NOTATION_ARTIFACT_TYPE);
    if (!candidates.length) {
      ctx.look({ kind: 'referrers', place: `${place} (${via})`, outcome: 'none', count: referrers.descriptors.length });
      return [];
    }
    let image: TargetDescriptor;
    try {
      const subject = await ctx.source.manifest(ctx.repository, ctx.digest);
      image = { digest: subject.digest, size: subject.bytes.length, mediaType: subject.mediaType };
    } catch (error) {
      rethrowOffline(error);
      ctx.look({ kind: 'referrers', place: `${place}: the image manifest`, outcome: 'unreadable', reason: message(error) });
      return [];
    }
    const trust = trustFor(ctx);
    const found: SignatureReport[] = [];
    for (const d of candidates) {
      const storage = `referrer ${d.digest} (${via})`;
      try {
        const r = await report(ctx, image, storage, d.digest, trust);
        if (r) found.push({ ...r, ...identify({ kind: 'referrer', manifest: d.digest }) });
      } catch (error) {
        rethrowOffline(error);
        ctx.look({ kind: 'referrers', place: `${place}: ${d.digest}`, outcome: 'unreadable', reason: message(error) });
      }
    }
    ctx.look({
      kind: 'referrers',
      place: `${place} (${via})`,
      outcome: found.length ? 'found' : 'none',
      count: referrers.descriptors.length,
    });
    return found;
  },
};
