import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyring, type KeyringHandle } from '../../harness';
import { vector } from '../../vectors';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);
const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex');

/** cosign's habits on the command line: COSIGN_PASSWORD (empty is a password too) and generate-key-pair in one step. */
describe('cosign key files from the CLI', () => {
  let keyring: KeyringHandle;
  const home = () => mkdtempSync(path.join(tmpdir(), 'signet-cosign-cli-'));
  const signet = (dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const base: NodeJS.ProcessEnv = { ...process.env, ...keyring.env, SIGNET_HOME: dataDir };
    delete base.COSIGN_PASSWORD;
    return exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env: { ...base, ...env } });
  };

  beforeAll(async () => {
    keyring = await startKeyring();
  });
  afterAll(async () => {
    await keyring?.stop();
  });

  it('imports policy-controller’s cosign.key with an empty COSIGN_PASSWORD, without a prompt', async () => {
    const { stdout } = await signet(
      home(),
      ['key', 'import', vector('sigstore-policy-controller', 'cosign.key'), '--name', 'pc', '--json'],
      { COSIGN_PASSWORD: '' },
    );
    expect(JSON.parse(stdout)).toMatchObject({ found: 'cosign private key (ENCRYPTED COSIGN PRIVATE KEY)' });
  });

  it('key generate --cosign-out writes cosign.key (0600) and cosign.pub with COSIGN_PASSWORD; they import elsewhere with it, not with another', async () => {
    const officer = home();
    const out = mkdtempSync(path.join(tmpdir(), 'signet-cosign-out-'));
    await signet(officer, ['key', 'generate', 'release', '--cosign-out', out], { COSIGN_PASSWORD: 'pair pw 1' });
    expect(statSync(path.join(out, 'cosign.key')).mode & 0o777).toBe(0o600);
    const pub = readFileSync(path.join(out, 'cosign.pub'), 'utf8');
    const shown = JSON.parse((await signet(officer, ['key', 'show', 'release', '--json'])).stdout) as { publicKey: string };
    expect(spki(pub)).toBe(spki(shown.publicKey));
    const other = home();
    await expect(
      signet(other, ['key', 'import', path.join(out, 'cosign.key'), '--name', 'x'], { COSIGN_PASSWORD: 'not it' }),
    ).rejects.toMatchObject({ code: 1 });
    await signet(other, ['key', 'import', path.join(out, 'cosign.key'), '--name', 'copy'], { COSIGN_PASSWORD: 'pair pw 1' });
    const copy = JSON.parse((await signet(other, ['key', 'show', 'copy', '--json'])).stdout) as { publicKey: string };
    expect(spki(copy.publicKey)).toBe(spki(pub));
    // --password-env wins over COSIGN_PASSWORD.
    await signet(home(), ['key', 'import', path.join(out, 'cosign.key'), '--name', 'by-env', '--password-env', 'PW'], {
      PW: 'pair pw 1',
      COSIGN_PASSWORD: 'wrong',
    });
  });

  it('refuses --cosign-out over existing files before any key is made', async () => {
    const officer = home();
    const out = mkdtempSync(path.join(tmpdir(), 'signet-cosign-out-'));
    writeFileSync(path.join(out, 'cosign.key'), 'precious');
    await expect(signet(officer, ['key', 'generate', 'release', '--cosign-out', out], { COSIGN_PASSWORD: 'x' })).rejects.toMatchObject({
      code: 2,
    });
    expect(readFileSync(path.join(out, 'cosign.key'), 'utf8')).toBe('precious');
    expect(existsSync(path.join(out, 'cosign.pub'))).toBe(false);
    expect(JSON.parse((await signet(officer, ['key', 'list', '--json'])).stdout)).toEqual([]);
  });
});
