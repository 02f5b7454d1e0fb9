import path from 'node:path';
import { RegistryClient } from '../../../electron/core/registry/client';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import type { Page } from '@playwright/test';
import { artifactsDir, expect, startServer, test } from '../fixtures';

let keyring: KeyringHandle;
let registry: RegistryHandle;
let image: Awaited<ReturnType<typeof pushTestImage>>;
let victim: Awaited<ReturnType<typeof pushTestImage>>;
test.beforeAll(async () => {
  keyring = await startKeyring();
  registry = await startRegistry();
  image = await pushTestImage(registry.url, 'team/app', '1.0');
  victim = await pushTestImage(registry.url, 'team/app', '2.0', { seed: 'victim' });
});
test.afterAll(async () => {
  await registry?.stop();
  await keyring?.stop();
});

/** A fresh app: generate a software key, add the test registry, open REPOSITORY:1.0. */
async function openImage(page: Page, url: string, keyName: string, repository: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(keyName);
  await page.getByRole('dialog').getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('complementary', { name: 'Key details' })).toBeVisible();
  await page.getByRole('link', { name: 'Registries' }).click();
  await page.getByRole('button', { name: 'Add registry' }).click();
  await page.getByLabel('Registry host').fill(registry.host);
  await page.getByLabel('Registry host').press('Enter');
  await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: repository }).click();
  await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: '1.0' }).click();
}

