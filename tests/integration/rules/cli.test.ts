import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, waitFor, type KeyringHandle, type RegistryHandle } from '../../harness';
import { cosignSignatures } from './helpers';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet rule … and signet rules serve', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-rules-cli-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    });
  let id: string;

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', 'v1', { seed: 'cli-v1' });
    await pushTestImage(registry.url, 'team/app', 'dev', { seed: 'cli-dev' });
    await signet('key', 'generate', 'release');
    id = (JSON.parse((await signet('registry', 'add', registry.host, '--json')).stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('adds, lists, shows, edits, dry-runs, runs and removes a rule', async () => {
    expect((await signet('rule', 'keys')).stdout).toMatch(/^KEY\s+UNATTENDED\s+WHY\nrelease\s+yes\s+In the OS keychain/);
    const bad = signet('rule', 'add', 'Bad--Name', '--registry', id, '--namespace', 'team', '--key', 'release');
    await expect(bad).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('lower case') });
    expect(
      (
        await signet(
          'rule',
          'add',
          'team/release',
          '--registry',
          id,
          '--namespace',
          'team',
          '--tags',
          'v*',
          '--key',
          'release',
          '--description',
          'Release tags',
        )
      ).stdout,
    ).toContain('team/release');
    const list = await signet('rule', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+TRIGGER\s+MATCHES\s+FORMATS\s+KEY$/);
    expect(list.stdout).toMatch(/^team\/release\s+manual\s+\S+: team\/\*\*:v\*\s+cosign\s+release$/m);
    expect(JSON.parse((await signet('rule', 'list', '--json')).stdout)).toMatchObject({ rules: [{ name: 'team/release', tags: 'v*' }] });
    const dry = await signet('rule', 'run', 'team/release', '--dry-run');
    expect(dry.stdout).toContain('matches 1 image(s) in 1 repositories; a run would sign 1.');
    expect(dry.stdout).toMatch(/sign cosign\s+team\/app:v1@sha256:/);
    const run = await signet('rule', 'run', 'team/release');
    expect(run.stdout).toMatch(/completed\. Signed 1, already signed 0, failed 0/);
    expect((await signet('rule', 'run', 'team/release')).stdout).toMatch(/Signed 0, already signed 1/);
    expect((await signet('rule', 'show', 'team/release')).stdout).toMatch(
      /Recent runs:\n.*completed\s+signed 0, already 1[\s\S]*signed 1, already 0/,
    );
    const edited = await signet('rule', 'edit', 'team/release', '--trigger', 'event+manual', '--rename', 'team/on-push');
    expect(edited.stdout).toContain('event+manual');
    await expect(signet('rule', 'show', 'team/release')).rejects.toMatchObject({ code: 1 });
    expect((await signet('rule', 'show', 'team/on-push')).stdout).toContain('Recent runs:');
    expect((await signet('rule', 'remove', 'team/on-push')).stdout).toContain('1 signature(s) it made stay in the registry');
  });

  it('two processes running one rule at once sign each image once', async () => {
    const digests: string[] = [];
    for (let i = 0; i < 6; i++) digests.push((await pushTestImage(registry.url, 'race/app', `v${i}`, { seed: `race-${i}` })).digest);
    await signet('rule', 'add', 'race', '--registry', id, '--namespace', 'race', '--key', 'release');
    const runs = await Promise.allSettled([signet('rule', 'run', 'race', '--json'), signet('rule', 'run', 'race', '--json')]);
    const counts = runs.map(
      (r) =>
        (JSON.parse(r.status === 'fulfilled' ? r.value.stdout : (r.reason as { stdout: string }).stdout) as { counts: { signed: number } })
          .counts.signed,
    );
    expect(counts[0]! + counts[1]!).toBe(6);
    const pem = (JSON.parse((await signet('key', 'show', 'release', '--json')).stdout) as { publicKey: string }).publicKey;
    for (const digest of digests)
      expect(await cosignSignatures(registry, 'race/app', digest, pem)).toMatchObject({ count: 1, verified: 1 });
  });

  it('rules serve prints the notifications snippet and Harbor settings, refuses events without the secret, and signs a matching push', async () => {
    await signet(
      'rule',
      'add',
      'serve-me',
      '--registry',
      id,
      '--namespace',
      'team',
      '--tags',
      'v*',
      '--key',
      'release',
      '--trigger',
      'event+manual',
    );
    const child = spawn(
      process.execPath,
      [path.join(root, 'bin', 'signet.mjs'), 'rules', 'serve', '--port', '0', '--secret-env', 'EVENTS_SECRET'],
      {
        cwd: root,
        env: { ...process.env, ...keyring.env, SIGNET_HOME: home, EVENTS_SECRET: 'cli-test-secret-0123456789' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    try {
      await waitFor(() => out.includes('Press Ctrl-C'), 'the listener', 30_000);
      const url = /listens for registry events at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1] as string;
      expect(out).toContain(`url: ${url}/events/${id}`);
      expect(out).toContain('Authorization: ["Bearer cli-test-secret-0123456789"]');
      expect(out).toContain('Event type:    Artifact pushed');
      expect(out).toContain('Auth header:   Bearer cli-test-secret-0123456789');
      expect(out).toContain('Rules that sign on push: serve-me.');

      const image = await pushTestImage(registry.url, 'team/app', 'v2', { seed: 'cli-v2' });
      const event = {
        events: [
          {
            id: 'cli-1',
            action: 'push',
            target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.digest, repository: 'team/app', tag: 'v2' },
          },
        ],
      };
      const refused = await fetch(`${url}/events/${id}`, { method: 'POST', body: JSON.stringify(event) });
      expect(refused.status).toBe(401);
      await waitFor(() => err.includes('no valid shared secret (401)'), 'the refusal to be logged', 10_000);
      const taken = await fetch(`${url}/events/${id}`, {
        method: 'POST',
        headers: { Authorization: 'Bearer cli-test-secret-0123456789' },
        body: JSON.stringify(event),
      });
      expect(taken.status).toBe(200);
      const pem = (JSON.parse((await signet('key', 'show', 'release', '--json')).stdout) as { publicKey: string }).publicKey;
      await waitFor(
        async () => (await cosignSignatures(registry, 'team/app', image.digest, pem)).verified === 1,
        'the push to be signed',
        30_000,
      );
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('signet serve --rules-port also listens for registry events while the app is served', async () => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'signet.mjs'), 'serve', '--json', '--rules-port', '0'], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => out.includes('\n'), 'signet serve', 30_000);
      const { rulesUrl } = JSON.parse(out.split('\n')[0] as string) as { rulesUrl: string };
      expect(rulesUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${rulesUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${rulesUrl}/events/${id}`, { method: 'POST', body: '{}' })).status).toBe(401);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
