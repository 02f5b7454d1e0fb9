import { SignetError } from '../../../shared/errors';
import {
  MAX_SIGNATURE_TAGS,
  MAX_SIGNATURE_TAGS_BYTES,
  SIGNATURE_TAGS_ANNOTATION,
  SignatureTags,
  tagsAnnotation,
} from '../../../shared/models/signature-tags';
import type { SignatureReport } from '../../../shared/models/signatures';
import { parseStrictJson } from '../json/strict';
import type { Descriptor } from '../registry/media';
import { updateCosignLayer } from './cosign';
import type { VerifyContext } from './formats/format';
import { updateReferrerDescriptor } from './notation/store';

/** The tags an annotation map carries; undefined when there are none or they cannot be read (never trusted either way). */
export function readTags(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  const text = annotations?.[SIGNATURE_TAGS_ANNOTATION];
  if (text === undefined || text.length > MAX_SIGNATURE_TAGS_BYTES) return undefined;
  try {
    const parsed = SignatureTags.safeParse(parseStrictJson(text, 'The signature tags'));
    return parsed.success && Object.keys(parsed.data).length <= MAX_SIGNATURE_TAGS ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The tags after adding and removing: refused when too many or too large. */
export function changeTags(
  current: Readonly<Record<string, string>>,
  add: Readonly<Record<string, string>>,
  remove: readonly string[],
): Record<string, string> {
  const next: Record<string, string> = { ...current, ...add };
  for (const key of remove) delete next[key];
  if (Object.keys(next).length > MAX_SIGNATURE_TAGS)
    throw new SignetError('TOO_LARGE', `A signature carries at most ${MAX_SIGNATURE_TAGS} tags; nothing was changed.`);
  if (tagsAnnotation(next).length > MAX_SIGNATURE_TAGS_BYTES)
    throw new SignetError('TOO_LARGE', `A signature's tags take at most ${MAX_SIGNATURE_TAGS_BYTES} bytes; nothing was changed.`);
  return next;
}

/** The annotations with these tags written in (or the tags annotation removed when there are none). */
function withTags(
  annotations: Readonly<Record<string, string>> | undefined,
  tags: Readonly<Record<string, string>>,
): Record<string, string> {
  const out = { ...(annotations ?? {}) };
  if (Object.keys(tags).length) out[SIGNATURE_TAGS_ANNOTATION] = tagsAnnotation(tags);
  else delete out[SIGNATURE_TAGS_ANNOTATION];
  return out;
}

/**
 * Adds and removes tags on one signature's descriptor in the registry: its layer in the cosign
 * signature image, or its entry in the referrers index. Each change is applied to what is there
 * when it is written (read again before the write, and after it), so concurrent writers keep
 * their signatures and their tags.
 */
export async function tagSignature(
  ctx: VerifyContext,
  s: SignatureReport,
  add: Readonly<Record<string, string>>,
  remove: readonly string[],
): Promise<{ tags: Record<string, string>; where: string }> {
  const h = s.handle;
  const mutate = (d: Descriptor): Descriptor => {
    const annotations = withTags(d.annotations, changeTags(readTags(d.annotations) ?? {}, add, remove));
    const { annotations: _old, ...rest } = d;
    return Object.keys(annotations).length ? { ...rest, annotations } : rest;
  };
  if (h?.kind === 'cosign-layer') {
    const d = await updateCosignLayer(ctx.source, ctx.repository, ctx.digest, h.layer, s.signature, mutate, ctx.lockDirectory);
    return { tags: readTags(d.annotations) ?? {}, where: `layer ${h.layer} of ${h.tag}` };
  }
  if (h?.kind === 'referrer') {
    const d = await updateReferrerDescriptor(ctx.source, ctx.repository, ctx.digest, h.manifest, mutate);
    return {
      tags: readTags(d.annotations) ?? {},
      where: `the entry of ${h.manifest} in the referrers index ${ctx.digest.replace(':', '-')}`,
    };
  }
  throw new SignetError(
    'UNSUPPORTED',
    `A ${s.format} signature has no descriptor in the registry to carry tags (only cosign signatures, Notation signatures and Sigstore bundles do); nothing was changed.`,
  );
}
