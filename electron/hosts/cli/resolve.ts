import { statSync } from 'node:fs';
import path from 'node:path';
import { parseDigest } from '../../core/registry/digest';
import { DEFAULT_LAYOUT_REPOSITORY } from '../../core/registry/layout';
import { formatReference, isValidRepository, isValidTag, parseReference, type ImageReference } from '../../core/registry/reference';
import { SignetError } from '../../../shared/errors';
import { UsageError } from './args';
import type { CommandContext } from './command';

/** What an image argument may be, for help texts. */
export const REFERENCE_HELP = 'host/repo:tag, host/repo@sha256:…, or oci:DIR[:TAG|@DIGEST] for an OCI layout directory';

/** Where an image argument points: a saved registry (or layout), a repository in it, and what was named. */
export interface Located {
  id: string;
  repository: string;
  /** The tag or digest to fetch: `latest` when the argument named neither. */
  reference: string;
  tag?: string;
  digest?: string;
  /** For messages: `host/repo:tag` or `oci:DIR:tag`. */
  display: string;
  /** The layout directory, for an `oci:` argument. */
  layout?: string;
  /** An `oci:` argument that named no image: the layout's only image was taken. */
  chosen?: boolean;
}

/** An `oci:DIR[:[REPO:]TAG]` or `oci:DIR[:REPO]@DIGEST` argument, split as skopeo splits `oci:` (the directory ends at the first colon). */
export interface LayoutReference {
  dir: string;
  repository?: string;
  tag?: string;
  digest?: string;
}

export function parseLayoutReference(text: string): LayoutReference {
  const body = text.slice('oci:'.length);
  const usage = `${JSON.stringify(text.slice(0, 200))} is not an OCI layout reference; write oci:DIR, oci:DIR:TAG or oci:DIR@sha256:….`;
  let rest = body;
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1 && /^sha(256|512):/.test(rest.slice(at + 1))) {
    try {
      digest = parseDigest(rest.slice(at + 1));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    rest = rest.slice(0, at);
  }
  const colon = rest.indexOf(':');
  const dir = colon === -1 ? rest : rest.slice(0, colon);
  const name = colon === -1 ? undefined : rest.slice(colon + 1);
  if (!dir) throw new UsageError(usage);
  if (name === undefined) return { dir, ...(digest ? { digest } : {}) };
  if (digest) {
    // oci:DIR:REPO@DIGEST
    if (!isValidRepository(name)) throw new UsageError(usage);
    return { dir, repository: name, digest };
  }
  const split = name.lastIndexOf(':');
  if (split === -1) {
    if (!isValidTag(name)) throw new UsageError(usage);
    return { dir, tag: name };
  }
  const repository = name.slice(0, split);
  const tag = name.slice(split + 1);
  if (!isValidRepository(repository) || !isValidTag(tag)) throw new UsageError(usage);
  return { dir, repository, tag };
}

async function savedList(ctx: CommandContext) {
  const list = await ctx.call('registry.list', {});
  if (!list.ok) throw new Error(list.message);
  return list.value;
}

/**
 * The saved layout registry for a layout directory: the one already saved for that directory,
 * else it is saved now (used in place, as `signet registry add --layout DIR` does), so later
 * calls and the app see the same entry. Only directories: a .tar is extracted on `registry add`.
 */
export async function layoutRegistry(ctx: CommandContext, dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  let stat;
  try {
    stat = statSync(resolved);
  } catch {
    throw new SignetError('NOT_FOUND', `There is no OCI layout directory at ${resolved}.`);
  }
  if (!stat.isDirectory())
    throw new UsageError(
      `oci: names an OCI layout directory; for a .tar, run \`signet registry add --layout ${dir}\` and use the id it prints.`,
    );
  const saved = (await savedList(ctx)).find((r) => r.kind === 'oci-layout' && r.path === resolved);
  if (saved) return saved.id;
  const added = await ctx.call('registry.add', { layoutPath: resolved });
  if (!added.ok) throw new Error(added.message);
  return added.value.id;
}

/** Every `[repo:]tag` name in a layout, by repository. */
async function layoutNames(ctx: CommandContext, id: string): Promise<Array<{ repository: string; tag: string }>> {
  const repos = await ctx.call('registry.repositories', { id });
  if (!repos.ok) throw new Error(repos.message);
  const names: Array<{ repository: string; tag: string }> = [];
  for (const repository of repos.value.repositories) {
    const tags = await ctx.call('registry.tags', { id, repository });
    if (!tags.ok) throw new Error(tags.message);
    for (const tag of tags.value.tags) names.push({ repository, tag });
  }
  return names;
}

