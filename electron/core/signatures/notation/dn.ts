/**
 * Distinguished names as notation compares them for `x509.subject:` trusted identities: an
 * RFC 4514 string parsed into attribute → value (no multi-valued RDNs, no repeated attribute, no
 * `=#` hex values, "S" read as "ST", and C, ST and O required), and a trusted identity matches a
 * certificate when every one of its attributes has the same value in the certificate's subject.
 */
export type DnMap = ReadonlyMap<string, string>;

const MANDATORY = ['C', 'ST', 'O'] as const;
const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;

/** Parses an RFC 4514 DN; throws a sentence naming what breaks notation's rules. */
export function parseDn(text: string): DnMap {
  if (text.includes('=#')) throw new Error(`${JSON.stringify(text)}: notation does not support identities with "=#" (hex) values`);
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    // attribute type
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${JSON.stringify(text)}: an attribute has no "="`);
    let type = text.slice(i, eq).trim();
    if (!TYPE.test(type)) throw new Error(`${JSON.stringify(text)}: ${JSON.stringify(type)} is not an attribute type`);
    if (type === 'S') type = 'ST';
    i = eq + 1;
    // attribute value, with RFC 4514 escapes
    let value = '';
    let lastSignificant = 0;
    while (i < n && text[i] === ' ') i += 1;
    for (; i < n; i++) {
      const c = text[i] as string;
      if (c === ',' || c === ';') break;
      if (c === '+') throw new Error(`${JSON.stringify(text)}: multi-valued RDNs are not supported`);
      if (c === '\\') {
        const next = text.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(next)) {
          // A run of hex escapes is UTF-8.
          const bytes: number[] = [];
          while (text[i] === '\\' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
            bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
            i += 3;
          }
          i -= 1;
          value += Buffer.from(bytes).toString('utf8');
        } else if (next[0] !== undefined && ' "#+,;<=>\\'.includes(next[0])) {
          value += next[0];
          i += 1;
        } else throw new Error(`${JSON.stringify(text)}: a bad escape`);
        lastSignificant = value.length;
        continue;
      }
      if (c === '"') throw new Error(`${JSON.stringify(text)}: quoted values are not supported`);
      value += c;
      if (c !== ' ') lastSignificant = value.length;
    }
    value = value.slice(0, lastSignificant);
    if (out.has(type)) throw new Error(`${JSON.stringify(text)}: the attribute ${type} appears twice`);
    out.set(type, value);
    if (i < n) {
      i += 1;
      if (i >= n) throw new Error(`${JSON.stringify(text)}: ends with a separator`);
    }
  }
  for (const m of MANDATORY)
    if (!out.get(m)) throw new Error(`${JSON.stringify(text)}: a notation identity must name C, ST (or S) and O; ${m} is missing`);
  return out;
}

/** The certificate subject as notation reads it (attributes from the DER), or why it cannot be matched. */
export function subjectDn(attributes: ReadonlyArray<readonly [string, string]>): DnMap | string {
  const out = new Map<string, string>();
  for (const [type, value] of attributes) {
    if (/^\d/.test(type)) return `the subject has attribute ${type}, which notation writes in hex and cannot match`;
    if (out.has(type)) return `the subject repeats ${type}`;
    out.set(type, value);
  }
  for (const m of MANDATORY) if (!out.get(m)) return `the subject has no ${m}, which notation requires to match identities`;
  return out;
}

export function isSubsetDn(trusted: DnMap, subject: DnMap): boolean {
  for (const [k, v] of trusted) if (subject.get(k) !== v) return false;
  return true;
}

/** Two identities overlap when one is a subset of the other (notation refuses such a policy). */
export function dnOverlap(a: DnMap, b: DnMap): boolean {
  return isSubsetDn(a, b) || isSubsetDn(b, a);
}
