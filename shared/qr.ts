/**
 * A small QR Code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1–6
 * (up to 106 bytes, enough for any fingerprint), mask pattern 0. Any mask is valid for readers,
 * which take it from the format information, so no mask scoring is done.
 */

interface VersionInfo {
  blocks: number;
  dataPerBlock: number;
  ecPerBlock: number;
  align?: number;
}

// Level M block structure (all blocks equal up to version 6).
const VERSIONS: Record<number, VersionInfo> = {
  1: { blocks: 1, dataPerBlock: 16, ecPerBlock: 10 },
  2: { blocks: 1, dataPerBlock: 28, ecPerBlock: 16, align: 18 },
  3: { blocks: 1, dataPerBlock: 44, ecPerBlock: 26, align: 22 },
  4: { blocks: 2, dataPerBlock: 32, ecPerBlock: 18, align: 26 },
  5: { blocks: 2, dataPerBlock: 43, ecPerBlock: 24, align: 30 },
  6: { blocks: 4, dataPerBlock: 27, ecPerBlock: 16, align: 34 },
};

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255] as number;
}
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : (EXP[(LOG[a] as number) + (LOG[b] as number)] as number));

function generator(degree: number): number[] {
  let poly = [1];
  for (let i = 0; i < degree; i++) {
    const next = new Array<number>(poly.length + 1).fill(0);
    for (let j = 0; j < poly.length; j++) {
      next[j] = (next[j] as number) ^ (poly[j] as number);
      next[j + 1] = (next[j + 1] as number) ^ mul(poly[j] as number, EXP[i] as number);
    }
    poly = next;
  }
  return poly;
}

/** Reed–Solomon error-correction codewords for one block. */
export function reedSolomon(data: readonly number[], ecCount: number): number[] {
  const gen = generator(ecCount);
  const rest = [...data, ...new Array<number>(ecCount).fill(0)];
  for (let i = 0; i < data.length; i++) {
    const factor = rest[i] as number;
    if (factor === 0) continue;
    for (let j = 0; j < gen.length; j++) rest[i + j] = (rest[i + j] as number) ^ mul(gen[j] as number, factor);
  }
  return rest.slice(data.length);
}

function codewords(bytes: Uint8Array, version: number): number[] {
  const info = VERSIONS[version] as VersionInfo;
  const capacity = info.blocks * info.dataPerBlock;
  const bits: number[] = [];
  const push = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >> i) & 1);
  };
  push(0b0100, 4);
  push(bytes.length, 8);
  for (const b of bytes) push(b, 8);
  push(0, Math.min(4, capacity * 8 - bits.length));
  while (bits.length % 8) bits.push(0);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < capacity; pad = pad === 0xec ? 0x11 : 0xec) data.push(pad);
  const blocks = Array.from({ length: info.blocks }, (_, i) => data.slice(i * info.dataPerBlock, (i + 1) * info.dataPerBlock));
  const ec = blocks.map((b) => reedSolomon(b, info.ecPerBlock));
  const out: number[] = [];
  for (let i = 0; i < info.dataPerBlock; i++) for (const b of blocks) out.push(b[i] as number);
  for (let i = 0; i < info.ecPerBlock; i++) for (const e of ec) out.push(e[i] as number);
  return out;
}

/** The 15 format bits for level M and mask 0: BCH(15,5) of 00000, XOR 101010000010010. */
const FORMAT_BITS = 0b101010000010010;

/** The QR matrix for `text` (UTF-8): true is a dark module. Throws when it is over 106 bytes. */
export function qrMatrix(text: string): boolean[][] {
  const bytes = new TextEncoder().encode(text);
  const version = Object.keys(VERSIONS)
    .map(Number)
    .find((v) => bytes.length <= (VERSIONS[v] as VersionInfo).blocks * (VERSIONS[v] as VersionInfo).dataPerBlock - 2);
  if (!version) throw new Error('Too long for this QR encoder (106 bytes at most).');
  const size = 17 + 4 * version;
  const dark: boolean[][] = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const reserved: boolean[][] = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const set = (r: number, c: number, v: boolean) => {
    (dark[r] as boolean[])[c] = v;
    (reserved[r] as boolean[])[c] = true;
  };
  const finder = (r0: number, c0: number) => {
    for (let r = -1; r <= 7; r++) {
      for (let c = -1; c <= 7; c++) {
        const rr = r0 + r;
        const cc = c0 + c;
        if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(rr, cc, r >= 0 && r <= 6 && c >= 0 && c <= 6 && ring !== 2);
      }
    }
  };
  finder(0, 0);
  finder(0, size - 7);
  finder(size - 7, 0);
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  const align = (VERSIONS[version] as VersionInfo).align;
  if (align) {
    for (let r = -2; r <= 2; r++) for (let c = -2; c <= 2; c++) set(align + r, align + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
  }
  set(size - 8, 8, true); // the dark module
  // Format information, twice.
  const bit = (i: number) => ((FORMAT_BITS >> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) set(8, i, bit(14 - i));
  set(8, 7, bit(8));
  set(8, 8, bit(7));
  set(7, 8, bit(6));
  for (let i = 9; i <= 14; i++) set(14 - i, 8, bit(14 - i));
  for (let i = 0; i <= 7; i++) set(8, size - 1 - i, bit(i));
  for (let i = 8; i <= 14; i++) set(size - 15 + i, 8, bit(i));
  // Data, in the zigzag order, with mask 0 ((row + column) even → flip).
  const data = codewords(bytes, version);
  let index = 0;
  let upward = true;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (let dc = 0; dc < 2; dc++) {
        const col = right - dc;
        if ((reserved[row] as boolean[])[col]) continue;
        const byte = data[index >> 3];
        const on = byte !== undefined && ((byte >> (7 - (index & 7))) & 1) === 1;
        index++;
        (dark[row] as boolean[])[col] = on !== ((row + col) % 2 === 0);
      }
    }
    upward = !upward;
  }
  return dark;
}
