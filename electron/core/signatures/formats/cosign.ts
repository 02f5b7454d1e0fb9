import { SignetError } from '../../../../shared/errors';
import type { SignatureCheck, SignatureReport } from '../../../../shared/models/signatures';
import { checkCosignPayload, readCosignSignatureImage, signatureTag, signCosign, verifyWithKey, type CosignSignature } from '../cosign';
import { entryLabel, noTrustedKeyExpiry, validityCheck } from '../trusted';
import { decide, identifyUntrusted, untrustedKeyCheck } from './decide';
import { identify } from '../handle';
import { readTags } from '../tags';

const withReadTags = (annotations: Record<string, string>) => {
  const tags = readTags(annotations);
  return tags ? { tags } : {};
};
import type { OfflineWay, SignatureFormat, VerifyContext } from './format';
import { attachCosignSignature } from '../cosign';
import { parseReference } from '../../registry/reference';
import { COSIGN_TYPE, cosignOfflinePayload, jsonPayloadIdentity } from './offline-json';
import { keySigner, refuseNotationOptions, signerDetails } from './signing-setup';

/**
 * One cosign signature judged for the image: the strict payload and its digest binding, the signature with the trusted keys (the first
 * that verifies decides; the others are not tried), key trust and validity. What the Signatures tab and `signet verify` show.
 */
export function judgeCosignSignature(
  ctx: Pick<VerifyContext, 'digest' | 'trust' | 'now'>,
  storage: string,
  sig: CosignSignature,
): SignatureReport {
  const payload = checkCosignPayload(sig.payload, ctx.digest);
  const signatureB64 = sig.signature.toString('base64');
  let trusted: { k: (typeof ctx.trust.keys)[number]; algorithm: string } | undefined;
  for (const k of ctx.trust.keys) {
    const algorithm = verifyWithKey(k.pem, sig.payload, sig.signature);
    if (algorithm) {
      trusted = { k, algorithm };
      break;
    }
  }
  const other = trusted
    ? undefined
    : identifyUntrusted(
        ctx.trust,
        (t) => t.keys,
        (k) => verifyWithKey(k.pem, sig.payload, sig.signature) !== undefined,
      );
  const signer = trusted?.k ?? other?.key;
  const checks: SignatureCheck[] = [
    { name: 'digest binding', status: payload.ok ? 'passed' : 'failed', code: payload.code, reason: payload.reason },
    signer
      ? { name: 'signature', status: 'passed', code: 'SIG_VALID', reason: `Verifies with ${signer.name}.` }
      : ctx.trust.keys.length
        ? {
            name: 'signature',
            status: 'failed',
            code: 'SIG_UNKNOWN_KEY',
            reason: 'Does not verify with any trusted key (signed by an unknown key, or altered).',
          }
        : {
            name: 'signature',
            status: 'failed',
            code: 'SIG_NO_TRUSTED_KEYS',
            reason: 'No trusted public key to check it with: add the signer’s public key to the trust store.',
          },
    trusted
      ? {
          name: 'key trust',
          status: 'passed',
          code: 'KEY_TRUSTED',
          reason: `${entryLabel(trusted.k.name)} is in the trust store for this image.`,
        }
      : other
        ? untrustedKeyCheck(other.code, other.key.name)
        : { name: 'key trust', status: 'not-checked', code: 'KEY_NOT_CHECKED', reason: 'No trusted key matched.' },
    payload.identity !== undefined
      ? {
          name: 'identity',
          status: 'not-checked',
          code: 'IDENTITY_NOT_BOUND',
          reason: `The payload claims ${payload.identity}; cosign binds the digest, not the name.`,
        }
      : {
          name: 'identity',
          status: 'not-checked',
          code: 'IDENTITY_NOT_CHECKED',
          reason: 'Not read: the payload itself is refused (see digest binding).',
        },
    trusted ? validityCheck(trusted.k.validity, undefined, ctx.now) : noTrustedKeyExpiry,
  ];
  const knownKey = other && 'known' in other.key ? (other.key as { known: { id: string; name: string } }).known : undefined;
  return {
    format: 'cosign',
    ...identify({ kind: 'cosign-layer', tag: signatureTag(ctx.digest), layer: sig.layerDigest }, signatureB64),
    kind: 'signature',
    storage,
    ...(signer
      ? {
          signer: signer.name,
          fingerprint: signer.fingerprint,
          algorithm: (trusted?.algorithm ?? verifyWithKey(signer.pem, sig.payload, sig.signature)) as string,
        }
      : {}),
    ...(payload.identity ? { identity: payload.identity } : {}),
    ...(knownKey ? { knownKey } : {}),
    annotations: payload.annotations ?? {},
    ...withReadTags(sig.annotations),
    ...(payload.timestamp !== undefined ? { timestamp: payload.timestamp } : {}),
    payload: sig.payload.toString('utf8').slice(0, 65_536),
    signature: signatureB64,
    judgedAt: { source: 'now', at: ctx.now.toISOString(), ...(payload.timestamp !== undefined ? { claimed: payload.timestamp } : {}) },
    checks,
    ...decide(checks),
  };
}

