import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LookupFunction } from 'node:net';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { SignetError } from '../../../shared/errors';
import {
  StorageProfile,
  type StorageCredentialSource,
  type StorageKind,
  type StorageTarget,
  type StorageTestResult,
} from '../../../shared/models/storage';
import type { SecretStore } from '../kms/connections';
import { DirectoryStore } from './directory-store';
import { NamedRecordStore } from './named-store';
import type { ObjectStore } from './object-store';
import { S3Store } from './s3-store';

export interface StorageServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Host-name resolution for S3 connections (tests reach virtual-hosted buckets on loopback). */
  lookup?: LookupFunction;
}

export interface AddProfile {
  name: string;
  kind: StorageKind;
  endpoint?: string | undefined;
  region?: string | undefined;
  bucket?: string | undefined;
  prefix?: string | undefined;
  addressing?: 'path' | 'virtual' | undefined;
  path?: string | undefined;
  publicUrl?: string | undefined;
  credential: {
    source: StorageCredentialSource;
    profile?: string | undefined;
    secret?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  };
  replace?: boolean | undefined;
}

const entryFor = (name: string) => `storage:${name}`;

/**
 * Storage profiles (`<dataDir>/storage.json`, no secrets) and opening a destination as an
 * ObjectStore: a saved profile, completed or overridden per call.
 */
export class StorageService {
  readonly profiles: NamedRecordStore<StorageProfile>;

  constructor(private readonly options: StorageServiceOptions) {
    this.profiles = new NamedRecordStore(options.dataDir, 'storage.json', 'profiles', StorageProfile, 'storage profile');
  }

  list(): Promise<StorageProfile[]> {
    return this.profiles.list();
  }

  async add(request: AddProfile): Promise<StorageProfile> {
    const { credential } = request;
    if (request.kind === 'directory') {
      if (!request.path) throw new SignetError('INVALID_INPUT', 'A directory profile needs the folder path.');
      if (request.bucket || request.endpoint)
        throw new SignetError('INVALID_INPUT', 'A directory profile has a path, not a bucket or endpoint.');
    } else {
      if (!request.bucket) throw new SignetError('INVALID_INPUT', 'Name the bucket.');
      if (request.kind === 's3-compatible' && !request.endpoint)
        throw new SignetError('INVALID_INPUT', 'An S3-compatible profile needs its endpoint URL.');
      if (request.kind === 'obs' && !request.region && !request.endpoint)
        throw new SignetError('INVALID_INPUT', 'An OBS profile needs its region (for example cn-north-4) or endpoint.');
      if (credential.source === 'none')
        throw new SignetError('INVALID_INPUT', 'Buckets need credentials: choose the environment, an AWS profile, or enter them here.');
    }
    if (credential.source === 'keychain' && !credential.secret)
      throw new SignetError('INVALID_INPUT', 'Enter the access key id and secret access key.');
    if (credential.source !== 'keychain' && credential.secret)
      throw new SignetError('INVALID_INPUT', 'Secrets are only taken with the keychain credential source.');
    if (credential.source === 'profile' && !credential.profile) throw new SignetError('INVALID_INPUT', 'Name the AWS profile to use.');
    const existing = (await this.profiles.list()).find((p) => p.name === request.name);
    if (existing && !request.replace)
      throw new SignetError('CONFLICT', `A storage profile named "${request.name}" exists already. Remove it first, or replace it.`);
    const profile: StorageProfile = {
      name: request.name,
      kind: request.kind,
      ...(request.endpoint ? { endpoint: request.endpoint.replace(/\/+$/, '') } : {}),
      ...(request.region ? { region: request.region } : {}),
      ...(request.bucket ? { bucket: request.bucket } : {}),
      ...(request.prefix ? { prefix: request.prefix.replace(/\/+$/, '') } : {}),
      ...(request.addressing ? { addressing: request.addressing } : {}),
      ...(request.path ? { path: path.resolve(request.path) } : {}),
      ...(request.publicUrl ? { publicUrl: request.publicUrl.replace(/\/+$/, '') } : {}),
      credential: {
        source: request.kind === 'directory' ? 'none' : credential.source,
        ...(credential.profile ? { profile: credential.profile } : {}),
        ...(credential.source === 'keychain' ? { keychainEntry: entryFor(request.name), identity: credential.secret?.accessKeyId } : {}),
      },
    };
    const parsed = StorageProfile.safeParse(profile);
    if (!parsed.success)
      throw new SignetError(
        'INVALID_INPUT',
        `The profile is invalid: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}.`,
      );
    if (credential.source === 'keychain' && credential.secret)
      await this.options.secrets.put(entryFor(request.name), JSON.stringify(credential.secret));
    await this.profiles.put(parsed.data, request.replace ?? false);
    if (existing?.credential.keychainEntry && credential.source !== 'keychain')
      await this.options.secrets.delete(existing.credential.keychainEntry).catch(() => undefined);
    return parsed.data;
  }

  async remove(name: string): Promise<void> {
    const removed = await this.profiles.remove(name);
    if (removed.credential.keychainEntry) await this.options.secrets.delete(removed.credential.keychainEntry).catch(() => undefined);
  }

