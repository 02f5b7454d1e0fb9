import type { registryCalls } from '../../../shared/contract/registry';
import { SignetError } from '../../../shared/errors';
import type { ImageSummary, SavedRegistry } from '../../../shared/models/registry';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RegistryClient } from './client';
import { OciLayout } from './layout';
import type { RegistrySource } from './source';
import { extractTarFile } from './tar';
import { credentialsFromFiles, type CredentialStore } from './credentials';
import type { Credentials } from './auth';
import { describeSystemError } from '../../../shared/system-errors';
import { platformName } from './media';
import { registryIdFor, type SavedRegistries } from './saved';

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** One client per saved registry, so token and manifest caches and the concurrency limit are shared. */
export class RegistryConnections {
  private readonly clients = new Map<string, RegistryClient>();
  /** Capabilities per registry, kept for ten minutes. */
  readonly probes = new Map<string, { at: number; value: import('../../../shared/models/registry').Capabilities }>();
  constructor(
    readonly saved: SavedRegistries,
    readonly credentials: CredentialStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  clientFor(registry: SavedRegistry): RegistryClient {
    const key = `${registry.id}|${registry.host}|${registry.insecure}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new RegistryClient({
        registry: registry.host,
        insecure: registry.insecure,
        credentials: async () =>
          registry.credentials === 'keychain' ? this.credentials.get(registry.host) : credentialsFromFiles(registry.host, this.env),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  async client(id: string): Promise<RegistryClient> {
    const saved = await this.saved.get(id);
    if (saved.kind !== 'distribution') throw new SignetError('UNSUPPORTED', `${saved.name} is an OCI layout, not a registry.`);
    return this.clientFor(saved);
  }

  /** The source behind a saved entry: a registry client, or the layout on disk. */
  async source(id: string): Promise<RegistrySource> {
    const saved = await this.saved.get(id);
    if (saved.kind === 'oci-layout') return new OciLayout(saved.path as string);
    return this.clientFor(saved);
  }

  forget(id: string): void {
    for (const key of [...this.clients.keys()]) if (key.startsWith(`${id}|`)) this.clients.delete(key);
  }
}

export function createRegistryHandlers(services: CoreServices, connections = services.registries): AreaHandlers<typeof registryCalls> {
  return {
    'registry.list': async () => connections.saved.list(),
    'registry.add': async (input) => {
      if (input.layoutPath) return addLayout(services.dataDir, connections, input.layoutPath, input.name);
      const host = (input.host as string).toLowerCase();
      const fromFiles = input.username ? undefined : await credentialsFromFiles(host);
      const given = input.username && input.password ? { username: input.username, password: input.password } : undefined;
      // Reach the registry and sign in first, so a typo or a wrong password never replaces a working entry.
      if (!input.saveAnyway && !services.network.offline) await checkAccess(host, input.insecure ?? false, given ?? fromFiles);
      if (given) await connections.credentials.set(host, given);
      const saved = await connections.saved.update((registries) => {
        const existing = registries.find((r) => r.kind === 'distribution' && r.host === host);
        const entry: SavedRegistry = {
          id: existing?.id ?? registryIdFor(host, new Set(registries.map((r) => r.id))),
          kind: 'distribution',
          name: input.name ?? existing?.name ?? host,
          host,
          insecure: input.insecure ?? false,
          credentials: input.username ? 'keychain' : fromFiles ? 'docker-config' : 'none',
          ...(input.username ? { username: input.username } : fromFiles ? { username: fromFiles.username } : {}),
          ...((input.lookaside ?? existing?.lookaside) ? { lookaside: (input.lookaside ?? existing?.lookaside) as string } : {}),
          ...((input.ocir ?? existing?.ocir) ? { ocir: input.ocir ?? existing?.ocir } : {}),
        };
        connections.forget(entry.id);
        return { registries: [...registries.filter((r) => r.id !== entry.id), entry], result: entry };
      });
      await services.audit.append(
        'registry.changed',
        `Saved the registry ${saved.host} as ${saved.id} (credentials: ${saved.credentials})`,
        {
          id: saved.id,
          host: saved.host,
          credentials: saved.credentials,
          ...(input.username ? { credentialsChanged: true } : {}),
          ...(saved.lookaside ? { lookaside: saved.lookaside } : {}),
          ...(saved.ocir ? { ocirProfile: saved.ocir.profile, ocirCompartment: saved.ocir.compartmentId } : {}),
        },
      );
      return saved;
    },
    'registry.edit': async (input) => {
      const edited = await connections.saved.update((registries) => {
        const found = registries.find((r) => r.id === input.id);
        if (!found) throw new SignetError('NOT_FOUND', `There is no saved registry ${input.id}.`);
        const { lookaside: _old, ocir: _oldOcir, ...rest } = found;
        const lookaside = input.lookaside === undefined ? found.lookaside : (input.lookaside ?? undefined);
        // An OCIR change without a config file keeps the saved one (the desktop app names files only through its dialogs).
        const keptConfig = input.ocir && !input.ocir.configFile && found.ocir?.configFile ? { configFile: found.ocir.configFile } : {};
        const ocir = input.ocir === undefined ? found.ocir : input.ocir === null ? undefined : { ...keptConfig, ...input.ocir };
        if (ocir && found.kind !== 'distribution')
          throw new SignetError('INVALID_INPUT', `${found.name} is an OCI layout; only a registry can be Oracle OCIR.`);
        const entry: SavedRegistry = {
          ...rest,
          ...(input.name ? { name: input.name } : {}),
          ...(lookaside ? { lookaside } : {}),
          ...(ocir ? { ocir } : {}),
        };
        return { registries: registries.map((r) => (r.id === entry.id ? entry : r)), result: entry };
      });
      await services.audit.append(
        'registry.changed',
        `Edited the registry ${edited.id}: name ${edited.name}, lookaside ${edited.lookaside ?? 'from registries.d'}${edited.ocir ? `, OCIR profile ${edited.ocir.profile}` : ''}`,
        {
          id: edited.id,
          name: edited.name,
          lookaside: edited.lookaside ?? '',
          ...(edited.ocir ? { ocirProfile: edited.ocir.profile, ocirCompartment: edited.ocir.compartmentId } : {}),
        },
      );
      return edited;
    },
    'registry.remove': async (input) => {
      const removed = await connections.saved.update((registries) => {
        const found = registries.find((r) => r.id === input.id);
        return { registries: registries.filter((r) => r.id !== input.id), result: found };
      });
      if (removed?.credentials === 'keychain') await connections.credentials.delete(removed.host);
      if (removed?.kind === 'oci-layout' && removed.path?.startsWith(path.join(services.dataDir, 'layouts') + path.sep))
        await fs.rm(removed.path, { recursive: true, force: true });
      connections.forget(input.id);
      if (removed)
        await services.audit.append(
          'registry.changed',
          `Forgot the registry ${removed.id} (${removed.host})${removed.credentials === 'keychain' ? ' and its keychain credentials' : ''}`,
          { id: removed.id, host: removed.host, removed: true },
        );
      return { removed: Boolean(removed) };
    },
    'registry.probe': async (input) => {
      const saved = await connections.saved.get(input.id);
      if (saved.kind === 'oci-layout') {
        await new OciLayout(saved.path as string).check();
        return {
          reachable: true,
          authScheme: 'none' as const,
          catalog: true,
          referrersApi: false,
          deleteAllowed: false,
          checkedAt: new Date().toISOString(),
        };
      }
      const cached = connections.probes.get(`${saved.id}|${input.repository ?? ''}`);
      if (cached && Date.now() - cached.at < 10 * 60 * 1000) return cached.value;
      const client = connections.clientFor(saved);
      // The referrers API is probed on a real repository: the one asked about, else the catalog's first.
      const sample =
        input.repository ??
        (await client.catalog({ pageSize: 1, limit: 1 }).catch(() => ({ repositories: [] as string[] }))).repositories[0];
      const caps = { ...(await client.capabilities(sample)), checkedAt: new Date().toISOString() };
      connections.probes.set(`${saved.id}|${input.repository ?? ''}`, { at: Date.now(), value: caps });
      return caps;
    },
    'registry.repositories': async (input) => {
      const source = await connections.source(input.id);
      const { repositories, complete } = await source.repositories();
      const filter = input.filter?.trim().toLowerCase();
      const matching = filter ? repositories.filter((r) => r.includes(filter)) : repositories;
      return { repositories: matching, complete, total: repositories.length };
    },
    'registry.tags': async (input, ctx) => {
      const source = await connections.source(input.id);
      ctx.progress(0, 1, `Listing the tags of ${input.repository}`);
      const result = await source.tags(input.repository);
      ctx.progress(1, 1, `${result.tags.length} tags`);
      return result;
    },
    'registry.image': async (input) => {
      const client = await connections.source(input.id);
      const fetched = await client.manifest(input.repository, input.reference);
      const { parsed } = fetched;
      const summary: ImageSummary = {
        registryId: input.id,
        repository: input.repository,
        reference: input.reference,
        digest: fetched.digest,
        mediaType: fetched.mediaType,
        kind: parsed.kind,
        ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
        platforms: parsed.manifests.map((m) => ({
          platform: m.platform ? platformName(m.platform) : (m.artifactType ?? 'unknown'),
          digest: m.digest,
          mediaType: m.mediaType,
          size: m.size,
        })),
        layers: parsed.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
        annotations: parsed.annotations,
        totalSize: parsed.layers.reduce((n, l) => n + l.size, parsed.config?.size ?? 0),
      };
      if (parsed.config && parsed.config.size <= MAX_CONFIG_BYTES && /config|json/.test(parsed.config.mediaType)) {
        const config = await client.blob(input.repository, parsed.config.digest, MAX_CONFIG_BYTES).catch((error: unknown) => {
          if (error instanceof SignetError && error.code === 'DIGEST_MISMATCH') throw error;
          return undefined;
        });
        let doc: { os?: unknown; architecture?: unknown; created?: unknown; config?: { Labels?: unknown } } = {};
        try {
          doc = config ? (JSON.parse(config.toString('utf8')) as typeof doc) : {};
        } catch {
          doc = {};
        }
        const labels: Record<string, string> = {};
        if (doc.config?.Labels && typeof doc.config.Labels === 'object') {
          for (const [k, v] of Object.entries(doc.config.Labels as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
        }
        summary.config = {
          digest: parsed.config.digest,
          mediaType: parsed.config.mediaType,
          ...(typeof doc.os === 'string' ? { os: doc.os } : {}),
          ...(typeof doc.architecture === 'string' ? { architecture: doc.architecture } : {}),
          ...(typeof doc.created === 'string' ? { created: doc.created } : {}),
          labels,
        };
      }
      return summary;
    },
    'registry.manifest': async (input) => {
      const client = await connections.source(input.id);
      const fetched = await client.manifest(input.repository, input.digest);
      return { text: fetched.bytes.toString('utf8'), mediaType: fetched.mediaType, digest: fetched.digest };
    },
  };
}

/** Saves an OCI layout: a directory is used in place; a .tar is extracted (safely) into the data directory. */
async function addLayout(dataDir: string, connections: RegistryConnections, layoutPath: string, name?: string): Promise<SavedRegistry> {
  const resolved = path.resolve(layoutPath);
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (!stat) throw new SignetError('NOT_FOUND', `There is nothing at ${resolved}.`);
  if (!stat.isFile() && !stat.isDirectory())
    throw new SignetError(
      'INVALID_INPUT',
      `${resolved} is neither an OCI layout directory nor a .tar file (it is a device, FIFO or socket).`,
    );
  const taken = new Set((await connections.saved.list()).map((r) => r.id));
  const id = registryIdFor(`layout-${path.basename(resolved)}`, taken);
  let dir = resolved;
  if (stat.isFile()) {
    dir = path.join(dataDir, 'layouts', id);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    try {
      await extractTarFile(resolved, dir);
    } catch (error) {
      await fs.rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
  await new OciLayout(dir).check();
  const entry: SavedRegistry = {
    id,
    kind: 'oci-layout',
    name: name ?? path.basename(resolved),
    host: 'oci-layout',
    path: dir,
    insecure: false,
    credentials: 'none',
  };
  return connections.saved.update((registries) => ({ registries: [...registries, entry], result: entry }));
}

/** Reaches `/v2/` and signs in with the credentials about to be saved; refuses with reason `not-saved` otherwise. */
async function checkAccess(host: string, insecure: boolean, credentials: Credentials | undefined): Promise<void> {
  const client = new RegistryClient({ registry: host, insecure, credentials: async () => credentials });
  try {
    const response = await client.ping();
    await response.body?.cancel();
  } catch (error) {
    const known =
      error instanceof SignetError ? error : new SignetError('UNAVAILABLE', `${host} does not answer: ${describeSystemError(error)}.`);
    if (known.code === 'OFFLINE') throw known;
    throw new SignetError(
      known.code,
      `${known.message} Nothing was saved: check the host${credentials ? ' and the credentials' : ''}, or save it anyway.`,
      { reason: 'not-saved' },
    );
  }
}
