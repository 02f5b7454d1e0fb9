import { describe, expect, it } from 'vitest';
import { KeychainCredentialStore } from '../registry/credentials';
import { KeychainStore } from './secret-store';

describe('the one keychain store', () => {
  it('refuses to keep any kind of secret in a keychain that would keep it unprotected, before touching it', async () => {
    const unprotected = () => 'the login keyring has an empty password';
    const kms = new KeychainStore({
      service: 'Signet KMS credentials',
      what: 'the KMS credentials',
      instead: 'use the vendor files',
      checkProtected: unprotected,
    });
    await expect(kms.put('kms:x', 'secret')).rejects.toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
      message: expect.stringContaining('empty password'),
    });
    const registry = new KeychainCredentialStore(
      new KeychainStore({
        service: 'Signet registry credentials',
        what: 'the registry credentials',
        instead: 'docker login',
        checkProtected: unprotected,
      }),
    );
    await expect(registry.set('registry.example.com', { username: 'u', password: 'p' })).rejects.toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
    });
  });
});
