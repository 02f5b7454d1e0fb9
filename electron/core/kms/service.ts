import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { SignetError } from '../../../shared/errors';
import {
  KMS_PROVIDERS,
  type KmsAlgorithm,
  type KmsConnection,
  type KmsCredentialRef,
  type KmsKey,
  type KmsKeyState,
  type KmsProviderId,
  type KmsProviderInfo,
  type KmsTestResult,
} from '../../../shared/models/kms';
import { assertOnline } from '../net/gate';
import { ALGORITHMS } from './algorithms';
import { pemSpkiSha256 } from '../signing/spki';
import { keychainEntryFor, KmsConnectionStore, type SecretStore } from './connections';
import { kmsError } from './errors';
import { openKmsSigner, type KmsSigner, type OpenSignerOptions } from './kms-signer';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from './provider';
import { PROVIDERS, providerInfo, providerName } from './providers';
import { parseKmsUri, type KmsKeyRef } from './uri';

export interface KmsServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  /** Environment the default credential chains read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Home directory for vendor config files (default: the user's). */
  home?: string;
}

export interface AddConnection {
  name: string;
  provider: KmsProviderId;
  region?: string;
  endpoint?: string;
  scope?: string;
  authorityHost?: string;
  caCertificates?: string;
  credential: { source: KmsCredentialRef['source']; profile?: string; path?: string; secret?: Record<string, string> };
  replace?: boolean;
}

/**
 * KMS connections and signing with KMS keys: what the contract handlers, the CLI's `--key
 * <uri>` and every signature format use. Secrets are read from the keychain per call and never
 * leave this module except into the vendor's SDK.
 */
export class KmsService {
  readonly store: KmsConnectionStore;
  private readonly modules = new Map<KmsProviderId, Promise<KmsProviderModule>>();

  constructor(private readonly options: KmsServiceOptions) {
    this.store = new KmsConnectionStore(options.dataDir);
  }

  providers(): KmsProviderInfo[] {
    return KMS_PROVIDERS.map(providerInfo);
  }

  list(): Promise<KmsConnection[]> {
    return this.store.list();
  }

  async add(request: AddConnection): Promise<KmsConnection> {
    const info = PROVIDERS[request.provider];
    const { credential } = request;
    if (!info.credentialSources.includes(credential.source)) {
      throw new SignetError(
        'INVALID_INPUT',
        `${info.name} takes credentials from ${info.credentialSources.join(', ')}, not "${credential.source}".`,
      );
    }
    if (credential.source === 'keychain') {
      const secret = credential.secret ?? {};
      const unknown = Object.keys(secret).filter((k) => !info.secretFields.includes(k));
      if (unknown.length)
        throw new SignetError(
          'INVALID_INPUT',
          `${info.name} credentials have no field ${unknown.join(', ')}; the fields are ${info.secretFields.join(', ')}.`,
        );
      const missing = PROVIDERS[request.provider].requiredSecrets.filter((k) => !secret[k]);
      if (missing.length) throw new SignetError('INVALID_INPUT', `${info.name} credentials need ${missing.join(', ')}.`);
    } else if (credential.secret && Object.keys(credential.secret).length) {
      throw new SignetError(
        'INVALID_INPUT',
        'Secrets are only taken with the keychain credential source; the other sources read the vendor’s own files or environment.',
      );
    }
    if (credential.source === 'profile' && !credential.profile) throw new SignetError('INVALID_INPUT', 'Name the profile to use.');
    if (credential.source === 'file' && !credential.path) throw new SignetError('INVALID_INPUT', 'Name the credentials file to use.');
    validateFields(request);

    const entry = keychainEntryFor(request.name);
    const identityField = PROVIDERS[request.provider].identityField;
    const identity = credential.source === 'keychain' && identityField ? credential.secret?.[identityField] : undefined;
    const ref: KmsCredentialRef = {
      source: credential.source,
      ...(credential.profile ? { profile: credential.profile } : {}),
      ...(credential.path ? { path: credential.path } : {}),
      ...(credential.source === 'keychain' ? { keychainEntry: entry } : {}),
      ...(identity ? { identity } : {}),
    };
    const connection: KmsConnection = {
      name: request.name,
      provider: request.provider,
      ...(request.region ? { region: request.region } : {}),
      ...(request.endpoint ? { endpoint: request.endpoint.replace(/\/+$/, '') } : {}),
      ...(request.scope ? { scope: request.scope } : {}),
      ...(request.authorityHost ? { authorityHost: request.authorityHost.replace(/\/+$/, '') } : {}),
      ...(request.caCertificates ? { caCertificates: request.caCertificates } : {}),
      credential: ref,
      created: new Date().toISOString(),
    };
    const existing = (await this.store.list()).find((c) => c.name === request.name);
    if (existing && !request.replace)
      throw new SignetError('CONFLICT', `A KMS connection named "${request.name}" exists already. Remove it first, or replace it.`);
    if (credential.source === 'keychain') await this.options.secrets.put(entry, JSON.stringify(credential.secret));
    await this.store.put(connection, request.replace ?? false);
    if (existing?.credential.keychainEntry && credential.source !== 'keychain')
      await this.options.secrets.delete(existing.credential.keychainEntry).catch(() => undefined);
    return connection;
  }

