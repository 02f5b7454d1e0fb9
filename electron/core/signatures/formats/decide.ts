import type { SignatureCheck, SignatureReport } from '../../../../shared/models/signatures';
import type { ReasonCode } from '../../../../shared/models/verdict';
import type { TrustSet } from '../trusted';

/** Reasons that leave a signature "signed, but not by a key trusted for this image" rather than refused. */
const UNTRUSTED: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'SIG_UNKNOWN_KEY',
  'SIG_NO_TRUSTED_KEYS',
  'KEY_NOT_TRUSTED',
  'KEY_OUT_OF_SCOPE',
]);

/**
 * A signature's verdict from its checks: the first failed check decides (refused, or untrusted
 * when it is only the key that is not trusted here); with none failed, a format Signet cannot
 * verify yet is "not verifiable", and otherwise the signature and key trust must have passed.
 */
export function decide(checks: readonly SignatureCheck[]): Pick<SignatureReport, 'verdict' | 'code'> {
  const failed = checks.find((c) => c.status === 'failed');
  if (failed) return { verdict: UNTRUSTED.has(failed.code) ? 'signed-untrusted' : 'failed', code: failed.code };
  const unverifiable = checks.find((c) => c.code === 'FORMAT_NOT_VERIFIABLE');
  if (unverifiable) return { verdict: 'not-verifiable', code: unverifiable.code };
  const passed = (name: SignatureCheck['name']) => checks.some((c) => c.name === name && c.status === 'passed');
  if (passed('signature') && passed('key trust')) return { verdict: 'verified', code: 'SIG_VALID' };
  const open = checks.find((c) => c.name === 'key trust' && c.status !== 'passed') ?? checks.find((c) => c.name === 'signature');
  return { verdict: 'signed-untrusted', code: open?.code ?? 'KEY_NOT_CHECKED' };
}

/** Which of the keys Signet knows, but does not trust for this image, a check function accepts. */
export function identifyUntrusted<K extends { name: string }>(
  trust: TrustSet,
  pick: (t: TrustSet['outOfScope'] | TrustSet['known']) => readonly K[],
  accepts: (key: K) => boolean,
): { key: K; code: 'KEY_OUT_OF_SCOPE' | 'KEY_NOT_TRUSTED' } | undefined {
  const scoped = pick(trust.outOfScope).find(accepts);
  if (scoped) return { key: scoped, code: 'KEY_OUT_OF_SCOPE' };
  const known = pick(trust.known).find(accepts);
  return known ? { key: known, code: 'KEY_NOT_TRUSTED' } : undefined;
}

/** The key-trust check for a key that verified a signature but may not vouch for this image. */
export function untrustedKeyCheck(code: 'KEY_OUT_OF_SCOPE' | 'KEY_NOT_TRUSTED', name: string): SignatureCheck {
  return code === 'KEY_OUT_OF_SCOPE'
    ? {
        name: 'key trust',
        status: 'failed',
        code,
        reason: `${name} is trusted only for other repositories (its trust scopes do not cover this image).`,
      }
    : {
        name: 'key trust',
        status: 'failed',
        code,
        reason: `${name} is one of your keys, but it is not in the trust store: trust it to accept its signatures.`,
      };
}
