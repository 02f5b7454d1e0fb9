import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet sign --description/--metadata, signet signature delete and tag', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-cli-delete-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    });
  /** Runs signet with this on standard input (then closed), as a script piping its answer. */
  const piped = (input: string, ...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
        cwd: root,
        env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stdout, stderr }));
      child.stdin.end(input);
    });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry({ deleteEnabled: true });
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('signs with a description, lists ids, refuses without --yes off a terminal, previews, exports and deletes one; --by-key counts, then deletes', async () => {
    await pushTestImage(registry.url, 'team/cli', '1.0', { seed: 'cli-delete' });
    await pushTestImage(registry.url, 'team/cli', '2.0', { seed: 'cli-delete-2' });
    await signet('key', 'generate', 'release');
    await signet('key', 'generate', 'other');
    const ref = `${registry.host}/team/cli:1.0`;
    await signet('sign', ref, '--key', 'release', '--description', 'Release 1.0', '--metadata', '{"ticket":"REL-1"}');
    await signet('sign', ref, '--key', 'other');
    await signet('sign', `${registry.host}/team/cli:2.0`, '--key', 'release');
    await expect(signet('sign', ref, '--key', 'release', '--metadata', '[1]')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('JSON object'),
    });

    const listed = await signet('signatures', ref);
    expect(listed.stdout).toMatch(/description \(signed\): Release 1\.0/);
    expect(listed.stdout).toMatch(/metadata \(signed\): \{"ticket":"REL-1"\}/);
    expect(listed.stdout).toMatch(/claimed by the signer/);
    const report = JSON.parse((await signet('signatures', ref, '--json')).stdout) as { signatures: Array<{ id: string; signer?: string }> };
    const mine = report.signatures.find((s) => s.signer?.startsWith('release'))!;

    expect(await piped('', 'signature', 'delete', ref, '--signature', mine.id)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--yes'),
    });
    expect(await piped('000000000000\n', 'signature', 'delete', ref, '--signature', mine.id)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Nothing deleted'),
    });
    const preview = await signet('signature', 'delete', ref, '--signature', mine.id, '--dry-run');
    expect(preview.stdout).toContain('1 other signature stay');
    const out = path.join(home, 'removed.json');
    const done = await signet('signature', 'delete', ref, '--signature', mine.id, '--export', out, '--yes');
    expect(done.stdout).toContain('1 remain');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ signature: { id: mine.id } });
    const after = JSON.parse((await signet('signatures', ref, '--json')).stdout) as { signatures: Array<{ id: string }> };
    expect(after.signatures.map((s) => s.id)).not.toContain(mine.id);
    expect(after.signatures).toHaveLength(1);
    await expect(signet('signature', 'delete', ref, '--signature', mine.id, '--export', out, '--yes')).rejects.toMatchObject({ code: 2 });

    // Tags on the remaining signature: added, listed as unsigned, removed.
    const otherId = after.signatures[0]!.id;
    const tagged = await signet('signature', 'tag', ref, '--signature', otherId, '--add', 'release=1.0', '--add', 'ops.approved=yes');
    expect(tagged.stdout).toContain('Tags (unsigned: anyone with push access can change these):');
    expect(tagged.stdout).toContain('ops.approved=yes  (defined)');
    expect(tagged.stdout).toContain('release=1.0  (free-form)');
    const untagged = JSON.parse(
      (await signet('signature', 'tag', ref, '--signature', otherId, '--remove', 'release', '--json')).stdout,
    ) as { tags: Record<string, string>; signed: boolean };
    expect(untagged).toEqual({ tags: { 'ops.approved': 'yes' }, signed: false });
    expect((await signet('signatures', ref)).stdout).toContain(
      'tags (unsigned: anyone with push access can change these): ops.approved=yes',
    );
    await expect(signet('signature', 'tag', ref, '--signature', otherId, '--add', 'novalue')).rejects.toMatchObject({ code: 2 });

    const repo = `${registry.host}/team/cli`;
    const counted = await signet('signature', 'delete', repo, '--by-key', 'release', '--dry-run');
    expect(counted.stdout).toMatch(/^1 signature by release on 2 image\(s\)/);
    const registryWide = await signet('signature', 'delete', registry.host, '--by-key', 'release', '--dry-run');
    expect(registryWide.stdout).toMatch(/^1 signature by release on 2 image\(s\) of 1 repositories of /);
    expect(registryWide.stdout).toContain('team/cli:2.0');
    const gone = await piped('1\n', 'signature', 'delete', repo, '--by-key', 'release');
    expect(gone).toMatchObject({ code: 0, stdout: expect.stringMatching(/Deleted [0-9a-f]{12} \(cosign, 2\.0\)/) });
    await expect(signet('verify', `${registry.host}/team/cli:2.0`)).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('unsigned'),
    });
    expect(existsSync(out)).toBe(true);
  }, 180_000);
});
