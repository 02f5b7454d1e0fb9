import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoctorReport } from '../../../shared/model';
import { startKeyring } from '../../harness/keyring';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

/** Runs `signet doctor --json` as a user would, with exactly the environment given. */
async function doctor(env: NodeJS.ProcessEnv) {
  const home = mkdtempSync(path.join(tmpdir(), 'signet-doctor-'));
  const { stdout } = await run(process.execPath, [path.join(root, 'bin', 'signet.mjs'), 'doctor', '--json'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SIGNET_HOME: home, ...env },
  });
  return { report: DoctorReport.parse(JSON.parse(stdout)), home };
}

describe('signet doctor', () => {
  let keyring: Awaited<ReturnType<typeof startKeyring>>;
  beforeAll(async () => {
    keyring = await startKeyring();
  });
  afterAll(() => keyring?.stop());

  it('sees the real OS keychain inside the harness', async () => {
    const { report, home } = await doctor(keyring.env);
    expect(report.keychain).toMatchObject({ reachable: true });
    expect(report.dataDir.path).toBe(home);
    expect(report.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['skopeo', 'gpg']));
    expect(report.tools.find((t) => t.name === 'gpg')?.version).toMatch(/^\d+\.\d+/);
    expect(report.pkcs11Modules.map((m) => m.path)).toEqual(expect.arrayContaining([expect.stringContaining('softhsm2')]));
  });

  it('reports the keychain unreachable, with the reason, outside it', async () => {
    const { report } = await doctor({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/signet-bus' });
    expect(report.keychain.reachable).toBe(false);
    expect(report.keychain.reason).toMatch(/D-Bus|Secret Service|keyring/i);
    const { report: noBus } = await doctor({});
    expect(noBus.keychain.reachable).toBe(false);
    expect(noBus.keychain.reason?.length).toBeGreaterThan(10);
  });
});
