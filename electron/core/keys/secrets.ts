import { SignetError } from '../../../shared/errors';
import { loadKeytar, unprotectedKeychainReason } from './keychain';

export const KEY_SECRET_SERVICE = 'Signet keys';

/** Where private key material lives (rule 4: one interface per variation point). */
export interface KeySecretStore {
  readonly name: 'keychain' | 'vault';
  put(id: string, secret: string): Promise<void>;
  get(id: string): Promise<string | undefined>;
  delete(id: string): Promise<void>;
}

/** The OS keychain through keytar: the Secret Service, macOS Keychain or Windows Credential Manager. */
export class KeychainSecretStore implements KeySecretStore {
  readonly name = 'keychain' as const;

  constructor(private readonly checkProtected: () => string | undefined = unprotectedKeychainReason) {}

  async put(id: string, secret: string): Promise<void> {
    const unprotected = this.checkProtected();
    if (unprotected) throw new SignetError('KEYCHAIN_UNAVAILABLE', `Signet refuses to store a private key there: ${unprotected}. Set a password on that keyring, or keep the key in the encrypted vault file instead (--store vault).`);
    try {
      await (await loadKeytar()).setPassword(KEY_SECRET_SERVICE, id, secret);
    } catch (error) {
      throw new SignetError('KEYCHAIN_UNAVAILABLE', `The OS keychain cannot store the key (${(error as Error).message.slice(0, 160)}). Signet does not keep private keys unprotected: start a keychain (Settings → Environment shows why it is unreachable), or keep the key in the encrypted vault file instead (--store vault).`);
    }
  }

  async get(id: string): Promise<string | undefined> {
    try {
      return (await (await loadKeytar()).getPassword(KEY_SECRET_SERVICE, id)) ?? undefined;
    } catch (error) {
      throw new SignetError('KEYCHAIN_UNAVAILABLE', `The OS keychain cannot be reached (${(error as Error).message.slice(0, 160)}).`);
    }
  }

  async delete(id: string): Promise<void> {
    await (await loadKeytar()).deletePassword(KEY_SECRET_SERVICE, id);
  }
}

export class MemorySecretStore implements KeySecretStore {
  readonly name = 'keychain' as const;
  readonly entries = new Map<string, string>();
  async put(id: string, secret: string) {
    this.entries.set(id, secret);
  }
  async get(id: string) {
    return this.entries.get(id);
  }
  async delete(id: string) {
    this.entries.delete(id);
  }
}