test('an officer signs an image and its Signatures tab turns verified; a misplaced signature fails with its reason', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await openImage(page, server.url, 'officer', 'team/app');
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await expect(signatures.getByLabel('Verdict')).toHaveText('Unsigned');

    await signatures.getByRole('button', { name: 'Sign…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign this image' });
    await expect(dialog).toContainText(image.digest);
    await dialog.getByLabel('Key', { exact: true }).selectOption({ label: 'officer (ecdsa-p256)' });
    await dialog.getByLabel(/Annotations/).fill('release=1.0');
    await dialog.getByLabel(/^Description/).fill('Release 1.0, approved by QA');
    await dialog.getByLabel(/^Metadata/).fill('[1]');
    await expect(dialog).toContainText('must be a JSON object');
    await expect(dialog.getByRole('button', { name: 'Sign', exact: true })).toBeDisabled();
    await dialog.getByLabel(/^Metadata/).fill('{"ticket": "REL-42"}');
    await expect(dialog.getByLabel('Payload to sign')).toContainText('"metadata":"{\\"ticket\\":\\"REL-42\\"}"');
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Signed' })).toContainText('Signed 1 manifest');
    await expect(dialog.getByRole('region', { name: 'Compatibility' })).toContainText('cosign 2.x');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    await expect(signatures.getByLabel('Verdict')).toHaveText('Verified');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('officer (trusted)');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('release=1.0');
    await expect(signatures.getByRole('table', { name: 'Signature list' }).getByLabel('Description')).toHaveText(
      'Description (signed): Release 1.0, approved by QA',
    );
    await expect(signatures.getByRole('table', { name: 'Signature list' }).getByLabel('Metadata')).toHaveText(
      'Metadata (signed): {"ticket":"REL-42"}',
    );
    await expect(signatures.getByRole('table', { name: 'Signature list' }).getByLabel('Date')).toContainText('claimed by the signer');
    await page.screenshot({ path: path.join(artifactsDir, 'signatures-verified.png'), fullPage: true });

    // The signature's details: its date and signed description; View key details links to the key; Verify signature re-runs every check.
    await signatures.getByRole('table', { name: 'Signature list' }).getByRole('button', { name: 'Verified' }).click();
    const details = page.getByRole('dialog', { name: 'Signature details' });
    await expect(details).toContainText('Release 1.0, approved by QA');
    await expect(details).toContainText('claimed by the signer');
    await details.getByRole('button', { name: 'View key details' }).click();
    const keyDialog = page.getByRole('dialog', { name: 'Key details' });
    await expect(keyDialog.getByLabel('Full fingerprint')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(keyDialog.getByLabel('Padding')).toHaveText('ECDSA, ASN.1 DER (r, s)');
    await expect(keyDialog.getByRole('link', { name: 'officer' })).toHaveCount(2);
    await keyDialog.getByRole('button', { name: 'Close' }).click();
    await details.getByRole('button', { name: 'Verify signature' }).click();
    await expect(details.getByLabel('Local verdict')).toContainText('Verified');
    await expect(details.getByRole('button', { name: 'Verify signature' })).toBeEnabled();
    // Tags: stored unsigned on the signature's descriptor, shown as such.
    const tagsRegion = details.getByRole('region', { name: 'Tags' });
    await expect(tagsRegion).toContainText('unsigned: anyone with push access can change these');
    await tagsRegion.getByLabel('Add a tag').fill('ops.approved=yes');
    await tagsRegion.getByRole('button', { name: 'Add tag' }).click();
    await expect(tagsRegion.getByRole('list', { name: 'Tag list' })).toContainText('ops.approved=yes');
    await expect(tagsRegion.getByRole('list', { name: 'Tag list' })).toContainText('defined');
    await tagsRegion.getByLabel('Add a tag').fill('ticket=REL-42');
    await tagsRegion.getByRole('button', { name: 'Add tag' }).click();
    await expect(tagsRegion.getByRole('list', { name: 'Tag list' })).toContainText('ticket=REL-42');
    await tagsRegion.getByRole('button', { name: 'Remove tag ticket' }).click();
    await expect(tagsRegion.getByRole('list', { name: 'Tag list' })).not.toContainText('ticket');
    await details.getByRole('button', { name: 'Close' }).click();
    await expect(signatures.getByRole('table', { name: 'Signature list' }).getByLabel('Tags')).toHaveText(
      'Tags (unsigned): ops.approved=yes',
    );
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Verified');

    // Someone copies 1.0's signature image onto 2.0: it must not count for 2.0.
    const client = new RegistryClient({ registry: registry.host });
    const sig = await client.manifest('team/app', `${image.digest.replace(':', '-')}.sig`);
    await client.pushManifest('team/app', `${victim.digest.replace(':', '-')}.sig`, sig.bytes, sig.mediaType);
    await page.getByLabel('Filter tags').fill('2.0');
    await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: '2.0' }).click();
    await expect(signatures.getByLabel('Verdict')).toHaveText('Failed');
    await signatures.getByRole('button', { name: 'Failed' }).click();
    const drawer = page.getByRole('dialog', { name: 'Signature details' });
    await expect(drawer).toContainText(`signs ${image.digest}, not this image's ${victim.digest}`);
    await drawer.press('Escape');

    // At 1280×800 every cell of the signature table reads completely: nothing overflows its cell or the panel.
    await page.setViewportSize({ width: 1280, height: 800 });
    const table = signatures.getByRole('table', { name: 'Signature list' });
    await expect(table).toBeVisible();
    const overflow = await table.evaluate((t) => {
      const panel = t.closest('section') ?? t.parentElement!;
      const cells = [...t.querySelectorAll('td, th')]
        .filter((c) => c.scrollWidth > c.clientWidth + 1)
        .map((c) => c.textContent?.slice(0, 40));
      return { cells, tableRight: t.getBoundingClientRect().right, panelRight: panel.getBoundingClientRect().right };
    });
    expect(overflow.cells).toEqual([]);
    expect(overflow.tableRight).toBeLessThanOrEqual(Math.min(overflow.panelRight, page.viewportSize()?.width ?? 1280) + 1);
    await page.screenshot({ path: path.join(artifactsDir, 'signatures-1280.png'), fullPage: true });

    // The tag list tells signed, unsigned and failing tags apart.
    // The tag list tells signed, unsigned and failing tags apart (checked when listed; re-checked after these changes).
    await page.getByLabel('Filter tags').fill('');
    await page.getByRole('button', { name: 'Re-check' }).click();
    const tags = page.getByRole('listbox', { name: 'Tags' });
    await expect(tags.getByLabel('1.0: verified')).toHaveText('verified');
    await expect(tags.getByLabel('2.0: failed')).toHaveText('failing');
    await expect(page.getByLabel('Signed state totals')).toHaveText('1 verified · 1 failing');
    // Signature images are not images: hidden until asked for, and never given a badge.
    await expect(tags.getByRole('option', { name: /^sha256-/ })).toHaveCount(0);
    await page.getByLabel(/Show signature artifacts \(2\)/).check();
    await expect(tags.getByRole('option', { name: /^sha256-.*\.sig$/ })).toHaveCount(2);
    await page.getByLabel(/Show signature artifacts/).uncheck();
    await page.getByLabel('Show tags').selectOption('failed');
    await expect(tags.getByRole('option')).toHaveCount(1);
  } finally {
    await server.stop();
  }
});

