import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignetError } from '../../../shared/errors';
import type { DeletePlan, SignatureReport } from '../../../shared/models/signatures';
import { findCosignLayer, removeCosignLayer } from './cosign';
import type { VerifyContext } from './formats/format';
import { removeReferrer } from './notation/store';
import { lookasideDir, readLookaside, removeLookaside } from './simple';
import { pemSpkiSha256 } from '../signing/spki';

const MAX_EXPORT_BYTES = 4 * 1024 * 1024;

/** The signature with this id among an image's signatures and attestations; refused when none (or, by a rare collision, two) match. */
export function findSignature(all: readonly SignatureReport[], id: string): SignatureReport {
  const matches = all.filter((s) => s.id === id);
  if (matches.length === 0)
    throw new SignetError(
      'NOT_FOUND',
      `No signature ${id} on this image (look again: it may have been deleted, or be stored somewhere not looked at).`,
    );
  if (matches.length > 1) throw new SignetError('CONFLICT', `${matches.length} signatures share the id ${id}; nothing was deleted.`);
  return matches[0] as SignatureReport;
}

/** A writable lookaside directory for a delete: a directory or file:// URL (http(s) lookaside is read-only). */
function lookasideBase(ctx: VerifyContext): string {
  const url = ctx.lookaside?.url;
  if (!url) throw new SignetError('INVALID_INPUT', 'No lookaside is configured for this image; nothing was deleted.');
  if (/^https?:\/\//i.test(url))
    throw new SignetError(
      'UNSUPPORTED',
      `${url} is read-only lookaside storage (a web server): delete the file in the lookaside-staging directory it is published from.`,
    );
  return url.startsWith('file://') ? fileURLToPath(url) : url;
}

/**
 * What deleting one signature will do, and everything it removes as an export file (JSON with
 * the stored bytes in base64), so it can be kept or attached again.
 */
export async function planDelete(ctx: VerifyContext, s: SignatureReport): Promise<DeletePlan> {
  const h = s.handle;
  if (!h || !s.id) throw new SignetError('UNSUPPORTED', 'This signature cannot be named for deletion.');
  let what: string;
  let raw: Record<string, unknown>;
  let remaining: number | undefined;
  if (h.kind === 'cosign-layer') {
    const layer = await findCosignLayer(ctx.source, ctx.repository, ctx.digest, h.layer, s.signature);
    if (!layer) throw new SignetError('NOT_FOUND', `${h.tag} no longer holds that signature.`);
    const layers = (await ctx.source.manifest(ctx.repository, h.tag)).parsed.layers.length;
    remaining = layers - 1;
    what = remaining
      ? `Remove the layer ${h.layer} from the signature image ${h.tag} and push it again; ${remaining} other signature${remaining === 1 ? '' : 's'} stay in it.`
      : `It is the only signature in ${h.tag}: the signature image is deleted.`;
    const payload = await ctx.source.blob(ctx.repository, layer.digest, MAX_EXPORT_BYTES);
    raw = { tag: h.tag, layer, payloadBase64: payload.toString('base64') };
  } else if (h.kind === 'referrer') {
    const manifest = await ctx.source.manifest(ctx.repository, h.manifest);
    const layers = [];
    for (const l of manifest.parsed.layers.slice(0, 4))
      layers.push({
        descriptor: l,
        base64:
          l.size <= MAX_EXPORT_BYTES ? (await ctx.source.blob(ctx.repository, l.digest, MAX_EXPORT_BYTES)).toString('base64') : undefined,
      });
    const listed = await ctx.referrers();
    remaining = listed.descriptors.filter((d) => d.digest !== h.manifest).length;
    what = `Delete the ${s.format === 'notation' ? 'Notation signature' : 'Sigstore bundle'} manifest ${h.manifest}${listed.source === 'tag-schema' ? ` and unlist it from the referrers index ${ctx.digest.replace(':', '-')}` : ''}; ${remaining} other referrer${remaining === 1 ? '' : 's'} of the image stay.`;
    raw = { manifest: { digest: h.manifest, mediaType: manifest.mediaType, base64: manifest.bytes.toString('base64') }, layers };
  } else if (h.kind === 'lookaside') {
    const base = lookasideBase(ctx);
    const files = await readLookaside(base, ctx.repository, ctx.digest);
    const at = files.findIndex((f) => createHash('sha256').update(f.bytes).digest('hex') === h.sha256);
    if (at < 0) throw new SignetError('NOT_FOUND', 'The lookaside no longer holds that signature.');
    const dir = lookasideDir(base, ctx.repository, ctx.digest);
    const later = files.slice(at + 1).map((f) => f.name);
    remaining = files.length - 1;
    what = `Delete ${dir}/${files[at]!.name}${later.length ? ` and renumber ${later.join(', ')} down by one (containers/image reads signature-1, -2, … until the first gap)` : ''}.`;
    raw = { directory: dir, name: files[at]!.name, base64: files[at]!.bytes.toString('base64') };
  } else {
    if (!ctx.asc) throw new SignetError('INVALID_INPUT', 'No object storage was given for this image; nothing was deleted.');
    const bytes = Buffer.from(await ctx.asc.get(h.key));
    if (createHash('sha256').update(bytes).digest('hex') !== h.sha256)
      throw new SignetError('CONFLICT', `${ctx.asc.url(h.key)} changed; look again.`);
    remaining = 0;
    what = `Delete the object ${ctx.asc.url(h.key)}.`;
    raw = { key: h.key, url: ctx.asc.url(h.key), base64: bytes.toString('base64') };
  }
  const exported = {
    signet: 'deleted-signature',
    version: 1,
    image: { registry: ctx.registryLabel, repository: ctx.repository, digest: ctx.digest },
    signature: {
      id: s.id,
      format: s.format,
      storage: s.storage,
      handle: h,
      ...(s.signer ? { signer: s.signer } : {}),
      ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
      ...(s.date ? { date: s.date } : {}),
      annotations: s.annotations,
      payload: s.payload,
      signature: s.signature,
    },
    stored: raw,
  };
  return {
    id: s.id,
    format: s.format,
    storage: s.storage,
    ...(s.signer ? { signer: s.signer } : {}),
    ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
    what,
    ...(remaining !== undefined ? { remaining } : {}),
    export: `${JSON.stringify(exported, null, 2)}\n`,
  };
}

/** Deletes exactly that signature where it is stored; returns a sentence of what was done. */
export async function performDelete(ctx: VerifyContext, s: SignatureReport): Promise<string> {
  const h = s.handle;
  if (!h) throw new SignetError('UNSUPPORTED', 'This signature cannot be named for deletion.');
  if (h.kind === 'cosign-layer') {
    const r = await removeCosignLayer(ctx.source, ctx.repository, ctx.digest, h.layer, s.signature, ctx.lockDirectory);
    return r.imageDeleted
      ? `Deleted the signature image ${r.tag} (it held only this signature).`
      : `Removed the signature from ${r.tag}; ${r.remaining} remain.`;
  }
  if (h.kind === 'referrer') {
    const r = await removeReferrer(ctx.source, ctx.repository, ctx.digest, h.manifest);
    return `Deleted the signature manifest ${h.manifest} (${r.where}); ${r.remaining} referrer(s) remain.`;
  }
  if (h.kind === 'lookaside') {
    const r = await removeLookaside(lookasideBase(ctx), ctx.repository, ctx.digest, h.sha256);
    return `Deleted ${r.removed}${r.renumbered.length ? `; renumbered ${r.renumbered.map((m) => `${m.from} → ${m.to}`).join(', ')}` : ''}; ${r.remaining} remain.`;
  }
  if (!ctx.asc) throw new SignetError('INVALID_INPUT', 'No object storage was given for this image; nothing was deleted.');
  const now = Buffer.from(await ctx.asc.get(h.key));
  if (createHash('sha256').update(now).digest('hex') !== h.sha256)
    throw new SignetError('CONFLICT', `${ctx.asc.url(h.key)} changed while it was being deleted; nothing was deleted.`);
  await ctx.asc.delete(h.key);
  return `Deleted ${ctx.asc.url(h.key)}.`;
}

/** The fingerprint a "delete by key" matches: a hex fingerprint as given, a Signet key's, or a trust entry's (by id or name). */
export async function resolveKeyFingerprint(
  keys: {
    get(
      idOrName: string,
    ): Promise<{ name: string; spkiSha256?: string | undefined; pgpFingerprint?: string | undefined; publicKeyPem?: string | undefined }>;
  },
  trustEntries: ReadonlyArray<{ id: string; name: string; fingerprint: string }>,
  key: string,
): Promise<{ fingerprint: string; name?: string }> {
  if (/^[0-9A-Fa-f]{16,128}$/.test(key)) return { fingerprint: key.toLowerCase() };
  const own = await keys.get(key).catch(() => undefined);
  if (own) {
    const fp = own.spkiSha256 ?? own.pgpFingerprint ?? (own.publicKeyPem ? pemSpkiSha256(own.publicKeyPem) : undefined);
    if (fp) return { fingerprint: fp.toLowerCase(), name: own.name };
  }
  const entry = trustEntries.find((e) => e.id === key) ?? trustEntries.find((e) => e.name === key);
  if (entry) return { fingerprint: entry.fingerprint.toLowerCase(), name: entry.name };
  throw new SignetError(
    'NOT_FOUND',
    `No Signet key or trust entry is named ${JSON.stringify(key.slice(0, 100))}; give a key name, a trust entry or a fingerprint.`,
  );
}

/** Whether a signature was made by the key with this fingerprint (lower-case hex). */
export const madeBy = (s: SignatureReport, fingerprint: string) =>
  s.fingerprint?.toLowerCase() === fingerprint || s.keySpki?.toLowerCase() === fingerprint;
