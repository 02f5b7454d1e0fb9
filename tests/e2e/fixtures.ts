import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const artifactsDir = path.join(repoRoot, 'artifacts');

export interface SignetServer {
  url: string;
  origin: string;
  token: string;
  home: string;
}

/** Starts `signet serve` exactly as a user would, with a fresh SIGNET_HOME, and stops it after the test. */
export async function startServer(
  options: { readOnly?: boolean; env?: Record<string, string>; home?: string } = {},
): Promise<SignetServer & { stop(): Promise<void> }> {
  const home = options.home ?? mkdtempSync(path.join(tmpdir(), 'signet-e2e-'));
  const args = [path.join(repoRoot, 'bin', 'signet.mjs'), 'serve', '--json', ...(options.readOnly ? ['--read-only'] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, SIGNET_HOME: home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline !== -1) resolve(stdout.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`signet serve exited with ${code}: ${stderr}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.hash.replace('#token=', ''),
    home,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const test = base.extend<{ signet: SignetServer }>({
  // Playwright needs the object pattern to see that this fixture depends on no other.
  // eslint-disable-next-line no-empty-pattern
  signet: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  },
});

export { expect };

/** Opens the Keys view and its "Generate a signing key" dialog. */
export async function openGenerateKey(page: import('@playwright/test').Page) {
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  return page.getByRole('dialog', { name: 'Generate a signing key' });
}
