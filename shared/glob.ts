/**
 * Glob patterns for repositories and tags, as SWR's `doublestar` selectors read them:
 * - `*` matches any run of characters except `/`;
 * - `?` matches one character except `/`;
 * - `**` is a whole path segment and matches any number of segments, none included: `a/**`
 *   matches `a/b/c`; `a/` `**` `/b` (written together) matches `a/b` and `a/x/y/b`;
 * - `{a,b}` matches either alternative (alternatives may nest and may be empty: `1.0{,-rc}`).
 * Anything else is a literal of the characters image names use (letters, digits, `. _ - /`).
 * Strict: an unbalanced brace, `***`, `**` inside a segment, `//`, or another character is
 * refused with a sentence, rather than read some other way. Matching runs a Thompson automaton,
 * never a backtracking regular expression: a name is matched in time linear in its length, whatever
 * the pattern (a tag comes from whoever pushed it).
 */

export const GLOB_MAX_LENGTH = 256;
const MAX_WILDCARDS = 32;
const MAX_DEPTH = 4;

export class GlobError extends Error {}

type Node = { k: 'lit'; c: string } | { k: 'star' } | { k: 'one' } | { k: 'any' } | { k: 'anyDir' } | { k: 'alt'; alts: Node[][] };

interface Parser {
  readonly text: string;
  at: number;
  wildcards: number;
}

/** Whether the `**` starting at `at` stands alone in its segment (bounded by a start, `/`, a brace or a comma). */
function boundedAt(text: string, at: number): boolean {
  const before = at === 0 ? '' : text[at - 1];
  const after = text[at + 2] ?? '';
  return ['', '/', '{', ','].includes(before ?? '') && ['', '/', '}', ','].includes(after);
}

function wildcard(p: Parser): void {
  if (++p.wildcards > MAX_WILDCARDS) throw new GlobError(`more than ${MAX_WILDCARDS} wildcards`);
}

function parseSequence(p: Parser, depth: number): Node[] {
  const out: Node[] = [];
  while (p.at < p.text.length) {
    const char = p.text[p.at] as string;
    if (char === '}' || char === ',') {
      if (depth === 0)
        throw new GlobError(
          char === '}' ? `a "}" at position ${p.at + 1} closes no "{"` : `a "," at position ${p.at + 1} is outside any {a,b} alternatives`,
        );
      return out;
    }
    if (char === '{') {
      if (depth + 1 > MAX_DEPTH) throw new GlobError(`alternatives nest more than ${MAX_DEPTH} deep`);
      const open = p.at;
      p.at++;
      const alts: Node[][] = [parseSequence(p, depth + 1)];
      while (p.text[p.at] === ',') {
        p.at++;
        alts.push(parseSequence(p, depth + 1));
      }
      if (p.text[p.at] !== '}') throw new GlobError(`the "{" at position ${open + 1} is never closed`);
      p.at++;
      out.push({ k: 'alt', alts });
      continue;
    }
    if (char === '*') {
      wildcard(p);
      if (p.text[p.at + 1] === '*') {
        if (p.text[p.at + 2] === '*')
          throw new GlobError(`"***" at position ${p.at + 1} means nothing; use * (within a segment) or ** (any segments)`);
        if (!boundedAt(p.text, p.at))
          throw new GlobError(`"**" at position ${p.at + 1} must be a whole path segment (like a/**/b); use * within a segment`);
        p.at += 2;
        if (p.text[p.at] === '/') {
          p.at++;
          out.push({ k: 'anyDir' });
        } else out.push({ k: 'any' });
        continue;
      }
      p.at++;
      out.push({ k: 'star' });
      continue;
    }
    if (char === '?') {
      wildcard(p);
      p.at++;
      out.push({ k: 'one' });
      continue;
    }
    if (!/[A-Za-z0-9._/-]/.test(char))
      throw new GlobError(`"${char}" at position ${p.at + 1} is not allowed; use letters, digits, . _ - /, and * ** ? {a,b}`);
    if (char === '/' && p.text[p.at + 1] === '/')
      throw new GlobError(`"//" at position ${p.at + 1}: an empty path segment matches nothing`);
    out.push({ k: 'lit', c: char });
    p.at++;
  }
  if (depth > 0) throw new GlobError('a "{" is never closed');
  return out;
}

