import { SignetError } from '../../../../shared/errors';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { ascObjectKey, readAsc } from '../asc';
import { verifySimple } from '../simple';
import type { TrustedPgpKey } from '../trusted';
import type { SignatureFormat } from './format';
import { pgpReport } from './pgp-report';

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
  const report = pgpReport(v, digest, trusted, reference, { name: 'key trust', status: v.signer ? (named ? 'failed' : 'passed') : 'not-checked', reason: named ?? (v.signer ? `${v.signer} is trusted here.` : `The file names key ${read.publicKeyId}; no trusted key matched.`) });
  const unsigned = !v.signer && /No trusted key/.test(v.reason);
  return {
    ...base,
    ...report.fields,
    fingerprint: v.keyId ?? read.publicKeyId,
    checks: report.checks,
    verdict: v.ok && !named && report.inWindow ? 'verified' : unsigned || (v.ok && !named) ? 'signed-untrusted' : 'failed',
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
