import { SignetError, type ErrorCode } from '../../../shared/errors';
import { CKR, ckrOf, lockedError, mapPkcs11Error, pinState } from './errors';
import type { Handle, LoadedModule } from './module';
import { tokenName, type FoundToken } from './tokens';

/**
 * A PIN bound to one token serial. Held as bytes and zeroed by `wipe()`; it refuses to be used
 * for any other token. `undefined` bytes mean "log in on the token's PIN pad".
 */
export class TokenPin {
  private bytes: Buffer | undefined;
  private wiped = false;

  private constructor(
    readonly serial: string,
    bytes: Buffer | undefined,
  ) {
    this.bytes = bytes;
  }

  /** Takes ownership of `bytes` (zeroed on wipe). */
  static fromBytes(serial: string, bytes: Buffer): TokenPin {
    return new TokenPin(serial, bytes);
  }

  static fromString(serial: string, pin: string): TokenPin {
    return new TokenPin(serial, Buffer.from(pin, 'utf8'));
  }

  static pinPad(serial: string): TokenPin {
    return new TokenPin(serial, undefined);
  }

  get isPinPad(): boolean {
    return this.bytes === undefined;
  }

  /** The PIN for `serial`. pkcs11js takes PINs only as JS strings, so one short-lived string is unavoidable. */
  reveal(serial: string): string {
    if (this.wiped) throw new SignetError('AUTH_REQUIRED', 'The PIN was already cleared; enter it again.');
    if (serial !== this.serial)
      throw new SignetError(
        'FORBIDDEN',
        `This PIN was entered for the token with serial ${this.serial}; Signet never uses one token's PIN for another (serial ${serial}).`,
      );
    return this.bytes ? this.bytes.toString('utf8') : '';
  }

  wipe(): void {
    this.bytes?.fill(0);
    this.wiped = true;
  }

  /** Never print the PIN, whatever asks. */
  toJSON(): string {
    return '[PIN]';
  }

  toString(): string {
    return '[PIN]';
  }
}

export interface LoginOptions {
  pin?: TokenPin;
  /** Use the token's last try (it reports USER_PIN_FINAL_TRY): only when the person said so. */
  confirmFinalTry?: boolean;
}

/** Logs the user in on `session`, once: a wrong PIN is reported, never retried. */
export function login(mod: LoadedModule, token: FoundToken, session: Handle, options: LoginOptions, userType?: number): void {
  const name = tokenName(token.summary);
  const current = pinState(mod.p11.C_GetTokenInfo(token.slot).flags);
  if (current.locked) throw lockedError(name);
  const pin = options.pin;
  const pinPad = token.summary.flags.protectedAuthenticationPath && (!pin || pin.isPinPad);
  if (!pin && !pinPad) throw new SignetError('AUTH_REQUIRED', `${name} needs its user PIN.`);
  if (current.finalTry && !options.confirmFinalTry) {
    throw new SignetError(
      'AUTH_REQUIRED',
      `${name} reports ONE PIN try left; a wrong PIN locks it. Signet will use the last try only when you confirm it (the "final try" option).`,
    );
  }
  // A PIN-pad token takes a zero-length PIN here and asks on its own keypad.
  const secret = pin ? pin.reveal(token.summary.serial) : '';
  try {
    mod.p11.C_Login(session, userType ?? mod.lib.CKU_USER, secret);
  } catch (error) {
    if (ckrOf(error) === CKR.USER_ALREADY_LOGGED_IN && userType === undefined) return;
    throw mapPkcs11Error(error, { token: name, doing: 'logging in', pinState: () => pinState(mod.p11.C_GetTokenInfo(token.slot).flags) });
  }
}

export interface SessionOptions extends LoginOptions {
  write?: boolean;
  /** Log in even when the token does not require it for the operation (listing private keys). */
  login: boolean;
  doing: string;
  /** The code of errors the module reports that Signet has no better name for. */
  fallback?: ErrorCode;
}

/**
 * Opens a session on the token, logs in when asked, runs `fn` (synchronously, so no other call
 * interleaves with the login state), logs out and closes the session.
 */
export function withSession<T>(mod: LoadedModule, token: FoundToken, options: SessionOptions, fn: (session: Handle) => T): T {
  const { p11, lib } = mod;
  const name = tokenName(token.summary);
  let session: Handle;
  try {
    session = p11.C_OpenSession(token.slot, lib.CKF_SERIAL_SESSION | (options.write ? lib.CKF_RW_SESSION : 0));
  } catch (error) {
    throw mapPkcs11Error(error, { token: name, doing: 'opening a session' });
  }
  let loggedIn = false;
  try {
    if (options.login) {
      login(mod, token, session, options);
      loggedIn = true;
    }
    try {
      return fn(session);
    } catch (error) {
      throw mapPkcs11Error(error, { token: name, doing: options.doing, fallback: options.fallback ?? 'IO_ERROR' });
    }
  } finally {
    if (loggedIn) {
      try {
        p11.C_Logout(session);
      } catch {
        // already logged out (the session closes next anyway)
      }
    }
    try {
      p11.C_CloseSession(session);
    } catch {
      // the token may be gone; nothing more to release
    }
  }
}