  /** The destination a call names: a saved profile, with any field the call gives taking precedence. */
  async open(target: StorageTarget): Promise<ObjectStore> {
    const saved = target.profile ? await this.profiles.get(target.profile) : undefined;
    // A saved profile's credentials go only to its own server (or folder): another endpoint could be anyone's.
    if (saved) {
      const moved = (['endpoint', 'path', 'awsProfile'] as const).filter(
        (k) => target[k] !== undefined && target[k] !== (saved as Record<string, unknown>)[k],
      );
      if (moved.length)
        throw new SignetError(
          'INVALID_INPUT',
          `The profile "${saved.name}" cannot be pointed elsewhere (${moved.join(', ')}): its credentials go only to its own server. Save another profile, or give the target without one.`,
        );
    }
    const kind: StorageKind = target.kind ?? saved?.kind ?? (target.path ? 'directory' : target.endpoint ? 's3-compatible' : 'aws');
    const publicUrl = target.publicUrl ?? saved?.publicUrl;
    if (kind === 'directory') {
      const dir = target.path ?? saved?.path;
      if (!dir) throw new SignetError('INVALID_INPUT', 'Name the folder to store into.');
      return new DirectoryStore(dir, publicUrl);
    }
    const bucket = target.bucket ?? saved?.bucket;
    if (!bucket) throw new SignetError('INVALID_INPUT', 'Name the bucket to store into (s3://BUCKET/PREFIX).');
    const endpoint = target.endpoint ?? saved?.endpoint;
    const region = target.region ?? saved?.region ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const prefix = target.prefix ?? saved?.prefix;
    const addressing = target.addressing ?? saved?.addressing ?? (kind === 's3-compatible' ? 'path' : 'virtual');
    return new S3Store({
      kind,
      bucket,
      region,
      addressing,
      ...(endpoint ? { endpoint } : {}),
      ...(prefix ? { prefix } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      credentials: await this.credentials(saved, target.awsProfile),
      ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
    });
  }

  /** Writes, reads back and deletes a probe object (or only lists), reporting each step. */
  async test(target: StorageTarget, mode: 'write' | 'list' = 'write'): Promise<StorageTestResult> {
    const started = Date.now();
    const store = await this.open(target);
    const steps: StorageTestResult['steps'] = [];
    const step = async (name: string, run: () => Promise<string | undefined>): Promise<boolean> => {
      try {
        const detail = await run();
        steps.push({ step: name, ok: true, ...(detail ? { detail } : {}) });
        return true;
      } catch (error) {
        steps.push({ step: name, ok: false, detail: error instanceof SignetError ? error.message : 'failed' });
        return false;
      }
    };
    let ok = await step('list', async () => `${(await store.list('', 10)).objects.length} object(s) seen`);
    if (ok && mode === 'write') {
      const key = `.signet-probe/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      ok = await step(
        'write and read back',
        async () =>
          (await store.put(key, Buffer.from(`Signet storage probe ${new Date().toISOString()}\n`), { contentType: 'text/plain' })).url,
      );
      if (ok) ok = await step('delete the probe', async () => (await store.delete(key), undefined));
    }
    return { target: store.description, mode, steps, ok, milliseconds: Date.now() - started };
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  private async credentials(
    saved: StorageProfile | undefined,
    awsProfile: string | undefined,
  ): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider> {
    const source: StorageCredentialSource = awsProfile ? 'profile' : (saved?.credential.source ?? 'default');
    if (source === 'keychain') {
      const entry = saved?.credential.keychainEntry;
      const text = entry ? await this.options.secrets.get(entry) : undefined;
      if (!text)
        throw new SignetError(
          'UNAUTHORIZED',
          `The credentials of storage profile "${saved?.name}" are not in the OS keychain any more; add the profile again.`,
        );
      const secret = JSON.parse(text) as { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
      return {
        accessKeyId: secret.accessKeyId,
        secretAccessKey: secret.secretAccessKey,
        ...(secret.sessionToken ? { sessionToken: secret.sessionToken } : {}),
      };
    }
    const env = this.env;
    const fromEnvironment = (): AwsCredentialIdentity | undefined =>
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          }
        : undefined;
    if (source === 'environment') {
      const found = fromEnvironment();
      if (!found) throw new SignetError('UNAUTHORIZED', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.');
      return found;
    }
    if (source === 'none') throw new SignetError('INVALID_INPUT', 'This profile has no credentials; buckets need them.');
    if (source === 'default') {
      const found = fromEnvironment();
      if (found) return found;
    }
    const home = this.options.home ?? os.homedir();
    const filepath = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials');
    const configFilepath = env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config');
    const profile = awsProfile ?? saved?.credential.profile ?? env.AWS_PROFILE ?? 'default';
    if (source === 'default' && !existsSync(filepath) && !existsSync(configFilepath)) {
      throw new SignetError(
        'UNAUTHORIZED',
        'No storage credentials were found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, create ~/.aws/credentials, or enter them in the profile.',
      );
    }
    const { fromIni } = await import('@aws-sdk/credential-providers');
    return fromIni({ profile, filepath, configFilepath });
  }
}
