import path from 'node:path';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { artifactsDir, expect, test } from '../fixtures';

let registry: RegistryHandle;
let image: Awaited<ReturnType<typeof pushTestImage>>;

test.beforeAll(async () => {
  registry = await startRegistry();
  image = await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
  for (let i = 0; i < 30; i += 1) await pushTestImage(registry.url, 'team/app', `build-${i}`, { seed: String(i) });
  await pushTestImage(registry.url, 'other/tool', 'latest');
});
test.afterAll(() => registry?.stop());

test('a reviewer adds a registry and browses down to an image’s platforms and manifest', async ({ page, signet }) => {
  await page.goto(signet.url);
  await expect(page.getByText('No registry yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Add registry' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a registry' });
  await dialog.getByLabel('Registry host').fill(registry.host);
  await dialog.getByLabel('Name (optional)').fill('Local test registry');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByRole('navigation', { name: 'Saved registries' })).toContainText('Local test registry');
  await expect(page.getByTestId('toast')).toHaveText('Saved Local test registry.');
  await expect(page.getByLabel('Capabilities')).toContainText('no referrers API (tag schema)');
  const repos = page.getByRole('listbox', { name: 'Repositories' });
  await expect(repos.getByRole('option')).toHaveCount(2);
  await page.getByLabel('Filter repositories').fill('team');
  await repos.getByRole('option', { name: 'team/app' }).click();

  const tags = page.getByRole('listbox', { name: 'Tags' });
  await expect(page.getByRole('heading', { name: /Tags \(31\)/ })).toBeVisible();
  await page.getByLabel('Filter tags').fill('1.0');
  await tags.getByRole('option', { name: '1.0' }).click();

  const panel = page.getByLabel('Image', { exact: true });
  await expect(panel).toContainText(image.digest);
  await expect(panel).toContainText('Multi-platform index');
  const platforms = page.getByRole('table', { name: 'Platforms' });
  await expect(platforms).toContainText('linux/amd64');
  await expect(platforms).toContainText('linux/arm64');
  await page.screenshot({ path: path.join(artifactsDir, 'registries-image.png'), fullPage: true });

  await platforms.getByRole('button', { name: (image.platforms[1]?.digest ?? '').slice(0, 19) }).click();
  await expect(panel).toContainText('linux/arm64');
  await expect(page.getByRole('table', { name: 'Layers' })).toBeVisible();
  await page.getByRole('button', { name: 'Show manifest' }).click();
  await expect(page.getByRole('dialog', { name: /Manifest/ })).toContainText('application/vnd.oci.image.layer.v1.tar');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: /Manifest/ })).toBeHidden();
});

test('tags are keyboard-navigable', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.getByRole('button', { name: 'Add registry' }).click();
  await page.getByLabel('Registry host').fill(registry.host);
  await page.getByLabel('Registry host').press('Enter');
  await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/app' }).click();
  const tags = page.getByRole('listbox', { name: 'Tags' });
  await tags.focus();
  await page.keyboard.press('Home');
  await expect(tags.getByRole('option', { selected: true })).toHaveText('1.0');
  await page.keyboard.press('ArrowDown');
  await expect(tags.getByRole('option', { selected: true })).toHaveText('build-0');
  await expect(page.getByLabel('Image', { exact: true })).toContainText('Image manifest');
});

