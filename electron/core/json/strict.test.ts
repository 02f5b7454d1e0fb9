import { describe, expect, it } from 'vitest';
import { parseStrictJson } from './strict';

describe('strict JSON', () => {
  it('parses what JSON.parse parses, for well-formed documents', () => {
    for (const text of ['{"a":[1,2.5,-3e2,true,false,null,"x\\u00e9\\n"],"b":{}}', '[]', '"s"', ' 0 ', '{"__proto__":{"x":1}}']) {
      expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    }
    const proto = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"a":1,"a":2}', 'repeats the key "a"'],
    ['{"a":{"b":1,"b":1}}', 'repeats the key "b"'],
    ['{"a":1} x', 'data after the JSON value'],
    ['{"a":1}{"a":1}', 'data after the JSON value'],
    ['\ufeff{}', 'byte-order mark'],
    ['{"a":01}', 'misses a comma'],
    ['{a:1}', 'not a string'],
    ['{"a":1,}', 'not a string'],
    ['[1,]', 'unexpected'],
    ['"\u0001"', 'control character'],
    ['"\\x"', 'bad escape'],
    ['{"a":NaN}', 'unexpected'],
    ['{"a":1e400}', 'out of range'],
    ['', 'ends too early'],
    ['['.repeat(100) + ']'.repeat(100), 'deeper than 64'],
  ])('refuses %j', (text, problem) => {
    expect(() => parseStrictJson(text)).toThrow(problem);
  });

  it('refuses invalid UTF-8 bytes', () => {
    expect(() => parseStrictJson(new Uint8Array([0x22, 0xff, 0x22]))).toThrow('not valid UTF-8');
  });
});
