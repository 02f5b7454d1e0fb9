import type { kmsCalls } from '../../../shared/contract/kms';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { kmsKeychain, type SecretStore } from './connections';
import { KmsService } from './service';

export interface KmsHandlerOptions {
  /** Where typed-in credentials go; the OS keychain unless a test passes a memory store. */
  secrets?: SecretStore;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** Prefixes keys of the core's key-secret store (tests hand one in through CoreOptions). */
function prefixed(store: {
  put(id: string, s: string): Promise<void>;
  get(id: string): Promise<string | undefined>;
  delete(id: string): Promise<void>;
}): SecretStore {
  return {
    put: (entry, secret) => store.put(`kms-connection:${entry}`, secret),
    get: (entry) => store.get(`kms-connection:${entry}`),
    delete: (entry) => store.delete(`kms-connection:${entry}`),
  };
}

export function createKmsService(services: Pick<CoreServices, 'dataDir' | 'options'>, options: KmsHandlerOptions = {}): KmsService {
  const secrets = options.secrets ?? (services.options.keySecrets ? prefixed(services.options.keySecrets) : kmsKeychain());
  return new KmsService({
    dataDir: services.dataDir,
    secrets,
    ...(options.env ? { env: options.env } : {}),
    ...(options.home ? { home: options.home } : {}),
  });
}

export function createKmsHandlers(
  services: Pick<CoreServices, 'dataDir' | 'options' | 'log'> & { audit?: CoreServices['audit'] },
  options: KmsHandlerOptions & { service?: KmsService } = {},
): AreaHandlers<typeof kmsCalls> {
  const kms = options.service ?? createKmsService(services, options);
  return {
    'kms.providers': async () => kms.providers(),
    'kms.publicKey': async (request) => {
      const signer = await kms.signer(request.key, request.connection ? { connection: request.connection } : {});
      const d = signer.describe();
      return {
        publicKeyPem: await signer.publicKeyPem(),
        spkiSha256: d.spkiSha256,
        algorithm: d.algorithm,
        ...(d.keyVersion ? { keyVersion: d.keyVersion } : {}),
      };
    },
    'kms.add': async (request) => {
      const connection = await kms.add(request);
      services.log(`kms: connection "${connection.name}" (${connection.provider}, credentials from ${connection.credential.source}) saved`);
      await services.audit?.append('kms.changed', `Saved the KMS connection "${connection.name}" (${connection.provider})`, {
        name: connection.name,
        provider: connection.provider,
        credentials: connection.credential.source,
      });
      return connection;
    },
    'kms.list': async () => kms.list(),
    'kms.remove': async ({ name }) => {
      await kms.remove(name);
      services.log(`kms: connection "${name}" removed`);
      await services.audit?.append('kms.changed', `Removed the KMS connection "${name}"`, { name, removed: true });
      return { removed: true as const };
    },
    'kms.keys': async ({ connection }) => ({ keys: await kms.keys(connection) }),
    'kms.key': async ({ key, connection }) => kms.key(key, connection),
    'kms.test': async ({ key, connection, algorithm, version }) => {
      const result = await kms.test(key, {
        ...(connection ? { connection } : {}),
        ...(algorithm ? { algorithm } : {}),
        ...(version ? { version } : {}),
      });
      await services.audit?.append(
        'kms.tested',
        `Test-signed with ${result.uri} (${result.algorithm}, version ${result.keyVersion}); it verified locally`,
        { key: result.uri, algorithm: result.algorithm, keyVersion: result.keyVersion, spkiSha256: result.publicKeyFingerprint },
      );
      return result;
    },
  };
}
