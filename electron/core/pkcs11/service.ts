import { randomBytes } from 'node:crypto';
import { promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import type { Pkcs11Module } from '../../../shared/model';
import type {
  TestSignResult,
  TokenDiagnostics,
  TokenKey,
  TokenKeys,
  TokenKeyType,
  TokenModule,
  TokenSummary,
} from '../../../shared/models/tokens';
import { readJsonFile, writeFileAtomic } from '../storage/atomic';
import { findPkcs11Modules } from '../kms/pkcs11-modules';
import { generateKeyPair } from './generate';
import type { TokenAlgorithm } from './mechanisms';
import { loadModule, type LoadedModule } from './module';
import { describeKey, readKeys } from './objects';
import { withSession, TokenPin } from './session';
import { openTokenSigner, type TokenSigner } from './signer';
import { diagnose, findToken, initializedTokens, listTokens, supportedMechanisms, tokenName, type FoundToken } from './tokens';
import { parsePkcs11Uri, type Pkcs11Uri } from './uri';
import { withFileLock } from '../storage/file-lock';
import { readRegularFile } from '../storage/bounded-read';

const ConfiguredModules = z.object({ version: z.literal(1), modules: z.array(z.string()) }).strict();

export interface PinInput {
  /** The PIN as typed; converted to bytes at once and zeroed after the call. */
  pin?: string;
  confirmFinalTry?: boolean;
  /** Log in on the token's own PIN pad (protected authentication path tokens). */
  pinPad?: boolean;
}

export interface TokenServiceDeps {
  findModules?: () => Promise<Pkcs11Module[]>;
  /**
   * Refuse `pin-source=FILE` in key URIs: in the desktop app a URI comes from the page, which must
   * not make Signet read a file it names (the PIN is typed in its field there).
   */
  refusePinSource?: boolean;
}

/**
 * PKCS#11 tokens for the handlers: which modules may be loaded (the known ones and those the
 * user added: loading a module runs its code), their tokens and keys, key generation, test
 * signatures and pkcs11: URI signers.
 */
export class TokenService {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly deps: TokenServiceDeps = {},
  ) {
    this.file = path.join(dataDir, 'pkcs11-modules.json');
  }

  async modules(): Promise<TokenModule[]> {
    const known = await (this.deps.findModules ?? findPkcs11Modules)();
    const out: TokenModule[] = known.map((m) => ({ path: m.path, name: m.name, source: m.source }));
    const seen = new Set(out.map((m) => real(m.path)));
    for (const configured of await this.configured()) {
      if (seen.has(real(configured))) continue;
      seen.add(real(configured));
      out.push({ path: configured, name: path.basename(configured), source: 'configured' });
    }
    return out;
  }

  /** Adds a module the user names. It must exist and load as a PKCS#11 library. */
  async addModule(modulePath: string): Promise<TokenModule[]> {
    if (!path.isAbsolute(modulePath)) throw new SignetError('INVALID_INPUT', 'Name the PKCS#11 module by its absolute path.');
    const list = await this.modules();
    if (!list.some((m) => real(m.path) === real(modulePath))) {
      await loadModule(modulePath);
      await withFileLock(this.file, async () => {
        const configured = await this.configured();
        if (!configured.includes(modulePath))
          await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, modules: [...configured, modulePath] }, null, 2)}\n`);
      });
    }
    return this.modules();
  }

  private async configured(): Promise<string[]> {
    const raw = await readJsonFile(this.file).catch(() => {
      throw new SignetError('STORAGE_ERROR', `${this.file} is not valid JSON; fix or remove it.`);
    });
    if (raw === undefined) return [];
    const parsed = ConfiguredModules.safeParse(raw);
    if (!parsed.success) throw new SignetError('STORAGE_ERROR', `${this.file} is not a list of PKCS#11 modules; fix or remove it.`);
    return parsed.data.modules;
  }

  /** Loads a module only when it is a known or added one. */
  async module(modulePath: string): Promise<LoadedModule> {
    const list = await this.modules();
    const wanted = real(modulePath);
    const match = list.find((m) => real(m.path) === wanted);
    if (!match)
      throw new SignetError(
        'FORBIDDEN',
        `${modulePath} is not a known or added PKCS#11 module. Loading a module runs its code, so add it first (signet token add-module PATH, or "Add module" in the Tokens panel).`,
      );
    return loadModule(match.path);
  }

  private async moduleByName(name: string): Promise<LoadedModule> {
    const list = await this.modules();
    const lower = name.toLowerCase();
    const matches = list.filter((m) => {
      const base = path.basename(m.path).toLowerCase();
      return (
        m.name.toLowerCase() === lower ||
        base === lower ||
        base.replace(/\.(so|dylib|dll)(\.\d+)*$/, '') === lower ||
        base.replace(/^lib/, '').replace(/\.(so|dylib|dll)(\.\d+)*$/, '') === lower
      );
    });
    if (matches.length !== 1)
      throw new SignetError(
        matches.length ? 'CONFLICT' : 'NOT_FOUND',
        `module-name=${name} matches ${matches.length} known modules; use module-path= instead.`,
      );
    return loadModule((matches[0] as TokenModule).path);
  }

  async list(modulePath?: string): Promise<TokenSummary[]> {
    const paths = modulePath ? [modulePath] : (await this.modules()).map((m) => m.path);
    const out: TokenSummary[] = [];
    for (const p of paths) {
      const mod = await this.module(p);
      out.push(...listTokens(mod).map((t) => t.summary));
    }
    return out;
  }

  async keys(input: { module: string; token: string } & PinInput): Promise<TokenKeys> {
    const mod = await this.module(input.module);
    const token = findToken(mod, { either: input.token });
    return withPin(token, input, (pin) => {
      const login = pin !== undefined;
      const keys = withSession(mod, token, { login, pin, confirmFinalTry: input.confirmFinalTry, doing: 'listing keys' }, (session) =>
        readKeys(mod, session),
      );
      const supported = supportedMechanisms(mod, token.slot);
      return { token: token.summary, loggedIn: login, keys: keys.map((k) => describeKey(mod, token.summary, k, supported)) };
    });
  }

  async generate(input: { module: string; token: string; label: string; type: TokenKeyType } & PinInput): Promise<TokenKey> {
    const mod = await this.module(input.module);
    const token = findToken(mod, { either: input.token });
    return withPin(token, input, (pin) =>
      withSession(
        mod,
        token,
        { login: true, write: true, pin, confirmFinalTry: input.confirmFinalTry, doing: `generating a ${input.type} key` },
        (session) =>
          describeKey(mod, token.summary, generateKeyPair(mod, session, input.label, input.type), supportedMechanisms(mod, token.slot)),
      ),
    );
  }

  async diagnostics(input: { module: string; token: string }): Promise<TokenDiagnostics> {
    const mod = await this.module(input.module);
    const token = findToken(mod, { either: input.token });
    return { token: token.summary, attributes: diagnose(mod, token.slot) };
  }

  /**
   * A signer for the key a pkcs11: URI names. The PIN comes from `pin` (typed for this call),
   * else the URI's pin-value or pin-source file; it is bound to the one token the URI matches.
   */
  async openSigner(uriText: string, input: PinInput & { algorithm?: TokenAlgorithm } = {}): Promise<TokenSigner> {
    const uri = parsePkcs11Uri(uriText);
    try {
      if (uri.type !== undefined && uri.type !== 'private')
        throw new SignetError('INVALID_INPUT', `The pkcs11: URI names a ${uri.type} object; signing needs type=private (or no type).`);
      const mod = uri.modulePath
        ? await this.module(uri.modulePath)
        : uri.moduleName
          ? await this.moduleByName(uri.moduleName)
          : await this.onlyModule();
      const token = matchToken(mod, uri);
      let pin: TokenPin | undefined;
      if (input.pin !== undefined) pin = TokenPin.fromString(token.summary.serial, input.pin);
      else if (uri.pinValue) pin = TokenPin.fromBytes(token.summary.serial, Buffer.from(uri.pinValue));
      else if (uri.pinSource) {
        if (this.deps.refusePinSource)
          throw new SignetError(
            'INVALID_INPUT',
            'In the desktop app the PIN is typed in its field; a pin-source file is read only by the CLI (signet sign --key "pkcs11:…?pin-source=FILE").',
          );
        pin = TokenPin.fromBytes(token.summary.serial, await readPinFile(uri.pinSource));
      } else if (token.summary.flags.protectedAuthenticationPath) pin = TokenPin.pinPad(token.summary.serial);
      try {
        return openTokenSigner({
          mod,
          token,
          key: { ...(uri.object !== undefined ? { label: uri.object } : {}), ...(uri.id ? { id: uri.id } : {}) },
          ...(pin ? { pin } : {}),
          ...(input.confirmFinalTry ? { confirmFinalTry: true } : {}),
          ...(input.algorithm ? { algorithm: input.algorithm } : {}),
        });
      } catch (error) {
        pin?.wipe();
        throw error;
      }
    } finally {
      uri.pinValue?.fill(0);
    }
  }

  async testSign(input: { uri: string; algorithm?: TokenAlgorithm } & PinInput): Promise<TestSignResult> {
    const signer = await this.openSigner(input.uri, input);
    try {
      const data = randomBytes(64);
      const result = await signer.signDetailed(data);
      return {
        ok: true,
        uri: signer.uri,
        algorithm: result.algorithm,
        mechanism: result.mechanism,
        spkiSha256: signer.describe().spkiSha256,
        signatureBytes: result.signature.length,
        verifiedWith: 'node:crypto (public key read from the token)',
      };
    } finally {
      signer.close();
    }
  }

  private async onlyModule(): Promise<LoadedModule> {
    const list = await this.modules();
    if (list.length !== 1)
      throw new SignetError(
        'INVALID_INPUT',
        `The pkcs11: URI names no module and ${list.length} are known; add ?module-path=/path/to/module.so.`,
      );
    return loadModule((list[0] as TokenModule).path);
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function withPin<T>(token: FoundToken, input: PinInput, fn: (pin: TokenPin | undefined) => T): T {
  const serial = token.summary.serial;
  const pin =
    input.pin !== undefined
      ? TokenPin.fromString(serial, input.pin)
      : input.pinPad && token.summary.flags.protectedAuthenticationPath
        ? TokenPin.pinPad(serial)
        : undefined;
  try {
    return fn(pin);
  } finally {
    pin?.wipe();
  }
}

function matchToken(mod: LoadedModule, uri: Pkcs11Uri): FoundToken {
  const all = initializedTokens(mod);
  const matches = all.filter(
    ({ summary: t }) =>
      (uri.token === undefined || t.label === uri.token) &&
      (uri.serial === undefined || t.serial === uri.serial) &&
      (uri.manufacturer === undefined || t.manufacturer === uri.manufacturer) &&
      (uri.model === undefined || t.model === uri.model) &&
      (uri.slotId === undefined || t.slotId === String(uri.slotId)) &&
      (uri.slotDescription === undefined || t.slotDescription === uri.slotDescription),
  );
  if (matches.length === 1) return matches[0] as FoundToken;
  if (!matches.length)
    throw new SignetError(
      'NOT_FOUND',
      `No token in ${mod.path} matches the pkcs11: URI. Tokens present: ${all.map((t) => `"${t.summary.label}" (serial ${t.summary.serial})`).join(', ') || 'none'}.`,
    );
  throw new SignetError(
    'CONFLICT',
    `${matches.length} tokens match the pkcs11: URI (${matches.map((t) => tokenName(t.summary)).join(', ')}); add serial= so the PIN goes to exactly one token.`,
  );
}

/** pin-source: the file's first line, read and never executed. */
async function readPinFile(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new Error('not a file');
    if (stat.size > 1024) throw new SignetError('INVALID_INPUT', `The pin-source file ${file} is larger than a PIN can be.`);
    bytes = await readRegularFile(file, { maxBytes: 1024, what: 'The pin-source file' });
  } catch (error) {
    if (error instanceof SignetError && error.code !== 'NOT_FOUND') throw error;
    throw new SignetError('NOT_FOUND', `The pin-source file ${file} cannot be read.`);
  }
  let end = bytes.indexOf(0x0a);
  if (end === -1) end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end -= 1;
  const pin = Buffer.from(bytes.subarray(0, end));
  bytes.fill(0);
  return pin;
}
