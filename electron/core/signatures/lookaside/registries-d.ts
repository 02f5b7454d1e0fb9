import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../../shared/errors';
import { readRegularFileIfPresent } from '../../storage/bounded-read';
import { policyIdentity, policyNamespaces, type DockerRef } from '../../trust/docker-reference';
import { parseYamlSubset, type YamlMap, type YamlNode } from './yaml-subset';

/**
 * containers-registries.d(5): where simple signatures live for a Docker reference, merged from
 * every `*.yaml` file of a directory exactly as containers/image does (docker/registries_d.go):
 * one definition per scope across all files; for a reference the exact identity, then each
 * parent namespace (most specific first, `*.domain` wildcards last), then `default-docker` are
 * asked in turn, and the first that sets the wanted field answers (a scope without `lookaside`
 * falls through to the next one).
 */
export interface RegistryNamespace {
  lookaside?: string;
  lookasideStaging?: string;
  /** Deprecated aliases, still honoured. */
  sigstore?: string;
  sigstoreStaging?: string;
  useSigstoreAttachments?: boolean;
}

export interface RegistriesConfig {
  defaultDocker?: RegistryNamespace;
  docker: Record<string, RegistryNamespace>;
  /** Which file defined each scope (`default-docker` for the default), for messages. */
  sources: Record<string, string>;
}

const FIELDS: Record<string, keyof RegistryNamespace> = {
  lookaside: 'lookaside',
  'lookaside-staging': 'lookasideStaging',
  sigstore: 'sigstore',
  'sigstore-staging': 'sigstoreStaging',
  'use-sigstore-attachments': 'useSigstoreAttachments',
};

function namespace(node: YamlNode, what: string): RegistryNamespace | undefined {
  if (node.kind === 'null') return undefined;
  if (node.kind !== 'map') throw new SignetError('MALFORMED', `${what} (line ${node.line}) must be a mapping.`);
  const out: RegistryNamespace = {};
  for (const [key, value] of node.entries) {
    const field = FIELDS[key];
    if (!field) continue; // yaml.Unmarshal ignores unknown fields
    if (value.kind === 'map') throw new SignetError('MALFORMED', `${what}: ${key} (line ${value.line}) must be a single value.`);
    if (field === 'useSigstoreAttachments') {
      if (value.kind === 'null') continue;
      if (value.quoted || !/^(true|false|True|False|TRUE|FALSE)$/.test(value.value)) throw new SignetError('MALFORMED', `${what}: use-sigstore-attachments (line ${value.line}) must be true or false.`);
      out.useSigstoreAttachments = value.value.toLowerCase() === 'true';
    } else if (value.kind === 'scalar' && value.value !== '') out[field] = value.value;
  }
  return out;
}

/** Parses one registries.d file. */
export function parseRegistriesYaml(text: string, file: string): { defaultDocker?: RegistryNamespace; docker: Record<string, RegistryNamespace> } {
  const root: YamlMap = parseYamlSubset(text, file);
  const out: { defaultDocker?: RegistryNamespace; docker: Record<string, RegistryNamespace> } = { docker: {} };
  const def = root.entries.get('default-docker');
  if (def) {
    const ns = namespace(def, `${file}: default-docker`);
    if (ns) out.defaultDocker = ns;
  }
  const docker = root.entries.get('docker');
  if (docker && docker.kind !== 'null') {
    if (docker.kind !== 'map') throw new SignetError('MALFORMED', `${file}: docker (line ${docker.line}) must be a mapping of scopes.`);
    for (const [scope, node] of docker.entries) out.docker[scope] = namespace(node, `${file}: docker "${scope}"`) ?? {};
  }
  return out;
}