export function layoutName(n: { repository: string; tag: string }): string {
  return n.repository === DEFAULT_LAYOUT_REPOSITORY ? n.tag : `${n.repository}:${n.tag}`;
}

async function locateLayout(ctx: CommandContext, text: string): Promise<Located> {
  const ref = parseLayoutReference(text);
  const id = await layoutRegistry(ctx, ref.dir);
  const layout = path.resolve(ref.dir);
  let repository = ref.repository;
  let tag = ref.tag;
  let chosen = false;
  if (!repository && (ref.digest || !tag)) {
    // No repository named: the layout's only one (skopeo's layouts keep bare tags under `image`).
    const names = await layoutNames(ctx, id);
    const repositories = [...new Set(names.map((n) => n.repository))];
    if (!ref.digest && !tag) {
      if (names.length !== 1)
        throw new UsageError(
          `${text} names no image and the layout holds ${names.length ? names.length : 'no tagged'} image${names.length === 1 ? '' : 's'}${names.length ? ` (${names.slice(0, 8).map(layoutName).join(', ')}${names.length > 8 ? ', …' : ''})` : ''}: write oci:${ref.dir}:TAG or oci:${ref.dir}@sha256:….`,
        );
      repository = names[0]!.repository;
      tag = names[0]!.tag;
      chosen = true;
    } else repository = repositories.length === 1 ? repositories[0]! : DEFAULT_LAYOUT_REPOSITORY;
  }
  repository ??= DEFAULT_LAYOUT_REPOSITORY;
  const display = `oci:${ref.dir}${tag ? `:${layoutName({ repository, tag })}` : repository !== DEFAULT_LAYOUT_REPOSITORY ? `:${repository}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  return {
    id,
    repository,
    reference: ref.digest ?? tag ?? 'latest',
    display,
    layout,
    ...(tag ? { tag } : {}),
    ...(ref.digest ? { digest: ref.digest } : {}),
    ...(chosen ? { chosen } : {}),
  };
}

/**
 * The saved registry for a host, saved now on first use (as `signet registry add HOST` would: credentials from the docker/containers auth
 * files).
 */
export async function hostRegistry(ctx: CommandContext, host: string): Promise<string> {
  const saved = (await savedList(ctx)).find((r) => r.kind === 'distribution' && r.host === host.toLowerCase());
  if (saved) return saved.id;
  const added = await ctx.call('registry.add', { host });
  if (!added.ok) throw new Error(`${added.message} Save it first with \`signet registry add ${host}\`.`);
  return added.value.id;
}

/** A registry image argument, parsed; malformed is a usage error (exit 2). */
export function parseImage(text: string): ImageReference {
  try {
    return parseReference(text);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (An image is ${REFERENCE_HELP}.)`);
  }
}

/**
 * Finds the saved registry for an image argument without contacting the image: a registry host
 * not saved yet is saved on first use (as `signet registry add HOST` would, credentials from the
 * docker/containers auth files); an `oci:DIR` layout directory likewise (see `layoutRegistry`).
 * A malformed argument is a usage error (exit 2).
 */
export async function locate(ctx: CommandContext, text: string): Promise<Located> {
  if (text.startsWith('oci:')) return locateLayout(ctx, text);
  const ref = parseImage(text);
  const id = await hostRegistry(ctx, ref.registry);
  return {
    id,
    repository: ref.repository,
    reference: ref.digest ?? ref.tag ?? 'latest',
    display: formatReference(ref),
    ...(ref.tag ? { tag: ref.tag } : {}),
    ...(ref.digest ? { digest: ref.digest } : {}),
  };
}

/** `locate`, then pins the digest the reference names now. */
export async function resolve(
  ctx: CommandContext,
  text: string,
): Promise<{ id: string; repository: string; digest: string; tag?: string }> {
  const at = await locate(ctx, text);
  const image = await ctx.call('registry.image', { id: at.id, repository: at.repository, reference: at.reference });
  if (!image.ok) throw new Error(image.message);
  return { id: at.id, repository: at.repository, digest: image.value.digest, ...(at.tag && !at.digest ? { tag: at.tag } : {}) };
}
