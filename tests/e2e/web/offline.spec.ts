import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import { artifactsDir, expect, startServer, test } from '../fixtures';

let keyring: KeyringHandle;
let registry: RegistryHandle;
test.beforeAll(async () => {
  keyring = await startKeyring();
  registry = await startRegistry();
  await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
});
test.afterAll(async () => {
  await registry?.stop();
  await keyring?.stop();
});

test('the three steps: prepare on the connected machine, sign on the offline station, check back', async ({ browser }) => {
  const connected = await startServer();
  const station = await startServer({ env: keyring.env });
  try {
    // The station: offline mode on, a key generated.
    const stationPage = await browser.newPage();
    await stationPage.goto(station.url);
    await stationPage.getByRole('link', { name: 'Settings' }).click();
    await stationPage.getByRole('switch').click();
    await expect(stationPage.getByRole('link', { name: /Offline mode/ })).toBeVisible();
    await stationPage.getByRole('link', { name: 'Keys' }).click();
    await stationPage.getByRole('button', { name: 'Generate key' }).click();
    await stationPage.getByRole('dialog').getByLabel('Name').fill('station-key');
    await stationPage.getByRole('dialog').getByRole('button', { name: 'Generate' }).click();
    const fingerprint = ((await stationPage.getByLabel('SPKI SHA-256').textContent()) ?? '').replace(/ /g, '');

    // Step 1, connected machine.
    const page = await browser.newPage();
    await page.goto(connected.url);
    await page.getByRole('link', { name: 'Offline', exact: true }).click();
    await page.getByLabel('Images (one per line)').fill(`${registry.host}/team/app:1.0`);
    await page.getByLabel('Key fingerprint or URI').fill(fingerprint);
    // A description and metadata travel signed in every payload; metadata that is not a JSON object is refused by the host.
    await page.getByLabel(/^Description/).fill('Offline release 1.0');
    await page.getByLabel(/^Metadata/).fill('["not", "an object"]');
    await page.getByRole('button', { name: 'Create request' }).click();
    await expect(page.getByRole('form', { name: 'Prepare a signing request' })).toContainText('must be a JSON object');
    await page.getByLabel(/^Metadata/).fill('{"ceremony": "2026-11"}');
    await page.getByRole('button', { name: 'Create request' }).click();
    await expect(page.getByLabel('Request created')).toContainText('3 signature(s) over 3 image manifest(s)');
    const requestDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save request file' }).click();
    const requestFile = await (await requestDownload).path();
    const items = (JSON.parse(readFileSync(requestFile, 'utf8')) as { items: Array<{ payload: string }> }).items;
    expect(JSON.parse(Buffer.from(items[0]!.payload, 'base64').toString('utf8')).optional).toMatchObject({
      description: 'Offline release 1.0',
      metadata: '{"ceremony":"2026-11"}',
    });

    // Step 2, offline station.
    await stationPage.getByRole('link', { name: 'Offline', exact: true }).click();
    await stationPage.getByRole('tab', { name: '2 · Sign offline' }).click();
    await stationPage.getByLabel('Signing request file').setInputFiles(requestFile);
    await expect(stationPage.getByRole('table', { name: 'Request items' }).getByRole('row')).toHaveCount(4);
    await stationPage.getByLabel('Sign item 3').uncheck();
    await stationPage.getByLabel('Sign with').selectOption({ label: 'station-key' });
    await stationPage.screenshot({ path: path.join(artifactsDir, 'offline-sign.png'), fullPage: true });
    await stationPage.getByRole('button', { name: 'Sign 2 item(s)' }).click();
    await expect(stationPage.getByRole('status')).toContainText('Signed 2 item(s), declined 1');
    const bundleDownload = stationPage.waitForEvent('download');
    await stationPage.getByRole('button', { name: 'Save bundle file' }).click();
    const bundleFile = await (await bundleDownload).path();

    // Step 3, connected machine.
    await page.getByRole('tab', { name: '3 · Check and attach' }).click();
    await page.getByLabel('Signing request file').setInputFiles(requestFile);
    await page.getByLabel('Signature bundle file').setInputFiles(bundleFile);
    await page.getByRole('button', { name: 'Check bundle' }).click();
    await expect(page.getByRole('status')).toContainText('2 signature(s)');
    await expect(page.getByRole('status')).toContainText('1 item(s) were declined');
    // The files and the check survive leaving the view.
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('link', { name: 'Offline', exact: true }).click();
    await page.getByRole('tab', { name: '3 · Check and attach' }).click();
    await expect(page.getByRole('status')).toContainText('1 item(s) were declined');

    await page.getByRole('button', { name: 'Attach signatures' }).click();
    const results = page.getByRole('table', { name: 'Attach results' });
    await expect(results).toContainText('attached');
    await expect(results.getByRole('row')).toHaveCount(3);

    // A bundle checked against the wrong request is refused with the reason.
    await page.getByLabel('Signature bundle file').setInputFiles(requestFile);
    await page.getByRole('button', { name: 'Check bundle' }).click();
    await expect(page.getByRole('alert')).toContainText('not a Signet bundle');
  } finally {
    await connected.stop();
    await station.stop();
  }
});

test('the signing step asks for offline mode: it offers to switch it on, and signing with it off needs an explicit override', async ({
  page,
  signet,
}) => {
  await page.goto(signet.url);
  await page.getByRole('link', { name: 'Offline', exact: true }).click();
  await page.getByRole('tab', { name: '2 · Sign offline' }).click();
  const state = page.getByRole('note', { name: 'Station state' });
  await expect(state).toContainText('Offline mode is off');
  await expect(state.getByRole('checkbox')).not.toBeChecked();
  await state.getByRole('button', { name: 'Turn offline mode on' }).click();
  await expect(state).toContainText('Offline mode is on');
  await expect(page.getByRole('link', { name: /Offline mode/ })).toBeVisible();
});
