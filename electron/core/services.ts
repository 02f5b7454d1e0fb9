import type { HostMode } from '../../shared/model';
import type { AuditHost } from '../../shared/models/audit';
import type { AuditLog } from './audit/log';
import type { DoctorDeps } from './doctor/doctor';
import type { EventBus } from './events';
import type { KeyRing } from './keys/key-ring';
import type { KeySecretStore } from './keys/secrets';
import type { KmsService } from './kms/service';
import type { TokenService } from './pkcs11/service';
import type { CredentialStore } from './registry/credentials';
import type { RegistryConnections } from './registry/handlers';
import type { SettingsStore } from './settings/store';
import type { StorageService } from './storage/service';
import type { TrustMigration } from './trust/migration';

/**
 * The core's services, built once by createCore and handed to every area's handlers. Its own
 * file, holding types only, so that handler files import it without importing core.ts back.
 */
export interface CoreOptions {
  dataDir: string;
  host: HostMode;
  /** Who the audit log names as the origin of changes, when not the host itself (the signing-rules listener). */
  origin?: AuditHost;
  readOnly?: boolean;
  log?: (line: string) => void;
  /** Replaces environment probes in tests that must not touch the machine. */
  doctor?: Partial<Pick<DoctorDeps, 'probeKeychain' | 'findPkcs11Modules' | 'probeTools'>>;
  /** Replaces the OS keychain for key secrets (tests). */
  keySecrets?: KeySecretStore;
  /** Replaces the OS keychain for registry passwords (tests). */
  registryCredentials?: CredentialStore;
  /** Replaces process.env and the home directory for KMS and storage credential lookup (tests). */
  kmsEnv?: NodeJS.ProcessEnv;
}

/** What every area's handlers may use: the data directory, settings, events and the log. */
export interface CoreServices {
  readonly options: CoreOptions;
  readonly dataDir: string;
  readonly readOnly: boolean;
  readonly settings: SettingsStore;
  readonly events: EventBus;
  readonly log: (line: string) => void;
  /** Offline mode as the network gate sees it: the settings file, re-read when another process changed it. */
  readonly network: { readonly offline: boolean };
  readonly audit: AuditLog;
  readonly keys: KeyRing;
  /** Cloud KMS connections and signers; provider SDKs load on first use. */
  readonly kms: KmsService;
  /** Storage profiles and object stores (S3, OBS, directories). */
  readonly storage: StorageService;
  /** PKCS#11 modules, tokens and token signers. */
  readonly tokens: TokenService;
  /** The one-time move of Signet's own keys from implicit to explicit trust (trust/migration.ts). */
  readonly trustMigration?: TrustMigration;
  /** Saved registries and their clients, one set for every area: credentials changed in one are seen by all. */
  readonly registries: RegistryConnections;
}
