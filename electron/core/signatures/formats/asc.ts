import { SignetError } from '../../../../shared/errors';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { armorMessage, ascObjectKey, readAsc } from '../asc';
import type { SignatureFormat, VerifyContext } from './format';
import { pgpReport } from './pgp-report';
import { bytesSha256, identify } from '../handle';

/** A Huawei SWR .asc file, verified like a simple signature; the key it names must be the key that signed. */
export async function ascReport(bytes: Uint8Array, location: string, ctx: VerifyContext): Promise<SignatureReport> {
  const base = {
    format: 'asc' as const,
    kind: 'signature' as const,
    storage: location,
    algorithm: 'openpgp',
    payload: '',
    signature: Buffer.from(bytes).toString('utf8').slice(0, 65_536),
  };
  let read: ReturnType<typeof readAsc>;
  try {
    read = readAsc(bytes);
  } catch (error) {
    const reason = error instanceof SignetError ? error.message : 'The .asc file cannot be read.';
    return {
      ...base,
      annotations: {},
      checks: [{ name: 'signature', status: 'failed', code: 'SIG_UNREADABLE', reason }],
      verdict: 'failed',
      code: 'SIG_UNREADABLE',
    };
  }
  const fields = await pgpReport(read.message, ctx, read.publicKeyId, { swrForm: true });
  // The signature is the armored OpenPGP message inside the file, not the whole .asc JSON.
  return {
    ...base,
    signature: armorMessage(read.message).slice(0, 65_536),
    ...fields,
    ...(fields.fingerprint ? {} : { fingerprint: read.publicKeyId }),
  };
}

/**
 * Huawei SWR `{sha256}.asc` files in object storage at `{namespace}/{repo}/{sha256}.asc`. Made by payload.sign and uploaded by storage
 * calls.
 */
export const ascFormat: SignatureFormat = {
  id: 'asc',
  async verifyAll(ctx) {
    if (!ctx.asc) return [];
    const key = ascObjectKey(ctx.repository, ctx.digest);
    const place = ctx.asc.url(key);
    try {
      if (!(await ctx.asc.exists(key))) {
        ctx.look({ kind: 'bucket', place, outcome: 'none', count: 0 });
        return [];
      }
      const bytes = await ctx.asc.get(key);
      ctx.look({ kind: 'bucket', place, outcome: 'found', count: 1 });
      const modified = Date.parse((await ctx.asc.head(key).catch(() => undefined))?.lastModified ?? '');
      const r = { ...(await ascReport(bytes, place, ctx)), ...identify({ kind: 'object', key, sha256: bytesSha256(bytes) }) };
      return [Number.isFinite(modified) ? { ...r, storedAt: new Date(modified).toISOString() } : r];
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      ctx.look({
        kind: 'bucket',
        place,
        outcome: 'unreadable',
        reason: error instanceof Error ? error.message.slice(0, 300) : 'unreadable',
      });
      return [];
    }
  },
};
