import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract } from '../api';
import { hostPath, hostPathFields, hostPathLocations, isTypedUrl, swapHostPaths } from './host-path';

const PATH_LIKE = /path|dir$|^dir|directory|^out$|layout|lookaside|registriesd|(?<!pro)file|module|folder/i;

/** Fields whose names look like host paths but are not read or written on this machine. */
const NOT_HOST_PATHS: Record<string, string> = {
  'trust.exportPolicy keyDir': 'where the generated policy expects key files on the node that evaluates it',
  'trust.exportPolicy lookaside': 'the lookaside URL written into the generated registries.d',
  'tokens.* module': 'names a module Signet already knows (the core loads only known or added modules)',
  'keys.import encoding': 'how the key text is encoded',
};

function stringLeaves(schema: z.ZodType, at: string[] = [], depth = 0): { at: string[]; schema: z.ZodType }[] {
  if (depth > 12) return [];
  if (schema._zod.def.type === 'string') return [{ at, schema }];
  if (schema instanceof z.ZodObject)
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([k, v]) => stringLeaves(v, [...at, k], depth + 1));
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return stringLeaves(schema.unwrap() as z.ZodType, at, depth + 1);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap((o) => stringLeaves(o, at, depth + 1));
  if (schema instanceof z.ZodArray) return stringLeaves(schema.element as z.ZodType, [...at, '*'], depth + 1);
  if (schema instanceof z.ZodPipe)
    return stringLeaves((schema.in instanceof z.ZodTransform ? schema.out : schema.in) as z.ZodType, at, depth + 1);
  if (schema instanceof z.ZodRecord) return stringLeaves(schema.valueType as z.ZodType, [...at, '*'], depth + 1);
  const type = schema._zod.def.type;
  if (['number', 'boolean', 'bigint', 'date', 'enum', 'literal', 'null', 'undefined', 'any', 'unknown', 'never'].includes(type)) return [];
  // Fail closed, as the walker does: a shape this test cannot see into could hide an unmarked path.
  throw new Error(`${at.join('.')}: a ${type} schema, which this test cannot see into`);
}

function locationsByCall(): Record<string, string[]> {
  const table: Record<string, string[]> = {};
  for (const [name, def] of Object.entries(contract)) {
    const found = hostPathLocations(def.request).map((l) => `${l.at.join('.')} (${l.meta.choices.join('/')}${l.meta.urls ? ', url' : ''})`);
    if (found.length > 0) table[name] = found.sort();
  }
  return table;
}

describe('host paths in the contract', () => {
  it('marks every field of a request that names a place on this machine', () => {
    const unmarked: string[] = [];
    for (const [name, def] of Object.entries(contract)) {
      for (const leaf of stringLeaves(def.request)) {
        const key = leaf.at.at(-1) ?? '';
        if (!PATH_LIKE.test(key) || hostPathFields.has(leaf.schema)) continue;
        const area = name.split('.')[0];
        if (NOT_HOST_PATHS[`${name} ${key}`] || NOT_HOST_PATHS[`${area}.* ${key}`]) continue;
        unmarked.push(`${name} ${leaf.at.join('.')}`);
      }
    }
    expect(unmarked).toEqual([]);
  });

  it('lists where each call takes a host path, and how the desktop app chooses it', () => {
    const table = locationsByCall();
    expect(table['registry.add']).toEqual(['layoutPath (directory/file)', 'lookaside (directory, url)', 'ocir.configFile (file)']);
    expect(table['registry.edit']).toContain('lookaside (directory, url)');
    expect(table['offline.export']).toEqual(['out (save/directory)']);
    expect(table['offline.import']).toEqual(['layout (directory/file)']);
    expect(table['offline.attach']).toEqual(['asc.path (directory)', 'lookaside (directory)']);
    expect(table['signatures.sign']).toEqual(expect.arrayContaining(['lookaside (directory)', 'registriesD (directory)']));
    expect(table['signatures.verify']).toEqual(expect.arrayContaining(['lookaside (directory, url)', 'registriesD (directory)']));
    expect(table['trust.evaluate']).toEqual(
      expect.arrayContaining(['dir (directory)', 'kbsDir (directory)', 'lookaside (directory, url)', 'registriesD (directory)']),
    );
    expect(table['tokens.addModule']).toEqual(['path (file)']);
    expect(table['kms.add']).toEqual(['credential.path (file)']);
    expect(table['storage.add']).toEqual(['path (directory)']);
    expect(table['storage.publish']).toEqual(['directory (directory)', 'target.path (directory)']);
    // Reads with no place on disk have none.
    expect(table['keys.list']).toBeUndefined();
  });

  it('swaps each located string once, leaving other shapes for validation to judge', () => {
    const locations = hostPathLocations(contract['trust.evaluate'].request);
    const seen: string[] = [];
    const swapped = swapHostPaths({ dir: 'a', lookaside: 'b', kbsDir: 7, registriesD: null, other: 'x' }, locations, (value) => {
      seen.push(value);
      return `<${value}>`;
    });
    expect(seen.sort()).toEqual(['a', 'b']);
    expect(swapped).toEqual({ dir: '<a>', lookaside: '<b>', kbsDir: 7, registriesD: null, other: 'x' });
    const arrays = swapHostPaths(
      { list: [{ p: 'one' }, { p: 'two' }, 3] },
      [{ at: ['list', '*', 'p'], meta: { choices: ['file'] } }],
      (v) => v.toUpperCase(),
    );
    expect(arrays).toEqual({ list: [{ p: 'ONE' }, { p: 'TWO' }, 3] });
    expect(swapHostPaths('text', locations, () => 'never')).toBe('text');
  });

  it('refuses to walk a shape it cannot see into, rather than let a host path inside pass as typed', () => {
    const marked = hostPath(z.string(), { choices: ['directory'] });
    expect(hostPathLocations(z.object({ p: z.preprocess((v) => v, marked) }))).toEqual([{ at: ['p'], meta: { choices: ['directory'] } }]);
    for (const hidden of [
      z.object({ p: z.lazy(() => marked) }),
      z.object({ p: z.tuple([marked]) }),
      z.object({ p: z.intersection(z.object({ a: marked }), z.object({ b: z.string() })) }),
      z.object({ p: z.record(z.string(), marked) }),
    ])
      expect(() => hostPathLocations(hidden)).toThrow(/host paths/);
    let deep: z.ZodType = marked;
    for (let i = 0; i < 20; i += 1) deep = z.object({ d: deep });
    expect(() => hostPathLocations(deep)).toThrow(/deeper/);
  });

  it('takes only http(s) URLs as typed, and only where a field says so', () => {
    expect(isTypedUrl('https://sigs.example/lookaside', { choices: ['directory'], urls: true })).toBe(true);
    expect(isTypedUrl('file:///srv/lookaside', { choices: ['directory'], urls: true })).toBe(false);
    expect(isTypedUrl('/srv/lookaside', { choices: ['directory'], urls: true })).toBe(false);
    expect(isTypedUrl('https://sigs.example/lookaside', { choices: ['directory'] })).toBe(false);
  });
});
