import { describe, expect, it, vi } from 'vitest';
import { SignetError } from '../../../shared/errors';
import type { TokenSummary } from '../../../shared/models/tokens';
import { CKR, mapPkcs11Error, pinState, TOKEN_FLAGS } from './errors';
import type { LoadedModule } from './module';
import { login, TokenPin } from './session';
import type { FoundToken } from './tokens';

class FakePkcs11Error extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const SERIAL = 'a1b2c3';

function fake(options: { flags: number; flagsAfter?: number; loginError?: number; pinPad?: boolean }) {
  let flags = options.flags;
  const C_Login = vi.fn((_session: Buffer, _type: number, _pin: string) => {
    if (options.loginError !== undefined) {
      if (options.flagsAfter !== undefined) flags = options.flagsAfter;
      const name = Object.entries(CKR).find(([, v]) => v === options.loginError)?.[0] ?? '?';
      throw new FakePkcs11Error(`CKR_${name}`, options.loginError);
    }
  });
  const mod = {
    path: '/fake.so',
    lib: { CKU_USER: 1, CKU_CONTEXT_SPECIFIC: 2 },
    p11: { C_GetTokenInfo: () => ({ flags }), C_Login },
    info: {},
  } as unknown as LoadedModule;
  const summary = {
    label: 'Fake',
    serial: SERIAL,
    flags: { protectedAuthenticationPath: options.pinPad ?? false, loginRequired: true },
  } as unknown as TokenSummary;
  const token: FoundToken = { slot: Buffer.alloc(8), summary };
  return { mod, token, C_Login };
}

function refused(fn: () => void): SignetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SignetError);
    return error as SignetError;
  }
  throw new Error('expected a refusal');
}

const session = Buffer.alloc(8);

