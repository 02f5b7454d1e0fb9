import type { keyCalls } from '../../../shared/contract/keys';
import { SignetError } from '../../../shared/errors';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { trustSignetKey } from '../trust/own-keys';
import { TrustStore } from '../trust/store';
import type { KeyInfo } from '../../../shared/models/keys';

export function createKeyHandlers(services: CoreServices): AreaHandlers<typeof keyCalls> {
  const keys = services.keys;
  const vaultOf = () => {
    if (!keys.vault) throw new SignetError('UNSUPPORTED', 'This host has no vault file.');
    return keys.vault;
  };
  const trustStore = new TrustStore(services.dataDir);
  /** Whether to trust a key being made: asked for, or by default, unless read-only mode forbids adding trust. */
  const wantsTrust = (asked: boolean | undefined): boolean => {
    if (asked === true && services.readOnly)
      throw new SignetError(
        'READ_ONLY',
        'Signet is running in read-only reviewer mode: a new key cannot be trusted here. Make it with trust off, or trust it from a normal session.',
      );
    return asked ?? !services.readOnly;
  };
  /**
   * Before the first key is made in a data directory, record that it needs no trust migration
   * (trust/migration.ts): keys made by this version are trusted only when asked.
   */
  const beforeNewKey = async () => {
    const result = await services.trustMigration?.run({ recordFresh: true });
    if (result === 'busy')
      throw new SignetError('CONFLICT', 'Another Signet process is moving keys to explicit trust entries; try again in a moment.');
  };
  /**
   * Trusts a key Signet just made or added. The key exists whatever happens here, so a failure is
   * reported beside it (`trustNote`), not as the call's failure.
   */
  const trustNew = async (info: KeyInfo, trust: boolean, via: string) => {
    if (!trust) return { ...info, ...(services.readOnly ? { trustNote: 'Not trusted: read-only mode adds no trust.' } : {}) };
    try {
      const entry = await trustSignetKey(trustStore, keys, services.audit, info, {
        uniqueName: true,
        via,
        ...(info.expires ? { notAfter: new Date(info.expires).toISOString() } : {}),
      });
      return { ...info, trusted: { id: entry.id, name: entry.name } };
    } catch (error) {
      return { ...info, trustNote: `The key was made but not trusted: ${error instanceof Error ? error.message : String(error)}` };
    }
  };
  return {
    'keys.list': async () => keys.list(),
    'keys.get': async (input) => ({ info: await keys.get(input.key), exports: await keys.publicExports(input.key) }),
    'keys.generate': async (input, ctx) => {
      const trust = wantsTrust(input.trust);
      await beforeNewKey();
      ctx.progress(0, 1, `Generating ${input.type} key "${input.name}"`);
      const info = await keys.generate({
        name: input.name,
        type: input.type,
        ...(input.userId ? { userId: input.userId } : {}),
        ...(input.expires ? { expires: new Date(input.expires) } : {}),
        ...(input.labels ? { labels: input.labels } : {}),
        ...(input.store ? { store: input.store } : {}),
      });
      const result = await trustNew(info, trust, 'generated');
      ctx.progress(1, 1, 'Done');
      return result;
    },
    'keys.import': async (input) => {
      await beforeNewKey();
      const password = Buffer.from(input.password, 'utf8');
      try {
        const file = input.encoding === 'base64' ? Buffer.from(input.text, 'base64') : Buffer.from(input.text, 'utf8');
        const { found, ...info } = await keys.importKey({
          name: input.name,
          file,
          password,
          ...(input.store ? { store: input.store } : {}),
        });
        return { info, found };
      } finally {
        password.fill(0);
      }
    },
    'keys.attachCertificate': async (input) =>
      keys.attachCertificate(
        input.key,
        input.encoding === 'der-base64' ? Buffer.from(input.chain, 'base64') : Buffer.from(input.chain, 'utf8'),
      ),
    'keys.csr': async (input) => ({
      csr: await keys.csr(input.key, { commonName: input.commonName, ...(input.organization ? { organization: input.organization } : {}) }),
    }),
    'keys.vaultStatus': async () => vaultOf().status(),
    'keys.vaultUnlock': async (input) => {
      const passphrase = Buffer.from(input.passphrase, 'utf8');
      let status;
      try {
        status = await vaultOf().unlock(passphrase);
      } finally {
        passphrase.fill(0);
      }
      // The public halves kept beside the vault, rewritten from its private keys; one altered on disk is recorded.
      const { altered } = await keys.refreshVaultPublic().catch((error: unknown) => {
        services.log(`vault public parts: ${error instanceof Error ? error.message : String(error)}`);
        return { altered: [] };
      });
      if (altered.length)
        await services.audit.append(
          'vault.changed',
          `Public keys kept beside the vault had been altered and were restored from it: ${altered.map((n) => `"${n}"`).join(', ')}`,
          { altered: altered.join(', ') },
          { outcome: 'refused' },
        );
      // Keys in the vault that the trust migration could not read while it was locked.
      await services.trustMigration
        ?.run()
        .catch((error: unknown) => services.log(`trust migration failed: ${error instanceof Error ? error.message : String(error)}`));
      return status;
    },
    'keys.vaultLock': async () => {
      vaultOf().lock();
      return vaultOf().status();
    },
    'keys.addKms': async (input) => {
      const trust = wantsTrust(input.trust);
      await beforeNewKey();
      const signer = await services.kms.signer(input.uri, {
        ...(input.connection ? { connection: input.connection } : {}),
        ...(input.algorithm ? { algorithm: input.algorithm } : {}),
      });
      const info = await keys.addKms({
        name: input.name,
        uri: input.uri,
        ...(input.connection ? { connection: input.connection } : {}),
        algorithm: signer.describe().algorithm,
        publicKeyPem: await signer.publicKeyPem(),
      });
      return trustNew(info, trust, 'added');
    },
    'keys.exportCosign': async (input) => {
      const password = Buffer.from(input.password, 'utf8');
      try {
        return await keys.exportCosign(input.key, password);
      } finally {
        password.fill(0);
      }
    },
    'keys.exportPgpSecret': async (input) => keys.exportPgpSecret(input.key, input.passphrase),
    'keys.retire': async (input) => keys.retire(input.key),
    'keys.delete': async (input) => {
      await keys.delete(input.key, input.confirmName);
      return { deleted: true as const };
    },
  };
}
