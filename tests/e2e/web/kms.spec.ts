import path from 'node:path';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import { startFakeVault, type FakeVault } from '../../harness/kms/vault';
import { artifactsDir, expect, startServer, test } from '../fixtures';

let keyring: KeyringHandle;
let registry: RegistryHandle;
let vault: FakeVault;
let image: Awaited<ReturnType<typeof pushTestImage>>;
test.beforeAll(async () => {
  keyring = await startKeyring();
  registry = await startRegistry();
  vault = await startFakeVault([
    { name: 'release', type: 'ecdsa-p256' },
    { name: 'wrapping', type: 'aes256-gcm96' },
  ]);
  image = await pushTestImage(registry.url, 'team/app', '1.0');
});
test.afterAll(async () => {
  await vault?.stop();
  await registry?.stop();
  await keyring?.stop();
});

test('an officer connects a Vault KMS, test-signs, adds the key and signs an image with it', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Connect a KMS' }).click();
    const connect = page.getByRole('dialog', { name: 'Connect a KMS' });
    await connect.getByLabel('Provider').selectOption({ label: 'HashiCorp Vault (transit)' });
    await connect.getByLabel('Connection name').fill('vault-prod');
    await connect.getByLabel(/Vault address/).fill(vault.url);
    await connect.getByLabel('Credentials').selectOption({ index: 1 });
    await connect.getByLabel('token').fill(vault.token);
    await connect.getByRole('button', { name: 'Save connection' }).click();

    const browse = page.getByRole('dialog', { name: 'Keys in vault-prod' });
    const keys = browse.getByRole('list', { name: 'KMS keys' });
    await expect(keys).toContainText('hashivault://release');
    await expect(keys).toContainText('cannot sign');
    await browse.getByRole('button', { name: 'Test-sign with release' }).click();
    await expect(keys).toContainText('Signed and verified locally: ecdsa-p256-sha256');
    await page.screenshot({ path: path.join(artifactsDir, 'kms-browse.png'), fullPage: true });
    await browse.getByRole('button', { name: 'Add release as a signing key' }).click();
    const add = page.getByRole('dialog', { name: 'Add a KMS key as a signing key' });
    await add.getByLabel('Name in Signet').fill('vault-release');
    await add.getByRole('button', { name: 'Add key' }).click();
    const detail = page.getByRole('complementary', { name: 'Key details' });
    await expect(detail).toContainText('vault-release');
    await expect(detail).toContainText('hashivault://release');
    await expect(detail).toContainText('Signs in');
    await expect(detail.getByLabel(/Public key/)).toHaveValue(/BEGIN PUBLIC KEY/);
    await expect(page.getByRole('table', { name: 'KMS connections' })).toContainText('vault-prod');

    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('Registry host').fill(registry.host);
    await page.getByLabel('Registry host').press('Enter');
    await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/app' }).click();
    await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: '1.0' }).click();
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await signatures.getByRole('button', { name: 'Sign…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign this image' });
    await expect(dialog).toContainText(image.digest);
    await dialog.getByLabel('Key', { exact: true }).selectOption({ label: 'vault-release (KMS, ecdsa-p256-sha256)' });
    await expect(dialog).toContainText('Signs in: cosign');
    await dialog.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Signed' })).toContainText('Signed 1 manifest');
    await expect(dialog.getByRole('region', { name: 'Compatibility' })).toContainText('cosign 2.x');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    await expect(signatures.getByLabel('Verdict')).toHaveText('Verified');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('vault-release (trusted)');
    await page.screenshot({ path: path.join(artifactsDir, 'kms-signed.png'), fullPage: true });
  } finally {
    await server.stop();
  }
});
