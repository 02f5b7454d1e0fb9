import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAtomicPayload } from '../../../shared/payloads/payloads';
import { GpgHome, pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { artifactsDir, expect, startServer, test } from '../fixtures';
import { vector } from '../../vectors';

/**
 * A reviewer's view of OpenPGP verdicts made by real gpg: a signature by a key revoked as
 * "superseded" after it signed shows Failed with the revocation, one by a valid key Verified,
 * and an image with none says where Signet looked. The lookaside is the registry's own, set in
 * its Edit dialog; the keys are added through the Trust view.
 */
let registry: RegistryHandle;
let gpg: GpgHome;
const lookaside = mkdtempSync(path.join(tmpdir(), 'signet-e2e-lookaside-'));
const DAY = 86_400_000;

test.beforeAll(async () => {
  registry = await startRegistry();
  gpg = new GpgHome();
});
test.afterAll(async () => {
  gpg?.stop();
  await registry?.stop();
});

function store(repository: string, digest: string, message: Buffer): void {
  const dir = path.join(lookaside, `${repository}@${digest.replace(':', '=')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'signature-1'), message);
}

test('a reviewer reads Verified, Failed (revoked, superseded) and Unsigned with where Signet looked', async ({ page }) => {
  const good = await pushTestImage(registry.url, 'team/app', 'good', { seed: 'e2e-good' });
  const revoked = await pushTestImage(registry.url, 'team/app', 'revoked', { seed: 'e2e-revoked' });
  await pushTestImage(registry.url, 'team/app', 'plain', { seed: 'e2e-plain' });
  const payload = (tag: string, digest: string) =>
    buildAtomicPayload({
      dockerReference: `${registry.host}/team/app:${tag}`,
      manifestDigest: digest,
      creator: 'gpg',
      timestamp: Math.floor((Date.now() - 2 * DAY) / 1000),
    });
  const valid = gpg.generate('Release <release@example.com>');
  store('team/app', good.digest, gpg.sign(payload('good', good.digest), [valid]));
  const old = gpg.generate('Old release <old@example.com>', { at: new Date(Date.now() - 3 * DAY) });
  store('team/app', revoked.digest, gpg.sign(payload('revoked', revoked.digest), [old], new Date(Date.now() - 2 * DAY)));
  gpg.revoke(old, 1);

  const server = await startServer({ env: { SIGNET_REGISTRIES_D: path.join(lookaside, 'none') } });
  try {
    await page.goto(server.url);
    for (const [name, fpr] of [
      ['Release', valid],
      ['Old release', old],
    ] as const) {
      await page.getByRole('link', { name: 'Trust' }).click();
      await page
        .getByRole('button', { name: /Trust a key/ })
        .first()
        .click();
      const dialog = page.getByRole('dialog', { name: 'Trust a key' });
      await dialog.getByLabel('Name', { exact: true }).fill(name);
      await dialog.getByLabel('…or paste it').fill(gpg.exportPublic(fpr).toString());
      await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
      await expect(dialog).toBeHidden();
    }

    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('Registry host').fill(registry.host);
    await page.getByLabel('Simple-signature lookaside (optional)').fill(lookaside);
    await page.getByLabel('Registry host').press('Enter');
    // The capability line grows a lookaside badge once the probe answers: wait for it, so the list does not move under the click.
    await expect(page.getByLabel('Capabilities').getByText('reachable')).toBeVisible();
    await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/app' }).click();
    const tags = page.getByRole('listbox', { name: 'Tags' });
    const signatures = page.getByRole('region', { name: 'Signatures' });

    await tags.getByRole('option', { name: 'good' }).click();
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Verified');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('Release (trusted)');

    await tags.getByRole('option', { name: 'revoked' }).click();
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Failed');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('revoked (key superseded)');
    await signatures.getByRole('table', { name: 'Signature list' }).getByRole('button', { name: 'Failed' }).click();
    const details = page.getByRole('dialog', { name: 'Signature details' });
    await expect(details).toContainText('KEY_REVOKED');
    await expect(details).toContainText('claimed by the signer, not verified');
    await page.screenshot({ path: path.join(artifactsDir, 'verdict-revoked.png'), fullPage: true });
    await page.keyboard.press('Escape');

    await tags.getByRole('option', { name: 'plain' }).click();
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Unsigned');
    const looked = signatures.getByRole('list', { name: 'Places looked at' });
    await expect(looked).toContainText('team/app:sha256-');
    await expect(looked).toContainText(`${lookaside} (saved with the registry)`);
  } finally {
    await server.stop();
  }
});

test('Notation signatures made by notation are verified, and without a trusted certificate shown as signed but untrusted; their tag-schema index is not offered for signing', async ({
  page,
}) => {
  const server = await startServer();
  try {
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('OCI image layout on disk (directory or .tar)').check();
    await page.getByLabel('Layout path').fill(vector('notation', 'oci-layout', 'e2e-valid-signature'));
    await page.getByLabel('Layout path').press('Enter');
    await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option').first().click();
    const tags = page.getByRole('listbox', { name: 'Tags' });
    await tags.getByRole('option', { name: 'v1' }).click();
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Signed, but by no trusted key');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('Notation');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('Notation JWS PS256');
    // Signature artifacts are hidden from the tag list until asked for.
    await page.getByLabel(/Show signature artifacts/).check();
    await tags.getByRole('option', { name: /^sha256-b8479de3/ }).click();
    await expect(page.getByRole('note')).toContainText('not an image to sign');
    await expect(page.getByRole('button', { name: /Sign the missing ones/ })).toHaveCount(0);
  } finally {
    await server.stop();
  }
});
