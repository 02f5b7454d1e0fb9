import { SignetError } from '../../../../shared/errors';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { openLookaside, type LookasideEntry } from '../lookaside/store';
import { signSimple, writeLookaside } from '../simple';
import type { SignatureFormat, VerifyContext } from './format';
import { pgpReport } from './pgp-report';
import { bytesSha256, identify } from '../handle';

/** One lookaside file judged for the image: signature, key trust, digest binding, identity and validity. */
export async function judgeSimpleFile(ctx: VerifyContext, file: LookasideEntry): Promise<SignatureReport> {
  const fields = await pgpReport(file.bytes, ctx);
  return {
    format: 'simplesigning',
    ...identify({ kind: 'lookaside', name: file.name, sha256: bytesSha256(file.bytes) }),
    kind: 'signature',
    storage: file.location,
    algorithm: 'openpgp',
    payload: '',
    signature: file.bytes.toString('base64').slice(0, 65_536),
    ...fields,
    ...(file.modified ? { storedAt: file.modified } : {}),
  };
}

/** containers/image simple signing: binary OpenPGP messages at `<lookaside>/<repository>@sha256=<hex>/signature-N`. */
export const simpleFormat: SignatureFormat = {
  id: 'simplesigning',
  async verifyAll(ctx) {
    if (!ctx.lookaside) return [];
    const place = `${ctx.lookaside.url} (${ctx.lookaside.from})`;
    let files;
    try {
      files = await openLookaside(ctx.lookaside.url).read(ctx.repository, ctx.digest);
    } catch (error) {
      if (error instanceof SignetError && error.code === 'OFFLINE') throw error;
      ctx.look({
        kind: 'lookaside',
        place,
        outcome: 'unreadable',
        reason: error instanceof Error ? error.message.slice(0, 300) : 'unreadable',
      });
      return [];
    }
    ctx.look({ kind: 'lookaside', place, outcome: files.length ? 'found' : 'none', count: files.length });
    const out: SignatureReport[] = [];
    for (const file of files) out.push(await judgeSimpleFile(ctx, file));
    return out;
  },
  async sign(ctx) {
    if (!ctx.pgp || !ctx.lookasideDirectory) throw new Error('simple signing needs an OpenPGP signer and a lookaside directory');
    const reference = `${ctx.registryHost}/${ctx.repository}${ctx.tag ? `:${ctx.tag}` : ''}`;
    const made = await signSimple(ctx.pgp, reference, ctx.digest, ctx.creator, ctx.now, ctx.annotations);
    const file = await writeLookaside(ctx.lookasideDirectory, ctx.repository, ctx.digest, made.message);
    return { where: file, payload: made.payload, tag: file.split('/').slice(-2, -1)[0] ?? '', file };
  },
};