describe('login', () => {
  it('refuses a locked token without trying the PIN', () => {
    const { mod, token, C_Login } = fake({ flags: TOKEN_FLAGS.USER_PIN_LOCKED });
    const error = refused(() => login(mod, token, session, { pin: TokenPin.fromString(SERIAL, '1234') }));
    expect(error.code).toBe('KEY_LOCKED');
    expect(error.message).toMatch(/locked.*Security Officer/);
    expect(C_Login).not.toHaveBeenCalled();
  });

  it('maps CKR_PIN_LOCKED to KEY_LOCKED', () => {
    const { mod, token, C_Login } = fake({ flags: 0, loginError: CKR.PIN_LOCKED });
    const error = refused(() => login(mod, token, session, { pin: TokenPin.fromString(SERIAL, '1234') }));
    expect(error.code).toBe('KEY_LOCKED');
    expect(error.message).not.toContain('1234');
    expect(C_Login).toHaveBeenCalledTimes(1);
  });

  it('reports the tries left after a wrong PIN, and says when it locked the token', () => {
    const low = fake({ flags: 0, flagsAfter: TOKEN_FLAGS.USER_PIN_COUNT_LOW, loginError: CKR.PIN_INCORRECT });
    const lowError = refused(() => login(low.mod, low.token, session, { pin: TokenPin.fromString(SERIAL, '0000') }));
    expect(lowError.code).toBe('BAD_PASSPHRASE');
    expect(lowError.message).toMatch(/few tries are left/);
    const final = fake({ flags: 0, flagsAfter: TOKEN_FLAGS.USER_PIN_FINAL_TRY, loginError: CKR.PIN_INCORRECT });
    expect(refused(() => login(final.mod, final.token, session, { pin: TokenPin.fromString(SERIAL, '0000') })).message).toMatch(
      /ONE try is left/,
    );
    const locked = fake({ flags: TOKEN_FLAGS.USER_PIN_FINAL_TRY, flagsAfter: TOKEN_FLAGS.USER_PIN_LOCKED, loginError: CKR.PIN_INCORRECT });
    const lockedError = refused(() =>
      login(locked.mod, locked.token, session, { pin: TokenPin.fromString(SERIAL, '0000'), confirmFinalTry: true }),
    );
    expect(lockedError.code).toBe('KEY_LOCKED');
    expect(lockedError.message).toMatch(/now locked/);
    for (const f of [low, final, locked]) expect(f.C_Login).toHaveBeenCalledTimes(1);
  });

  it('uses the last try only when the person confirms it', () => {
    const { mod, token, C_Login } = fake({ flags: TOKEN_FLAGS.USER_PIN_FINAL_TRY });
    expect(refused(() => login(mod, token, session, { pin: TokenPin.fromString(SERIAL, '1234') })).code).toBe('AUTH_REQUIRED');
    expect(C_Login).not.toHaveBeenCalled();
    login(mod, token, session, { pin: TokenPin.fromString(SERIAL, '1234'), confirmFinalTry: true });
    expect(C_Login).toHaveBeenCalledWith(session, 1, '1234');
  });

  it('never uses a PIN entered for another token', () => {
    const { mod, token, C_Login } = fake({ flags: 0 });
    const error = refused(() => login(mod, token, session, { pin: TokenPin.fromString('other-serial', '1234') }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).not.toContain('1234');
    expect(C_Login).not.toHaveBeenCalled();
  });

  it('logs in on the PIN pad with an empty PIN, and asks for a PIN otherwise', () => {
    const pad = fake({ flags: TOKEN_FLAGS.PROTECTED_AUTHENTICATION_PATH, pinPad: true });
    login(pad.mod, pad.token, session, {});
    expect(pad.C_Login).toHaveBeenCalledWith(session, 1, '');
    const plain = fake({ flags: 0 });
    expect(refused(() => login(plain.mod, plain.token, session, {})).code).toBe('AUTH_REQUIRED');
  });
});

describe('TokenPin', () => {
  it('zeroes its bytes and never prints itself', () => {
    const bytes = Buffer.from('123456');
    const pin = TokenPin.fromBytes(SERIAL, bytes);
    expect(JSON.stringify({ pin })).toBe('{"pin":"[PIN]"}');
    expect(`${pin}`).toBe('[PIN]');
    expect(pin.reveal(SERIAL)).toBe('123456');
    pin.wipe();
    expect([...bytes].every((b) => b === 0)).toBe(true);
    expect(() => pin.reveal(SERIAL)).toThrow(/cleared/);
  });
});

describe('mapPkcs11Error', () => {
  it('explains the CK_RVs a person can act on', () => {
    const ctx = { token: 'token "T" (serial 1)', doing: 'signing' };
    expect(mapPkcs11Error(new FakePkcs11Error('CKR_PIN_LOCKED', CKR.PIN_LOCKED), ctx).code).toBe('KEY_LOCKED');
    expect(mapPkcs11Error(new FakePkcs11Error('CKR_DEVICE_REMOVED', CKR.DEVICE_REMOVED), ctx).code).toBe('UNAVAILABLE');
    expect(mapPkcs11Error(new FakePkcs11Error('CKR_MECHANISM_INVALID', CKR.MECHANISM_INVALID), ctx).code).toBe('UNSUPPORTED');
    const other = mapPkcs11Error(new FakePkcs11Error('CKR_GENERAL_ERROR', 5), { ...ctx, fallback: 'SIGNING_FAILED' });
    expect(other.code).toBe('SIGNING_FAILED');
    expect(other.message).toContain('CKR_GENERAL_ERROR');
    expect(mapPkcs11Error(new Error('failed for pkcs11:?pin-value=4321'), ctx).message).not.toContain('4321');
  });

  it('reads the PIN flags', () => {
    expect(pinState(TOKEN_FLAGS.USER_PIN_COUNT_LOW | TOKEN_FLAGS.USER_PIN_FINAL_TRY)).toEqual({
      countLow: true,
      finalTry: true,
      locked: false,
      toBeChanged: false,
    });
  });
});
