import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inPiecesOf, verifiedChunks } from './blob-stream';
import type { Digest } from './digest';

async function* from(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(Buffer.from(c));
  return out;
}
const digestOf = (b: Buffer): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('verifiedChunks', () => {
  it('passes matching bytes through and refuses a mismatch only after the last byte, or more than allowed', async () => {
    const data = randomBytes(10_000);
    const parts = [data.subarray(0, 1), data.subarray(1, 4097), data.subarray(4097)];
    expect(Buffer.concat(await collect(verifiedChunks(from(parts), digestOf(data), data.length, 'x')))).toEqual(data);
    const other = Buffer.from(data);
    other.writeUInt8(other.readUInt8(9_999) ^ 1, 9_999);
    await expect(collect(verifiedChunks(from([other]), digestOf(data), data.length, 'The blob'))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    await expect(collect(verifiedChunks(from(parts), digestOf(data), data.length - 1, 'The blob'))).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
  });
});

describe('inPiecesOf', () => {
  it('regroups any chunking into fixed pieces, the last one shorter', async () => {
    for (const total of [0, 1, 15, 16, 17, 47, 48, 49]) {
      const data = randomBytes(total);
      for (const cut of [1, 3, 16, 50]) {
        const parts: Buffer[] = [];
        for (let at = 0; at < total; at += cut) parts.push(data.subarray(at, at + cut));
        // collect() copies each piece before asking for the next, as an upload is answered before the next piece.
        const pieces = await collect(inPiecesOf(from(parts), 16));
        expect(Buffer.concat(pieces)).toEqual(data);
        expect(pieces.slice(0, -1).every((p) => p.length === 16)).toBe(true);
        expect(pieces.length).toBe(Math.ceil(total / 16));
      }
    }
  });
});
