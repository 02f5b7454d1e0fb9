import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet registry (CLI) against docker-registry', () => {
  let registry: RegistryHandle;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-cli-registry-'));
  const signet = (...args: string[]) => exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...process.env, SIGNET_HOME: home } });

  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
  });
  afterAll(() => registry?.stop());

  it('adds, lists tags and inspects, in text and JSON', async () => {
    const added = JSON.parse((await signet('registry', 'add', registry.host, '--json')).stdout) as { id: string };
    expect((await signet('registry', 'tags', added.id, 'team/app')).stdout.trim()).toBe('1.0');
    const inspected = JSON.parse((await signet('registry', 'inspect', added.id, 'team/app', '1.0', '--json')).stdout) as { digest: string; platforms: unknown[] };
    expect(inspected.digest).toBe(image.digest);
    expect(inspected.platforms).toHaveLength(2);
    expect((await signet('registry', 'inspect', added.id, 'team/app', '1.0')).stdout).toContain('linux/arm64');
  });

  it('exits 1 with a sentence for a missing tag and 2 for a usage error', async () => {
    const added = JSON.parse((await signet('registry', 'add', registry.host, '--json')).stdout) as { id: string };
    await expect(signet('registry', 'inspect', added.id, 'team/app', 'missing')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('has no such') });
    await expect(signet('registry', 'inspect', added.id)).rejects.toMatchObject({ code: 2 });
  });
});
