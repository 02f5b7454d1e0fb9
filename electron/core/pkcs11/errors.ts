import { SignetError, type ErrorCode } from '../../../shared/errors';
import { redactPin } from './uri';

/** CK_RV values Signet explains (PKCS#11 v2.40 §3.6). */
export const CKR = {
  FUNCTION_CANCELED: 0x50,
  ARGUMENTS_BAD: 0x07,
  DEVICE_ERROR: 0x30,
  DEVICE_REMOVED: 0x32,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  MECHANISM_PARAM_INVALID: 0x71,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_READ_ONLY: 0xb5,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  TOKEN_WRITE_PROTECTED: 0xe2,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

/** CK_TOKEN_INFO flags (PKCS#11 v2.40 §3.2). */
export const TOKEN_FLAGS = {
  RNG: 0x1,
  WRITE_PROTECTED: 0x2,
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
  SO_PIN_COUNT_LOW: 0x100000,
  SO_PIN_FINAL_TRY: 0x200000,
  SO_PIN_LOCKED: 0x400000,
} as const;

export interface PinState {
  countLow: boolean;
  finalTry: boolean;
  locked: boolean;
  toBeChanged: boolean;
}

export function pinState(flags: number): PinState {
  return {
    countLow: (flags & TOKEN_FLAGS.USER_PIN_COUNT_LOW) !== 0,
    finalTry: (flags & TOKEN_FLAGS.USER_PIN_FINAL_TRY) !== 0,
    locked: (flags & TOKEN_FLAGS.USER_PIN_LOCKED) !== 0,
    toBeChanged: (flags & TOKEN_FLAGS.USER_PIN_TO_BE_CHANGED) !== 0,
  };
}

/** What the token says about the tries left, as a sentence (empty when it says nothing). */
export function retriesSentence(state: PinState): string {
  if (state.locked) return 'The token now reports the user PIN as locked.';
  if (state.finalTry) return 'The token reports that ONE try is left: a further wrong PIN locks it.';
  if (state.countLow) return 'The token reports that few tries are left (PIN count low).';
  return 'The token does not report how many tries are left.';
}

const UNLOCK_HINT =
  'An officer with the Security Officer PIN must unblock it (for example `softhsm2-util`, `pkcs11-tool --init-pin --login --login-type so`, or `ykman piv access unblock-pin` for a YubiKey); Signet never tries PINs.';

export function lockedError(token: string): SignetError {
  return new SignetError('KEY_LOCKED', `The user PIN of token ${token} is locked. ${UNLOCK_HINT}`);
}

/** The numeric CK_RV of a pkcs11js error, when it is one. */
export function ckrOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'number')
    return (error as { code: number }).code;
  return undefined;
}

function ckrName(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = /CKR_[A-Z_]+/.exec(message)?.[0];
  const code = ckrOf(error);
  return name ?? (code !== undefined ? `CK_RV 0x${code.toString(16)}` : redactPin(message).slice(0, 200));
}

export interface MapContext {
  /** "token SoftHSM (serial 1234)" */
  token: string;
  /** "signing", "logging in", "listing keys" ... */
  doing: string;
  /** Re-reads the token flags after a failed login (for the tries left). */
  pinState?: () => PinState | undefined;
  fallback?: ErrorCode;
}

/**
 * Turns a PKCS#11 error into a sentence a person can act on. Never includes a PIN: pkcs11js
 * messages carry only the CKR_ name, and anything else is redacted.
 */
export function mapPkcs11Error(error: unknown, ctx: MapContext): SignetError {
  if (error instanceof SignetError) return error;
  const code = ckrOf(error);
  const where = `${ctx.token} while ${ctx.doing}`;
  switch (code) {
    case CKR.PIN_INCORRECT: {
      const state = safe(ctx.pinState);
      if (state?.locked)
        return new SignetError('KEY_LOCKED', `The PIN was wrong, and the user PIN of ${ctx.token} is now locked. ${UNLOCK_HINT}`);
      return new SignetError(
        'BAD_PASSPHRASE',
        `The PIN for ${ctx.token} was wrong. Signet stopped and did not try again. ${state ? retriesSentence(state) : ''}`.trim(),
      );
    }
    case CKR.PIN_LOCKED:
      return lockedError(ctx.token);
    case CKR.PIN_INVALID:
    case CKR.PIN_LEN_RANGE:
      return new SignetError(
        'BAD_PASSPHRASE',
        `The token refused the PIN for ${ctx.token}: it has characters or a length the token does not accept (${ckrName(error)}). Signet did not try again.`,
      );
    case CKR.PIN_EXPIRED:
      return new SignetError('KEY_LOCKED', `The user PIN of ${ctx.token} has expired; change it with the token's own tool first.`);
    case CKR.USER_PIN_NOT_INITIALIZED:
      return new SignetError('KEY_LOCKED', `${ctx.token} has no user PIN yet; initialise it with the token's own tool first.`);
    case CKR.USER_NOT_LOGGED_IN:
      return new SignetError('AUTH_REQUIRED', `${where}: the token needs a login (enter the PIN).`);
    case CKR.FUNCTION_CANCELED:
      return new SignetError('INVALID_INPUT', `${where}: the PIN entry was cancelled on the token.`);
    case CKR.TOKEN_NOT_PRESENT:
    case CKR.DEVICE_REMOVED:
      return new SignetError('UNAVAILABLE', `${ctx.token} is not present any more (removed?) while ${ctx.doing}. Insert it and try again.`);
    case CKR.MECHANISM_INVALID:
    case CKR.MECHANISM_PARAM_INVALID:
      return new SignetError('UNSUPPORTED', `${where}: the token does not support that mechanism (${ckrName(error)}).`);
    case CKR.KEY_TYPE_INCONSISTENT:
    case CKR.KEY_FUNCTION_NOT_PERMITTED:
      return new SignetError(
        'UNSUPPORTED',
        `${where}: the key may not be used this way (${ckrName(error)}; check its CKA_SIGN and allowed mechanisms).`,
      );
    case CKR.TOKEN_WRITE_PROTECTED:
    case CKR.SESSION_READ_ONLY:
      return new SignetError('UNSUPPORTED', `${where}: the token is write-protected.`);
    default:
      return new SignetError(ctx.fallback ?? 'IO_ERROR', `${where}: the PKCS#11 module reported ${ckrName(error)}.`);
  }
}

function safe<T>(fn: (() => T) | undefined): T | undefined {
  try {
    return fn?.();
  } catch {
    return undefined;
  }
}
