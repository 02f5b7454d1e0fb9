import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import type { Digest } from './digest';

/** A blob read piece by piece: its declared size and its bytes, checked against its digest as they pass. */
export interface BlobStream {
  readonly digest: Digest;
  readonly size: number;
  /** The bytes, in order. A source may reuse one buffer for every chunk: take (hash, copy, write) each before asking for the next. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Releases what the stream holds (an open file, a response body) when it will not be read to its end; harmless after. */
  discard(): Promise<void>;
}

/**
 * Passes `chunks` through, counting and hashing them: more than `maxBytes`, or a digest other than
 * `expected` once the last byte has passed, throws, so a consumer that commits only after the
 * iteration ends never commits bytes that do not match.
 */
export async function* verifiedChunks(
  chunks: AsyncIterable<Uint8Array>,
  expected: Digest,
  maxBytes: number,
  what: string,
): AsyncGenerator<Uint8Array> {
  const [algorithm, hex] = expected.split(':') as ['sha256' | 'sha512', string];
  const hash = createHash(algorithm);
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > maxBytes) throw new SignetError('TOO_LARGE', `${what} is larger than the ${maxBytes} bytes Signet accepts.`);
    hash.update(chunk);
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (actual !== hex)
    throw new SignetError(
      'DIGEST_MISMATCH',
      `${what} does not match its digest: asked for ${expected}, received ${algorithm}:${actual}. Nothing from it was used.`,
    );
}

/**
 * Regroups a stream into pieces of exactly `size` bytes (the last one shorter), so uploads go in
 * pieces of a fixed size whatever sizes the source reads in. One buffer is reused for every piece:
 * the consumer must be done with a piece (its upload answered) before it asks for the next, which
 * keeps memory at one piece however large the blob (fresh buffers pile up faster than the
 * collector frees them).
 */
export async function* inPiecesOf(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  const piece = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(size - filled, chunk.length - at);
      piece.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === size) {
        yield piece;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield piece.subarray(0, filled);
}
