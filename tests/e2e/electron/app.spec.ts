import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM helper shared with the start script
import { findElectronRuntime } from '../../../scripts/electron-runtime.mjs';

const runtime = findElectronRuntime() as { path: string } | { missing: string };
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

test.skip(
  !('path' in runtime),
  `No Electron binary on this machine: ${'missing' in runtime ? runtime.missing : ''}. The web project covers the renderer; run this suite where Electron can be installed.`,
);

test('the desktop app opens sandboxed on the app:// page with the shell', async () => {
  const app = await electron.launch({
    executablePath: (runtime as { path: string }).path,
    args: [repoRoot],
    env: { ...process.env, SIGNET_HOME: mkdtempSync(path.join(tmpdir(), 'signet-electron-')) },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('navigation', { name: 'Main' })).toBeVisible();
    expect(window.url()).toMatch(/^app:\/\/signet\//);
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => Object.isFrozen((window as unknown as { signet: object }).signet))).toBe(true);
    await expect(window.getByText('Desktop')).toBeVisible();
  } finally {
    await app.close();
  }
});
