import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { vector } from '../../vectors';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet registry (CLI) against docker-registry', () => {
  let registry: RegistryHandle;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-cli-registry-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...process.env, SIGNET_HOME: home } });

  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
  });
  afterAll(() => registry?.stop());

  it('adds, lists tags and inspects, in text and JSON', async () => {
    const added = JSON.parse((await signet('registry', 'add', registry.host, '--json')).stdout) as { id: string };
    expect((await signet('registry', 'tags', added.id, 'team/app')).stdout.trim()).toBe('1.0');
    const inspected = JSON.parse((await signet('registry', 'inspect', added.id, 'team/app', '1.0', '--json')).stdout) as {
      digest: string;
      platforms: unknown[];
    };
    expect(inspected.digest).toBe(image.digest);
    expect(inspected.platforms).toHaveLength(2);
    expect((await signet('registry', 'inspect', added.id, 'team/app', '1.0')).stdout).toContain('linux/arm64');
  });

  it('exits 1 with a sentence for a missing tag and 2 for a usage error', async () => {
    const added = JSON.parse((await signet('registry', 'add', registry.host, '--json')).stdout) as { id: string };
    await expect(signet('registry', 'inspect', added.id, 'team/app', 'missing')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('has no such'),
    });
    await expect(signet('registry', 'inspect', added.id)).rejects.toMatchObject({ code: 2 });
  });

  it('takes full references, like skopeo and crane: tags of host/repo, inspect by tag and by digest', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'signet-cli-ref-'));
    const run = (...args: string[]) =>
      exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...process.env, SIGNET_HOME: fresh } });
    // The host is not saved yet: the first call saves it.
    expect((await run('registry', 'tags', `${registry.host}/team/app`)).stdout.trim()).toBe('1.0');
    const byTag = JSON.parse((await run('registry', 'inspect', `${registry.host}/team/app:1.0`, '--json')).stdout) as {
      digest: string;
      repository: string;
      platforms: unknown[];
    };
    expect(byTag).toMatchObject({ digest: image.digest, repository: 'team/app' });
    expect(byTag.platforms).toHaveLength(2);
    const byDigest = (await run('registry', 'inspect', `${registry.host}/team/app@${image.digest}`)).stdout;
    expect(byDigest.split('\n')[0]).toBe(`${registry.host}/team/app@${image.digest}`);
    expect(byDigest).toContain(`digest      ${image.digest}`);
    expect(byDigest).toContain('linux/arm64');
    expect((await run('registry', 'repos', registry.host)).stdout.split('\n')).toContain('team/app');
    expect((await run('registry', 'probe', `${registry.host}/team/app`)).stdout).toContain('reachable: true');
    const saved = JSON.parse((await run('registry', 'list', '--json')).stdout) as Array<{ host: string }>;
    expect(saved.map((r) => r.host)).toEqual([registry.host]);
    expect((await run('registry', 'inspect', '--help')).stdout).toContain(`signet registry inspect registry.example.com/team/app:1.0`);
  });

  it('reads an oci: layout directory in place, saving it once', async () => {
    const layout = vector('notation', 'oci-layout', 'e2e-valid-signature');
    const digest = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
    expect((await signet('registry', 'tags', `oci:${layout}`)).stdout.split('\n')).toContain('v1');
    expect(JSON.parse((await signet('registry', 'inspect', `oci:${layout}:v1`, '--json')).stdout)).toMatchObject({ digest });
    expect((await signet('registry', 'inspect', `oci:${layout}@${digest}`)).stdout).toContain(`digest      ${digest}`);
    const layouts = (JSON.parse((await signet('registry', 'list', '--json')).stdout) as Array<{ kind: string; path?: string }>).filter(
      (r) => r.kind === 'oci-layout',
    );
    expect(layouts).toEqual([expect.objectContaining({ path: layout })]);
    // Two images and no name: which one is the user's to say.
    await expect(signet('registry', 'inspect', `oci:${layout}`)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('names no image'),
    });
    await expect(signet('registry', 'inspect', `oci:${path.join(home, 'no-such-layout')}:v1`)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no OCI layout directory'),
    });
  });

  it('exits 2 with a usage message for a malformed reference, or an image where a repository is wanted', async () => {
    await expect(signet('registry', 'inspect', 'Registry.example.com/Team/App:1.0')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a valid repository name[\s\S]*host\/repo:tag[\s\S]*--help/),
    });
    await expect(signet('registry', 'inspect', `${registry.host}/team/app@sha256:1234`)).rejects.toMatchObject({ code: 2 });
    await expect(signet('registry', 'inspect', 'oci:')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not an OCI layout reference'),
    });
    await expect(signet('registry', 'tags', `${registry.host}/team/app:1.0`)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`takes a repository: ${registry.host}/team/app`),
    });
    await expect(signet('registry', 'inspect', `${registry.host}/team/app`, '1.0')).rejects.toMatchObject({ code: 2 });
  });
});
