import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startKeyring, type KeyringHandle } from '../../harness';
import { artifactsDir, expect, startServer, test, openGenerateKey } from '../fixtures';

let keyring: KeyringHandle;
test.beforeAll(async () => {
  keyring = await startKeyring();
});
test.afterAll(() => keyring?.stop());

test('an officer generates a key, sees its fingerprint and exports its public key', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Keys' }).click();
    await expect(page.getByText('No signing keys yet.')).toBeVisible();
    await page.getByRole('button', { name: 'Generate key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a signing key' });
    await dialog.getByLabel('Name').fill('release-2026');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await expect(dialog).toBeHidden();

    const details = page.getByRole('complementary', { name: 'Key details' });
    await expect(details.getByRole('heading', { name: 'release-2026' })).toBeVisible();
    const fingerprint = details.getByLabel('SPKI SHA-256');
    await expect(fingerprint).toHaveText(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    await expect(details.getByLabel(/Public key/)).toHaveValue(/-----BEGIN PUBLIC KEY-----/);
    await expect(details.getByRole('img', { name: 'QR code of the fingerprint of release-2026' })).toBeVisible();
    await page.screenshot({ path: path.join(artifactsDir, 'keys.png'), fullPage: true });

    const download = page.waitForEvent('download');
    await details.getByRole('button', { name: 'Download public key' }).click();
    const file = await (await download).path();
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PUBLIC KEY');
    const shown = (await fingerprint.textContent())?.replace(/ /g, '') ?? '';
    expect(shown).toHaveLength(64);

    await details.getByRole('button', { name: 'Retire' }).click();
    await expect(page.getByRole('table', { name: 'Signing keys' })).toContainText('retired');

    await details.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete release-2026' });
    await expect(confirm.getByRole('button', { name: 'Delete for good' })).toBeDisabled();
    await confirm.getByLabel(/Type/).fill('release-2026');
    await confirm.getByRole('button', { name: 'Delete for good' }).click();
    await expect(page.getByText('No signing keys yet.')).toBeVisible();
  } finally {
    await server.stop();
  }
});

test('an OpenPGP key shows its fingerprint and armored public key', async ({ page }) => {
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    const dialog = await openGenerateKey(page);
    await dialog.getByLabel('Name').fill('simple-signing');
    await dialog.getByLabel('Type').selectOption('pgp-ed25519');
    await dialog.getByLabel('User id').fill('Release Team <release@example.com>');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    const details = page.getByRole('complementary', { name: 'Key details' });
    await expect(details.getByLabel('OpenPGP fingerprint')).toHaveText(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    await expect(details.getByLabel(/Public key/)).toHaveValue(/BEGIN PGP PUBLIC KEY BLOCK/);
  } finally {
    await server.stop();
  }
});

test('without a keychain, generating says why and stores nothing', async ({ page, signet }) => {
  await page.goto(signet.url);
  const dialog = await openGenerateKey(page);
  await dialog.getByLabel('Name').fill('nowhere');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(dialog.getByRole('alert')).toContainText('OS keychain cannot store the key');
  await expect(dialog.getByRole('alert')).toContainText('encrypted vault');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('No signing keys yet.')).toBeVisible();
});

test('without a keychain, the key goes to the encrypted vault; the vault locks and unlocks', async ({ page, signet }) => {
  await page.goto(signet.url);
  const dialog = await openGenerateKey(page);
  await dialog.getByLabel('Name', { exact: true }).fill('vaulted');
  await dialog.getByLabel('Keep the private key in').selectOption('vault');
  await dialog.getByLabel(/Vault passphrase/).fill('a long vault passphrase');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const details = page.getByRole('complementary', { name: 'Key details' });
  await expect(details).toContainText('Encrypted vault file');
  await expect(details.getByLabel(/Public key/)).toHaveValue(/BEGIN PUBLIC KEY/);
  const bar = page.getByLabel('Vault', { exact: true });
  await expect(bar).toContainText('unlocked');
  await bar.getByRole('button', { name: 'Lock' }).click();
  await expect(bar).toContainText('locked');
  await bar.getByLabel('Vault passphrase').fill('wrong passphrase');
  await bar.getByRole('button', { name: 'Unlock' }).click();
  await expect(bar.getByRole('alert')).toContainText('Wrong vault passphrase');
  await bar.getByLabel('Vault passphrase').fill('a long vault passphrase');
  await bar.getByRole('button', { name: 'Unlock' }).click();
  await expect(bar).toContainText('unlocked');
});

