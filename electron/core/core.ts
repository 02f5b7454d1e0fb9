import os from 'node:os';
import type { HostMode } from '../../shared/model';
import type { appCalls } from '../../shared/contract/app';
import { APP_NAME, APP_VERSION } from '../../shared/version';
import { AuditLog } from './audit/log';
import { createAuditHandlers } from './audit/handlers';
import { auditOrigin } from './audit/origin';
import { createCallRecorder } from './audit/recorder';
import { createDispatcher, type AreaHandlers, type Dispatch, type Handlers } from './dispatch';
import { createKeyHandlers } from './keys/handlers';
import { KeyRing } from './keys/key-ring';
import { KeychainSecretStore, type KeySecretStore } from './keys/secrets';
import type { CoreOptions, CoreServices } from './services';
import { KeychainCredentialStore } from './registry/credentials';
import { RegistryConnections } from './registry/handlers';
import { SavedRegistries } from './registry/saved';
import { VaultSecretStore } from './keys/vault';
import { createKmsHandlers, createKmsService } from './kms/handlers';
import { createOfflineHandlers } from './offline/handlers';
import { createOcirHandlers } from './ocir/handlers';
import { createTokenHandlers } from './pkcs11/handlers';
import { createRegistryHandlers } from './registry/handlers';
import { createSignatureHandlers } from './signatures/handlers';
import { createPayloadHandlers } from './payload/handlers';
import { createStorageHandlers } from './storage/handlers';
import { createTrustHandlers } from './trust/handlers';
import { createRuleHandlers } from './rules/handlers';
import { listenerSecret, startRulesListener, type RulesListener } from './rules/listener';
import { TokenService } from './pkcs11/service';
import { StorageService } from './storage/service';
import { KeychainStore } from './keys/secret-store';
import { runDoctor } from './doctor/doctor';
import { EventBus } from './events';
import { installNetworkGate } from './net/gate';
import { SettingsStore } from './settings/store';
import { TrustMigration } from './trust/migration';

export type { CoreOptions, CoreServices } from './services';
export type { RulesListener } from './rules/listener';

export interface Core {
  readonly dataDir: string;
  readonly readOnly: boolean;
  readonly events: EventBus;
  readonly dispatch: Dispatch;
}

function appHandlers(services: CoreServices): AreaHandlers<typeof appCalls> {
  return {
    'app.info': async () => ({
      name: APP_NAME,
      version: APP_VERSION,
      host: services.options.host,
      readOnly: services.readOnly,
      platform: `${os.platform()} ${os.arch()}`,
    }),
    'doctor.run': async (_input, ctx) =>
      runDoctor({ dataDir: services.dataDir, settings: services.settings, progress: ctx.progress, ...services.options.doctor }),
    'settings.get': async () => services.settings.read(),
    'settings.set': async (change) => {
      const { previous, next } = await services.settings.update(change);
      // Compared with the file, not this process's view: another process may have changed it since.
      if (previous.offlineMode !== next.offlineMode)
        await services.audit.append('settings.changed', `Offline mode turned ${next.offlineMode ? 'on' : 'off'}`, {
          offlineMode: next.offlineMode,
        });
      return next;
    },
  };
}

/** A test's in-memory key-secret store, namespaced for another kind of secret. */
function prefixedSecrets(store: KeySecretStore, prefix: string) {
  return {
    put: (entry: string, secret: string) => store.put(prefix + entry, secret),
    get: (entry: string) => store.get(prefix + entry),
    delete: (entry: string) => store.delete(prefix + entry),
  };
}

