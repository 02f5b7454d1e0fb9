import { SignetError } from '../../../../shared/errors';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { armorMessage, ascDocument, ascObjectKey, readAsc } from '../asc';
import { parseReference } from '../../registry/reference';
import { sameBytes } from '../../storage/object-store';
import { ATOMIC_OFFLINE } from './offline-json';
import type { OfflineWay, SignatureFormat, VerifyContext } from './format';
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
/**
 * An air-gapped .asc item: an OpenPGP signature of the atomic payload, uploaded to
 * `{namespace}/{repo}/{sha256}.asc`; never replaces another file.
 */
const ascOffline: OfflineWay = {
  ...ATOMIC_OFFLINE,
  async attach(ctx, item, _payload, signature) {
    if (!ctx.asc) return { result: 'not-attached', detail: 'Give a storage profile or bucket to upload .asc files to.' };
    const key = ascObjectKey(parseReference(item.repository).repository, item.digest);
    const text = Buffer.from(ascDocument(ctx.signer, signature).text);
    if (await ctx.asc.exists(key)) {
      return sameBytes(await ctx.asc.get(key), text)
        ? { result: 'already-present', detail: ctx.asc.url(key) }
        : { result: 'not-attached', detail: `${ctx.asc.url(key)} already holds another .asc file; it was not replaced.` };
    }
    return { result: 'attached', detail: (await ctx.asc.put(key, text, { contentType: 'application/json' })).url };
  },
};

export const ascFormat: SignatureFormat = {
  id: 'asc',
  offline: ascOffline,
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
