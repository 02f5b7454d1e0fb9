import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';

export type Digest = `sha256:${string}` | `sha512:${string}`;

const PATTERN = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Parses a digest strictly: anything else is refused before it reaches a URL or a path. */
export function parseDigest(value: string): Digest {
  if (typeof value !== 'string' || !PATTERN.test(value)) {
    throw new SignetError(
      'INVALID_INPUT',
      `"${String(value).slice(0, 80)}" is not a digest (sha256: with 64, or sha512: with 128, lower-case hex digits).`,
    );
  }
  return value as Digest;
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && PATTERN.test(value);
}

export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest;
}

/** Checks fetched bytes against the digest asked for; a mismatch is refused, never used. */
export function checkDigest(bytes: Uint8Array, expected: Digest, what: string): void {
  const algorithm = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  const actual = digestOf(bytes, algorithm);
  if (actual !== expected)
    throw new SignetError(
      'DIGEST_MISMATCH',
      `${what} does not match its digest: asked for ${expected}, received ${actual}. Nothing from it was used.`,
    );
}
