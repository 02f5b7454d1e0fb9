/**
 * JSON encoded byte-for-byte as Go's encoding/json does it (what cosign and containers/image
 * write): no whitespace, `<`, `>`, `&`, U+2028 and U+2029 escaped, map keys sorted by bytes.
 * Struct-ordered objects are passed as arrays of entries so their order is kept.
 */
export type GoJson = null | boolean | number | string | GoJson[] | { readonly [key: string]: GoJson } | GoStruct;

export class GoStruct {
  constructor(readonly entries: ReadonlyArray<readonly [string, GoJson]>) {}
}

export function goJson(value: GoJson): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('JSON has no NaN or Infinity');
    return Number.isInteger(value) ? value.toFixed(0) : String(value);
  }
  if (typeof value === 'string') return goString(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value instanceof GoStruct) return `{${value.entries.map(([k, v]) => `${goString(k)}:${goJson(v)}`).join(',')}}`;
  const keys = Object.keys(value).sort(compareUtf8);
  return `{${keys.map((k) => `${goString(k)}:${goJson((value as Record<string, GoJson>)[k] as GoJson)}`).join(',')}}`;
}

function compareUtf8(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i += 1) if (ea[i] !== eb[i]) return (ea[i] as number) - (eb[i] as number);
  return ea.length - eb.length;
}

function goString(s: string): string {
  let out = '"';
  for (const char of s) {
    const code = char.codePointAt(0) as number;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || char === '<' || char === '>' || char === '&' || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
