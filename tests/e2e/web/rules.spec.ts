import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import { artifactsDir, expect, repoRoot, startServer, test } from '../fixtures';

const exec = promisify(execFile);

let keyring: KeyringHandle;
let registry: RegistryHandle;
test.beforeAll(async () => {
  keyring = await startKeyring();
  registry = await startRegistry();
  await pushTestImage(registry.url, 'team/app', 'v1.0', { seed: 'a' });
  await pushTestImage(registry.url, 'team/api', 'v1.0', { seed: 'b' });
  await pushTestImage(registry.url, 'team/app', 'dev', { seed: 'c' });
});
test.afterAll(async () => {
  await registry?.stop();
  await keyring?.stop();
});

test('an officer writes a rule (told what is wrong field by field), previews it, runs it, and a second run signs nothing', async ({
  page,
}) => {
  const server = await startServer({ env: keyring.env });
  try {
    // The key and the registry come from the CLI on the same data directory (their views have specs of their own).
    const cli = (...args: string[]) =>
      exec(process.execPath, [path.join(repoRoot, 'bin', 'signet.mjs'), ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...keyring.env, SIGNET_HOME: server.home },
      });
    await cli('key', 'generate', 'release');
    await cli('registry', 'add', registry.host);
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Rules' }).click();
    await expect(page.getByText('No signing rules yet.')).toBeVisible();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a signing rule' });
    // Keyboard only: type, tab on; the errors are sentences beside their fields.
    await dialog.getByLabel('Name', { exact: true }).fill('Team--release');
    await dialog.getByLabel('Name', { exact: true }).press('Tab');
    await expect(dialog.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByRole('alert').filter({ hasText: 'lower case' })).toBeVisible();
    await dialog.getByLabel('Tags', { exact: true }).fill('v{1');
    await dialog.getByLabel('Tags', { exact: true }).press('Tab');
    await expect(dialog.getByRole('alert').filter({ hasText: 'never closed' })).toBeVisible();
    await dialog.getByRole('button', { name: 'Add rule' }).click();
    await expect(dialog.getByRole('alert').filter({ hasText: 'Name the namespace' })).toBeVisible();
    await expect(dialog.getByRole('alert').filter({ hasText: 'Choose the key' })).toBeVisible();
    // .asc files need a place to go: the storage choice appears with the format, and says so at the field.
    await dialog.getByLabel('.asc for Huawei SWR (OpenPGP)').check();
    await expect(dialog.getByLabel('Storage for the .asc files')).toBeVisible();
    await expect(dialog.getByRole('alert').filter({ hasText: 'storage profile the .asc files go to' })).toBeVisible();
    await dialog.getByLabel('.asc for Huawei SWR (OpenPGP)').uncheck();
    await expect(dialog.getByLabel('Storage for the .asc files')).toHaveCount(0);

    await dialog.getByLabel('Name', { exact: true }).fill('team/release');
    await dialog.getByLabel('Description', { exact: true }).fill('Release tags of the team');
    await dialog.getByLabel('Namespace or organisation').fill('team');
    await dialog.getByLabel('Tags', { exact: true }).fill('v*');
    await dialog.getByLabel('Key', { exact: true }).fill('release');
    await dialog.getByLabel('Key', { exact: true }).press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('toast')).toHaveText('Saved the rule “team/release”.');

    const rules = page.getByRole('table', { name: 'Signing rules' });
    await expect(rules).toContainText('team/release');
    await page.getByRole('button', { name: 'Dry run team/release' }).click();
    const preview = page.getByRole('table', { name: 'Images the rule matches' });
    await expect(preview).toContainText('team/api:v1.0');
    await expect(preview).toContainText('team/app:v1.0');
    await expect(preview).not.toContainText('dev');
    await expect(page.getByText('2 image(s) match in 2 repositories; a run would sign 2.')).toBeVisible();

    await page.getByRole('button', { name: 'Run team/release', exact: true }).click();
    const results = page.getByRole('table', { name: 'Per-image results' });
    await expect(results).toContainText('signed');
    await expect(page.getByRole('status').filter({ hasText: 'Signed 2, already signed 0, failed 0' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Recent runs of team/release' })).toBeVisible();
    await page.screenshot({ path: path.join(artifactsDir, 'rules-run.png'), fullPage: true });

    await page.getByRole('button', { name: 'Run team/release', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Signed 0, already signed 2, failed 0' })).toBeVisible();
    await page.getByRole('button', { name: 'Dry run team/release' }).click();
    await expect(page.getByText('a run would sign 0.')).toBeVisible();
    await expect(page.getByLabel('Namespace status')).toContainText('2 signed, 0 unsigned');

    await page.getByRole('button', { name: 'Delete team/release' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete rule “team/release”' });
    await expect(remove.getByRole('status')).toContainText('Its runs made 2 signature(s). They stay in the registry');
    await expect(remove.getByRole('checkbox')).not.toBeChecked();
    await remove.getByRole('button', { name: 'Delete rule' }).click();
    await expect(page.getByText('Deleted “team/release”. 2 signature(s) it made stay in the registry.')).toBeVisible();
    await expect(page.getByText('No signing rules yet.')).toBeVisible();
  } finally {
    await server.stop();
  }
});

test('the reviewer window shows rules and dry runs, and offers no way to change or run them', async ({ page }) => {
  const server = await startServer({ env: keyring.env, readOnly: true });
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Rules' }).click();
    await expect(page.getByRole('heading', { name: 'Rules' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add rule' })).toHaveCount(0);
  } finally {
    await server.stop();
  }
});
