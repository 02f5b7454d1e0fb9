import { KeychainStore, MemoryStore, type SecretStore } from './secret-store';
import { unprotectedKeychainReason } from './keychain';

export const KEY_SECRET_SERVICE = 'Signet keys';

/** Where private key material lives (rule 4: one interface per variation point): the keychain or the vault. */
export interface KeySecretStore extends SecretStore {
  readonly name: 'keychain' | 'vault';
}

/** Private keys in the OS keychain: the one keychain store, under the "Signet keys" service. */
export class KeychainSecretStore extends KeychainStore implements KeySecretStore {
  readonly name = 'keychain' as const;

  constructor(checkProtected: () => string | undefined = unprotectedKeychainReason) {
    super({
      service: KEY_SECRET_SERVICE,
      what: 'the key',
      instead: 'keep the key in the encrypted vault file instead (--store vault)',
      checkProtected,
    });
  }
}

export class MemorySecretStore extends MemoryStore implements KeySecretStore {
  readonly name = 'keychain' as const;
}