/** cosign's key-based signatures: the simple-signing payload in the `sha256-<hex>.sig` signature image. */
/** An air-gapped cosign item: signed by a signing key, stored beside the image as a layer of its .sig image. */
const cosignOffline: OfflineWay = {
  key: 'signer',
  payload: cosignOfflinePayload,
  identity: (item, payload) => jsonPayloadIdentity(item, payload, COSIGN_TYPE),
  async attach(ctx, item, payload, signature) {
    const ref = parseReference(item.repository);
    const source = await ctx.sourceFor(ref.registry);
    const { tag, added } = await attachCosignSignature(source, ref.repository, item.digest, payload, signature, ctx.lockDirectory);
    return { result: added ? 'attached' : 'already-present', detail: `${item.repository}:${tag}` };
  },
};

export const cosignFormat: SignatureFormat = {
  id: 'cosign',
  offline: cosignOffline,
  async setUpSigning(input, { services }) {
    refuseNotationOptions(input);
    const signer = await keySigner(services, input);
    return { ctx: { signer }, signer: signerDetails(signer) };
  },
  async verifyAll(ctx) {
    const storage = `${ctx.registryLabel}/${ctx.repository}:${signatureTag(ctx.digest)}`;
    let found: CosignSignature[];
    try {
      const image = await readCosignSignatureImage(ctx.source, ctx.repository, ctx.digest);
      found = image.signatures;
      // A layer that is there but cannot be read as a signature is never "nothing here".
      for (const u of image.unusable)
        ctx.look({
          kind: 'cosign-tag',
          place: `${storage} layer ${u.layerDigest}`,
          outcome: 'unreadable',
          reason: `The signature image holds ${u.reason}.`,
        });
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      ctx.look({
        kind: 'cosign-tag',
        place: storage,
        outcome: 'unreadable',
        reason: error instanceof SignetError ? error.message : 'The signature image could not be read.',
      });
      return [];
    }
    ctx.look({ kind: 'cosign-tag', place: storage, outcome: found.length ? 'found' : 'none', count: found.length });
    return found.map((sig) => judgeCosignSignature(ctx, storage, sig));
  },
  async sign(ctx) {
    if (!ctx.signer) throw new Error('cosign signing needs a Signer');
    const result = await signCosign({
      source: ctx.source,
      registryHost: ctx.registryHost,
      repository: ctx.repository,
      digest: ctx.digest,
      signer: ctx.signer,
      ...(ctx.annotations ? { annotations: ctx.annotations } : {}),
      now: ctx.now,
      ...(ctx.lockDirectory ? { lockDirectory: ctx.lockDirectory } : {}),
    });
    return {
      where: `${ctx.repository}:${result.tag}`,
      payload: result.payload,
      tag: result.tag,
      signatureManifest: result.signatureManifest,
    };
  },
};
