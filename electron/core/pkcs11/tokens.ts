import { SignetError } from '../../../shared/errors';
import type { TokenAttribute, TokenSummary } from '../../../shared/models/tokens';
import { TOKEN_FLAGS } from './errors';
import { slotIdOf, type Handle, type LoadedModule } from './module';

export interface FoundToken {
  readonly slot: Handle;
  readonly summary: TokenSummary;
}

function flagsOf(flags: number): TokenSummary['flags'] {
  const has = (bit: number) => (flags & bit) !== 0;
  return {
    loginRequired: has(TOKEN_FLAGS.LOGIN_REQUIRED),
    protectedAuthenticationPath: has(TOKEN_FLAGS.PROTECTED_AUTHENTICATION_PATH),
    userPinInitialized: has(TOKEN_FLAGS.USER_PIN_INITIALIZED),
    tokenInitialized: has(TOKEN_FLAGS.TOKEN_INITIALIZED),
    writeProtected: has(TOKEN_FLAGS.WRITE_PROTECTED),
    userPinCountLow: has(TOKEN_FLAGS.USER_PIN_COUNT_LOW),
    userPinFinalTry: has(TOKEN_FLAGS.USER_PIN_FINAL_TRY),
    userPinLocked: has(TOKEN_FLAGS.USER_PIN_LOCKED),
    userPinToBeChanged: has(TOKEN_FLAGS.USER_PIN_TO_BE_CHANGED),
  };
}

/** Every slot with a token present. */
export function listTokens(mod: LoadedModule): FoundToken[] {
  return mod.p11.C_GetSlotList(true).map((slot) => ({ slot, summary: summarize(mod, slot) }));
}

/** Tokens that are set up (a PIN can only ever be meant for one of these). */
export function initializedTokens(mod: LoadedModule): FoundToken[] {
  return listTokens(mod).filter((t) => t.summary.flags.tokenInitialized);
}

export function summarize(mod: LoadedModule, slot: Handle): TokenSummary {
  const slotInfo = mod.p11.C_GetSlotInfo(slot);
  const info = mod.p11.C_GetTokenInfo(slot);
  return {
    module: mod.path,
    slotId: slotIdOf(slot),
    slotDescription: slotInfo.slotDescription.trim(),
    label: info.label.trim(),
    serial: info.serialNumber.trim(),
    manufacturer: info.manufacturerID.trim(),
    model: info.model.trim(),
    flags: flagsOf(info.flags),
    minPinLength: info.minPinLen,
    maxPinLength: info.maxPinLen,
  };
}

export function tokenName(t: TokenSummary): string {
  return `token "${t.label}" (serial ${t.serial})`;
}

/**
 * Finds exactly one token by serial, else by label. Several matches are an error: a PIN is meant
 * for one token and is never tried on another.
 */
export function findToken(mod: LoadedModule, ref: { serial?: string; label?: string; either?: string }): FoundToken {
  const tokens = initializedTokens(mod);
  let matches: FoundToken[];
  if (ref.either !== undefined) {
    matches = tokens.filter((t) => t.summary.serial === ref.either);
    if (!matches.length) matches = tokens.filter((t) => t.summary.label === ref.either);
  } else {
    matches = tokens.filter(
      (t) => (ref.serial === undefined || t.summary.serial === ref.serial) && (ref.label === undefined || t.summary.label === ref.label),
    );
  }
  const wanted = ref.either ?? [ref.serial && `serial ${ref.serial}`, ref.label && `label "${ref.label}"`].filter(Boolean).join(', ');
  if (!matches.length) {
    const present = tokens.map((t) => `"${t.summary.label}" (serial ${t.summary.serial})`).join(', ') || 'none';
    throw new SignetError('NOT_FOUND', `No token ${wanted || ''} in ${mod.path}. Tokens present: ${present}.`);
  }
  if (matches.length > 1)
    throw new SignetError(
      'CONFLICT',
      `${matches.length} tokens match ${wanted || 'the address'} in ${mod.path}; name the token by its serial so a PIN goes to exactly one token.`,
    );
  return matches[0] as FoundToken;
}

/** The mechanisms the token supports; undefined when the module will not say. */
export function supportedMechanisms(mod: LoadedModule, slot: Handle): number[] | undefined {
  try {
    return mod.p11.C_GetMechanismList(slot);
  } catch {
    return undefined;
  }
}