test('every place has a link: reload, back and forward, and a platform links back to its index', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.getByRole('button', { name: 'Add registry' }).click();
  await page.getByLabel('Registry host').fill(registry.host);
  await page.getByLabel('Registry host').press('Enter');
  await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/app' }).click();
  const hostPart = encodeURIComponent(registry.host);
  await expect(page).toHaveURL(new RegExp(`#/registries/${hostPart}/team%2Fapp$`));
  await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: '1.0', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`#/registries/${hostPart}/team%2Fapp/1\\.0$`));
  const panel = page.getByLabel('Image', { exact: true });
  await expect(panel).toContainText('Multi-platform index');

  const arm = image.platforms[1]?.digest ?? '';
  await page
    .getByRole('table', { name: 'Platforms' })
    .getByRole('button', { name: arm.slice(0, 19) })
    .click();
  await expect(page).toHaveURL(new RegExp(`/team%2Fapp/1\\.0/${encodeURIComponent(arm)}$`));
  await expect(panel).toContainText('A platform of the index');
  await expect(panel).toContainText(arm);

  // The address alone brings the same place back.
  await page.reload();
  await expect(panel).toContainText(arm);
  await expect(panel).toContainText('linux/arm64');
  await expect(page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { selected: true })).toHaveText(/^1\.0/);

  await page.goBack();
  await expect(panel).toContainText('Multi-platform index');
  await page.goForward();
  await expect(panel).toContainText(arm);
  await panel.getByRole('link', { name: 'team/app:1.0' }).click();
  await expect(panel).toContainText('Multi-platform index');
  await expect(page).toHaveURL(new RegExp(`/team%2Fapp/1\\.0$`));

  // Keys passing over tags open only the one they rest on, in place of the current entry.
  const before = await page.evaluate('history.length');
  const tags = page.getByRole('listbox', { name: 'Tags' });
  await tags.focus();
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowDown');
  await expect(tags.getByRole('option', { selected: true })).toHaveText(/^build-4/);
  await expect(page).toHaveURL(/\/team%2Fapp\/build-4$/);
  await expect(panel).toContainText('Image manifest');
  expect(await page.evaluate('history.length')).toBe(before);

  // A link to a registry this Signet has not saved says so.
  await page.goto(page.url().replace(/#.*$/, '#/registries/unknown.example%3A5000/team%2Fapp'));
  await expect(page.getByRole('note')).toContainText('No saved registry is called unknown.example:5000');
});

test('a wrong host is refused with a sentence', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.getByRole('button', { name: 'Add registry' }).click();
  await page.getByLabel('Registry host').fill('not a host!');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('registry is a host name');
});

test('a pasted URL or image reference is cleaned up to the host; forgetting a registry asks first', async ({ page, signet }) => {
  await page.goto(signet.url);
  await page.getByRole('button', { name: 'Add registry' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a registry' });
  await dialog.getByLabel('Registry host').fill(`http://${registry.host}/v2/`);
  await expect(dialog.getByRole('status')).toHaveText(`Adds the registry ${registry.host}.`);
  await dialog.getByLabel('Registry host').fill(`docker://${registry.host}/team/app:1.0`);
  await expect(dialog.getByRole('status')).toHaveText(`Adds the registry ${registry.host}.`);
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel('Capabilities')).toContainText(registry.host);
  await expect(page.getByLabel('Capabilities')).toContainText('reachable');

  // In offline mode the registry's badge says so, not "reachable" or a network error.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('switch').click();
  await expect(page.getByRole('switch')).toBeChecked();
  await page.getByRole('link', { name: 'Registries', exact: true }).click();
  await expect(page.getByLabel('Capabilities')).toContainText('offline mode');
  await expect(page.getByLabel('Capabilities')).not.toContainText('reachable');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('switch').click();
  await expect(page.getByRole('switch')).not.toBeChecked();
  await page.getByRole('link', { name: 'Registries', exact: true }).click();

  await page.getByRole('button', { name: 'Forget this registry…' }).click();
  const confirm = page.getByRole('dialog', { name: /^Forget / });
  await expect(confirm).toContainText('Nothing in the registry changes');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Saved registries' })).toContainText(registry.host);
  await page.getByRole('button', { name: 'Forget this registry…' }).click();
  await page
    .getByRole('dialog', { name: /^Forget / })
    .getByRole('button', { name: 'Forget', exact: true })
    .click();
  await expect(page.getByText('No registry yet.')).toBeVisible();
});

test('a new user sees the first three steps, one click each, ticked off as they are done', async ({ page, signet }) => {
  await page.goto(signet.url);
  const start = page.getByRole('region', { name: 'Getting started' });
  await expect(start).toContainText('to do');
  await start.getByRole('button', { name: 'Add a registry' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a registry' });
  await dialog.getByLabel('Registry host').fill(registry.host);
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect(dialog).toBeHidden();
  await expect(start.getByRole('listitem').filter({ hasText: 'Add a registry' })).toContainText('done');
  await start.getByRole('button', { name: 'Create or import a key' }).click();
  await expect(page.getByRole('heading', { name: 'Keys', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Registries', exact: true }).click();
  await page.getByRole('region', { name: 'Getting started' }).getByRole('button', { name: 'Hide this' }).click();
  await expect(page.getByRole('region', { name: 'Getting started' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Saved registries' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Getting started' })).toHaveCount(0);
});