  async remove(name: string): Promise<void> {
    const removed = await this.store.remove(name);
    if (removed.credential.keychainEntry) await this.options.secrets.delete(removed.credential.keychainEntry).catch(() => undefined);
  }

  async keys(name: string): Promise<KmsKey[]> {
    assertOnline();
    const connection = await this.store.get(name);
    return (await this.client(connection)).listKeys();
  }

  async key(uri: string, connectionName?: string): Promise<KmsKey> {
    const ref = parseKmsUri(uri);
    assertOnline();
    const { client } = await this.clientFor(ref, connectionName);
    return client.describeKey(ref);
  }

  /**
   * Whether a key can still sign, as OCIR asks the Vault: the key's state and the state of the
   * version whose public key has this SPKI SHA-256 (each version's public key is read, at most 50).
   */
  async versionStatus(
    uri: string,
    spkiSha256: string,
    connectionName?: string,
  ): Promise<{ keyState: KmsKeyState; version?: string; versionState?: KmsKeyState; enabled: boolean }> {
    const ref = parseKmsUri(uri);
    assertOnline();
    const { client } = await this.clientFor(ref, connectionName);
    const key = await client.describeKey(ref);
    for (const v of key.versions.slice(0, 50)) {
      const pem = await client.getPublicKey(ref, v.version).catch(() => undefined);
      if (pem && pemSpkiSha256(pem).toLowerCase() === spkiSha256.toLowerCase())
        return {
          keyState: key.state,
          version: v.version,
          versionState: v.state,
          enabled: key.state === 'enabled' && v.state === 'enabled',
        };
    }
    return { keyState: key.state, enabled: false };
  }

  /** The public key (SPKI PEM) of one key version, whatever its state: for verifying what it signed. */
  async publicKey(uri: string, version: string, connectionName?: string): Promise<string> {
    const ref = parseKmsUri(uri);
    assertOnline();
    const { client } = await this.clientFor(ref, connectionName);
    return client.getPublicKey(ref, version);
  }

  /** The KMS's own answer whether a signature over a message verifies, where the provider can say (OCI Vault). */
  async verifyRemote(
    uri: string,
    request: { version: string; algorithm: KmsAlgorithm; message: Uint8Array; signature: Uint8Array },
    connectionName?: string,
  ): Promise<boolean> {
    const ref = parseKmsUri(uri);
    assertOnline();
    const { client } = await this.clientFor(ref, connectionName);
    if (!client.verifyMessage) throw new SignetError('UNSUPPORTED', `${client.provider} cannot be asked to verify a signature.`);
    return client.verifyMessage(ref, request);
  }

  /** A `Signer` for a KMS key URI (what `--key awskms://…` resolves to). */
  async signer(uri: string, options: OpenSignerOptions & { connection?: string } = {}): Promise<KmsSigner> {
    const ref = parseKmsUri(uri);
    assertOnline();
    const { client } = await this.clientFor(ref, options.connection);
    return openKmsSigner(client, ref, options);
  }

  /** Signs a random message, verifies the signature locally, and says how it was made. */
  async test(uri: string, options: { connection?: string; algorithm?: KmsAlgorithm; version?: string } = {}): Promise<KmsTestResult> {
    const started = Date.now();
    const signer = await this.signer(uri, options);
    const result = await signer.signDetailed(randomBytes(64));
    const description = signer.describe();
    return {
      uri,
      provider: description.provider as KmsProviderId,
      algorithm: result.algorithm,
      padding: ALGORITHMS[result.algorithm].padding,
      keyVersion: result.keyVersion,
      publicKeyFingerprint: description.spkiSha256,
      publicKeyPem: await signer.publicKeyPem(),
      verifiedLocally: true,
      signatureBytes: result.signature.length,
      milliseconds: Date.now() - started,
    };
  }

  /** The connection a key URI uses: the one named, else the best match by provider and region. */
  async connectionFor(ref: KmsKeyRef, name?: string): Promise<KmsConnection> {
    if (name) {
      const connection = await this.store.get(name);
      if (connection.provider !== ref.provider) {
        throw new SignetError(
          'INVALID_INPUT',
          `The connection "${name}" is for ${providerName(connection.provider)}, but ${ref.uri} is a ${providerName(ref.provider)} key.`,
        );
      }
      assertSameRegion(ref, connection);
      return connection;
    }
    const candidates = (await this.store.list()).filter((c) => c.provider === ref.provider);
    const region = refRegion(ref);
    const best = candidates.find((c) => !region || !c.region || c.region === region);
    if (best) return best;
    return {
      name: 'default',
      provider: ref.provider,
      ...(region ? { region } : {}),
      credential: { source: 'default' },
      created: new Date(0).toISOString(),
    };
  }

