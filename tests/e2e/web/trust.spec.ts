import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { artifactsDir, expect, startServer, test } from '../fixtures';

let registry: RegistryHandle;
test.beforeAll(async () => {
  registry = await startRegistry();
  await pushTestImage(registry.url, 'team/app', '1.0');
});
test.afterAll(async () => {
  await registry?.stop();
});

test('a reviewer trusts a key, imports a policy and sees what podman would decide, with the requirement that decided', async ({ page }) => {
  const server = await startServer({});
  try {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('Registry host').fill(registry.host);
    await page.getByLabel('Registry host').press('Enter');
    await expect(page.getByRole('listbox', { name: 'Repositories' })).toBeVisible();

    await page.getByRole('link', { name: 'Trust' }).click();
    await expect(page.getByText('Nothing is trusted yet.')).toBeVisible();
    await page.getByRole('button', { name: 'Trust a key' }).click();
    const add = page.getByRole('dialog', { name: 'Trust a key' });
    await add.getByLabel('Name', { exact: true }).fill('Release 2026');
    await add
      .getByLabel('…or paste it')
      .fill(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await add.getByLabel('before', { exact: true }).fill('2030-01-01');
    await add.getByRole('button', { name: 'Trust' }).click();
    const table = page.getByRole('table', { name: 'Trusted keys' });
    await expect(table).toContainText('Release 2026');
    await expect(table).toContainText('Public keyECDSA P-256');
    await expect(table).toContainText('before');

    await page.getByRole('button', { name: 'Import policy.json' }).click();
    const imp = page.getByRole('dialog', { name: 'Import policy.json' });
    await imp.getByLabel('Name', { exact: true }).fill('lockdown');
    await imp.getByLabel('…or paste it').fill(
      JSON.stringify({
        default: [{ type: 'insecureAcceptAnything' }],
        transports: { docker: { [`${registry.host}/team`]: [{ type: 'reject' }] } },
      }),
    );
    await imp.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('table', { name: 'Imported policies' })).toContainText('lockdown');

    const panel = page.getByRole('region', { name: 'Evaluate a policy' });
    await panel.getByLabel('Policy').selectOption({ label: 'lockdown' });
    await panel.getByLabel('Registry').selectOption({ index: 1 });
    await panel.getByLabel('Repository').fill('team/app');
    await panel.getByLabel('Tag or digest').fill('1.0');
    await panel.getByRole('button', { name: 'Evaluate' }).click();
    const decision = panel.getByRole('status', { name: 'Policy decision' });
    await expect(decision).toContainText('Rejected');
    await expect(decision).toContainText(`${registry.host}/team`);
    await expect(decision).toContainText('reject');
    await page.screenshot({ path: path.join(artifactsDir, 'trust-evaluate.png'), fullPage: true });

    await page.getByRole('button', { name: 'Export for…' }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export for an admission controller' });
    await expect(exportDialog.getByLabel('Exported policy', { exact: true })).toContainText('sigstoreSigned');
    await exportDialog.getByLabel('Controller').selectOption({ label: 'Kyverno (ClusterPolicy)' });
    await expect(exportDialog.getByLabel('Preview of kyverno-clusterpolicy.yaml')).toContainText('verifyImages');
    await exportDialog.getByLabel('Controller').selectOption({ label: 'sigstore policy-controller (ClusterImagePolicy)' });
    await expect(exportDialog.getByLabel('Preview of clusterimagepolicy.yaml')).toContainText('kind: ClusterImagePolicy');
    await expect(exportDialog).toContainText('policy.sigstore.dev/include=true');
    const dryRun = exportDialog.getByRole('region', { name: 'Dry run' });
    await dryRun.getByLabel('Dry-run registry').selectOption({ index: 1 });
    await dryRun.getByLabel('Dry-run repository').fill('team/app');
    await dryRun.getByLabel('Dry-run tag or digest').fill('1.0');
    await dryRun.getByRole('button', { name: 'Try it' }).click();
    const dryDecision = dryRun.getByRole('status', { name: 'Policy decision' });
    await expect(dryDecision).toContainText('Rejected');
    await expect(dryDecision).toContainText('ClusterImagePolicy');
    await page.screenshot({ path: path.join(artifactsDir, 'trust-export-for.png'), fullPage: true });
    await exportDialog.getByRole('button', { name: 'Close' }).first().click();

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Stop trusting Release 2026' }).click();
    await expect(page.getByText('Nothing is trusted yet.')).toBeVisible();
  } finally {
    await server.stop();
  }
});
