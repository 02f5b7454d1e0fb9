import { SignetError } from '../../../../shared/errors';
import type { SignatureCheck, SignatureReport } from '../../../../shared/models/signatures';
import { decide } from './decide';
import type { SignatureFormat } from './format';

export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
const ENVELOPES: Record<string, string> = { 'application/jose+json': 'JWS', 'application/cose': 'COSE' };

/**
 * Notation signatures, found through the referrers API or its `sha256-<hex>` tag schema (an
 * artifactType of application/vnd.cncf.notary.signature, or the legacy form's config media type).
 * Signet does not verify them yet: each is reported as present and not verifiable, never as
 * "unsigned", and the image's verdict says so.
 */
export const notationFormat: SignatureFormat = {
  id: 'notation',
  async verifyAll(ctx) {
    const place = `${ctx.registryLabel}/${ctx.repository} referrers of ${ctx.digest}`;
    let referrers;
    try {
      referrers = await ctx.referrers();
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      ctx.look({ kind: 'referrers', place, outcome: 'unreadable', reason: error instanceof Error ? error.message.slice(0, 300) : 'unreadable' });
      return [];
    }
    const via = referrers.source === 'api' ? 'referrers API' : 'referrers tag schema';
    const found: SignatureReport[] = [];
    for (const d of referrers.descriptors) {
      let artifactType = d.artifactType;
      let envelope: string | undefined;
      if (artifactType === undefined || artifactType === NOTATION_ARTIFACT_TYPE) {
        try {
          const manifest = await ctx.source.manifest(ctx.repository, d.digest);
          const parsed = manifest.parsed;
          if (parsed.kind !== 'index') {
            artifactType = parsed.artifactType ?? parsed.config?.mediaType ?? artifactType;
            envelope = parsed.layers[0]?.mediaType;
            if (parsed.subject?.digest !== ctx.digest) continue;
          }
        } catch (error) {
          if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
          ctx.look({ kind: 'referrers', place: `${place}: ${d.digest}`, outcome: 'unreadable', reason: error instanceof Error ? error.message.slice(0, 300) : 'unreadable' });
          continue;
        }
      }
      if (artifactType !== NOTATION_ARTIFACT_TYPE) continue;
      const kind = envelope ? ENVELOPES[envelope] ?? envelope : 'unknown envelope';
      const checks: SignatureCheck[] = [{ name: 'signature', status: 'not-checked', code: 'FORMAT_NOT_VERIFIABLE', reason: `A Notation signature (${kind}) is present; Signet cannot verify Notation signatures yet, so it neither accepts nor refuses it.` }];
      found.push({
        format: 'notation',
        kind: 'signature',
        storage: `referrer ${d.digest} (${via})`,
        algorithm: `Notation ${kind}`,
        annotations: Object.fromEntries(Object.entries(d.annotations ?? {}).filter(([, v]) => typeof v === 'string').slice(0, 20)),
        payload: '',
        signature: '',
        checks,
        ...decide(checks),
      });
    }
    ctx.look({ kind: 'referrers', place: `${place} (${via})`, outcome: found.length ? 'found' : 'none', count: referrers.descriptors.length });
    return found;
  },
};
