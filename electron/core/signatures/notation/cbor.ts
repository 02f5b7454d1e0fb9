import { SignetError } from '../../../../shared/errors';

/**
 * The CBOR (RFC 8949) that COSE_Sign1 envelopes need, and no more. The decoder is deliberately
 * strict: definite lengths only, no duplicate map keys, no trailing bytes, shortest-form lengths
 * and integers, text must be valid UTF-8, only tags 1 (epoch time) and 18 (COSE_Sign1), no
 * floats, no simple values other than false/true/null, and bounded depth, counts and sizes.
 * Anything else is refused before a signature is looked at.
 */
export type CborValue = number | bigint | string | Uint8Array | boolean | null | CborValue[] | CborMap | CborTag;

/** A CBOR map whose keys are integers or text, kept in the order they were written. */
export class CborMap {
  readonly entries: Array<[number | string, CborValue]> = [];
  get(key: number | string): CborValue | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }
  has(key: number | string): boolean {
    return this.entries.some(([k]) => k === key);
  }
  keys(): Array<number | string> {
    return this.entries.map(([k]) => k);
  }
}

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

const MAX_DEPTH = 16;
const MAX_ITEMS = 10_000;
const ALLOWED_TAGS = new Set([1, 18]);

export function decodeCbor(bytes: Uint8Array, what = 'The CBOR document'): CborValue {
  const d = new Decoder(bytes, what);
  const value = d.item(0);
  if (d.pos !== bytes.length) throw d.fail('has data after the CBOR item');
  return value;
}

class Decoder {
  pos = 0;
  private items = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {}

  fail(problem: string): SignetError {
    return new SignetError('MALFORMED', `${this.what} is not strict CBOR: it ${problem} (at byte ${this.pos}).`);
  }

  private byte(): number {
    const v = this.b[this.pos];
    if (v === undefined) throw this.fail('ends too early');
    this.pos += 1;
    return v;
  }

  private take(n: number): Uint8Array {
    if (n > this.b.length - this.pos) throw this.fail('ends too early');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The argument of a head, refusing indefinite lengths and non-shortest encodings. */
  private argument(info: number): number | bigint {
    if (info < 24) return info;
    if (info === 24) {
      const v = this.byte();
      if (v < 24) throw this.fail('uses a longer length than needed');
      return v;
    }
    if (info === 25) {
      const v = (this.byte() << 8) | this.byte();
      if (v < 0x100) throw this.fail('uses a longer length than needed');
      return v;
    }
    if (info === 26) {
      const v = Buffer.from(this.take(4)).readUInt32BE(0);
      if (v < 0x10000) throw this.fail('uses a longer length than needed');
      return v;
    }
    if (info === 27) {
      const v = Buffer.from(this.take(8)).readBigUInt64BE(0);
      if (v < 0x100000000n) throw this.fail('uses a longer length than needed');
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    if (info === 31) throw this.fail('uses an indefinite length');
    throw this.fail('has a reserved additional-information value');
  }

  private length(info: number): number {
    const n = this.argument(info);
    if (typeof n !== 'number' || n > this.b.length - this.pos) throw this.fail('declares a length beyond its end');
    return n;
  }

  item(depth: number): CborValue {
    if (depth > MAX_DEPTH) throw this.fail(`nests deeper than ${MAX_DEPTH} levels`);
    if (++this.items > MAX_ITEMS) throw this.fail(`holds more than ${MAX_ITEMS} items`);
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0:
        return this.argument(info);
      case 1: {
        const n = this.argument(info);
        return typeof n === 'number' ? -1 - n : -1n - n;
      }
      case 2:
        return Uint8Array.from(this.take(this.length(info)));
      case 3: {
        const raw = this.take(this.length(info));
        try {
          return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
        } catch {
          throw this.fail('has text that is not UTF-8');
        }
      }
      case 4: {
        const n = this.length(info);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        const n = this.length(info);
        const map = new CborMap();
        for (let i = 0; i < n; i++) {
          const key = this.item(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') throw this.fail('has a map key that is neither an integer nor text');
          if (map.has(key)) throw this.fail(`repeats the map key ${JSON.stringify(key)}`);
          map.entries.push([key, this.item(depth + 1)]);
        }
        return map;
      }
      case 6: {
        const tag = this.argument(info);
        if (typeof tag !== 'number' || !ALLOWED_TAGS.has(tag))
          throw this.fail(`has tag ${String(tag)}, which a Notation envelope does not use`);
        return new CborTag(tag, this.item(depth + 1));
      }
      default:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw this.fail('has a float or simple value');
    }
  }
}

/** Deterministic encoding (RFC 8949 §4.2.1 preferred lengths; map order as given). */
export function encodeCbor(value: CborValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function head(major: number, n: number | bigint, parts: Buffer[]): void {
  const big = BigInt(n);
  if (big < 24n) parts.push(Buffer.from([(major << 5) | Number(big)]));
  else if (big < 0x100n) parts.push(Buffer.from([(major << 5) | 24, Number(big)]));
  else if (big < 0x10000n) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(Number(big), 1);
    parts.push(b);
  } else if (big < 0x100000000n) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(Number(big), 1);
    parts.push(b);
  } else {
    const b = Buffer.alloc(9);
    b[0] = (major << 5) | 27;
    b.writeBigUInt64BE(big, 1);
    parts.push(b);
  }
}

function write(value: CborValue, parts: Buffer[]): void {
  if (value === null) parts.push(Buffer.from([0xf6]));
  else if (value === true) parts.push(Buffer.from([0xf5]));
  else if (value === false) parts.push(Buffer.from([0xf4]));
  else if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('CBOR: only integers are encoded');
    const big = BigInt(value);
    if (big >= 0n) head(0, big, parts);
    else head(1, -1n - big, parts);
  } else if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    head(3, b.length, parts);
    parts.push(b);
  } else if (value instanceof Uint8Array) {
    head(2, value.length, parts);
    parts.push(Buffer.from(value));
  } else if (Array.isArray(value)) {
    head(4, value.length, parts);
    for (const v of value) write(v, parts);
  } else if (value instanceof CborMap) {
    head(5, value.entries.length, parts);
    for (const [k, v] of value.entries) {
      write(k, parts);
      write(v, parts);
    }
  } else {
    head(6, value.tag, parts);
    write(value.value, parts);
  }
}
