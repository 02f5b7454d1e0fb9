import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

/** No Secret Service at all: keys live in the encrypted vault file, unlocked per process. */
describe('the encrypted vault through the CLI, with no OS keychain reachable', () => {
  let registry: RegistryHandle;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-vault-cli-'));
  const env = {
    ...process.env,
    SIGNET_HOME: home,
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    VP: 'a long vault passphrase',
    WRONG: 'not the passphrase',
    EMPTY: '',
  };
  const signet = (...args: string[]) => exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env });

  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', '1.0');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('refuses the keychain and says to use the vault; keeps the key in the vault; signs in a later process after unlocking', async () => {
    await expect(signet('key', 'generate', 'nowhere')).rejects.toMatchObject({ stderr: expect.stringContaining('--store vault') });
    expect(JSON.parse((await signet('key', 'list', '--json')).stdout)).toEqual([]);

    const made = JSON.parse(
      (await signet('key', 'generate', 'release', '--store', 'vault', '--vault-password-env', 'VP', '--json')).stdout,
    ) as { store: string; spkiSha256: string };
    expect(made.store).toBe('vault');
    const vaultFile = readFileSync(path.join(home, 'vault.signet'));
    expect(vaultFile.subarray(0, 8).toString('latin1')).toBe('SGNVAULT');

    const ref = `${registry.host}/team/app:1.0`;
    await expect(signet('sign', ref, '--key', 'release', '--vault-password-env', 'WRONG')).rejects.toMatchObject({
      stderr: expect.stringContaining('Wrong vault passphrase'),
    });
    expect(readFileSync(path.join(home, 'vault.signet')).equals(vaultFile)).toBe(true);
    await signet('sign', ref, '--key', 'release', '--vault-password-env', 'VP');
    const pub = path.join(home, 'release.pub');
    // The public key needs no passphrase: no --vault-password-env, and no terminal to prompt on.
    const shown = JSON.parse((await signet('key', 'show', 'release', '--json')).stdout) as { publicKey: string };
    writeFileSync(pub, shown.publicKey);
    expect((await signet('verify', ref, '--pubkey', pub)).stdout).toMatch(/: verified/);
    const exported = path.join(home, 'release-export.pem');
    await signet('key', 'export', 'release', '--format', 'pem', '--out', exported);
    expect(readFileSync(exported, 'utf8')).toBe(shown.publicKey);
    for (const command of [['key', 'generate'], ['sign'], ['asc'], ['offline', 'sign']])
      expect((await signet(...command, '--help')).stdout).toContain('--vault-password-env VAR');
  });
});