/** Automaton states: a character, any character but `/`, any character, a fork, the end. */
type State =
  | { t: 'char'; c: string; out: number }
  | { t: 'seg'; out: number }
  | { t: 'any'; out: number }
  | { t: 'fork'; a: number; b: number }
  | { t: 'end' };

function build(seq: readonly Node[], next: number, states: State[]): number {
  let at = next;
  for (let i = seq.length - 1; i >= 0; i--) {
    const node = seq[i] as Node;
    if (node.k === 'lit') at = states.push({ t: 'char', c: node.c, out: at }) - 1;
    else if (node.k === 'one') at = states.push({ t: 'seg', out: at }) - 1;
    else if (node.k === 'star' || node.k === 'any') {
      const fork = states.push({ t: 'fork', a: -1, b: at }) - 1;
      const body = states.push(node.k === 'star' ? { t: 'seg', out: fork } : { t: 'any', out: fork }) - 1;
      (states[fork] as { a: number }).a = body;
      at = fork;
    } else if (node.k === 'anyDir') {
      // (any characters, then "/") or nothing: zero or more whole segments.
      const inner = build([{ k: 'any' }, { k: 'lit', c: '/' }], at, states);
      at = states.push({ t: 'fork', a: inner, b: at }) - 1;
    } else {
      const starts = node.alts.map((alt) => build(alt, at, states));
      at = starts.reduceRight((rest, start) => states.push({ t: 'fork', a: start, b: rest }) - 1);
    }
  }
  return at;
}

export interface CompiledGlob {
  test(name: string): boolean;
}

function compile(pattern: string): CompiledGlob {
  const p: Parser = { text: pattern, at: 0, wildcards: 0 };
  const states: State[] = [{ t: 'end' }];
  const start = build(parseSequence(p, 0), 0, states);
  const close = (set: Set<number>, s: number) => {
    if (set.has(s)) return;
    set.add(s);
    const state = states[s] as State;
    if (state.t === 'fork') {
      close(set, state.a);
      close(set, state.b);
    }
  };
  return {
    test(name) {
      let current = new Set<number>();
      close(current, start);
      for (const c of name) {
        const next = new Set<number>();
        for (const s of current) {
          const state = states[s] as State;
          if ((state.t === 'char' && state.c === c) || (state.t === 'seg' && c !== '/') || state.t === 'any') close(next, state.out);
        }
        if (next.size === 0) return false;
        current = next;
      }
      return current.has(0);
    },
  };
}

/** The automaton a pattern stands for, matching whole names; throws GlobError with a sentence. */
export function compileGlob(pattern: string): CompiledGlob {
  if (pattern.length === 0) throw new GlobError('a pattern cannot be empty; ** matches everything');
  if (pattern.length > GLOB_MAX_LENGTH) throw new GlobError(`a pattern is at most ${GLOB_MAX_LENGTH} characters`);
  if (pattern.startsWith('/') || pattern.endsWith('/')) throw new GlobError('a pattern neither starts nor ends with "/"');
  return compile(pattern);
}

/** What is wrong with a pattern, in words; undefined when it is a good one. */
export function globProblem(pattern: string): string | undefined {
  try {
    compileGlob(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof GlobError) return error.message;
    throw error;
  }
}

/** A matcher for a pattern (which must be valid: check it with globProblem first). */
export function globMatcher(pattern: string): (name: string) => boolean {
  const compiled = compileGlob(pattern);
  return (name) => compiled.test(name);
}
