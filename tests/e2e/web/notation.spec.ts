import { readFileSync } from 'node:fs';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import { expect, openGenerateKey, startServer, test } from '../fixtures';
import { vector } from '../../vectors';

/**
 * A reviewer puts notation's e2e certificate into the Notation store ca:e2e from the Trust view,
 * opens the image notation signed (its real e2e layout) and reads the Notation signature's
 * details: envelope, scheme, a signing time labelled as claimed, the chain with its SHA-256
 * thumbprint and validity, the store that vouched for it and the trust policy that decided.
 */
test('a Notation signature verified through a named trust store shows its envelope, claimed signing time, chain and deciding policy', async ({
  page,
}) => {
  const server = await startServer();
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Trust' }).click();
    await page.getByRole('button', { name: 'Trust a key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Trust a key' });
    await dialog.getByLabel('Name', { exact: true }).fill('notation e2e');
    await dialog.getByLabel('…or paste it').fill(readFileSync(vector('notation', 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'), 'utf8'));
    await dialog.getByLabel(/Notation trust stores/).fill('ca:e2e');
    await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
    await expect(page.getByRole('table', { name: 'Trusted keys' })).toContainText('Notation stores: ca:e2e');

    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('OCI image layout on disk (directory or .tar)').check();
    await page.getByLabel('Layout path').fill(vector('notation', 'oci-layout', 'e2e-valid-signature'));
    await page.getByLabel('Layout path').press('Enter');
    await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option').first().click();
    await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: 'v1' }).click();
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await expect(signatures.getByLabel('Verdict', { exact: true })).toHaveText('Verified');
    await signatures.getByRole('table', { name: 'Signature list' }).getByRole('button', { name: 'Verified' }).click();
    const notation = page.getByRole('dialog', { name: 'Signature details' }).getByRole('region', { name: 'Notation' });
    await expect(notation).toContainText('JWS');
    await expect(notation).toContainText('notary.x509');
    await expect(notation).toContainText('claimed: not verified');
    await expect(notation).toContainText('notation e2e (trusted) in Signet trust store');
    await expect(notation).toContainText('level strict');
    await expect(notation.getByRole('table', { name: 'Certificate chain' })).toContainText(
      'E38AEA13F2B051F7183CCA64A51EE676F4D4456F41D9FECF15EB367EFC7343B9',
    );
  } finally {
    await server.stop();
  }
});

test.describe('signing in Notation format from the Sign dialog', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  test.beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/notary', '1.0', { seed: 'notation-e2e' });
  });
  test.afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  test('an officer signs with an X.509 key in a COSE envelope; the signature is a Notation referrer that verifies', async ({ page }) => {
    const server = await startServer({ env: keyring.env });
    try {
      await page.goto(server.url);
      const generate = await openGenerateKey(page);
      await generate.getByLabel('Name').fill('notary');
      await generate.getByLabel('Type').selectOption('x509-ecdsa-p256');
      await generate.getByRole('button', { name: 'Generate' }).click();
      await expect(page.getByRole('complementary', { name: 'Key details' })).toBeVisible();

      await page.getByRole('link', { name: 'Registries' }).click();
      await page.getByRole('button', { name: 'Add registry' }).click();
      await page.getByLabel('Registry host').fill(registry.host);
      await page.getByLabel('Registry host').press('Enter');
      await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/notary' }).click();
      await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: '1.0' }).click();
      const signatures = page.getByRole('region', { name: 'Signatures' });
      await signatures.getByRole('button', { name: 'Sign…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Sign this image' });
      await dialog.getByRole('radio', { name: /Notation/ }).check();
      await dialog.getByRole('radio', { name: /COSE/ }).check();
      await dialog.getByLabel(/Expiry/).fill('720h');
      await dialog.getByLabel('Key', { exact: true }).selectOption({ label: 'notary (x509-ecdsa-p256)' });
      await dialog.getByLabel(/Annotations/).fill('release=1.0');
      await expect(dialog.getByLabel('Payload to sign')).toContainText('"annotations":{"release":"1.0"}');
      await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
      await expect(dialog.getByRole('status', { name: 'Signed' })).toContainText('Signed 1 manifest');
      await expect(dialog.getByRole('region', { name: 'Compatibility' })).toContainText('Kyverno (type: Notary)');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expect(signatures.getByLabel('Verdict')).toHaveText('Verified');
      const list = signatures.getByRole('table', { name: 'Signature list' });
      await expect(list).toContainText('Notation COSE ES256');
      await expect(list).toContainText('release=1.0');
    } finally {
      await server.stop();
    }
  });
});
