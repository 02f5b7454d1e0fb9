import { fileURLToPath } from 'node:url';
import { SignetError } from '../../../../shared/errors';
import { chooseLookaside } from '../lookaside/choose';
import { refuseNotationOptions } from './signing-setup';
import type { SignatureReport } from '../../../../shared/models/signatures';
import { openLookaside, type LookasideEntry } from '../lookaside/store';
import { lookasideDir, readLookaside, signSimple, writeLookaside } from '../simple';
import { parseReference } from '../../registry/reference';
import { ATOMIC_OFFLINE } from './offline-json';
import type { OfflineWay, SignatureFormat, VerifyContext } from './format';
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
/** An air-gapped simple signature: signed by an OpenPGP key, stored as the next signature-N in a lookaside directory. */
const simpleOffline: OfflineWay = {
  ...ATOMIC_OFFLINE,
  async attach(ctx, item, _payload, signature) {
    if (!ctx.lookaside) return { result: 'not-attached', detail: 'Give a lookaside directory to store simple signatures in.' };
    const { repository } = parseReference(item.repository);
    const existing = await readLookaside(ctx.lookaside, repository, item.digest);
    if (existing.some((e) => e.bytes.equals(signature)))
      return { result: 'already-present', detail: lookasideDir(ctx.lookaside, repository, item.digest) };
    return { result: 'attached', detail: await writeLookaside(ctx.lookaside, repository, item.digest, signature) };
  },
};

export const simpleFormat: SignatureFormat = {
  id: 'simplesigning',
  offline: simpleOffline,
  async setUpSigning(input, { services, saved, imageReference }) {
    refuseNotationOptions(input);
    if (input.algorithm)
      throw new SignetError(
        'INVALID_INPUT',
        'Simple signatures are OpenPGP signatures: the key decides the algorithm; --algorithm is for cosign signatures.',
      );
    const lookaside = (await chooseLookaside(input, saved, imageReference, true))?.url;
    if (!lookaside)
      throw new SignetError(
        'INVALID_INPUT',
        'Simple signing needs a lookaside directory to store the signature in (or a registries.d that names one).',
      );
    if (/^https?:\/\//i.test(lookaside))
      throw new SignetError(
        'INVALID_INPUT',
        `${lookaside} is a web server; Signet writes simple signatures to a directory (lookaside-staging) and publishes that directory.`,
      );
    const pgp = await services.keys.pgpSigner(input.key);
    return {
      ctx: { pgp, lookasideDirectory: lookaside.startsWith('file://') ? fileURLToPath(lookaside) : lookaside },
      signer: {
        signer: pgp.fingerprint,
        fingerprint: pgp.fingerprint,
        algorithm: 'openpgp',
        ...(pgp.userIds[0] ? { keyName: pgp.userIds[0] } : {}),
        ...(pgp.signingSubkey ? { signingSubkey: pgp.signingSubkey } : {}),
      },
    };
  },
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
