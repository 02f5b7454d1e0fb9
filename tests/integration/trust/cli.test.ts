import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet trust / policy', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-trust-cli-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', '1.0');
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('trusts a key, exports a policy that admits the signed image, and evaluates it as podman would', async () => {
    await signet('key', 'generate', 'release', '--type', 'pgp-ed25519', '--uid', 'Release <release@example.com>', '--no-trust');
    const pub = path.join(home, 'release.asc');
    writeFileSync(pub, JSON.parse((await signet('key', 'show', 'release', '--json')).stdout).publicKey);
    const lookaside = path.join(home, 'lookaside');
    const ref = `${registry.host}/team/app:1.0`;
    await signet('sign', ref, '--key', 'release', '--format', 'simplesigning', '--lookaside', lookaside);

    const added = JSON.parse((await signet('trust', 'add', pub, '--name', 'Release team', '--scope', registry.host, '--json')).stdout) as {
      id: string;
      kind: string;
      fingerprint: string;
    };
    expect(added.kind).toBe('openpgp');
    const listed = JSON.parse((await signet('trust', 'list', '--json')).stdout) as { entries: Array<{ id: string }> };
    expect(listed.entries.map((e) => e.id)).toEqual([added.id]);

    const out = path.join(home, 'export');
    await signet('policy', 'export', '--out', out, '--embed');
    const policy = JSON.parse(readFileSync(path.join(out, 'policy.json'), 'utf8')) as { default: unknown };
    expect(policy.default).toEqual([{ type: 'reject' }]);
    const admitted = await signet('policy', 'evaluate', ref, '--policy', path.join(out, 'policy.json'), '--lookaside', lookaside);
    expect(admitted.stdout).toMatch(/^ADMITTED/);

    const rejecting = path.join(home, 'reject.json');
    writeFileSync(rejecting, JSON.stringify({ default: [{ type: 'reject' }] }));
    const imported = JSON.parse((await signet('policy', 'import', rejecting, '--name', 'lockdown', '--json')).stdout) as { id: string };
    await expect(signet('policy', 'evaluate', ref, '--policy', imported.id, '--lookaside', lookaside)).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^REJECTED/),
    });
    await expect(signet('policy', 'import', pub)).rejects.toMatchObject({ code: 1 });
    expect((await signet('trust', 'remove', added.id)).stdout).toContain('Removed entry');
  });
});
