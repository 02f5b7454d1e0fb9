import { createPublicKey } from 'node:crypto';
import { SignetError } from '../../../../shared/errors';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { discoverBundles, verifyBundle } from '../sigstore/bundle';
import { expiryCheck } from '../trusted';
import { noTrustedKey, type SignatureFormat, type VerifyContext } from './format';

/** Key-signed Sigstore bundles attached through the referrers API (or its tag-schema fallback). Read only: Signet does not write bundles. */
export const bundleFormat: SignatureFormat = {
  id: 'sigstore-bundle',
  async verifyAll(ctx: VerifyContext): Promise<SignatureReport[]> {
    let found;
    try {
      found = await discoverBundles(ctx.source, ctx.repository, ctx.digest);
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      return [];
    }
    const keys = ctx.trust.keys;
    const trusted = keys.map((k) => ({ name: k.name, key: createPublicKey(k.pem), fingerprint: k.fingerprint }));
    return found.map((b): SignatureReport => {
      const storage = `referrer ${b.referrer} (${b.via === 'api' ? 'referrers API' : 'referrers tag schema'})`;
      const base = { format: 'sigstore-bundle' as const, storage, payload: '', signature: '', annotations: {} };
      if (!b.bytes) return { ...base, checks: [{ name: 'digest binding', status: 'failed', reason: b.problem ?? 'Unusable referrer.' }], verdict: 'failed' };
      const v = verifyBundle(b.bytes, { digest: ctx.digest, keys: trusted });
      const window = v.signer ? keys.find((k) => k.name === v.signer?.name)?.window : undefined;
      const expiry = v.signer ? expiryCheck(window, v.claimedTime !== undefined ? new Date(v.claimedTime * 1000) : undefined) : noTrustedKey;
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
  },
};
