import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { startFakeVault, type FakeVault } from '../../harness/kms/vault';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

/** `--key` takes a KMS URI in the real CLI; credentials come from VAULT_ADDR / VAULT_TOKEN as cosign reads them. */
describe('signet sign --key hashivault://… (fake Vault transit, real registry)', () => {
  let registry: RegistryHandle;
  let vault: FakeVault;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-kms-cli-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, SIGNET_HOME: home, HOME: home, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.token },
    });

  beforeAll(async () => {
    registry = await startRegistry();
    vault = await startFakeVault([
      { name: 'release', type: 'ecdsa-p384' },
      { name: 'bad', type: 'rsa-2048', misbehave: 'pss-instead-of-pkcs1' },
      { name: 'rsa', type: 'rsa-2048' },
    ]);
    await pushTestImage(registry.url, 'team/app', '1.0');
    await pushTestImage(registry.url, 'team/pss', '1.0', { seed: 'kms-cli-pss' });
    await pushTestImage(registry.url, 'team/app', '2.0', { seed: 'kms-cli-other' });
  });
  afterAll(async () => {
    await vault?.stop();
    await registry?.stop();
  });

  it('signs with the URI, and a reviewer verifies with the public key the KMS reports', async () => {
    const ref = `${registry.host}/team/app:1.0`;
    expect((await signet('sign', ref, '--key', 'hashivault://release')).stdout).toContain('.sig');
    const tested = JSON.parse((await signet('kms', 'test', 'hashivault://release', '--json')).stdout) as {
      publicKeyPem: string;
      algorithm: string;
    };
    expect(tested.algorithm).toBe('ecdsa-p384-sha384');
    const pub = path.join(home, 'release.pub');
    writeFileSync(pub, tested.publicKeyPem);
    const report = JSON.parse((await signet('verify', ref, '--pubkey', pub, '--json')).stdout) as {
      verdict: string;
      signatures: Array<{ algorithm?: string }>;
    };
    expect(report.verdict).toBe('verified');
    const audit = JSON.parse((await signet('audit', 'list', '--json')).stdout) as
      { entries?: Array<{ type: string; details: Record<string, unknown> }> } | Array<{ type: string; details: Record<string, unknown> }>;
    const entries = Array.isArray(audit) ? audit : (audit.entries ?? []);
    expect(entries.find((e) => e.type === 'image.signed')?.details).toMatchObject({
      signer: 'hashivault://release',
      keyVersion: '1',
      algorithm: 'ecdsa-p384-sha384',
    });
  });

  it('a malformed KMS URI is an invalid reference, never a key name or a path', async () => {
    await expect(signet('sign', `${registry.host}/team/app:1.0`, '--key', 'hashivault://')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Invalid KMS key reference/),
    });
    await expect(signet('sign', `${registry.host}/team/app:1.0`, '--key', 'foobarkms://x/y')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Invalid KMS key reference/),
    });
  });

  it('a signature the self-check refuses is reported and nothing is published', async () => {
    const ref = `${registry.host}/team/app:2.0`;
    await expect(signet('sign', ref, '--key', 'hashivault://bad')).rejects.toMatchObject({
      stderr: expect.stringMatching(/PSS signature where PKCS#1 v1\.5 was asked/),
    });
    const report = JSON.parse((await signet('signatures', ref, '--json')).stdout) as { verdict: string };
    expect(report.verdict).toBe('unsigned');
    // The auditor sees the attempt as refused by the self-check, with what was asked.
    const audit = JSON.parse((await signet('audit', 'list', '--kind', 'image.signed', '--outcome', 'refused', '--json')).stdout) as {
      entries: Array<{ outcome?: string; origin?: { host: string }; details: Record<string, unknown> }>;
    };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      outcome: 'refused',
      origin: { host: 'cli' },
      details: { code: 'SIGNING_FAILED', reason: 'self-check', key: 'hashivault://bad', repository: 'team/app', format: 'cosign' },
    });
  });

  it('sign --algorithm chooses PSS on an RSA KMS key; verify --key and trust add take the KMS URI and read its public key from the KMS', async () => {
    const ref = `${registry.host}/team/pss:1.0`;
    await expect(signet('sign', ref, '--key', 'hashivault://rsa', '--algorithm', 'rsa-pss-sha999')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--algorithm must be one of'),
    });
    const signed = JSON.parse(
      (await signet('sign', ref, '--key', 'hashivault://rsa', '--algorithm', 'rsa-pss-sha256', '--json')).stdout,
    ) as { algorithm: string };
    expect(signed.algorithm).toBe('rsa-pss-sha256');
    const byUri = JSON.parse((await signet('verify', ref, '--key', 'hashivault://rsa', '--json')).stdout) as {
      verdict: string;
      signatures: Array<{ algorithm?: string; verdict: string }>;
    };
    expect(byUri.verdict).toBe('verified');
    expect(byUri.signatures.find((s) => s.verdict === 'verified')?.algorithm).toBe('rsa-pss-sha256');
    // Another key's URI does not verify it.
    await expect(signet('verify', ref, '--key', 'hashivault://release', '--json')).rejects.toMatchObject({ code: 1 });
    const trusted = JSON.parse((await signet('trust', 'add', 'hashivault://rsa', '--name', 'vault-rsa', '--json')).stdout) as {
      name: string;
      kind: string;
    };
    expect(trusted).toMatchObject({ name: 'vault-rsa', kind: 'public-key' });
    expect((await signet('verify', ref)).stdout).toMatch(/: verified/);
  });
});
