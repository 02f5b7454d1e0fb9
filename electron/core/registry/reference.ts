import { SignetError } from '../../../shared/errors';
import { parseDigest, type Digest } from './digest';

export interface ImageReference {
  /** Registry host[:port] as typed, normalised (docker.io for Docker Hub). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: Digest;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]{1,5})?$/;

export function isValidRepository(repository: string): boolean {
  return repository.length > 0 && repository.length <= 255 && repository.split('/').every((c) => COMPONENT.test(c));
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Parses `[host[:port]/]path[:tag][@digest]` by the distribution reference grammar. */
export function parseReference(text: string): ImageReference {
  const input = text.trim();
  if (!input || input.length > 1024 || /\s/.test(input))
    throw new SignetError('INVALID_INPUT', 'An image reference looks like registry.example.com/team/app:1.0 or …@sha256:….');
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = parseDigest(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw new SignetError('INVALID_INPUT', `"${tag.slice(0, 80)}" is not a valid tag.`);
  }
  const slash = rest.indexOf('/');
  let registry = 'docker.io';
  let repository = rest;
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (!HOST.test(registry)) throw new SignetError('INVALID_INPUT', `"${registry}" is not a registry host.`);
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!isValidRepository(repository))
    throw new SignetError(
      'INVALID_INPUT',
      `"${repository.slice(0, 120)}" is not a valid repository name (lower-case letters, digits and separators).`,
    );
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host the API is served from (Docker Hub's API lives elsewhere than its name). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name);
}