test('a multi-platform image: sign only the index, read the coverage matrix, then sign the missing platforms', async ({ page }) => {
  const multi = await pushTestImage(registry.url, 'team/multi', '1.0', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'e2e-multi' });
  const server = await startServer({ env: keyring.env });
  try {
    await openImage(page, server.url, 'platforms', 'team/multi');
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await signatures.getByRole('button', { name: 'Sign…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign this image' });
    await expect(dialog).toContainText('and each of its platform manifests');
    await dialog.getByLabel('Key', { exact: true }).selectOption({ label: 'platforms (ecdsa-p256)' });
    await expect(dialog.getByLabel('Payload to sign')).toContainText(multi.digest);
    await dialog.getByLabel('Sign only the index, not each platform').check();
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Signed' })).toContainText('Signed 1 manifest');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const coverage = page.getByRole('region', { name: 'Signature coverage' });
    await expect(coverage.getByLabel('index: verified')).toBeVisible();
    await expect(coverage.getByLabel('linux/amd64: unsigned')).toBeVisible();
    await coverage.getByLabel('Key for the missing signatures').selectOption({ label: 'platforms' });
    await coverage.getByRole('button', { name: /Sign the missing ones/ }).click();
    await expect(coverage.getByLabel('linux/amd64: verified')).toBeVisible();
    await expect(coverage.getByLabel('linux/arm64: verified')).toBeVisible();
    await page.screenshot({ path: path.join(artifactsDir, 'coverage-matrix.png'), fullPage: true });
  } finally {
    await server.stop();
  }
});

test('delete one signature after a preview, an export and its id typed; then every signature by the key after a dry-run count', async ({
  page,
}) => {
  const target = await pushTestImage(registry.url, 'team/del', '1.0', { seed: 'e2e-delete' });
  const server = await startServer({ env: keyring.env });
  try {
    await openImage(page, server.url, 'deleter', 'team/del');
    const signatures = page.getByRole('region', { name: 'Signatures' });
    const table = signatures.getByRole('table', { name: 'Signature list' });
    for (const n of [1, 2]) {
      await signatures.getByRole('button', { name: 'Sign…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Sign this image' });
      await dialog.getByLabel('Key', { exact: true }).selectOption({ label: 'deleter (ecdsa-p256)' });
      await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expect(table.getByRole('row')).toHaveCount(n + 1);
    }
    const firstId = (await table.getByLabel('Signature id').first().textContent()) as string;
    expect(firstId).toMatch(/^[0-9a-f]{12}$/);

    await table.getByRole('button', { name: 'Verified' }).first().click();
    const details = page.getByRole('dialog', { name: 'Signature details' });
    await expect(details.getByLabel('Signature id')).toHaveText(firstId);
    await details.getByRole('button', { name: 'Delete signature…' }).click();
    const del = page.getByRole('dialog', { name: 'Delete signature' });
    await expect(del.getByRole('region', { name: 'What will be deleted' })).toContainText('1 other signature stay in it');
    const download = page.waitForEvent('download');
    await del.getByRole('button', { name: 'Export what will be deleted' }).click();
    expect((await download).suggestedFilename()).toBe(`signature-${firstId}.json`);
    await expect(del.getByRole('button', { name: 'Delete signature' })).toBeDisabled();
    await del.getByLabel(/Type the signature’s id/).fill('000000000000');
    await expect(del.getByRole('button', { name: 'Delete signature' })).toBeDisabled();
    await del.getByLabel(/Type the signature’s id/).fill(firstId);
    await del.getByRole('button', { name: 'Delete signature' }).click();
    await expect(signatures.getByRole('status', { name: 'Signatures changed' })).toContainText('1 remain');
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table.getByLabel('Signature id')).not.toHaveText(firstId);

    await table.getByRole('button', { name: 'Verified' }).click();
    await details.getByRole('button', { name: 'Delete every signature by this key…' }).click();
    const byKey = page.getByRole('dialog', { name: 'Delete every signature by this key' });
    await expect(byKey.getByRole('region', { name: 'Dry run' })).toContainText('1 signature on 1 image');
    await byKey.getByLabel(/Type 1/).fill('1');
    await byKey.getByRole('button', { name: 'Delete 1 signatures' }).click();
    await expect(signatures.getByRole('status', { name: 'Signatures changed' })).toContainText('Deleted 1 signature(s)');
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Unsigned');
    expect((await new RegistryClient({ registry: registry.host }).tags('team/del')).tags).toEqual(['1.0']);
    void target;
  } finally {
    await server.stop();
  }
});
