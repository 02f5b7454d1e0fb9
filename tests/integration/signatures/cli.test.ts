import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet sign / verify / signatures', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  const officer = mkdtempSync(path.join(tmpdir(), 'signet-officer-'));
  const reviewer = mkdtempSync(path.join(tmpdir(), 'signet-reviewer-'));
  const signet = (home: string, ...args: string[]) => exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...process.env, ...keyring.env, SIGNET_HOME: home } });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', '1.0');
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('signs by tag, then verifies: exit 0 for the signer, 1 for a reviewer without the key, 0 with --pubkey', async () => {
    await signet(officer, 'key', 'generate', 'release');
    const ref = `${registry.host}/team/app:1.0`;
    expect((await signet(officer, 'sign', ref, '--key', 'release', '--annotation', 'build=42')).stdout).toContain('.sig');
    expect((await signet(officer, 'verify', ref)).stdout).toMatch(/: verified/);
    await expect(signet(reviewer, 'verify', ref)).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('signed-untrusted') });
    const pub = path.join(reviewer, 'release.pub');
    writeFileSync(pub, JSON.parse((await signet(officer, 'key', 'show', 'release', '--json')).stdout).publicKey);
    expect((await signet(reviewer, 'verify', ref, '--pubkey', pub)).stdout).toMatch(/: verified/);
    const listed = JSON.parse((await signet(reviewer, 'signatures', ref, '--json')).stdout) as { signatures: Array<{ annotations: Record<string, string> }> };
    expect(listed.signatures[0]?.annotations).toEqual({ build: '42' });
  });

  it('simple-signs into a lookaside directory, and verifies it with the armored OpenPGP key', async () => {
    await signet(officer, 'key', 'generate', 'release-pgp', '--type', 'pgp-ed25519', '--uid', 'Release <release@example.com>');
    const lookaside = path.join(officer, 'lookaside');
    const ref = `${registry.host}/team/app:1.0`;
    expect((await signet(officer, 'sign', ref, '--key', 'release-pgp', '--format', 'simplesigning', '--lookaside', lookaside)).stdout).toContain('signature-1');
    const pub = path.join(reviewer, 'release.asc');
    writeFileSync(pub, JSON.parse((await signet(officer, 'key', 'show', 'release-pgp', '--json')).stdout).publicKey);
    const report = JSON.parse((await signet(reviewer, 'signatures', ref, '--lookaside', lookaside, '--json')).stdout) as { signatures: Array<{ format: string; verdict: string }> };
    expect(report.signatures.find((s) => s.format === 'simplesigning')).toMatchObject({ verdict: 'signed-untrusted' });
    const verified = JSON.parse((await signet(reviewer, 'verify', ref, '--lookaside', lookaside, '--pubkey', pub, '--json')).stdout) as { signatures: Array<{ format: string; verdict: string }> };
    expect(verified.signatures.find((s) => s.format === 'simplesigning')).toMatchObject({ verdict: 'verified' });
  });
});