/** Merges several files (name → text); a scope defined twice is an error, as in containers/image. */
export function mergeRegistries(files: ReadonlyArray<{ name: string; text: string }>): RegistriesConfig {
  const merged: RegistriesConfig = { docker: {}, sources: {} };
  for (const file of files) {
    const config = parseRegistriesYaml(file.text, file.name);
    if (config.defaultDocker) {
      if (merged.defaultDocker) throw new SignetError('MALFORMED', `"default-docker" is defined both in ${merged.sources['default-docker']} and ${file.name}.`);
      merged.defaultDocker = config.defaultDocker;
      merged.sources['default-docker'] = file.name;
    }
    for (const [scope, ns] of Object.entries(config.docker)) {
      if (Object.hasOwn(merged.docker, scope)) throw new SignetError('MALFORMED', `The "docker" namespace ${JSON.stringify(scope)} is defined both in ${merged.sources[`docker:${scope}`]} and ${file.name}.`);
      merged.docker[scope] = ns;
      merged.sources[`docker:${scope}`] = file.name;
    }
  }
  return merged;
}

/** Reads every `*.yaml` file of a registries.d directory (none there: an empty configuration). */
export async function loadRegistriesDir(dir: string): Promise<RegistriesConfig> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { docker: {}, sources: {} };
    throw new SignetError('IO_ERROR', `Could not read the registries.d directory ${dir}: ${(error as Error).message}.`);
  }
  const files: Array<{ name: string; text: string }> = [];
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isDirectory()) continue;
    const bytes = await readRegularFileIfPresent(file, { maxBytes: 1024 * 1024, what: 'The registries.d file' });
    if (!bytes) continue;
    files.push({ name: file, text: bytes.toString('utf8') });
  }
  return mergeRegistries(files);
}

export interface LookasideChoice {
  url: string;
  /** The scope that supplied it: an identity, a namespace, `default-docker`, or `built-in default`. */
  scope: string;
  field: 'lookaside' | 'lookaside-staging' | 'sigstore' | 'sigstore-staging' | 'built-in';
}

function topLevel(ns: RegistryNamespace, write: boolean): Omit<LookasideChoice, 'scope'> | undefined {
  if (write && ns.lookasideStaging) return { url: ns.lookasideStaging, field: 'lookaside-staging' };
  if (write && ns.sigstoreStaging) return { url: ns.sigstoreStaging, field: 'sigstore-staging' };
  if (ns.lookaside) return { url: ns.lookaside, field: 'lookaside' };
  if (ns.sigstore) return { url: ns.sigstore, field: 'sigstore' };
  return undefined;
}

function scopesFor(ref: DockerRef): string[] {
  return [policyIdentity(ref), ...policyNamespaces(ref)];
}

/**
 * The lookaside base for a reference (tagged or digested), for reading or writing. Without any
 * configuration, containers/image falls back to a built-in local directory; pass it as
 * `builtinDefault` to get the same answer, or leave it out to get undefined.
 */
export function lookasideFor(config: RegistriesConfig, ref: DockerRef, write: boolean, builtinDefault?: string): LookasideChoice | undefined {
  for (const scope of scopesFor(ref)) {
    const ns = config.docker[scope];
    const hit = ns && topLevel(ns, write);
    if (hit) return { ...hit, scope };
  }
  const def = config.defaultDocker && topLevel(config.defaultDocker, write);
  if (def) return { ...def, scope: 'default-docker' };
  return builtinDefault ? { url: builtinDefault, scope: 'built-in default', field: 'built-in' } : undefined;
}

export function useSigstoreAttachments(config: RegistriesConfig, ref: DockerRef): boolean {
  for (const scope of scopesFor(ref)) {
    const value = config.docker[scope]?.useSigstoreAttachments;
    if (value !== undefined) return value;
  }
  return config.defaultDocker?.useSigstoreAttachments ?? false;
}

/** containers/image's built-in default: /var/lib/containers/sigstore for root, else ~/.local/share/containers/sigstore. */
export function builtinLookaside(home: string, root: boolean): string {
  return root ? 'file:///var/lib/containers/sigstore' : `file://${path.join(home, '.local/share/containers/sigstore')}`;
}
