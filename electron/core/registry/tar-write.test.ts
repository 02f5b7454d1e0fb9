import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractTarFile } from './tar';
import { writeTarFile } from './tar-write';

const temp = (p: string) => mkdtempSync(path.join(tmpdir(), `signet-${p}-`));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A tree with sizes on every side of the 512-byte block, an empty file and a path longer than ustar's 100 bytes. */
function tree(root: string): string[] {
  const long = path.join('blobs', 'sha256', 'd'.repeat(64), 'n'.repeat(70));
  const files = ['oci-layout', 'index.json', path.join('blobs', 'sha256', 'empty'), long];
  mkdirSync(path.join(root, path.dirname(long)), { recursive: true });
  writeFileSync(path.join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(path.join(root, 'index.json'), randomBytes(512));
  writeFileSync(path.join(root, 'blobs', 'sha256', 'empty'), '');
  writeFileSync(path.join(root, long), randomBytes(70_001));
  for (const size of [1, 511, 513, 1023, 1024, 65_537]) {
    const name = path.join('blobs', 'sha256', `size-${size}`);
    writeFileSync(path.join(root, name), randomBytes(size));
    files.push(name);
  }
  return files;
}

describe('writeTarFile', () => {
  it('writes an archive GNU tar lists and extracts byte for byte, and Signet reads back', async () => {
    const src = temp('tar-src');
    const files = tree(src);
    const out = path.join(temp('tar-out'), 'layout.tar');
    await writeTarFile(src, out);

    const listed = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
    for (const f of files) expect(listed).toContain(f);
    const gnu = temp('tar-gnu');
    execFileSync('tar', ['-xf', out, '-C', gnu]);
    for (const f of files) expect(sha(path.join(gnu, f))).toBe(sha(path.join(src, f)));

    const ours = temp('tar-ours');
    await extractTarFile(out, ours);
    for (const f of files) expect(sha(path.join(ours, f))).toBe(sha(path.join(src, f)));
    // No partial file is left beside the archive.
    expect(readdirSync(path.dirname(out))).toEqual(['layout.tar']);
  });

  it('gives the same bytes for the same tree, and never overwrites an existing file', async () => {
    const src = temp('tar-same');
    tree(src);
    const dir = temp('tar-twice');
    await writeTarFile(src, path.join(dir, 'a.tar'));
    await writeTarFile(src, path.join(dir, 'b.tar'));
    expect(sha(path.join(dir, 'a.tar'))).toBe(sha(path.join(dir, 'b.tar')));
    writeFileSync(path.join(dir, 'c.tar'), 'keep me');
    await expect(writeTarFile(src, path.join(dir, 'c.tar'))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readFileSync(path.join(dir, 'c.tar'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir).sort()).toEqual(['a.tar', 'b.tar', 'c.tar']);
  });
});
