import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir, expect, startServer, test } from '../fixtures';

test('the shell shows every area and the Environment page reports the real environment', async ({ page, signet }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  await page.goto(signet.url);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const label of ['Registries', 'Keys', 'Trust', 'Offline', 'Rules', 'Audit', 'Settings']) {
    await expect(nav.getByRole('link', { name: label })).toBeVisible();
  }
  // The token left the address bar once it was taken.
  await expect.poll(() => page.url()).not.toContain('token=');
  await expect(page.getByText('Browser mode')).toBeVisible();

  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const facts = page.getByRole('definition');
  await expect(page.getByText('App version')).toBeVisible();
  await expect(facts.filter({ hasText: signet.home })).toBeVisible();
  await expect(page.getByText('OS keychain')).toBeVisible();
  await expect(page.getByText(/Secret Service|Keychain|Credential/).first()).toBeVisible();
  await expect(page.getByText('skopeo', { exact: false }).first()).toBeVisible();

  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, 'shell-environment.png'), fullPage: true });

  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByRole('button', { name: 'Check again' })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('navigation is keyboard friendly and unbuilt areas say so plainly', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Registries' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Keys');
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Registries');
});

test('a page opened without the token cannot call the host', async ({ page, signet }) => {
  await page.goto(`${signet.origin}/`);
  await expect(page.getByRole('alert').first()).toContainText('no access token');
  const status = await page.evaluate(
    async () => (await fetch('/api/call/app.info', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status,
  );
  expect(status).toBe(401);
});

test('read-only reviewer mode is shown in the shell and offers no action that changes anything', async ({ page }) => {
  const server = await startServer({ readOnly: true });
  try {
    await page.goto(server.url);
    await expect(page.getByText('Read-only')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Registries' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add registry' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Keys' }).click();
    await expect(page.getByRole('heading', { name: 'Keys' })).toBeVisible();
    await expect(page.getByRole('button', { name: /Generate|Import|Connect a KMS/ })).toHaveCount(0);
    await page.getByRole('link', { name: 'Trust' }).click();
    await expect(page.getByRole('heading', { name: 'Trust' })).toBeVisible();
    await expect(page.getByRole('button', { name: /Trust a key|Import policy/ })).toHaveCount(0);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('switch')).toBeDisabled();
    // The host refuses what the page does not offer.
    const refused = await page.evaluate(async (token) => {
      const res = await fetch('/api/call/settings.set', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signet-token': token },
        body: '{"offlineMode":true}',
      });
      return ((await res.json()) as { code?: string }).code;
    }, server.token);
    expect(refused).toBe('READ_ONLY');
  } finally {
    await server.stop();
  }
});

test('offline mode is switched on the Environment page and shown at all times', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.getByRole('link', { name: 'Settings' }).click();
  const toggle = page.getByRole('switch');
  await expect(toggle).not.toBeChecked();
  await toggle.click();
  await expect(toggle).toBeChecked();
  const badge = page.getByRole('link', { name: /Offline mode/ });
  await expect(badge).toBeVisible();
  await page.getByRole('link', { name: 'Keys' }).click();
  await expect(badge).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: /Offline mode/ })).toBeVisible();
  await page.getByRole('link', { name: /Offline mode/ }).click();
  await page.getByRole('switch').click();
  await expect(page.getByRole('switch')).not.toBeChecked();
  await expect(page.getByRole('link', { name: /Offline mode/ })).toHaveCount(0);
});

test('the audit log records offline mode changes and verifies its chain', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('switch').click();
  await expect(page.getByRole('switch')).toBeChecked();
  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('Offline mode turned on');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status')).toContainText('intact: 1 entry');
  // The entry names its origin; the filter narrows by kind and origin, and says when nothing matches.
  const log = page.getByRole('table', { name: 'Audit log' });
  await expect(log).toContainText('Browser host');
  const filter = page.getByRole('form', { name: 'Filter the audit log' });
  await filter.getByLabel('Event').selectOption('key');
  await filter.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No entries match this filter.')).toBeVisible();
  await filter.getByLabel('Event').selectOption('settings.changed');
  await filter.getByLabel('Origin').selectOption('browser');
  await filter.getByRole('button', { name: 'Filter' }).click();
  await expect(log).toContainText('Offline mode turned on');
});

test('the theme follows the system, and Settings → Appearance can choose dark or light for good', async ({ page, signet }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(signet.url);
  const html = page.locator('html');
  await expect(html).toHaveCSS('background-color', 'rgb(15, 19, 28)');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'Appearance' }).click();
  await page.getByLabel('Light').check();
  await expect(html).toHaveCSS('background-color', 'rgb(246, 247, 249)');
  await page.getByLabel('Dark').check();
  await page.reload();
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(html).toHaveCSS('background-color', 'rgb(15, 19, 28)');
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.screenshot({ path: path.join(artifactsDir, 'dark-keys.png'), fullPage: true });
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'Appearance' }).click();
  await page.getByLabel('Follow the system').check();
  await expect(html).toHaveCSS('background-color', 'rgb(246, 247, 249)');
});
