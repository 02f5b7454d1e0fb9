import { SignetError } from '../../../shared/errors';
import { loadKeytar, unprotectedKeychainReason } from './keychain';

/**
 * Where a secret typed into or made by Signet lives: private keys, KMS secrets, storage
 * credentials and registry passwords. One interface (rule 4), one keychain implementation.
 */
export interface SecretStore {
  put(entry: string, secret: string): Promise<void>;
  get(entry: string): Promise<string | undefined>;
  delete(entry: string): Promise<void>;
}

export interface KeychainStoreOptions {
  /** The keychain service name entries are kept under ("Signet keys", "Signet KMS credentials" …). */
  service: string;
  /** What the entries are, for messages, with the article: "the key", "the KMS credentials" … */
  what: string;
  /** What to do instead when the keychain cannot keep them safely. */
  instead: string;
  /** Tells why the keychain would keep secrets unprotected (a gnome-keyring collection with an empty password). */
  checkProtected?: () => string | undefined;
}

/**
 * The OS keychain through keytar (Secret Service, macOS Keychain, Windows Credential Manager).
 * A keychain that would keep a secret unprotected is refused for every kind of secret, not only
 * private keys.
 */
export class KeychainStore implements SecretStore {
  private readonly checkProtected: () => string | undefined;

  constructor(private readonly options: KeychainStoreOptions) {
    this.checkProtected = options.checkProtected ?? unprotectedKeychainReason;
  }

  async put(entry: string, secret: string): Promise<void> {
    const unprotected = this.checkProtected();
    if (unprotected)
      throw new SignetError(
        'KEYCHAIN_UNAVAILABLE',
        `Signet refuses to store ${this.options.what} there: ${unprotected}. Set a password on that keyring, or ${this.options.instead}.`,
      );
    try {
      await (await loadKeytar()).setPassword(this.options.service, entry, secret);
    } catch (error) {
      throw new SignetError(
        'KEYCHAIN_UNAVAILABLE',
        `The OS keychain cannot store ${this.options.what} (${(error as Error).message.slice(0, 160)}). Signet does not keep them unprotected: start a keychain (Settings → Environment shows why it is unreachable), or ${this.options.instead}.`,
      );
    }
  }

  async get(entry: string): Promise<string | undefined> {
    try {
      return (await (await loadKeytar()).getPassword(this.options.service, entry)) ?? undefined;
    } catch (error) {
      throw new SignetError(
        'KEYCHAIN_UNAVAILABLE',
        `The OS keychain cannot be reached for ${this.options.what} (${(error as Error).message.slice(0, 160)}).`,
      );
    }
  }

  /** Removes the entry; an entry that is not there is fine, a keychain that cannot be reached is an error (the secret would stay). */
  async delete(entry: string): Promise<void> {
    try {
      await (await loadKeytar()).deletePassword(this.options.service, entry);
    } catch (error) {
      throw new SignetError(
        'KEYCHAIN_UNAVAILABLE',
        `The OS keychain could not remove ${this.options.what} (${(error as Error).message.slice(0, 160)}); it may still hold them: unlock the keychain and try again.`,
      );
    }
  }
}

/** Secrets in memory, for tests. */
export class MemoryStore implements SecretStore {
  readonly entries = new Map<string, string>();
  async put(entry: string, secret: string) {
    this.entries.set(entry, secret);
  }
  async get(entry: string) {
    return this.entries.get(entry);
  }
  async delete(entry: string) {
    this.entries.delete(entry);
  }
}
