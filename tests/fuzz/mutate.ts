/**
 * Mutations for the fuzzing harness: deterministic from a 32-bit seed, so an input is reproduced
 * from (parser, seed, index) alone. Each input is a valid seed with 1–4 stacked mutations.
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One seed per (run seed, index). */
export function inputSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)] as T;

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x0a, 0x2d, 0x30, 0x39, 0x20];
const TOKENS = [
  '"',
  '\\',
  '\\u0000',
  '\\ud800',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  'null',
  'true',
  '-0',
  '1e999',
  '9007199254740993',
  '""',
  '{}',
  '[]',
  '"a":1,',
  '\u0000',
  '\uFEFF',
  '-----BEGIN PUBLIC KEY-----\n',
  '-----END PUBLIC KEY-----\n',
  '=',
  '\n',
  '  ',
  '- ',
  '#',
  '&a ',
  '*a',
  '!!binary ',
  '|',
  '>',
  "'",
  '../',
  '/',
  './',
  '@sha256:',
  'sha256:',
  'sha512:',
];
const BOUNDARY_NUMBERS = [
  '0',
  '-1',
  '1',
  '255',
  '256',
  '65535',
  '65536',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '1e308',
  '-1e308',
  '1.5',
  '00',
  '077777777777',
  '99999999999999999999',
];
const BOUNDARY_INTS = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/** Replaces a decimal (or octal, for tar) number in the text with a boundary value. */
function tweakNumber(r: Rng, input: Uint8Array): Uint8Array {
  const text = Buffer.from(input).toString('latin1');
  const numbers = [...text.matchAll(/-?\d+/g)];
  if (!numbers.length) return input;
  const m = pick(r, numbers);
  const replacement = r() < 0.5 ? pick(r, BOUNDARY_NUMBERS) : String(Number(m[0]) + pick(r, [-1, 1, 2, -2, 512, -512, 1024]));
  return Buffer.from(text.slice(0, m.index) + replacement + text.slice((m.index ?? 0) + m[0].length), 'latin1');
}

/** Overwrites 1, 2 or 4 bytes with a big-endian boundary integer (binary length fields). */
function tweakBinaryLength(r: Rng, input: Uint8Array): Uint8Array {
  if (!input.length) return input;
  const out = Buffer.from(input);
  const width = pick(r, [1, 2, 4]);
  const at = int(r, Math.max(1, out.length - width + 1));
  const value = pick(r, BOUNDARY_INTS) + (r() < 0.3 ? pick(r, [-1, 1]) : 0);
  for (let i = 0; i < width && at + i < out.length; i += 1) out[at + i] = (value >>> (8 * (width - 1 - i))) & 0xff;
  return out;
}

function mutateOnce(r: Rng, input: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  const len = input.length;
  switch (int(r, 11)) {
    case 0: {
      // bit flips
      if (!len) return input;
      const out = Buffer.from(input);
      const flips = 1 + int(r, 8);
      for (let i = 0; i < flips; i += 1) {
        const at = int(r, len);
        out[at] = (out[at] as number) ^ (1 << int(r, 8));
      }
      return out;
    }
    case 1: {
      // byte set to an interesting or random value
      if (!len) return input;
      const out = Buffer.from(input);
      out[int(r, len)] = r() < 0.5 ? pick(r, INTERESTING_BYTES) : int(r, 256);
      return out;
    }
    case 2: {
      // insert random bytes
      const at = int(r, len + 1);
      const n = 1 + int(r, 16);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i += 1) bytes[i] = int(r, 256);
      return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
    }
    case 3: {
      // insert a token
      const at = int(r, len + 1);
      return Buffer.concat([input.subarray(0, at), Buffer.from(pick(r, TOKENS), 'utf8'), input.subarray(at)]);
    }
    case 4: {
      // delete a range
      if (!len) return input;
      const at = int(r, len);
      const n = 1 + int(r, Math.min(64, len - at));
      return Buffer.concat([input.subarray(0, at), input.subarray(at + n)]);
    }
    case 5: {
      // duplicate a range (repetition: nesting, repeated keys, repeated packets)
      if (!len) return input;
      const at = int(r, len);
      const n = 1 + int(r, Math.min(256, len - at));
      const copies = 1 + int(r, r() < 0.1 ? 64 : 3);
      const range = input.subarray(at, at + n);
      return Buffer.concat([input.subarray(0, at + n), ...Array.from({ length: copies }, () => range), input.subarray(at + n)]);
    }
    case 6: {
      // splice with another seed
      const other = pick(r, seeds);
      const a = int(r, len + 1);
      const b = int(r, other.length + 1);
      return Buffer.concat([input.subarray(0, a), other.subarray(b)]);
    }
    case 7:
      // truncate
      return input.subarray(0, int(r, len + 1));
    case 8:
      return tweakNumber(r, input);
    case 9:
      return tweakBinaryLength(r, input);
    default: {
      // swap two ranges' order (reordered members or packets)
      if (len < 4) return input;
      const a = int(r, len - 1);
      const b = a + 1 + int(r, len - a - 1);
      return Buffer.concat([input.subarray(0, a), input.subarray(b), input.subarray(a, b)]);
    }
  }
}

export const MAX_INPUT_BYTES = 1024 * 1024;

/** The input for one index: a seed, mutated 1–4 times (rarely left intact). */
export function generate(seedNumber: number, seeds: readonly Uint8Array[]): Uint8Array {
  const r = rng(seedNumber);
  let input: Uint8Array = pick(r, seeds);
  if (r() < 0.002) return input;
  const rounds = 1 + int(r, 4);
  for (let i = 0; i < rounds; i += 1) input = mutateOnce(r, input, seeds);
  return input.length > MAX_INPUT_BYTES ? input.subarray(0, MAX_INPUT_BYTES) : input;
}
