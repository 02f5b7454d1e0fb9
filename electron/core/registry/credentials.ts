import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { KeychainStore, type SecretStore } from '../keys/secret-store';
import type { Credentials } from './auth';
import { readRegularFile, SMALL_FILE_MAX } from '../storage/bounded-read';

export const CREDENTIAL_SERVICE = 'Signet registry credentials';

/** Where credentials entered in the app live: the OS keychain (an in-memory one in tests). */
export interface CredentialStore {
  get(host: string): Promise<Credentials | undefined>;
  set(host: string, credentials: Credentials): Promise<void>;
  delete(host: string): Promise<void>;
}

/** Registry passwords in the OS keychain, through the one keychain store. */
export class KeychainCredentialStore implements CredentialStore {
  constructor(
    private readonly store: SecretStore = new KeychainStore({
      service: CREDENTIAL_SERVICE,
      what: 'the registry credentials',
      instead: 'log in with `docker login` instead',
    }),
  ) {}

  async get(host: string): Promise<Credentials | undefined> {
    const stored = await this.store.get(host);
    if (!stored) return undefined;
    const parsed = JSON.parse(stored) as Credentials;
    return { username: parsed.username, password: parsed.password };
  }

  async set(host: string, credentials: Credentials): Promise<void> {
    await this.store.put(host, JSON.stringify(credentials));
  }

  async delete(host: string): Promise<void> {
    await this.store.delete(host);
  }
}

export class MemoryCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, Credentials>();
  async get(host: string) {
    return this.entries.get(host);
  }
  async set(host: string, credentials: Credentials) {
    this.entries.set(host, credentials);
  }
  async delete(host: string) {
    this.entries.delete(host);
  }
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * Credentials users already have: containers auth.json (REGISTRY_AUTH_FILE,
 * $XDG_RUNTIME_DIR/containers/auth.json) and ~/.docker/config.json (auths, credHelpers,
 * credsStore through `docker-credential-<name> get`).
 */
export async function credentialsFromFiles(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const files = [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined,
    path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker'), 'config.json'),
  ].filter((f): f is string => Boolean(f));
  const keys =
    host === 'docker.io'
      ? ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io']
      : [host, `https://${host}`, `http://${host}`];
  for (const file of files) {
    let doc: AuthFile;
    try {
      doc = JSON.parse((await readRegularFile(file, { maxBytes: SMALL_FILE_MAX })).toString('utf8')) as AuthFile;
    } catch {
      continue;
    }
    const helper = keys.map((k) => doc.credHelpers?.[k]).find(Boolean) ?? doc.credsStore;
    for (const key of keys) {
      const entry = doc.auths?.[key];
      if (entry?.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
      if (entry?.username && entry.password) return { username: entry.username, password: entry.password };
    }
    if (helper && /^[A-Za-z0-9_.-]+$/.test(helper)) {
      const fromHelper = await runHelper(helper, keys[0] as string);
      if (fromHelper) return fromHelper;
    }
  }
  return undefined;
}

function runHelper(helper: string, host: string): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000, maxBuffer: 64 * 1024 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const doc = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(doc.Username && doc.Secret ? { username: doc.Username, password: doc.Secret } : undefined);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(host);
  });
}
