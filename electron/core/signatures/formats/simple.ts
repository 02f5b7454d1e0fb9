import type { SignatureReport } from '../../../../shared/models/signatures';
import { openLookaside } from '../lookaside/store';
import { signSimple, verifySimple, writeLookaside } from '../simple';
import type { SignatureFormat } from './format';
import { pgpReport } from './pgp-report';

/** containers/image simple signing: binary OpenPGP messages at `<lookaside>/<repository>@sha256=<hex>/signature-N`. */
export const simpleFormat: SignatureFormat = {
  id: 'simplesigning',
  async verifyAll(ctx) {
    if (!ctx.lookaside) return [];
    const out: SignatureReport[] = [];
    for (const file of await openLookaside(ctx.lookaside).read(ctx.repository, ctx.digest)) {
      const v = await verifySimple(file.bytes, ctx.digest, ctx.trust.pgp, ctx.reference);
      const unsigned = !v.signer && /No trusted key|not signed|not a readable|Not a binary/.test(v.reason);
      const report = pgpReport(v, ctx.digest, ctx.trust.pgp, ctx.reference);
      out.push({
        format: 'simplesigning',
        storage: file.location,
        ...report.fields,
        ...(v.keyId ? { fingerprint: v.keyId } : {}),
        algorithm: 'openpgp',
        payload: '',
        signature: file.bytes.toString('base64').slice(0, 65_536),
        checks: report.checks,
        verdict: v.ok && report.inWindow ? 'verified' : v.ok || unsigned ? 'signed-untrusted' : 'failed',
      });
    }
    return out;
  },
  async sign(ctx) {
    if (!ctx.pgp || !ctx.lookasideDirectory) throw new Error('simple signing needs an OpenPGP signer and a lookaside directory');
    const reference = `${ctx.registryHost}/${ctx.repository}${ctx.tag ? `:${ctx.tag}` : ''}`;
    const made = await signSimple(ctx.pgp, reference, ctx.digest, ctx.creator, ctx.now);
    const file = await writeLookaside(ctx.lookasideDirectory, ctx.repository, ctx.digest, made.message);
    return { where: file, payload: made.payload, tag: file.split('/').slice(-2, -1)[0] ?? '', file };
  },
};
