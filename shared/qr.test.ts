import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { qrMatrix, reedSolomon } from './qr';

/** Writes the matrix as a binary PGM with a 4-module quiet zone, 6 pixels per module. */
function pgm(matrix: boolean[][], file: string): void {
  const scale = 6;
  const n = (matrix.length + 8) * scale;
  const pixels = Buffer.alloc(n * n, 255);
  matrix.forEach((row, r) =>
    row.forEach((on, c) => {
      if (!on) return;
      for (let y = 0; y < scale; y++) for (let x = 0; x < scale; x++) pixels[((r + 4) * scale + y) * n + (c + 4) * scale + x] = 0;
    }),
  );
  writeFileSync(file, Buffer.concat([Buffer.from(`P5\n${n} ${n}\n255\n`), pixels]));
}

const hasZbar = spawnSync('zbarimg', ['--version']).status === 0;

describe('QR codes of fingerprints', () => {
  it('Reed–Solomon matches the ISO 18004 example (version 1-M, "01234567")', () => {
    // Annex I: data codewords of "01234567" in numeric mode, 1-M; the 10 EC codewords.
    const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
    expect(reedSolomon(data, 10)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it.skipIf(!hasZbar)('zbarimg (an independent reader) decodes SPKI SHA-256 and OpenPGP fingerprints, at every version', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-qr-'));
    const texts = [
      'SHA256:0f3c',
      'OpenPGP 4F2A 99C1 0B3E 7D21 66A8  0C7E 5E3B 2D10 9F4A C2D8',
      `sha256:${'ab12'.repeat(16)}`,
      'x'.repeat(80),
      'y'.repeat(100),
    ];
    for (const [i, text] of texts.entries()) {
      const file = path.join(dir, `qr-${i}.pgm`);
      pgm(qrMatrix(text), file);
      const decoded = execFileSync('zbarimg', ['--nodbus', '--quiet', '--raw', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      expect(decoded, text).toBe(text);
    }
  });

  it('refuses text that does not fit', () => {
    expect(() => qrMatrix('z'.repeat(200))).toThrow(/Too long/);
  });
});
