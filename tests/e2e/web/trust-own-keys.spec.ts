import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKeyring, type KeyringHandle } from '../../harness';
import { artifactsDir, expect, repoRoot, startServer, test, openGenerateKey } from '../fixtures';

let keyring: KeyringHandle;
test.beforeAll(async () => {
  keyring = await startKeyring();
});
test.afterAll(() => keyring?.stop());

test('a key generated with "Trust this key for verification" left on is in the Trust view as a Signet key', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    const dialog = await openGenerateKey(page);
    await dialog.getByLabel('Name').fill('release-2026');
    await expect(dialog.getByLabel('Trust this key for verification')).toBeChecked();
    await page.screenshot({ path: path.join(artifactsDir, 'generate-trust.png') });
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await expect(dialog).toBeHidden();

    const details = page.getByRole('complementary', { name: 'Key details' });
    await expect(details.getByLabel('Trust status')).toContainText('Trusted as “release-2026”');
    await details.getByRole('link', { name: '“release-2026”' }).click();

    const table = page.getByRole('table', { name: 'Trusted keys' });
    await expect(table.getByRole('row', { name: /release-2026/ })).toContainText('Public key');
    await expect(table.getByRole('link', { name: 'release-2026' })).toBeVisible(); // the Signet key column
    await page.getByLabel('Show').selectOption('other');
    await expect(table).not.toContainText('release-2026');
    await page.getByLabel('Show').selectOption('signet');
    await expect(table).toContainText('release-2026');
    await page.screenshot({ path: path.join(artifactsDir, 'trust-signet-keys.png'), fullPage: true });
  } finally {
    await server.stop();
  }
});

test('a key generated with the box off is not trusted; "Trust this key…" on its page trusts it', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    const dialog = await openGenerateKey(page);
    await dialog.getByLabel('Name').fill('scratch');
    await dialog.getByLabel('Trust this key for verification').uncheck();
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await expect(dialog).toBeHidden();

    const details = page.getByRole('complementary', { name: 'Key details' });
    await expect(details.getByLabel('Trust status')).toContainText('Not trusted');
    await details.getByRole('button', { name: 'Trust this key…' }).click();
    const trust = page.getByRole('dialog', { name: 'Trust scratch for verification' });
    await expect(trust.getByLabel('Trust entry name')).toHaveValue('scratch');
    await trust.getByLabel('Trust entry name').fill('Scratch (CI only)');
    await trust.getByLabel('before', { exact: true }).fill('2030-01-01');
    await trust.getByLabel(/Scopes/).fill('registry.example.com/ci');
    await page.screenshot({ path: path.join(artifactsDir, 'trust-this-key.png') });
    await trust.getByRole('button', { name: 'Trust', exact: true }).click();
    await expect(trust).toBeHidden();
    await expect(details.getByLabel('Trust status')).toContainText('Trusted as “Scratch (CI only)”');

    await page.getByRole('link', { name: 'Trust' }).first().click();
    const row = page.getByRole('table', { name: 'Trusted keys' }).getByRole('row', { name: /Scratch \(CI only\)/ });
    await expect(row).toContainText('registry.example.com/ci');
    await expect(row).toContainText('before');
    await expect(row.getByRole('link', { name: 'scratch' })).toBeVisible();
  } finally {
    await server.stop();
  }
});

test('keys an earlier version trusted implicitly become entries, with a note in the Trust view and `signet trust list` until dismissed', async ({
  page,
}) => {
  const home = mkdtempSync(path.join(tmpdir(), 'signet-e2e-'));
  const env = { ...process.env, ...keyring.env, SIGNET_HOME: home };
  const signet = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'signet.mjs'), ...args], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  signet('key', 'generate', 'legacy', '--no-trust');
  // As an earlier version left it: no migration record.
  rmSync(path.join(home, 'trust-migration.json'));
  const listed = JSON.parse(signet('trust', 'list', '--json')) as { entries: { name: string }[]; migration?: { message: string } };
  expect(listed.entries.map((e) => e.name)).toEqual(['legacy']);
  expect(listed.migration?.message).toContain('trusted implicitly by earlier versions');

  const server = await startServer({ env: keyring.env, home });
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Trust' }).first().click();
    const note = page.getByRole('note', { name: 'Trust migration' });
    await expect(note).toContainText('These keys were trusted implicitly by earlier versions');
    await expect(note).toContainText('“legacy” — Signet key “legacy”');
    await page.screenshot({ path: path.join(artifactsDir, 'trust-migration.png'), fullPage: true });
    await note.getByRole('button', { name: 'Dismiss' }).click();
    await expect(note).toBeHidden();
    await expect(page.getByRole('table', { name: 'Trusted keys' })).toContainText('legacy');
  } finally {
    await server.stop();
  }
});
