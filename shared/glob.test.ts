import { describe, expect, it } from 'vitest';
import { compileGlob, globMatcher, globProblem } from './glob';

/** A reference matcher written the slow, obvious way: backtracking over the pattern, braces expanded first. */
function expand(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open === -1) return [pattern];
  let depth = 0;
  const cuts: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (pattern[i] === ',' && depth === 1) cuts.push(i);
  }
  const inner = [open, ...cuts, close];
  const alternatives = inner.slice(0, -1).map((at, k) => pattern.slice(at + 1, inner[k + 1]));
  return alternatives.flatMap((alt) => expand(pattern.slice(0, open) + alt + pattern.slice(close + 1)));
}
/** `**` and `*` become marks first, so that alternatives expanded next to each other never make a new `**`. */
function refMatch(pattern: string, name: string): boolean {
  const marked = pattern.replace(/\*\*/g, '\u0001').replace(/\*/g, '\u0002');
  return expand(marked).some((p) => simple(p, name));
}
function simple(p: string, s: string): boolean {
  if (p === '') return s === '';
  if (p.startsWith('\u0001/')) {
    // zero segments, or any number of whole segments
    if (simple(p.slice(2), s)) return true;
    for (let i = 0; i < s.length; i++) if (s[i] === '/' && simple(p.slice(2), s.slice(i + 1))) return true;
    return false;
  }
  if (p[0] === '\u0001') {
    for (let i = 0; i <= s.length; i++) if (simple(p.slice(1), s.slice(i))) return true;
    return false;
  }
  if (p[0] === '\u0002') {
    for (let i = 0; i <= s.length; i++) {
      if (simple(p.slice(1), s.slice(i))) return true;
      if (s[i] === '/') return false;
    }
    return false;
  }
  if (p[0] === '?') return s.length > 0 && s[0] !== '/' && simple(p.slice(1), s.slice(1));
  return s[0] === p[0] && simple(p.slice(1), s.slice(1));
}

/** A small deterministic generator, so a failure names its seed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;

describe('globs where * stops at / and ** does not', () => {
  it('reads the examples as doublestar does', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', 'app', true],
      ['*', 'team/app', false],
      ['**', 'team/app/x', true],
      ['app-*', 'app-one', true],
      ['app-*', 'app/one', false],
      ['a/**', 'a/b/c', true],
      ['a/**/b', 'a/b', true],
      ['a/**/b', 'a/x/y/b', true],
      ['a/**/b', 'a/xb', false],
      ['**/b', 'b', true],
      ['**/b', 'x/y/b', true],
      ['v{1,2}.*', 'v1.0', true],
      ['v{1,2}.*', 'v3.0', false],
      ['1.0{,-rc}', '1.0', true],
      ['1.0{,-rc}', '1.0-rc', true],
      ['1.0{,-rc}', '1.0-rc1', false],
      ['{a,b{c,d}}x', 'bdx', true],
      ['v?.0', 'v1.0', true],
      ['v?.0', 'v10.0', false],
      ['1.0', '1x0', false],
    ];
    for (const [pattern, name, expected] of cases) expect([pattern, name, globMatcher(pattern)(name)]).toEqual([pattern, name, expected]);
  });

  it('refuses what it would otherwise read some other way, saying why', () => {
    for (const bad of ['', '***', 'a**', '**b', 'a/**b', '{a,b', 'a}', 'a,b', 'a//b', '/a', 'a/', 'a b', 'a[0-9]', 'A\\b', 'x'.repeat(257)])
      expect([bad, globProblem(bad)]).toEqual([bad, expect.any(String)]);
    expect(globProblem('{a,b')).toContain('never closed');
    expect(globProblem('a**')).toContain('whole path segment');
  });

  it('agrees with a slow reference matcher on generated patterns and names of varying lengths and counts', () => {
    const atoms = ['a', 'b', 'ab', '.', '-', '1', '*', '?', '{a,b}', '{,x}', '{a*,b}'];
    const nameChars = ['a', 'b', 'x', '1', '.', '-', '/'];
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const segments = 1 + Math.floor(r() * 4);
      const parts: string[] = [];
      for (let s = 0; s < segments; s++) {
        if (r() < 0.2) parts.push('**');
        else parts.push(Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, atoms)).join(''));
      }
      const pattern = parts.join('/');
      if (globProblem(pattern)) continue;
      const match = globMatcher(pattern);
      for (let n = 0; n < 40; n++) {
        const name = Array.from({ length: Math.floor(r() * 12) }, () => pick(r, nameChars))
          .join('')
          .replace(/\/\/+/g, '/');
        expect([seed, pattern, name, match(name)]).toEqual([seed, pattern, name, refMatch(pattern, name)]);
      }
    }
  });

  it('gives the same matches whatever the order of the alternatives', () => {
    const alternatives = ['rc', 'beta', 'alpha', 'v1', 'v2', ''];
    const names = ['1.0-rc', '1.0-beta', '1.0-', '1.0-v3', '1.0-alpha', '1.0-v2'];
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const count = 2 + Math.floor(r() * (alternatives.length - 1));
      const chosen = alternatives.slice(0, count);
      const shuffled = [...chosen].sort(() => r() - 0.5);
      const a = globMatcher(`1.0-{${chosen.join(',')}}`);
      const b = globMatcher(`1.0-{${shuffled.join(',')}}`);
      for (const name of names) expect(a(name)).toBe(b(name));
      for (const name of names) expect(a(name)).toBe(chosen.includes(name.slice(4)));
    }
  });

  it('* never crosses a / whatever the depth, ** crosses any number', () => {
    for (let depth = 1; depth <= 8; depth++) {
      const name = Array.from({ length: depth }, (_, i) => `s${i}`).join('/');
      expect(globMatcher('*')(name)).toBe(depth === 1);
      expect(globMatcher('**')(name)).toBe(true);
      expect(globMatcher(Array.from({ length: depth }, () => '*').join('/'))(name)).toBe(true);
      expect(globMatcher('s0/**')(name)).toBe(depth > 1);
    }
  });

  it('stays fast on patterns made to backtrack', () => {
    const started = Date.now();
    const glob = compileGlob(Array.from({ length: 16 }, () => '*a').join('/**/'));
    expect(glob.test(`${'a/'.repeat(2000)}b`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
