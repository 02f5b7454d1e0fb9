import path from 'node:path';
import { pushTestImage, startKeyring, startRegistry, startS3, type KeyringHandle, type RegistryHandle, type S3Handle } from '../../harness';
import { artifactsDir, expect, startServer, test } from '../fixtures';

let keyring: KeyringHandle;
let registry: RegistryHandle;
let s3: S3Handle;
let image: Awaited<ReturnType<typeof pushTestImage>>;
test.beforeAll(async () => {
  keyring = await startKeyring();
  registry = await startRegistry();
  s3 = await startS3({ buckets: ['swr'], obs: true });
  image = await pushTestImage(registry.url, 'team/app', '1.0');
});
test.afterAll(async () => {
  await s3?.stop();
  await registry?.stop();
  await keyring?.stop();
});

test('an officer builds a payload, signs it into an .asc, uploads it to OBS and sees it verified on the image', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    // Storage profile for the OBS bucket, tested before use.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Storage' }).click();
    await page.getByRole('button', { name: 'Add storage' }).click();
    const add = page.getByRole('dialog', { name: 'Add storage' });
    await add.getByLabel('Profile name').fill('swr-obs');
    await add.getByLabel('Kind').selectOption('obs');
    await add.getByLabel('Bucket', { exact: true }).fill('swr');
    await add.getByLabel(/^Region/).fill('cn-north-4');
    await add.getByLabel(/^Endpoint/).fill(s3.endpoint);
    await add.getByLabel(/Path-style/).check();
    await add.getByLabel('Access key id').fill(s3.accessKeyId);
    await add.getByLabel('Secret access key').fill(s3.secretAccessKey);
    await add.getByRole('button', { name: 'Save' }).click();
    await expect(add).toBeHidden();
    await page.getByRole('button', { name: 'Test swr-obs' }).click();
    await expect(page.getByRole('status', { name: 'Test of swr-obs' })).toContainText('write and read back');
    await expect(page.getByRole('status', { name: 'Test of swr-obs' })).not.toContainText('failed');

    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Generate key' }).click();
    const gen = page.getByRole('dialog');
    await gen.getByLabel('Name').fill('swr-release');
    await gen.getByLabel('Type').selectOption('pgp-ed25519');
    await gen.getByLabel('User id').fill('SWR Release <swr@example.com>');
    await gen.getByRole('button', { name: 'Generate' }).click();
    await expect(page.getByRole('complementary', { name: 'Key details' })).toBeVisible();

    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('Registry host').fill(registry.host);
    await page.getByLabel('Registry host').press('Enter');
    await expect(page.getByRole('listbox', { name: 'Repositories' })).toBeVisible();

    await page.getByRole('link', { name: 'Payloads' }).click();
    await page.getByLabel('Image reference').fill(`${registry.host}/team/app:1.0`);
    await page.getByLabel('…or resolve the tag in').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Resolve digest' }).click();
    await expect(page.getByLabel('Manifest digest')).toHaveValue(image.digest);
    await page.getByLabel('Creator (optional)').fill('Release team');
    const bytes = page.getByLabel('Payload bytes');
    await expect(bytes).toContainText(`"docker-manifest-digest":"${image.digest}"`);
    await expect(bytes).toContainText('"creator":"Release team"');
    await expect(page.getByLabel('Payload SHA-256')).toHaveText(/^[0-9a-f]{64}$/);

    await page.getByLabel('OpenPGP key').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Sign to .asc' }).click();
    await expect(page.getByLabel('.asc file', { exact: true })).toContainText('"SerializedPayload":null');
    // Leaving for Settings (where a storage profile is added) and coming back keeps the signed .asc and the form.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Payloads' }).click();
    await expect(page.getByLabel('.asc file', { exact: true })).toContainText('"SerializedPayload":null');
    await expect(page.getByLabel('Creator (optional)')).toHaveValue('Release team');
    await page.getByLabel('Upload to').selectOption('swr-obs');
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect(page.getByLabel('Object URL')).toHaveText(`${s3.endpoint}/swr/team/app/${image.digest.slice(7)}.asc`);
    await page.screenshot({ path: path.join(artifactsDir, 'payloads-asc.png'), fullPage: true });
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect(page.getByRole('alert')).toContainText('does not overwrite');
    // No contradiction: the failed second upload does not stand beside a green "Uploaded".
    await expect(page.getByLabel('Object URL')).toHaveCount(0);

    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'team/app' }).click();
    await page.getByRole('listbox', { name: 'Tags' }).getByRole('option', { name: '1.0' }).click();
    const signatures = page.getByRole('region', { name: 'Signatures' });
    await signatures.getByLabel('Also read SWR .asc files from').selectOption('swr-obs');
    await expect(signatures.getByLabel('Verdict')).toHaveText('Verified');
    await expect(signatures.getByRole('table', { name: 'Signature list' })).toContainText('asc');
  } finally {
    await server.stop();
  }
});
