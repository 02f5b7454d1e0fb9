import { SignetError } from '../../../shared/errors';
import type { LookedPlace, SignatureReport, VerificationReport } from '../../../shared/models/signatures';
import { VERDICT_SENTENCES } from '../../../shared/models/verdict';
import { parseNormalizedNamed, refString, tagNameOnly } from '../trust/docker-reference';

/**
 * The image as identities and trust scopes see it: the reference the user gave (it must name this
 * repository), or `host/repository@digest`.
 */
export function imageReferenceFor(host: string, repository: string, digest: string, given?: string): string {
  const byDigest = `${host}/${repository}@${digest}`;
  if (!given) return byDigest;
  try {
    const ref = tagNameOnly(parseNormalizedNamed(given));
    const own = parseNormalizedNamed(byDigest);
    if (ref.name !== own.name) throw new SignetError('INVALID_INPUT', `${given.slice(0, 200)} names ${ref.name}, not ${own.name}.`);
    if (ref.digest && ref.digest !== digest)
      throw new SignetError('INVALID_INPUT', `${given.slice(0, 200)} names another digest than ${digest}.`);
    return refString(ref);
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('INVALID_INPUT', `${given.slice(0, 200)} is not an image reference.`);
  }
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * The image's verdict from its signatures (attestations never count): verified when any
 * signature is, refused when one is refused, untrusted when only untrusted keys signed, unknown
 * when the only signatures are in a format Signet cannot verify yet or a place could not be
 * read, and unsigned only when every place was read and held nothing — saying where it looked.
 */
export function imageVerdict(
  signatures: readonly SignatureReport[],
  looked: readonly LookedPlace[],
): Pick<VerificationReport, 'verdict' | 'code' | 'reason'> {
  const by = (v: SignatureReport['verdict']) => signatures.filter((s) => s.verdict === v).length;
  const unreadable = looked.filter((l) => l.outcome === 'unreadable');
  const places = looked
    .map(
      (l) =>
        `${l.place}: ${l.outcome === 'unreadable' ? `could not be read (${l.reason ?? 'error'})` : l.outcome === 'found' ? 'found' : 'nothing'}`,
    )
    .join('; ');
  if (by('verified'))
    return { verdict: 'verified', code: 'VERIFIED', reason: `${count(by('verified'), 'signature')} verified with a trusted key.` };
  if (by('failed')) return { verdict: 'failed', code: 'FAILED', reason: `${count(by('failed'), 'signature')} refused; none verified.` };
  if (by('signed-untrusted'))
    return {
      verdict: 'signed-untrusted',
      code: 'SIGNED_UNTRUSTED',
      reason: `${count(by('signed-untrusted'), 'signature')}, by no key trusted for this image.`,
    };
  if (by('not-verifiable'))
    return {
      verdict: 'unknown',
      code: 'NOT_VERIFIABLE',
      reason: `${count(by('not-verifiable'), 'signature')} that Signet cannot verify (a Notation signature that needs a verification plugin). ${VERDICT_SENTENCES.NOT_VERIFIABLE}`,
    };
  if (unreadable.length)
    return { verdict: 'unknown', code: 'PLACE_UNREADABLE', reason: `${VERDICT_SENTENCES.PLACE_UNREADABLE} Looked at: ${places}.` };
  return { verdict: 'unsigned', code: 'UNSIGNED', reason: `No signature was found. Looked at: ${places}.` };
}
