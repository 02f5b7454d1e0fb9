import { SignetError } from '../../../../shared/errors';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { ascObjectKey, readAsc } from '../asc';
import { verifySimple } from '../simple';
import { expiryCheck, type TrustedPgpKey } from '../trusted';
import { noTrustedKey, type SignatureFormat } from './format';

/** A Huawei SWR .asc file, verified like a simple signature; the key it names must be the key that signed. */
export async function ascReport(bytes: Uint8Array, location: string, digest: string, trusted: readonly TrustedPgpKey[], reference?: string): Promise<SignatureReport> {
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
  const expiry = v.signer ? expiryCheck(trusted.find((k) => k.name === v.signer)?.window, v.timestamp !== undefined ? new Date(v.timestamp * 1000) : undefined) : noTrustedKey;
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

/** Huawei SWR `{sha256}.asc` files in object storage at `{namespace}/{repo}/{sha256}.asc`. Made by payload.sign and uploaded by storage calls. */
export const ascFormat: SignatureFormat = {
  id: 'asc',
  async verifyAll(ctx) {
    if (!ctx.asc) return [];
    const key = ascObjectKey(ctx.repository, ctx.digest);
    if (!(await ctx.asc.exists(key))) return [];
    return [await ascReport(await ctx.asc.get(key), ctx.asc.url(key), ctx.digest, ctx.trust.pgp, ctx.reference)];
  },
};