  private async clientFor(ref: KmsKeyRef, name?: string): Promise<{ client: KmsClient; connection: KmsConnection }> {
    const connection = await this.connectionFor(ref, name);
    return { client: await this.client(connection), connection };
  }

  private async client(connection: KmsConnection): Promise<KmsClient> {
    let secret: Record<string, string> = {};
    if (connection.credential.source === 'keychain') {
      const entry = connection.credential.keychainEntry ?? keychainEntryFor(connection.name);
      const stored = await this.options.secrets.get(entry);
      if (!stored)
        throw kmsError(connection.provider, 'credentials-missing', {
          vendor: `the keychain has no entry "${entry}"`,
          hint: `Add the connection "${connection.name}" again with its credentials.`,
        });
      secret = JSON.parse(stored) as Record<string, string>;
    }
    const resolved: ResolvedConnection = {
      connection,
      secret,
      env: this.options.env ?? process.env,
      home: this.options.home ?? os.homedir(),
    };
    return (await this.module(connection.provider)).createClient(resolved);
  }

  private module(id: KmsProviderId): Promise<KmsProviderModule> {
    let loading = this.modules.get(id);
    if (!loading) {
      loading = PROVIDERS[id].load();
      this.modules.set(id, loading);
      loading.catch(() => this.modules.delete(id));
    }
    return loading;
  }
}

function refRegion(ref: KmsKeyRef): string | undefined {
  if (ref.provider === 'awskms' || ref.provider === 'tencentkms' || ref.provider === 'huaweikms') return ref.region;
  if (ref.provider === 'gcpkms') return ref.location;
  return undefined;
}

function assertSameRegion(ref: KmsKeyRef, connection: KmsConnection): void {
  if (ref.provider === 'tencentkms' || ref.provider === 'huaweikms') {
    if (connection.region && connection.region !== ref.region) {
      throw kmsError(ref.provider, 'region-mismatch', {
        key: ref.uri,
        vendor: `the key is in ${ref.region}, the connection "${connection.name}" uses ${connection.region}`,
        hint: `Use a connection for ${ref.region}, or one without a region.`,
      });
    }
  }
  if (ref.provider === 'huaweikms' && connection.scope && connection.scope !== ref.projectId) {
    throw kmsError(ref.provider, 'region-mismatch', {
      key: ref.uri,
      vendor: `the key is in project ${ref.projectId}, the connection "${connection.name}" lists project ${connection.scope}`,
      hint: 'Use a connection for that project.',
    });
  }
}

function validateFields(request: AddConnection): void {
  const fail = (why: string) => {
    throw new SignetError('INVALID_INPUT', why);
  };
  if (request.endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(request.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
      fail('The endpoint must be an http:// or https:// URL without user name, password, query or fragment.');
    }
  }
  if (request.authorityHost && !/^https:\/\/[^/\s]+\/?$/.test(request.authorityHost))
    fail('The authority host must be an https:// URL such as https://login.microsoftonline.us.');
  if (request.region && !/^[a-z]{2,3}(?:-[a-z0-9]+)+$/.test(request.region))
    fail(`"${request.region}" is not a region name such as eu-central-1.`);
  if (request.caCertificates && !request.caCertificates.includes('-----BEGIN CERTIFICATE-----'))
    fail('The CA certificates must be PEM (-----BEGIN CERTIFICATE-----).');
  if (request.provider === 'gcpkms' && request.scope && !/^projects\/[^/]+\/locations\/[^/]+(?:\/keyRings\/[^/]+)?$/.test(request.scope)) {
    fail('For Google Cloud KMS the scope is projects/P/locations/L or projects/P/locations/L/keyRings/R.');
  }
  if (request.provider === 'ocikms' && request.scope && !/^ocid1\.(compartment|tenancy)\.oc[0-9]+\.\.[a-z0-9]+$/.test(request.scope))
    fail('For OCI Vault the scope is a compartment OCID (ocid1.compartment.oc1..…).');
  if (request.provider === 'huaweikms' && request.scope && !/^[0-9a-f]{32}$/.test(request.scope))
    fail('For Huawei Cloud KMS the scope is a project id (32 hexadecimal digits).');
  if (request.provider === 'hashivault' && request.scope && !/^[A-Za-z0-9_./-]{1,200}(\|[A-Za-z0-9_./-]{1,200})?$/.test(request.scope))
    fail('For Vault the scope is the transit mount path, optionally followed by |NAMESPACE.');
}