test('an officer imports a cosign.key and sees the fingerprint of its cosign.pub', async ({ page }) => {
  const { createHash, createPublicKey } = await import('node:crypto');
  const { vector } = await import('../../vectors');
  const server = await startServer({ env: keyring.env });
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Import key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a key' });
    await dialog.getByLabel('Name').fill('policy-controller');
    await dialog.getByLabel('Key file').setInputFiles(vector('sigstore-policy-controller', 'cosign.key'));
    await expect(dialog.getByLabel('…or paste it')).toHaveValue(/ENCRYPTED COSIGN PRIVATE KEY/);
    await dialog.getByRole('button', { name: 'Import' }).click();
    const expected = createHash('sha256')
      .update(
        createPublicKey(readFileSync(vector('sigstore-policy-controller', 'cosign.pub'), 'utf8')).export({ type: 'spki', format: 'der' }),
      )
      .digest('hex');
    const details = page.getByRole('complementary', { name: 'Key details' });
    await expect(details.getByLabel('SPKI SHA-256')).toHaveText(expected.match(/.{4}/g)?.join(' ') ?? '');
  } finally {
    await server.stop();
  }
});

test('an officer imports gpg’s binary secret key with a signing subkey, sees gpg’s fingerprints, and exports it protected for gpg', async ({
  page,
}) => {
  const { writeFileSync } = await import('node:fs');
  const { GpgHome } = await import('../../harness/gpg');
  const gpg = new GpgHome();
  const server = await startServer({ env: keyring.env });
  try {
    const primary = gpg.generate('UI Sub <ui-sub@example.com>', { algo: 'ed25519', usage: 'cert', passphrase: 'gpg pass 5' });
    const [subkey] = gpg.addSubkey(primary, { algo: 'ed25519', usage: 'sign', passphrase: 'gpg pass 5' });
    const file = path.join(gpg.dir, 'secret.gpg');
    writeFileSync(file, gpg.run(['--export-secret-key', primary], { passphrase: 'gpg pass 5' }));

    await page.goto(server.url);
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Import key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a key' });
    await dialog.getByLabel('Name').fill('gpg-sub');
    await dialog.getByLabel('Key file').setInputFiles(file);
    await expect(dialog.getByRole('status')).toContainText('binary file');
    await dialog.getByLabel('Password (empty if the file has none)').fill('gpg pass 5');
    await dialog.getByRole('button', { name: 'Import' }).click();
    const details = page.getByRole('complementary', { name: 'Key details' });
    await expect(details.getByRole('heading', { name: 'gpg-sub' })).toBeVisible();
    const grouped = (fpr: string) => fpr.match(/.{4}/g)?.join(' ') ?? '';
    await expect(details.getByLabel('OpenPGP fingerprint')).toHaveText(grouped(primary));
    await expect(details.getByLabel('Signing subkey fingerprint')).toHaveText(grouped(subkey!));

    await details.getByRole('button', { name: 'Export secret key…' }).click();
    const exporting = page.getByRole('dialog', { name: 'Export the OpenPGP secret key' });
    await exporting.getByLabel('Passphrase', { exact: true }).fill('exported 7');
    await exporting.getByLabel('Passphrase again').fill('exported 7');
    const download = page.waitForEvent('download');
    await exporting.getByRole('button', { name: 'Export' }).click();
    const saved = await (await download).path();
    const fresh = new GpgHome();
    try {
      fresh.run(['--import', saved], { passphrase: 'exported 7' });
      expect(fresh.fingerprints(primary)).toEqual([primary, subkey]);
    } finally {
      fresh.stop();
    }
  } finally {
    await server.stop();
    gpg.stop();
  }
});
