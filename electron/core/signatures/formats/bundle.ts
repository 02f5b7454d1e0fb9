import { createPublicKey } from 'node:crypto';
import { SignetError } from '../../../../shared/errors';
import type { SignatureCheck, SignatureReport } from '../../../../shared/models/signatures';
import type { ReasonCode } from '../../../../shared/models/verdict';
import {
  claimedContent,
  COSIGN_SIGN_PREDICATE,
  discoverBundles,
  verifyBundle,
  type BundleCheck,
  type DiscoveredBundle,
  type TrustedKey,
} from '../sigstore/bundle';
import { noTrustedKeyExpiry, validityCheck, type TrustedPublicKey } from '../trusted';
import { decide, untrustedKeyCheck } from './decide';
import { identify } from '../handle';
import type { SignatureFormat, VerifyContext } from './format';

const asTrusted = (keys: readonly TrustedPublicKey[]): TrustedKey[] =>
  keys.map((k) => ({ name: k.name, key: createPublicKey(k.pem), fingerprint: k.fingerprint }));

function codeOf(c: BundleCheck): ReasonCode {
  if (c.name === 'digest binding') return c.status === 'passed' ? 'DIGEST_MATCH' : 'DIGEST_MISMATCH';
  if (c.name === 'signature') return c.status === 'passed' ? 'SIG_VALID' : 'SIG_UNKNOWN_KEY';
  if (c.name === 'key trust') return c.status === 'passed' ? 'KEY_TRUSTED' : 'KEY_NOT_CHECKED';
  return 'TLOG_NOT_VERIFIED';
}

