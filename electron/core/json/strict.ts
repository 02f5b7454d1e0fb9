import { SignetError } from '../../../shared/errors';

/**
 * Parses JSON the strict way signature formats need: duplicate keys anywhere, trailing data,
 * a byte-order mark, invalid UTF-8 and excessive nesting are refused (JSON.parse would accept
 * or silently resolve them). Returns plain values; numbers stay JS numbers.
 */
export function parseStrictJson(input: string | Uint8Array, what = 'The document'): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = UTF8.decode(input);
    } catch {
      throw new SignetError('MALFORMED', `${what} is not valid UTF-8.`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) throw new SignetError('MALFORMED', `${what} starts with a byte-order mark.`);
  const parser = new Parser(text, what);
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) throw parser.fail('has data after the JSON value');
  return value;
}

const MAX_DEPTH = 64;
/** One decoder for every call: a fatal decoder keeps no state between whole (non-streaming) decodes. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

class Parser {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly what: string,
  ) {}

  fail(problem: string): SignetError {
    return new SignetError('MALFORMED', `${this.what} is not strict JSON: it ${problem} (at character ${this.pos}).`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos += 1;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw this.fail('nests deeper than 64 levels');
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    throw this.fail(c === undefined ? 'ends too early' : `has an unexpected ${JSON.stringify(c)}`);
  }

  private object(depth: number): Record<string, unknown> {
    this.pos += 1;
    // A normal object with own keys only: "__proto__" is defined as an ordinary key, never assigned (which would set the prototype).
    const out: Record<string, unknown> = {};
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw this.fail('has an object key that is not a string');
      const key = this.string();
      if (hasOwn(out, key)) throw this.fail(`repeats the key ${JSON.stringify(key.slice(0, 40))}`);
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw this.fail('misses a colon');
      this.pos += 1;
      const value = this.value(depth + 1);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos += 1;
      if (next === '}') return out;
      if (next !== ',') throw this.fail('misses a comma or closing brace');
    }
  }

  private array(depth: number): unknown[] {
    this.pos += 1;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos += 1;
      if (next === ']') return out;
      if (next !== ',') throw this.fail('misses a comma or closing bracket');
    }
  }

  private string(): string {
    const start = this.pos;
    let escaped = false;
    this.pos += 1;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) throw this.fail('has an unterminated string');
      if (c < 0x20) throw this.fail('has a control character inside a string');
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) throw this.fail('has a bad \\u escape');
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) throw this.fail('has a bad escape');
        this.pos += 2;
        continue;
      }
      this.pos += 1;
    }
    this.pos += 1;
    // Without escapes the text between the quotes is the string itself.
    return escaped ? (JSON.parse(this.text.slice(start, this.pos)) as string) : this.text.slice(start + 1, this.pos - 1);
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) throw this.fail('has a malformed number');
    if (match[0].length > 400) throw this.fail('has a number longer than 400 characters');
    this.pos += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) throw this.fail('has a number out of range');
    return value;
  }

  private literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    throw this.fail(`has an unknown word`);
  }
}
