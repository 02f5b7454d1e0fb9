import type { SignatureReport } from '../../../../shared/models/signatures';
import { openLookaside } from '../lookaside/store';
import { signSimple, verifySimple, writeLookaside } from '../simple';
import { expiryCheck } from '../trusted';
import { noTrustedKey, type SignatureFormat } from './format';

/** containers/image simple signing: binary OpenPGP messages at `<lookaside>/<repository>@sha256=<hex>/signature-N`. */
export const simpleFormat: SignatureFormat = {
  id: 'simplesigning',
  async verifyAll(ctx) {
    if (!ctx.lookaside) return [];
    const out: SignatureReport[] = [];
    for (const file of await openLookaside(ctx.lookaside).read(ctx.repository, ctx.digest)) {
      const v = await verifySimple(file.bytes, ctx.digest, ctx.trust.pgp, ctx.reference);
      const unsigned = !v.signer && /No trusted key|not signed|not a readable|Not a binary/.test(v.reason);
      const expiry = v.signer ? expiryCheck(ctx.trust.pgp.find((k) => k.name === v.signer)?.window, v.timestamp !== undefined ? new Date(v.timestamp * 1000) : undefined) : noTrustedKey;
      out.push({
        format: 'simplesigning',
        storage: file.location,
        ...(v.signer ? { signer: v.signer } : {}),
        ...(v.keyId ? { fingerprint: v.keyId } : {}),
        algorithm: 'openpgp',
        ...(v.identity ? { identity: v.identity } : {}),
        annotations: v.creator ? { creator: v.creator } : {},
        payload: '',
        signature: file.bytes.toString('base64').slice(0, 65_536),
        ...(v.timestamp !== undefined ? { timestamp: v.timestamp } : {}),
        checks: [
          { name: 'signature', status: v.signer ? 'passed' : 'failed', reason: v.signer ? `Signed by ${v.signer}.` : v.reason },
          { name: 'key trust', status: v.signer ? 'passed' : 'not-checked', reason: v.signer ? `${v.signer} is trusted here.` : 'No trusted key matched.' },
          { name: 'digest binding', status: v.ok ? 'passed' : v.signer ? 'failed' : 'not-checked', reason: v.ok ? `The payload names ${ctx.digest}.` : v.signer ? v.reason : 'The payload is not read before the signature verifies.' },
          { name: 'identity', status: v.ok && ctx.reference ? 'passed' : 'not-checked', reason: v.identity ? `The payload names ${v.identity}.` : 'Not read.' },
          expiry,
        ],
        verdict: v.ok && expiry.status !== 'failed' ? 'verified' : v.ok || unsigned ? 'signed-untrusted' : 'failed',
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
