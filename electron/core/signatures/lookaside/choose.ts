import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignetError } from '../../../../shared/errors';
import { DockerRefError, parseNormalizedNamed, tagNameOnly } from '../../trust/docker-reference';
import { builtinLookaside, loadRegistriesDir, lookasideFor } from './registries-d';

/**
 * The registries.d directory podman reads, as containers/image chooses it: `SIGNET_REGISTRIES_D`
 * when set (Signet's override, like containers' `--registries.d`), else the user's
 * `~/.config/containers/registries.d` when it exists, else `/etc/containers/registries.d`.
 */
export function defaultRegistriesDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (env.SIGNET_REGISTRIES_D) return env.SIGNET_REGISTRIES_D;
  const user = path.join(home, '.config/containers/registries.d');
  return existsSync(user) ? user : '/etc/containers/registries.d';
}

export interface LookasideRequest {
  /** A lookaside given for this call. */
  lookaside?: string;
  /** A registries.d directory given for this call. */
  registriesD?: string;
}

/**
 * Where simple signatures for an image are read (or, with `write`, staged): the lookaside given,
 * else the one a given registries.d names, else the one saved with the registry, else the one
 * the default registries.d names, else (reading only) containers/image's built-in directory.
 */
export async function chooseLookaside(
  input: LookasideRequest,
  saved: { lookaside?: string | undefined },
  imageReference: string,
  write: boolean,
): Promise<{ url: string; from: string } | undefined> {
  if (input.lookaside) return { url: input.lookaside, from: 'given' };
  let ref;
  try {
    ref = tagNameOnly(parseNormalizedNamed(imageReference));
  } catch (error) {
    if (error instanceof DockerRefError)
      throw new SignetError('INVALID_INPUT', `${imageReference.slice(0, 200)} is not an image reference.`);
    throw error;
  }
  if (input.registriesD) {
    const hit = lookasideFor(await loadRegistriesDir(input.registriesD), ref, write);
    return hit ? { url: hit.url, from: `registries.d ${input.registriesD}, ${hit.scope}` } : undefined;
  }
  if (saved.lookaside) return { url: saved.lookaside, from: 'saved with the registry' };
  const dir = defaultRegistriesDir();
  const hit = lookasideFor(
    await loadRegistriesDir(dir),
    ref,
    write,
    write ? undefined : builtinLookaside(os.homedir(), process.getuid?.() === 0),
  );
  return hit
    ? { url: hit.url, from: hit.field === 'built-in' ? 'containers/image built-in default' : `registries.d ${dir}, ${hit.scope}` }
    : undefined;
}
