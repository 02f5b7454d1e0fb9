import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, readdirSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const temp = (p: string) => mkdtempSync(path.join(tmpdir(), `signet-${p}-`));
/** Bigger than two 16 MiB upload pieces, and not a multiple of any block size. */
const LAYER = 40 * 1024 * 1024 + 7;

describe('layers larger than an upload piece move through layouts by streaming', () => {
  let source: RegistryHandle;
  let target: RegistryHandle;
  const home = temp('large');
  const cli = (args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...process.env, SIGNET_HOME: home } });

  beforeAll(async () => {
    source = await startRegistry();
    target = await startRegistry();
    await pushTestImage(source.url, 'team/big', '1.0', { layerBytes: LAYER });
  }, 120_000);
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  it('exports to a .tar and imports into another registry; skopeo copies the result with every digest checked', async () => {
    const archive = path.join(home, 'big.tar');
    await cli(['offline', 'export', `${source.host}/team/big:1.0`, '--out', archive, '--json']);
    expect(statSync(archive).size).toBeGreaterThan(LAYER);
    await cli(['offline', 'import', archive, '--registry', target.host, '--json']);
    const copy = temp('skopeo-copy');
    // skopeo verifies each blob against its digest while copying; a non-zero exit status rejects.
    await exec('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${target.host}/team/big:1.0`, `dir:${copy}`]);
    const biggest = readdirSync(copy)
      .map((f) => path.join(copy, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0] as string;
    expect(statSync(biggest).size).toBe(LAYER);
    expect(createHash('sha256').update(readFileSync(biggest)).digest('hex')).toBe(path.basename(biggest));
  }, 180_000);

  it('refuses a layout whose big layer was changed on disk, and commits none of it', async () => {
    const dir = path.join(home, 'layout');
    await cli(['offline', 'export', `${source.host}/team/big:1.0`, '--out', dir, '--json']);
    const blobs = path.join(dir, 'blobs', 'sha256');
    const big = readdirSync(blobs).find((f) => statSync(path.join(blobs, f)).size === LAYER) as string;
    const fd = openSync(path.join(blobs, big), 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, LAYER - 3);
    closeSync(fd);
    const fresh = await startRegistry();
    try {
      await expect(cli(['offline', 'import', dir, '--registry', fresh.host])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('does not match its digest'),
      });
      const head = await fetch(`${fresh.url}/v2/team/big/blobs/sha256:${big}`, { method: 'HEAD' });
      expect(head.status).toBe(404);
      const tag = await fetch(`${fresh.url}/v2/team/big/manifests/1.0`, { method: 'HEAD' });
      expect(tag.status).toBe(404);
    } finally {
      await fresh.stop();
    }
  }, 180_000);
});
