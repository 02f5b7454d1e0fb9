/**
 * Stable error codes. A code never changes meaning once shipped: the renderer, the CLI and
 * scripts may branch on it. The message is a sentence a person can act on.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'UNKNOWN_CALL',
  'FORBIDDEN',
  'READ_ONLY',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'OFFLINE',
  'UNAVAILABLE',
  'TIMEOUT',
  'IO_ERROR',
  'INTERNAL',
  // registries
  'REGISTRY_ERROR',
  'AUTH_REQUIRED',
  'DIGEST_MISMATCH',
  'TOO_LARGE',
  'RATE_LIMITED',
  'UNSUPPORTED',
  // keys and signing
  'KEY_NOT_FOUND',
  'KEY_LOCKED',
  'BAD_PASSPHRASE',
  'KEYCHAIN_UNAVAILABLE',
  'SIGNING_FAILED',
  'KMS_ERROR',
  // verification
  'VERIFICATION_FAILED',
  'MALFORMED',
  'UNTRUSTED',
  // storage
  'STORAGE_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Finer reasons under a code, for records that must tell them apart (the audit log records a
 * signature the local self-check refused as refused, not as failed). Stable like the codes.
 * - `self-check`: Signet verified the signature it was handed with the key's public key, and refused it.
 * - `vault-locked`: the key is in the encrypted vault, which is locked (the CLI asks for the passphrase once).
 * - `not-saved`: a registry did not answer, or refused the credentials, before it was saved; nothing was saved (the user may save it
 * anyway).
 * - `blob-unknown`: the registry answered BLOB_UNKNOWN or MANIFEST_BLOB_UNKNOWN (a blob missing, for a moment when another
 *   writer uploads it too): writers upload it again and retry.
 */
export const FAILURE_REASONS = ['self-check', 'vault-locked', 'not-saved', 'blob-unknown'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === 'string' && (FAILURE_REASONS as readonly string[]).includes(value);
}

/** An error that is meant to be shown: its message is safe to display and carries no secret. */
export class SignetError extends Error {
  readonly code: ErrorCode;
  readonly reason: FailureReason | undefined;

  constructor(code: ErrorCode, message: string, options: { reason?: FailureReason } = {}) {
    super(message);
    this.name = 'SignetError';
    this.code = code;
    this.reason = options.reason;
  }
}

export type Ok<T> = { ok: true; value: T };
export type Failure = { ok: false; code: ErrorCode; message: string; reason?: FailureReason };
export type Result<T> = Ok<T> | Failure;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function failure(code: ErrorCode, message: string, reason?: FailureReason): Failure {
  return { ok: false, code, message, ...(reason ? { reason } : {}) };
}
