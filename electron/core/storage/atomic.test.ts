import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJsonFile, writeFileAtomic } from './atomic';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'signet-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the content and leaves no temporary file', async () => {
    const target = path.join(dir, 'nested', 'settings.json');
    await writeFileAtomic(target, '{"a":1}');
    await writeFileAtomic(target, '{"a":2}');
    expect(await readFile(target, 'utf8')).toBe('{"a":2}');
    expect(await readdir(path.dirname(target))).toEqual(['settings.json']);
  });

  it('reads missing JSON as undefined and parses present JSON', async () => {
    expect(await readJsonFile(path.join(dir, 'absent.json'))).toBeUndefined();
    await writeFileAtomic(path.join(dir, 'x.json'), '{"b":true}');
    expect(await readJsonFile(path.join(dir, 'x.json'))).toEqual({ b: true });
  });
});
