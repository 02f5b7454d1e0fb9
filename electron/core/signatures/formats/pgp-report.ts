import type { SignatureCheck, SignatureReport } from '../../../../shared/models/signatures';
import { verifyPgpMessage } from '../openpgp-verify';
import { verifySimple, type SimpleVerdict } from '../simple';
import { entryLabel, noTrustedKeyExpiry, validityCheck, type TrustedPgpKey } from '../trusted';
import { decide, untrustedKeyCheck } from './decide';
import type { VerifyContext } from './format';

type Fields = Pick<SignatureReport, 'checks' | 'verdict' | 'code' | 'annotations' | 'judgedAt'> &
  Partial<Pick<SignatureReport, 'signer' | 'fingerprint' | 'identity' | 'timestamp' | 'knownKey' | 'payload'>>;

/** A key Signet knows but does not trust here (out of scope, or one of its own keys) that made this message's signature. */
async function identifyUntrustedPgp(
  message: Uint8Array,
  ctx: VerifyContext,
): Promise<{ key: TrustedPgpKey; code: 'KEY_OUT_OF_SCOPE' | 'KEY_NOT_TRUSTED'; fingerprint: string } | undefined> {
  for (const [list, code] of [
    [ctx.trust.outOfScope.pgp, 'KEY_OUT_OF_SCOPE'],
    [ctx.trust.known.pgp, 'KEY_NOT_TRUSTED'],
  ] as const) {
    if (!list.length) continue;
    const v = await verifyPgpMessage(message, list, ctx.now);
    if (v.ok && v.index !== undefined) return { key: list[v.index]!, code, fingerprint: v.fingerprint };
  }
  return undefined;
}

/**
 * The report of an OpenPGP-signed atomic payload (simple signing, .asc files): signature, key
 * trust, digest binding, identity and validity, each with its reason code. A format whose file
 * names its key (the .asc PublicKeyID) passes that name, and it must be the key that signed.
 */
export async function pgpReport(
  message: Uint8Array,
  ctx: VerifyContext,
  namedKey?: string,
  options: { swrForm?: boolean } = {},
): Promise<Fields> {
  const v: SimpleVerdict = await verifySimple(
    message,
    ctx.digest,
    ctx.trust.pgp,
    ctx.imageReference,
    ctx.now,
    options.swrForm ? { swrRepository: ctx.repository } : {},
  );
  const untrusted =
    v.stage === 'signature' && (v.code === 'SIG_UNKNOWN_KEY' || v.code === 'SIG_NO_TRUSTED_KEYS')
      ? await identifyUntrustedPgp(message, ctx)
      : undefined;
  const entry = v.index !== undefined ? ctx.trust.pgp[v.index] : undefined;
  const signedBy = v.fingerprint ?? untrusted?.fingerprint;
  const misnamed = namedKey && signedBy && !(signedBy.endsWith(namedKey) || (v.keyId !== undefined && namedKey.endsWith(v.keyId)));
  const claimed = v.timestamp !== undefined ? new Date(v.timestamp * 1000) : v.created;

  const signature: SignatureCheck =
    v.stage === 'signature' && !untrusted
      ? { name: 'signature', status: 'failed', code: v.code, reason: v.reason }
      : {
          name: 'signature',
          status: 'passed',
          code: 'SIG_VALID',
          reason: `Made by ${untrusted?.key.name ?? v.signer}${v.signingSubkey ? ` (${v.fingerprint}, with its signing subkey ${v.signingSubkey})` : v.fingerprint ? ` (${v.fingerprint})` : v.keyId ? ` (key ${v.keyId})` : ''}.`,
        };
  const keyTrust: SignatureCheck = misnamed
    ? { name: 'key trust', status: 'failed', code: 'KEY_NAMED_OTHER', reason: `The file names key ${namedKey}, but ${signedBy} signed it.` }
    : v.stage === 'key'
      ? { name: 'key trust', status: 'failed', code: v.code, reason: v.reason }
      : untrusted
        ? untrustedKeyCheck(untrusted.code, untrusted.key.name)
        : entry
          ? {
              name: 'key trust',
              status: 'passed',
              code: 'KEY_TRUSTED',
              reason: `${entryLabel(entry.name)} is in the trust store for this image and valid now.`,
            }
          : {
              name: 'key trust',
              status: 'not-checked',
              code: 'KEY_NOT_CHECKED',
              reason: namedKey ? `The file names key ${namedKey}; no trusted key matched.` : 'No trusted key matched.',
            };
  const payloadRead = v.stage === 'payload' || v.stage === 'digest' || v.stage === 'identity' || v.stage === 'ok';
  const digestBinding: SignatureCheck =
    v.stage === 'payload' || v.stage === 'digest'
      ? { name: 'digest binding', status: 'failed', code: v.code, reason: v.reason }
      : payloadRead
        ? { name: 'digest binding', status: 'passed', code: 'DIGEST_MATCH', reason: `The payload names ${ctx.digest}.` }
        : {
            name: 'digest binding',
            status: 'not-checked',
            code: 'PAYLOAD_NOT_READ',
            reason: 'The payload is not read before the signature verifies with a trusted key.',
          };
  const identity: SignatureCheck =
    v.stage === 'identity'
      ? { name: 'identity', status: 'failed', code: 'IDENTITY_MISMATCH', reason: v.reason }
      : v.stage === 'ok' && v.identityChecked
        ? {
            name: 'identity',
            status: 'passed',
            code: 'IDENTITY_MATCH',
            reason:
              v.identityRule === 'swr'
                ? `The payload, in SWR's form, names ${v.identity}: this image's namespace/repository.`
                : `The payload names ${v.identity}, accepted for ${ctx.imageReference} (matchRepoDigestOrExact).`,
          }
        : {
            name: 'identity',
            status: 'not-checked',
            code: 'IDENTITY_NOT_CHECKED',
            reason: v.identity ? `The payload names ${v.identity}.` : 'Not read.',
          };
  const expiry: SignatureCheck =
    v.stage === 'key'
      ? { name: 'expiry', status: 'not-checked', code: 'KEY_NOT_CHECKED', reason: 'Not judged: the key itself is refused.' }
      : entry
        ? validityCheck(entry.validity, claimed, ctx.now)
        : noTrustedKeyExpiry;
  const checks = [signature, keyTrust, digestBinding, identity, expiry];
  const knownKey =
    untrusted && 'known' in untrusted.key ? (untrusted.key as TrustedPgpKey & { known: { id: string; name: string } }).known : undefined;
  return {
    ...(entry || untrusted ? { signer: (untrusted?.key ?? entry)!.name } : {}),
    ...(signedBy ? { fingerprint: signedBy } : v.keyId ? { fingerprint: v.keyId } : {}),
    ...(v.identity ? { identity: v.identity } : {}),
    ...(v.payload !== undefined ? { payload: v.payload } : {}),
    ...(knownKey ? { knownKey } : {}),
    annotations: v.annotations ?? (v.creator ? { creator: v.creator } : {}),
    ...(v.timestamp !== undefined ? { timestamp: v.timestamp } : {}),
    judgedAt: { source: 'now', at: ctx.now.toISOString(), ...(claimed ? { claimed: Math.floor(claimed.getTime() / 1000) } : {}) },
    checks,
    ...decide(checks),
  };
}
