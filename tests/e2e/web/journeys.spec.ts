import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import { artifactsDir, expect, repoRoot, startServer, test, type SignetServer } from '../fixtures';

/**
 * Every view, as a reviewer and an officer walk through it, at the two sizes people use most:
 * a screenshot of each, no text overflowing its cell or the window, and no system code
 * (`ECONNREFUSED`, `ENOENT`…) in any error shown.
 */
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

let keyring: KeyringHandle;
let registry: RegistryHandle;
let server: SignetServer & { stop(): Promise<void> };
let closedPort: number;

function signet(home: string, ...args: string[]): string {
  return execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'signet.mjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    encoding: 'utf8',
  });
}

test.beforeAll(async () => {
  keyring = await startKeyring();
  registry = await startRegistry();
  await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
  await pushTestImage(registry.url, 'team/app', 'release-candidate-with-a-rather-long-tag-name-2026.11.30', { seed: 'long' });
  await pushTestImage(registry.url, 'platform/base-images/debian-bookworm-slim', '12.8', { seed: 'base' });
  const home = mkdtempSync(path.join(tmpdir(), 'signet-journeys-'));
  signet(home, 'registry', 'add', registry.host, '--name', 'Release registry');
  signet(home, 'key', 'generate', 'release-officer', '--type', 'ecdsa-p256');
  signet(home, 'key', 'generate', 'release-pgp', '--type', 'pgp-ed25519', '--uid', 'Release Officer <release@example.com>');
  signet(home, 'sign', `${registry.host}/team/app:1.0`, '--key', 'release-officer');
  server = await startServer({ home, env: keyring.env });
  closedPort = await new Promise<number>((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  mkdirSync(path.join(artifactsDir, 'journeys'), { recursive: true });
});

test.afterAll(async () => {
  await server?.stop();
  await registry?.stop();
  await keyring?.stop();
});

/** Checks what is on screen now, then keeps a screenshot of it. */
async function look(page: Page, name: string): Promise<void> {
  // Let progress and async panels settle before judging the layout.
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  const found = await page.locator('html').evaluate((root) => {
    const document = root.ownerDocument;
    const window = document.defaultView as unknown as { innerWidth: number };
    const cells = [...document.querySelectorAll('main td, main th')]
      .filter((c) => c.scrollWidth > c.clientWidth + 1)
      .map((c) => (c.textContent ?? '').slice(0, 60));
    // A list row whose text is taller or wider than the row spills over its neighbours.
    const rows = [...document.querySelectorAll('main [role="option"]')]
      .filter((r) => r.scrollHeight > r.clientHeight + 1 || r.scrollWidth > r.clientWidth + 1)
      .map((r) => (r.textContent ?? '').slice(0, 60));
    // A table wider than the main pane is cut off at its edge (main clips, so the page itself does not scroll).
    const main = document.querySelector('main')?.getBoundingClientRect();
    const wide = [...document.querySelectorAll('main table')]
      .filter((t) => main && t.getBoundingClientRect().right > main.right + 1)
      .map((t) => `table ${t.getAttribute('aria-label') ?? ''} is wider than the window`);
    const errors = [...document.querySelectorAll('[role="alert"], .banner-error, .field-error, .badge-bad')].map(
      (e) => e.textContent ?? '',
    );
    return { cells: [...cells, ...rows, ...wide], errors, pageWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth };
  });
  expect(found.cells, `${name}: text overflowing its cell`).toEqual([]);
  expect(found.pageWidth, `${name}: the page scrolls sideways`).toBeLessThanOrEqual(found.windowWidth + 1);
  for (const error of found.errors) {
    expect(error, `${name}: an error shows a system code`).not.toMatch(/\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+|ERR_[A-Z_]+|[A-Z]+_UNKNOWN)\b/);
    expect(error, `${name}: an error names an internal call`).not.toMatch(/\b(Invalid input for|[a-z]+\.[a-z]+[A-Z][a-zA-Z]*:)/);
  }
  const size = page.viewportSize();
  await page.screenshot({
    path: path.join(artifactsDir, 'journeys', `${size?.width ?? 0}x${size?.height ?? 0}-${name}.png`),
    fullPage: true,
  });
}

async function go(page: Page, hash: string): Promise<void> {
  await page.goto(`${server.origin}/${hash}`);
}

for (const size of SIZES) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: size });

    test('a reviewer browses a registry down to a signed image and reads its signature', async ({ page }) => {
      await page.goto(server.url);
      await look(page, 'registries');
      await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/app' }).click();
      await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: /^1\.0/ }).click();
      const signatures = page.getByRole('region', { name: 'Signatures' });
      await expect(page.getByLabel('Image', { exact: true })).toContainText('Multi-platform index');
      await expect(signatures.getByRole('table', { name: 'Signature list' })).toBeVisible();
      await look(page, 'registries-image');
      // A signature's details have a URL too: reload brings them back; closing goes back to the image.
      await signatures.getByRole('table', { name: 'Signature list' }).getByRole('button', { name: 'Verified' }).click();
      const drawer = page.getByRole('dialog', { name: 'Signature details' });
      await expect(drawer).toBeVisible();
      await expect(page).toHaveURL(/\/team%2Fapp\/1\.0\/signature\/[0-9a-f]+$/);
      await look(page, 'signature-details');
      await page.reload();
      await expect(page.getByRole('dialog', { name: 'Signature details' })).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog', { name: 'Signature details' })).toBeHidden();
      await expect(page).toHaveURL(/\/team%2Fapp\/1\.0$/);
      await page
        .getByRole('listbox', { name: 'Tags' })
        .getByRole('option', { name: /^release-candidate/ })
        .click();
      await expect(page.getByLabel('Image', { exact: true })).toContainText('Image manifest');
      await look(page, 'registries-long-tag');
    });

    test('an officer adds a registry that does not answer: one error, in words, and a choice to save anyway', async ({ page }) => {
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Add registry' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a registry' });
      await dialog.getByLabel('Registry host').fill(`https://127.0.0.1:${closedPort}/v2/`);
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await expect(dialog.getByRole('alert')).toContainText('nothing is listening');
      await expect(dialog.getByRole('alert')).toHaveCount(1);
      await expect(dialog.getByRole('button', { name: 'Save anyway' })).toBeVisible();
      await look(page, 'registries-add-unreachable');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByRole('navigation', { name: 'Saved registries' })).not.toContainText(`127.0.0.1:${closedPort}`);
    });

    test('every other view reads without overflow or codes', async ({ page }) => {
      const views: Array<[string, string, RegExp]> = [
        ['keys', '#/keys', /release-officer/],
        ['trust', '#/trust', /Trust/],
        ['payloads', '#/payloads', /Payloads/],
        ['offline-prepare', '#/offline/prepare', /Prepare/],
        ['offline-sign', '#/offline/sign', /Offline mode is/],
        ['offline-attach', '#/offline/attach', /Check and attach/],
        ['rules', '#/rules', /Rules/],
        ['audit', '#/audit', /Audit/],
        ['settings-environment', '#/settings/environment', /Environment/],
        ['settings-storage', '#/settings/storage', /Storage/],
        ['settings-appearance', '#/settings/appearance', /Appearance/],
      ];
      await page.goto(server.url);
      await expect(page.getByRole('heading', { name: 'Registries', level: 1 })).toBeVisible();
      for (const [name, hash, expected] of views) {
        await go(page, hash);
        await expect(page.locator('main')).toContainText(expected);
        await look(page, name);
      }
    });
  });
}
