import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');

/**
 * The shared interoperability vectors (real signatures by cosign, containers/image, notation,
 * sigstore-go). They live beside the repository (`../shared/vectors`); SIGNET_VECTORS overrides,
 * and a clone elsewhere on the build machine finds them at /work/shared/vectors.
 */
export function vectorsDir(): string {
  const candidates = [process.env.SIGNET_VECTORS, path.join(repoRoot, '..', 'shared', 'vectors'), '/work/shared/vectors'].filter(
    (c): c is string => Boolean(c),
  );
  for (const candidate of candidates) if (existsSync(path.join(candidate, 'README.md'))) return candidate;
  throw new Error(`The interoperability vectors are missing: looked in ${candidates.join(', ')}. Set SIGNET_VECTORS to their folder.`);
}

export function vector(...parts: string[]): string {
  return path.join(vectorsDir(), ...parts);
}
