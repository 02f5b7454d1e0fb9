import type { SignatureReport } from '../../../../shared/models/signatures';
import type { SimpleVerdict } from '../simple';
import { expiryCheck, type TrustedPgpKey } from '../trusted';
import { noTrustedKey } from './format';

type Check = SignatureReport['checks'][number];

/**
 * The report fields and checks of an OpenPGP-signed atomic payload (simple signing, .asc files):
 * signer, identity, creator and claimed time, then signature, key trust, digest binding, identity
 * and expiry. A format with its own key check (the .asc PublicKeyID) passes it as `keyTrust`.
 */
export function pgpReport(v: SimpleVerdict, digest: string, trusted: readonly TrustedPgpKey[], reference: string | undefined, keyTrust?: Check) {
  const expiry = v.signer ? expiryCheck(trusted.find((k) => k.name === v.signer)?.window, v.timestamp !== undefined ? new Date(v.timestamp * 1000) : undefined) : noTrustedKey;
  const checks: Check[] = [
    { name: 'signature', status: v.signer ? 'passed' : 'failed', reason: v.signer ? `Signed by ${v.signer}.` : v.reason },
    keyTrust ?? { name: 'key trust', status: v.signer ? 'passed' : 'not-checked', reason: v.signer ? `${v.signer} is trusted here.` : 'No trusted key matched.' },
    { name: 'digest binding', status: v.ok ? 'passed' : v.signer ? 'failed' : 'not-checked', reason: v.ok ? `The payload names ${digest}.` : v.signer ? v.reason : 'The payload is not read before the signature verifies.' },
    { name: 'identity', status: v.ok && reference ? 'passed' : 'not-checked', reason: v.identity ? `The payload names ${v.identity}.` : 'Not read.' },
    expiry,
  ];
  const fields = {
    ...(v.signer ? { signer: v.signer } : {}),
    ...(v.identity ? { identity: v.identity } : {}),
    annotations: (v.creator ? { creator: v.creator } : {}) as Record<string, string>,
    ...(v.timestamp !== undefined ? { timestamp: v.timestamp } : {}),
  };
  return { fields, checks, inWindow: expiry.status !== 'failed' };
}
