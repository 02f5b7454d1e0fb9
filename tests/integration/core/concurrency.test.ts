import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

/**
 * One data directory, three processes: `signet serve` (what the desktop app runs) and two CLI
 * processes add trust entries at the same time. Every entry must land in the trust store and in
 * the audit log, whose chain must stay intact; offline mode set by the CLI is in force in the
 * server at once, and audited once.
 */
describe('two processes, one data directory', () => {
  let home: string;
  let server: ChildProcess;
  let base: string;
  let token: string;

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'signet-concurrency-'));
    server = spawn(process.execPath, [path.join(root, 'bin', 'signet.mjs'), 'serve', '--json'], {
      cwd: root,
      env: { ...process.env, SIGNET_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      server.once('exit', (code) => reject(new Error(`signet serve exited ${code}`)));
    });
    const url = new URL((JSON.parse(line) as { url: string }).url);
    base = url.origin;
    token = url.hash.replace('#token=', '');
  });
  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  const web = async (name: string, input: unknown) => {
    const res = await fetch(`${base}/api/call/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signet-token': token },
      body: JSON.stringify(input),
    });
    return (await res.json()) as { ok: boolean; value?: unknown; code?: string; message?: string };
  };
  const cli = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...process.env, SIGNET_HOME: home } });
  const keyFile = (name: string) => {
    const file = path.join(home, `${name}.pub`);
    writeFileSync(file, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    return file;
  };

  it('the web host and two CLI processes add trust entries at once: all of them land, and the audit chain stays whole', async () => {
    const perWriter = 4;
    const cliWriter = async (who: string) => {
      for (let i = 0; i < perWriter; i++) await cli('trust', 'add', keyFile(`${who}-${i}`), '--name', `${who}-${i}`);
    };
    const webWriter = async () => {
      for (let i = 0; i < perWriter; i++) {
        const file = keyFile(`web-${i}`);
        const { readFileSync } = await import('node:fs');
        const r = await web('trust.add', { name: `web-${i}`, data: readFileSync(file, 'utf8') });
        expect(r.ok, r.message).toBe(true);
      }
    };
    await Promise.all([cliWriter('cli-a'), cliWriter('cli-b'), webWriter()]);
    const list = JSON.parse((await cli('trust', 'list', '--json')).stdout) as { entries: Array<{ name: string }> };
    expect(list.entries.map((e) => e.name).sort()).toEqual(
      ['cli-a', 'cli-b', 'web'].flatMap((w) => Array.from({ length: perWriter }, (_, i) => `${w}-${i}`)).sort(),
    );
    const verified = JSON.parse((await cli('audit', 'verify', '--json')).stdout) as { intact: boolean; entries: number };
    expect(verified).toMatchObject({ intact: true });
    expect(verified.entries).toBeGreaterThanOrEqual(3 * perWriter);
    const audit = (await web('audit.list', { limit: 1000 })) as {
      ok: boolean;
      value: { entries: Array<{ type: string; summary: string }> };
    };
    expect(audit.value.entries.filter((e) => e.type === 'trust.changed')).toHaveLength(3 * perWriter);
  }, 120_000);

  it('offline mode turned on by the CLI is in force in the running host at once, and audited once', async () => {
    await cli('offline', 'mode', 'on');
    const added = await web('registry.add', { host: '127.0.0.1:9' });
    expect(added.ok).toBe(true);
    const probe = await web('registry.probe', { id: (added.value as { id: string }).id });
    expect(probe).toMatchObject({ ok: false, code: 'OFFLINE' });
    const again = await web('settings.set', { offlineMode: true });
    expect(again.ok).toBe(true);
    await cli('offline', 'mode', 'off');
    const audit = (await web('audit.list', { limit: 1000 })) as { value: { entries: Array<{ type: string; summary: string }> } };
    expect(audit.value.entries.filter((e) => e.type === 'settings.changed').map((e) => e.summary)).toEqual([
      'Offline mode turned off',
      'Offline mode turned on',
    ]);
  }, 60_000);

  it('a damaged audit tail stops an action before it has any effect, and says so', async () => {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path.join(home, 'audit.log'), '{"seq": 99, "cut');
    const r = await web('trust.add', {
      name: 'after-damage',
      data: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    expect(r).toMatchObject({ ok: false, code: 'IO_ERROR', message: expect.stringContaining('damaged') });
    const list = (await web('trust.list', {})) as { value: { entries: Array<{ name: string }> } };
    expect(list.value.entries.map((e) => e.name)).not.toContain('after-damage');
  });

  it('three processes writing the trust store and the audit log as fast as they can lose nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-race-'));
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    const writer = path.join(__dirname, 'store-writer.ts');
    await Promise.all(['p1', 'p2', 'p3'].map((who) => exec(tsx, [writer, dir, who, '25'], { cwd: root })));
    const { TrustStore } = await import('../../../electron/core/trust/store');
    const { AuditLog } = await import('../../../electron/core/audit/log');
    expect((await new TrustStore(dir).entries()).length).toBe(75);
    expect(await new AuditLog(dir).verify()).toMatchObject({ intact: true, entries: 75 });
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('a stale lock left by a killed process is broken by exactly one waiter: six racing writers lose no update', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-stale-'));
    const counter = path.join(dir, 'counter');
    // A lock whose owner is gone: a process that has already exited.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const { writeFileSync: write } = await import('node:fs');
    write(`${counter}.lock`, JSON.stringify({ pid: gone.pid, host: (await import('node:os')).hostname(), at: Date.now(), nonce: 'dead' }));
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    const writer = path.join(__dirname, 'lock-writer.ts');
    const startAt = String(Date.now() + 4000);
    await Promise.all(Array.from({ length: 6 }, () => exec(tsx, [writer, counter, '20', startAt], { cwd: root })));
    const { readFileSync: read, existsSync } = await import('node:fs');
    expect(read(counter, 'utf8')).toBe('120');
    expect(existsSync(`${counter}.lock`)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
