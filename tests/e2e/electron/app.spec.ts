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

test('a place on disk reaches the core only as a handle from the main process’s file dialog', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'signet-electron-'));
  const folder = mkdtempSync(path.join(tmpdir(), 'signet-electron-folder-'));
  const app = await electron.launch({
    executablePath: (runtime as { path: string }).path,
    args: [repoRoot],
    env: { ...process.env, SIGNET_HOME: home },
  });
  try {
    // The dialog answers with a folder, as a person choosing it would.
    await app.evaluate(({ dialog }, chosen) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [chosen] })) as typeof dialog.showOpenDialog;
    }, folder);
    const window = await app.firstWindow();
    await expect(window.getByRole('navigation', { name: 'Main' })).toBeVisible();
    type Bridge = {
      signet: { storage: { add(input: unknown): Promise<{ ok: boolean; code?: string }>; list(input: unknown): Promise<unknown> } };
      signetHost: { choosePath(request: unknown): Promise<{ ok: boolean; value: { handle: string; path: string } | null }> };
    };
    const typed = await window.evaluate(() =>
      (window as unknown as Bridge).signet.storage.add({ name: 'typed', kind: 'directory', path: '/etc', credential: { source: 'none' } }),
    );
    expect(typed).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const chosen = await window.evaluate(() =>
      (window as unknown as Bridge).signetHost.choosePath({ choice: 'directory', title: 'Folder' }),
    );
    expect(chosen.value?.path).toBe(folder);
    const added = await window.evaluate(
      (handle) =>
        (window as unknown as Bridge).signet.storage.add({
          name: 'chosen',
          kind: 'directory',
          path: handle,
          credential: { source: 'none' },
        }),
      chosen.value?.handle ?? '',
    );
    expect(added).toMatchObject({ ok: true });
    expect(JSON.stringify(await window.evaluate(() => (window as unknown as Bridge).signet.storage.list({})))).toContain(folder);
  } finally {
    await app.close();
  }
});