function report(ctx: VerifyContext, b: DiscoveredBundle, manifest?: Uint8Array): SignatureReport {
  const storage = `referrer ${b.referrer} (${b.via === 'api' ? 'referrers API' : 'referrers tag schema'})`;
  const base = { format: 'sigstore-bundle' as const, storage, payload: '', signature: '', annotations: {} };
  if (!b.bytes) {
    const checks: SignatureCheck[] = [
      { name: 'digest binding', status: 'failed', code: 'REFERRER_UNUSABLE', reason: b.problem ?? 'Unusable referrer.' },
    ];
    return { ...base, kind: 'signature', checks, ...decide(checks) };
  }
  const v = verifyBundle(b.bytes, { digest: ctx.digest, keys: asTrusted(ctx.trust.keys), ...(manifest ? { manifest } : {}) });
  // A bundle that no trusted key verifies may still be by a key trusted elsewhere, or one of Signet's own.
  let other: { name: string; code: 'KEY_OUT_OF_SCOPE' | 'KEY_NOT_TRUSTED'; known?: { id: string; name: string } } | undefined;
  if (!v.signer) {
    for (const [list, code] of [
      [ctx.trust.outOfScope.keys, 'KEY_OUT_OF_SCOPE'],
      [ctx.trust.known.keys, 'KEY_NOT_TRUSTED'],
    ] as const) {
      const w = list.length
        ? verifyBundle(b.bytes, { digest: ctx.digest, keys: asTrusted(list), ...(manifest ? { manifest } : {}) })
        : undefined;
      if (w?.signer) {
        const match = list.find((k) => k.name === w.signer!.name) as
          (TrustedPublicKey & { known?: { id: string; name: string } }) | undefined;
        other = { name: w.signer.name, code, ...(match?.known ? { known: match.known } : {}) };
        break;
      }
    }
  }
  const entry = v.signer ? ctx.trust.keys.find((k) => k.name === v.signer!.name) : undefined;
  const claimed = v.claimedTime !== undefined ? new Date(v.claimedTime * 1000) : undefined;
  const checks: SignatureCheck[] = v.checks.map((c): SignatureCheck => {
    if (c.name === 'transparency log')
      return {
        name: c.name,
        status: 'not-checked',
        code: claimed ? 'TLOG_NOT_VERIFIED' : 'TLOG_NONE',
        reason: claimed
          ? `The bundle claims a log entry integrated at ${claimed.toISOString()}; Signet does not verify its inclusion proof, so that time is not used.`
          : c.reason,
      };
    if (other && c.name === 'signature')
      return { name: c.name, status: 'passed', code: 'SIG_VALID', reason: `Verifies with ${other.name}.` };
    if (other && c.name === 'key trust') return untrustedKeyCheck(other.code, other.name);
    if (c.name === 'signature' && c.status === 'failed' && ctx.trust.keys.length === 0)
      return { name: c.name, status: 'failed', code: 'SIG_NO_TRUSTED_KEYS', reason: 'No trusted public key to check it with.' };
    return { name: c.name, status: c.status, code: codeOf(c), reason: c.reason };
  });
  if (other && !checks.some((c) => c.name === 'key trust')) checks.push(untrustedKeyCheck(other.code, other.name));
  checks.push(entry ? validityCheck(entry.validity, claimed, ctx.now) : noTrustedKeyExpiry);
  // cosign 3 signs an image with a DSSE statement of predicate type cosign/sign/v1; any other statement is an attestation.
  // Verified, the statement's own predicate type decides; unverified, what the bundle claims only sorts it.
  const content = v.content ? { dsse: v.content === 'dsse', predicateType: v.predicateType } : claimedContent(b.bytes);
  const attestation = content.dsse && content.predicateType !== COSIGN_SIGN_PREDICATE;
  if (attestation)
    checks.push({
      name: 'identity',
      status: 'not-checked',
      code: 'ATTESTATION_NOT_SIGNATURE',
      reason: `An attestation (${v.predicateType ?? 'unknown predicate'}): a signed statement about the image, not a signature over it.`,
    });
  return {
    ...base,
    kind: attestation ? 'attestation' : 'signature',
    ...(v.signer ? { signer: v.signer.name, fingerprint: v.signer.fingerprint } : other ? { signer: other.name } : {}),
    ...(other?.known ? { knownKey: other.known } : {}),
    algorithm: v.content === 'dsse' ? `DSSE ${v.predicateType ?? ''}`.trim() : 'message signature',
    annotations: v.annotations,
    payload: b.bytes.toString('utf8').slice(0, 65_536),
    ...(v.claimedTime !== undefined ? { timestamp: v.claimedTime } : {}),
    judgedAt: { source: 'now', at: ctx.now.toISOString(), ...(v.claimedTime !== undefined ? { claimed: v.claimedTime } : {}) },
    checks,
    ...decide(checks),
  };
}

/**
 * Key-signed Sigstore bundles attached through the referrers API (or its tag-schema fallback). Read only: Signet does not write bundles.
 */
export const bundleFormat: SignatureFormat = {
  id: 'sigstore-bundle',
  async verifyAll(ctx: VerifyContext): Promise<SignatureReport[]> {
    let found: DiscoveredBundle[];
    try {
      found = await discoverBundles(
        { referrers: () => ctx.referrers(), manifest: (r, d) => ctx.source.manifest(r, d), blob: (r, d, m) => ctx.source.blob(r, d, m) },
        ctx.repository,
        ctx.digest,
      );
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      ctx.look({
        kind: 'referrers',
        place: `${ctx.registryLabel}/${ctx.repository} referrers of ${ctx.digest} (Sigstore bundles)`,
        outcome: 'unreadable',
        reason: error instanceof Error ? error.message.slice(0, 300) : 'unreadable',
      });
      return [];
    }
    // A messageSignature over an Ed25519 or RSA key is checked over the manifest bytes themselves (digest-checked by the source).
    const manifest = found.some((b) => b.bytes) ? (await ctx.source.manifest(ctx.repository, ctx.digest)).bytes : undefined;
    return found.map((b) => ({ ...report(ctx, b, manifest), ...identify({ kind: 'referrer', manifest: b.referrer }) }));
  },
};
