import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireCommand, tempDir } from './tools';

export interface SoftHsmHandle {
  modulePath: string;
  /**
   * { SOFTHSM2_CONF }. Pass it to a child's environment; for pkcs11js in-process assign it to
   * process.env BEFORE C_Initialize (libsofthsm2 reads SOFTHSM2_CONF there, once).
   */
  env: Record<string, string>;
  tokenLabel: string;
  pin: string;
  soPin: string;
  dir: string;
  /** Removes the token directory. Idempotent. */
  stop(): Promise<void>;
}

const MODULE_PATHS = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
];

/** A SoftHSM2 token initialised (user PIN and SO PIN set) in its own temp token directory. */
export async function startSoftHsm(options: { label?: string; pin?: string; soPin?: string } = {}): Promise<SoftHsmHandle> {
  const util = requireCommand('softhsm2-util', 'softhsm2');
  const modulePath = MODULE_PATHS.find((p) => existsSync(p));
  if (!modulePath) throw new Error(`libsofthsm2.so is missing (looked in ${MODULE_PATHS.join(', ')}): apt-get install libsofthsm2`);
  const dir = tempDir('softhsm');
  const tokens = path.join(dir.path, 'tokens');
  mkdirSync(tokens);
  const conf = path.join(dir.path, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { SOFTHSM2_CONF: conf };
  const tokenLabel = options.label ?? 'signet-test';
  const pin = options.pin ?? '123456';
  const soPin = options.soPin ?? '12345678';
  const init = spawnSync(util, ['--init-token', '--free', '--label', tokenLabel, '--pin', pin, '--so-pin', soPin], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    dir.remove();
    throw new Error(`softhsm2-util --init-token failed: ${init.stderr || init.stdout}`);
  }
  return { modulePath, env, tokenLabel, pin, soPin, dir: dir.path, stop: async () => dir.remove() };
}
