import { describeSystemError } from '../../../shared/system-errors';
import { SignetError, type ErrorCode } from '../../../shared/errors';
import type { KmsProviderId } from '../../../shared/models/kms';
import { isOfflineError, OFFLINE_MESSAGE } from '../net/gate';
import { providerName } from './providers';

export type KmsProblem =
  | 'throttled'
  | 'disabled'
  | 'pending-deletion'
  | 'wrong-usage'
  | 'algorithm-not-allowed'
  | 'credentials-missing'
  | 'credentials-expired'
  | 'access-denied'
  | 'region-mismatch'
  | 'not-found'
  | 'unreachable'
  | 'invalid-request'
  | 'answer-refused'
  | 'other';

export interface KmsProblemDetail {
  /** The key reference a person recognises. */
  key?: string;
  /** The vendor's own message (already free of secrets: vendors never echo credentials). */
  vendor?: string;
  /** Provider-specific advice appended to the sentence. */
  hint?: string;
  endpoint?: string;
}

const CODES: Readonly<Record<KmsProblem, ErrorCode>> = {
  throttled: 'RATE_LIMITED',
  disabled: 'KMS_ERROR',
  'pending-deletion': 'KMS_ERROR',
  'wrong-usage': 'KMS_ERROR',
  'algorithm-not-allowed': 'UNSUPPORTED',
  'credentials-missing': 'AUTH_REQUIRED',
  'credentials-expired': 'AUTH_REQUIRED',
  'access-denied': 'FORBIDDEN',
  'region-mismatch': 'KMS_ERROR',
  'not-found': 'KEY_NOT_FOUND',
  unreachable: 'UNAVAILABLE',
  'invalid-request': 'KMS_ERROR',
  'answer-refused': 'SIGNING_FAILED',
  other: 'KMS_ERROR',
};

function clip(text: unknown): string {
  if (!text) return '';
  const one = String(text).replace(/\s+/g, ' ').trim();
  return one.length > 240 ? `${one.slice(0, 240)}…` : one;
}

/** One sentence per problem, in words a person can act on. */
export function kmsError(provider: KmsProviderId, problem: KmsProblem, detail: KmsProblemDetail = {}): SignetError {
  const p = providerName(provider);
  const key = detail.key ? ` ${detail.key}` : '';
  const vendor = detail.vendor ? ` (${clip(detail.vendor)})` : '';
  const hint = detail.hint ? ` ${detail.hint}` : '';
  let sentence: string;
  switch (problem) {
    case 'throttled':
      sentence = `${p} is throttling requests${vendor}; Signet retried with backoff and gave up. Wait a minute and try again, or ask for a higher request quota.`;
      break;
    case 'disabled':
      sentence = `The key${key} is disabled in ${p}${vendor}. Enable it (or choose another key or version) and try again.`;
      break;
    case 'pending-deletion':
      sentence = `The key${key} is scheduled for deletion in ${p}${vendor}, so it cannot sign. Cancel the deletion if the key is still needed, or choose another key.`;
      break;
    case 'wrong-usage':
      sentence = `The key${key} is not a signing key${vendor}. Choose an asymmetric key created for signing (SIGN_VERIFY / sign).`;
      break;
    case 'algorithm-not-allowed':
      sentence = `${p} does not allow that signing algorithm for the key${key}${vendor}.`;
      break;
    case 'credentials-missing':
      sentence = `No ${p} credentials were found${vendor}.`;
      break;
    case 'credentials-expired':
      sentence = `${p} rejected the credentials: they are expired, revoked or wrong${vendor}. Sign in again or update the connection's credentials, then retry.`;
      break;
    case 'access-denied':
      sentence = `${p} refused access to the key${key}${vendor}. Ask for permission to use the key for signing (and to read its public key).`;
      break;
    case 'region-mismatch':
      sentence = `The key${key} is not in the region the connection uses${vendor}.`;
      break;
    case 'not-found':
      sentence = `${p} has no key${key}, or the credentials cannot see it${vendor}. Check the key reference, the region or project, and the permissions.`;
      break;
    case 'unreachable':
      sentence = `${p}${detail.endpoint ? ` at ${detail.endpoint}` : ''} cannot be reached${vendor}. Check the endpoint address, the network and any proxy.`;
      break;
    case 'invalid-request':
      sentence = `${p} refused the request${vendor}.`;
      break;
    case 'answer-refused':
      // Signet's own check of the KMS's answer (another key version or algorithm than asked): a self-check refusal, audited as refused.
      sentence = `${p} answered for the key${key} with something other than was asked${vendor}.`;
      break;
    default:
      sentence = `${p} failed${vendor}.`;
  }
  return new SignetError(CODES[problem], `${sentence}${hint}`, problem === 'answer-refused' ? { reason: 'self-check' } : undefined);
}

/** Re-throws SignetErrors and the offline gate's refusal as they are; anything else goes to `map`. */
export function rethrowKnown(error: unknown): void {
  if (error instanceof SignetError) throw error;
  if (isOfflineError(error)) throw new SignetError('OFFLINE', OFFLINE_MESSAGE);
}

/** Network failures below HTTP (refused, DNS, TLS), in words a person can act on (never the bare code). */
export function isNetworkFailure(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_\w+|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_CERT_ALTNAME_INVALID)$/.test(
        code,
      )
    ) {
      return describeSystemError(e);
    }
  }
  return undefined;
}

export interface BackoffOptions {
  attempts?: number;
  baseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Retries `run` while `retryable` says so, with exponential backoff and full jitter. */
export async function withBackoff<T>(
  run: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  options: BackoffOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      await sleep(Math.random() * base * 2 ** (attempt - 1));
    }
  }
}