let mechanismNames: Map<number, string> | undefined;

export function mechanismName(mod: LoadedModule, mechanism: number): string {
  if (!mechanismNames) {
    mechanismNames = new Map();
    for (const [name, value] of Object.entries(mod.lib)) {
      if (name.startsWith('CKM_') && typeof value === 'number' && !mechanismNames.has(value)) mechanismNames.set(value, name);
    }
  }
  return mechanismNames.get(mechanism) ?? `0x${mechanism.toString(16)}`;
}

const MECHANISM_FLAGS: ReadonlyArray<[number, string]> = [
  [0x1, 'HW'],
  [0x100, 'ENCRYPT'],
  [0x200, 'DECRYPT'],
  [0x400, 'DIGEST'],
  [0x800, 'SIGN'],
  [0x1000, 'SIGN_RECOVER'],
  [0x2000, 'VERIFY'],
  [0x4000, 'VERIFY_RECOVER'],
  [0x8000, 'GENERATE'],
  [0x10000, 'GENERATE_KEY_PAIR'],
  [0x20000, 'WRAP'],
  [0x40000, 'UNWRAP'],
  [0x80000, 'DERIVE'],
];

/** Every attribute of a token, its slot and module, and its mechanisms, as name/value rows. */
export function diagnose(mod: LoadedModule, slot: Handle): TokenAttribute[] {
  const rows: TokenAttribute[] = [];
  const add = (group: TokenAttribute['group'], name: string, value: unknown) =>
    rows.push({ group, name, value: typeof value === 'string' ? value.trim() : String(value) });
  add('module', 'path', mod.path);
  add('module', 'manufacturerID', mod.info.manufacturer);
  add('module', 'libraryDescription', mod.info.description);
  add('module', 'libraryVersion', mod.info.libraryVersion);
  add('module', 'cryptokiVersion', mod.info.cryptokiVersion);
  const s = mod.p11.C_GetSlotInfo(slot);
  add('slot', 'slotID', slotIdOf(slot));
  add('slot', 'slotDescription', s.slotDescription);
  add('slot', 'manufacturerID', s.manufacturerID);
  add(
    'slot',
    'flags',
    `0x${s.flags.toString(16)} (${[s.flags & 1 ? 'TOKEN_PRESENT' : '', s.flags & 2 ? 'REMOVABLE_DEVICE' : '', s.flags & 4 ? 'HW_SLOT' : ''].filter(Boolean).join(' ') || 'none'})`,
  );
  add('slot', 'hardwareVersion', `${s.hardwareVersion.major}.${s.hardwareVersion.minor}`);
  add('slot', 'firmwareVersion', `${s.firmwareVersion.major}.${s.firmwareVersion.minor}`);
  const t = mod.p11.C_GetTokenInfo(slot);
  const flagNames = Object.entries(TOKEN_FLAGS)
    .filter(([, bit]) => (t.flags & bit) !== 0)
    .map(([name]) => name);
  for (const [name, value] of Object.entries(t)) {
    if (name === 'flags') add('token', 'flags', `0x${t.flags.toString(16)} (${flagNames.join(' ') || 'none'})`);
    else if (value && typeof value === 'object' && 'major' in value)
      add('token', name, `${(value as { major: number }).major}.${(value as { minor: number }).minor}`);
    else add('token', name, unavailable(value));
  }
  let mechanisms: number[] = [];
  try {
    mechanisms = mod.p11.C_GetMechanismList(slot);
  } catch {
    add('mechanism', 'C_GetMechanismList', 'failed');
  }
  for (const m of mechanisms) {
    try {
      const info = mod.p11.C_GetMechanismInfo(slot, m);
      const flags = MECHANISM_FLAGS.filter(([bit]) => (info.flags & bit) !== 0).map(([, n]) => n);
      add('mechanism', mechanismName(mod, m), `key size ${info.minKeySize}-${info.maxKeySize}; ${flags.join(' ') || 'no flags'}`);
    } catch {
      add('mechanism', mechanismName(mod, m), 'no information');
    }
  }
  return rows;
}

// CK_UNAVAILABLE_INFORMATION / CK_EFFECTIVELY_INFINITE as the 32- or 64-bit all-ones value.
function unavailable(value: unknown): string {
  if (value === 4294967295 || value === 18446744073709551615n) return 'unavailable';
  return String(value);
}
