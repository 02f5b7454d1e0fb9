import { SignetError } from '../../../../shared/errors';

/**
 * The small part of YAML that registries.d files use: nested block mappings of scalars, with
 * comments and quoted strings. Anything else (sequences, flow collections, anchors, tags, block
 * or multi-line scalars, tabs) is refused with the line number, never guessed at. Keys may
 * contain `:` when not followed by a space (`host:5000/ns:`), as in YAML.
 */
export type YamlScalar = { kind: 'scalar'; value: string; quoted: boolean; line: number };
export type YamlMap = { kind: 'map'; entries: Map<string, YamlNode>; line: number };
export type YamlNode = YamlScalar | YamlMap | { kind: 'null'; line: number };

interface Line {
  indent: number;
  text: string;
  number: number;
}

const MAX_BYTES = 1024 * 1024;

export function parseYamlSubset(source: string, what: string): YamlMap {
  if (Buffer.byteLength(source) > MAX_BYTES) throw new SignetError('TOO_LARGE', `${what} is larger than 1 MiB.`);
  const lines: Line[] = [];
  source.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const number = i + 1;
    const stripped = stripComment(raw, what, number).replace(/\s+$/, '');
    if (stripped.trim() === '') return;
    if (/^\t| \t/.test(stripped.match(/^\s*/)?.[0] ?? '')) throw fail(what, number, 'indents with a tab');
    if (stripped === '---' && lines.length === 0) return;
    const indent = stripped.length - stripped.trimStart().length;
    lines.push({ indent, text: stripped.trimStart(), number });
  });
  const state = { i: 0 };
  const root: YamlMap = { kind: 'map', entries: new Map(), line: 1 };
  if (lines.length === 0) return root;
  if (lines[0]!.indent !== 0) throw fail(what, lines[0]!.number, 'starts indented');
  parseMap(lines, state, 0, root, what);
  if (state.i < lines.length) throw fail(what, lines[state.i]!.number, 'has an indentation that does not fit');
  return root;
}

function fail(what: string, line: number, problem: string): SignetError {
  return new SignetError('MALFORMED', `${what} line ${line} ${problem}; only simple "key: value" mappings are supported.`);
}

function stripComment(raw: string, what: string, number: number): string {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i];
    if (quote) {
      if (quote === '"' && c === '\\') i += 1;
      else if (c === quote) {
        if (quote === "'" && raw[i + 1] === "'") i += 1;
        else quote = null;
      }
    } else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]!))) return raw.slice(0, i);
    else if ((c === '"' || c === "'") && (i === 0 || /[\s:]/.test(raw[i - 1]!))) quote = c;
  }
  if (quote) throw fail(what, number, 'has an unterminated quoted string');
  return raw;
}

function parseMap(lines: Line[], state: { i: number }, indent: number, into: YamlMap, what: string): void {
  while (state.i < lines.length) {
    const line = lines[state.i]!;
    if (line.indent < indent) return;
    if (line.indent > indent) throw fail(what, line.number, 'is indented more than its mapping');
    const { key, rest } = splitKey(line, what);
    if (into.entries.has(key)) throw fail(what, line.number, `repeats the key ${JSON.stringify(key)}`);
    state.i += 1;
    if (rest === '') {
      const next = lines[state.i];
      if (next && next.indent > indent) {
        const child: YamlMap = { kind: 'map', entries: new Map(), line: line.number };
        parseMap(lines, state, next.indent, child, what);
        into.entries.set(key, child);
      } else into.entries.set(key, { kind: 'null', line: line.number });
      continue;
    }
    into.entries.set(key, scalar(rest, line.number, what));
    const next = lines[state.i];
    if (next && next.indent > indent) throw fail(what, next.number, 'continues a value over several lines');
  }
}

function splitKey(line: Line, what: string): { key: string; rest: string } {
  const text = line.text;
  if (/^[-[\]{}&*!|>%@`]/.test(text) && !/^-[^\s]/.test(text)) throw fail(what, line.number, 'uses YAML beyond plain mappings');
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = quotedEnd(text, what, line.number);
    const key = unquote(text.slice(0, end + 1), what, line.number);
    const after = text.slice(end + 1);
    if (!/^\s*:(\s|$)/.test(after)) throw fail(what, line.number, 'has a quoted key without a colon');
    return { key, rest: after.replace(/^\s*:/, '').trim() };
  }
  const m = /:(\s|$)/.exec(text);
  if (!m) throw fail(what, line.number, 'has no "key:"');
  return { key: text.slice(0, m.index).trim(), rest: text.slice(m.index + 1).trim() };
}

function quotedEnd(text: string, what: string, number: number): number {
  const q = text[0];
  for (let i = 1; i < text.length; i += 1) {
    if (q === '"' && text[i] === '\\') i += 1;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i += 1;
      else return i;
    }
  }
  throw fail(what, number, 'has an unterminated quoted string');
}

function unquote(text: string, what: string, number: number): string {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  try {
    return JSON.parse(text) as string;
  } catch {
    throw fail(what, number, 'has a double-quoted string with an escape Signet does not read');
  }
}

function scalar(rest: string, number: number, what: string): YamlNode {
  if (rest.startsWith('"') || rest.startsWith("'")) {
    const end = quotedEnd(rest, what, number);
    if (rest.slice(end + 1).trim() !== '') throw fail(what, number, 'has text after a quoted value');
    return { kind: 'scalar', value: unquote(rest, what, number), quoted: true, line: number };
  }
  if (/^[[{&*!|>%@`]/.test(rest) || /^-(\s|$)/.test(rest)) throw fail(what, number, 'uses YAML beyond plain mappings');
  if (/:(\s|$)/.test(rest)) throw fail(what, number, 'has a nested mapping on one line');
  if (rest === '~' || rest === 'null' || rest === 'Null' || rest === 'NULL') return { kind: 'null', line: number };
  return { kind: 'scalar', value: rest, quoted: false, line: number };
}
