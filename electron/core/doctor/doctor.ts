import { describeSystemError } from '../../../shared/system-errors';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import type { DoctorReport, KeychainState, Pkcs11Module, ToolState } from '../../../shared/model';
import { APP_VERSION } from '../../../shared/version';
import { probeKeychain } from '../keys/keychain';
import { findPkcs11Modules } from '../kms/pkcs11-modules';
import type { SettingsStore } from '../settings/store';
import { PEER_TOOLS, probeTool } from './tools';

export interface DoctorDeps {
  dataDir: string;
  settings: SettingsStore;
  progress?: (done: number, total: number, message: string) => void;
  probeKeychain?: () => Promise<KeychainState>;
  findPkcs11Modules?: () => Promise<Pkcs11Module[]>;
  probeTools?: () => Promise<ToolState[]>;
}

/** Looks at the environment Signet runs in, one check at a time, reporting progress. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const steps = ['data directory', 'OS keychain', 'PKCS#11 modules', 'external tools', 'settings'];
  let done = 0;
  const step = <T>(work: Promise<T>): Promise<T> =>
    work.finally(() => {
      done += 1;
      deps.progress?.(done, steps.length, done < steps.length ? `Checking ${steps[done]}` : 'Done');
    });
  deps.progress?.(0, steps.length, `Checking ${steps[0]}`);
  const dataDir = await step(checkDataDir(deps.dataDir));
  const keychain = await step((deps.probeKeychain ?? probeKeychain)());
  const pkcs11Modules = await step((deps.findPkcs11Modules ?? findPkcs11Modules)());
  const tools = await step((deps.probeTools ?? (() => Promise.all(PEER_TOOLS.map(probeTool))))());
  const settings = await step(deps.settings.read().catch(() => ({ offlineMode: false })));
  return {
    appVersion: APP_VERSION,
    platform: `${os.platform()} ${os.arch()} (${os.release()})`,
    nodeVersion: process.versions.node,
    dataDir,
    keychain,
    pkcs11Modules,
    tools,
    offlineMode: settings.offlineMode,
    checkedAt: new Date().toISOString(),
  };
}

async function checkDataDir(dir: string): Promise<DoctorReport['dataDir']> {
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) return { path: dir, exists: true, writable: false, reason: 'It exists but is not a directory.' };
  } catch {
    return { path: dir, exists: false, writable: false, reason: 'Not created yet: Signet creates it when it first saves something.' };
  }
  try {
    await fs.access(dir, constants.W_OK);
    return { path: dir, exists: true, writable: true };
  } catch (error) {
    return { path: dir, exists: true, writable: false, reason: `Not writable: ${describeSystemError(error)}` };
  }
}
