import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../electron/core/audit/log';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * Runs the real `signet` (bin/signet.mjs) with its stdout on a pipe that nobody reads for a while,
 * then reads it slowly: output larger than the pipe's 64 KiB buffer must arrive complete.
 */
async function runSlowlyRead(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...argv], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // Let the command finish its work and fill the pipe before anything is read.
  await sleep(2500);
  const chunks: Buffer[] = [];
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    // A slow reader: a pause after each chunk.
    if (chunks.length % 8 === 0) await sleep(5);
  }
  return { code: await exited, stdout: Buffer.concat(chunks), stderr };
}

describe('signet output on a pipe', () => {
  it('audit list --json over 1 MiB, read slowly, arrives complete and parses; exit 0', { timeout: 60_000 }, async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-bigout-'));
    const log = new AuditLog(home);
    for (let i = 0; i < 300; i += 1)
      await log.append('settings.changed', `entry ${i} ${'s'.repeat(400)}`, { a: 'x'.repeat(4000), b: `${i}`.repeat(1000).slice(0, 4000) });
    const { code, stdout, stderr } = await runSlowlyRead(['audit', 'list', '--limit', '1000', '--json'], { SIGNET_HOME: home });
    expect(stdout.length).toBeGreaterThan(1024 * 1024);
    expect(code, stderr).toBe(0);
    const parsed = JSON.parse(stdout.toString('utf8')) as { entries: Array<{ seq: number }>; total: number };
    expect(parsed.entries).toHaveLength(300);
    expect(parsed.entries.at(-1)?.seq).toBe(1);
    expect(parsed.total).toBe(300);
  });

  it('a reader that goes away early makes the exit code non-zero instead of a silent success', { timeout: 60_000 }, async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-bigout-'));
    const log = new AuditLog(home);
    for (let i = 0; i < 100; i += 1) await log.append('settings.changed', `entry ${i}`, { a: 'x'.repeat(4000) });
    const child = spawn(process.execPath, [path.join(root, 'bin', 'signet.mjs'), 'audit', 'list', '--limit', '1000', '--json'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SIGNET_HOME: home },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await sleep(2500);
    child.stdout.destroy();
    expect(await exited).toBe(1);
  });
});