/** Builds the core services once per process; every host (Electron, web, CLI) calls `dispatch`. */
export function createCore(options: CoreOptions): Core {
  const settings = new SettingsStore(options.dataDir);
  const audit = new AuditLog(options.dataDir, { origin: auditOrigin(options.host, options.origin) });
  const keys = new KeyRing(options.dataDir, options.keySecrets ?? new KeychainSecretStore(), audit, new VaultSecretStore(options.dataDir));
  const trustMigration = new TrustMigration(options.dataDir, keys, audit);
  const services: CoreServices = {
    options,
    registries: new RegistryConnections(new SavedRegistries(options.dataDir), options.registryCredentials ?? new KeychainCredentialStore()),
    dataDir: options.dataDir,
    readOnly: options.readOnly ?? false,
    settings,
    events: new EventBus(),
    log: options.log ?? (() => undefined),
    network: {
      get offline() {
        return settings.offlineNow();
      },
    },
    audit,
    keys,
    trustMigration,
    tokens: new TokenService(options.dataDir, {
      ...(options.doctor?.findPkcs11Modules ? { findModules: options.doctor.findPkcs11Modules } : {}),
      refusePinSource: options.host === 'electron',
    }),
    storage: new StorageService({
      dataDir: options.dataDir,
      secrets: options.keySecrets
        ? prefixedSecrets(options.keySecrets, 'storage-profile:')
        : new KeychainStore({
            service: 'Signet storage credentials',
            what: 'the storage credentials',
            instead: 'use ~/.aws or environment credentials instead',
          }),
      ...(options.kmsEnv ? { env: options.kmsEnv, home: options.dataDir } : {}),
    }),
    kms: createKmsService({ dataDir: options.dataDir, options }, options.kmsEnv ? { env: options.kmsEnv, home: options.dataDir } : {}),
  };
  installNetworkGate({ offline: () => services.network.offline });

  // One entry per area; adding an area is its handlers file plus one line here.
  const handlers: Handlers = {
    ...appHandlers(services),
    ...createAuditHandlers(services),
    ...createOfflineHandlers(services),
    ...createRegistryHandlers(services),
    ...createKeyHandlers(services),
    ...createKmsHandlers(services, { service: services.kms }),
    ...createSignatureHandlers(services),
    ...createPayloadHandlers(services),
    ...createStorageHandlers(services),
    ...createTrustHandlers(services),
    ...createTokenHandlers(services),
    ...createRuleHandlers(services),
    ...createOcirHandlers(services),
  };

  const inner = createDispatcher(handlers, services.events, {
    readOnly: services.readOnly,
    log: services.log,
    recorder: createCallRecorder(services.audit),
  });
  // Earlier versions trusted Signet's own keys implicitly: before the first call is answered (a
  // verification among them), existing keys become explicit trust entries, once per data directory.
  // It runs in read-only mode too: it keeps the trust the directory already had, it adds none.
  const migrated = trustMigration.run().then(
    (marker) => {
      if (marker === 'busy')
        services.log('trust migration: another Signet process holds trust-migration.lock; it is left to that process.');
    },
    (error: unknown) => services.log(`trust migration failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  const dispatch: Dispatch = async (name, input) => {
    await migrated;
    return inner(name, input);
  };
  return { dataDir: services.dataDir, readOnly: services.readOnly, events: services.events, dispatch };
}

/**
 * Sign on push while the desktop app runs: the rules listener on 127.0.0.1 (port SIGNET_RULES_PORT,
 * default 8765; `off` turns it off), with its own core so the audit log names the rules listener.
 * A port that is taken (a `signet rules serve` already listening) is left to its owner: undefined.
 */
export async function startAppRulesListener(options: {
  dataDir: string;
  host: HostMode;
  env?: NodeJS.ProcessEnv;
  port?: number;
  log(line: string): void;
}): Promise<RulesListener | undefined> {
  const wanted = options.port !== undefined ? String(options.port) : ((options.env ?? process.env).SIGNET_RULES_PORT?.trim() ?? '8765');
  if (wanted === 'off') return undefined;
  const port = Number(wanted);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    options.log(`rules: SIGNET_RULES_PORT=${wanted.slice(0, 20)} is not a port; Signet does not listen for registry events.`);
    return undefined;
  }
  const core = createCore({ dataDir: options.dataDir, host: options.host, origin: 'rules', log: options.log });
  try {
    return await startRulesListener({
      dataDir: options.dataDir,
      dispatch: core.dispatch,
      secret: await listenerSecret(options.dataDir),
      port,
      log: options.log,
    });
  } catch (error) {
    options.log(
      `rules: not listening for registry events on 127.0.0.1:${port}: ${(error as Error).message} (is \`signet rules serve\` running?)`,
    );
    return undefined;
  }
}
