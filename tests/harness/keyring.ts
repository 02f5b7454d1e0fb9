import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { exitedEarly, requireCommand, spawnService, tempDir, waitFor, type Service } from './tools';

export interface KeyringHandle {
  /** Apply to a child's environment, or to process.env before keytar is first loaded. */
  env: Record<string, string>;
  dir: string;
  stop(): Promise<void>;
}

const PASSWORD = 'signet-test-keyring';

/**
 * A private D-Bus session with gnome-keyring's Secret Service, its login keyring unlocked, in a
 * fresh XDG_DATA_HOME (an existing login keyring with another password would stay locked).
 */
export async function startKeyring(): Promise<KeyringHandle> {
  const dbus = requireCommand('dbus-daemon', 'dbus');
  const keyringDaemon = requireCommand('gnome-keyring-daemon', 'gnome-keyring');
  const secretTool = requireCommand('secret-tool', 'libsecret-tools');
  const dir = tempDir('keyring');
  const env: Record<string, string> = {
    XDG_DATA_HOME: path.join(dir.path, 'data'),
    XDG_RUNTIME_DIR: path.join(dir.path, 'run'),
    XDG_CONFIG_HOME: path.join(dir.path, 'config'),
  };
  for (const d of Object.values(env)) mkdirSync(d, { recursive: true, mode: 0o700 });
  const services: Service[] = [];
  const stop = async () => {
    for (const s of services.reverse()) await s.stop();
    dir.remove();
  };
  try {
    const bus = spawnService(dbus, ['--session', '--nofork', '--print-address=1'], { env: { ...process.env, ...env } });
    services.push(bus);
    let address = '';
    await waitFor(async () => {
      if (exitedEarly(bus)) throw new Error(`dbus-daemon exited: ${bus.output()}`);
      address = /unix:[^\s]+/.exec(bus.output())?.[0] ?? '';
      return address !== '';
    }, 'the private D-Bus session');
    env.DBUS_SESSION_BUS_ADDRESS = address;
    const keyring = spawnService(keyringDaemon, ['--unlock', '--components=secrets', '--foreground'], { env: { ...process.env, ...env }, stdin: PASSWORD });
    services.push(keyring);
    const childEnv = { ...process.env, ...env };
    const dbusSend = requireCommand('dbus-send', 'dbus');
    // Only talk to the Secret Service once ours owns the name; an earlier call would D-Bus-activate
    // a second, locked daemon.
    await waitFor(async () => {
      if (exitedEarly(keyring)) throw new Error(`gnome-keyring-daemon exited: ${keyring.output()}`);
      const owned = spawnSync(dbusSend, ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { env: childEnv, encoding: 'utf8', timeout: 5000 });
      return owned.stdout.includes('boolean true');
    }, 'gnome-keyring to own org.freedesktop.secrets');
    await waitFor(async () => {
      const stored = spawnSync(secretTool, ['store', '--label=signet-harness', 'service', 'signet-harness', 'account', 'probe'], { env: childEnv, input: 'ok', timeout: 5000 });
      if (stored.status !== 0) return false;
      const read = spawnSync(secretTool, ['lookup', 'service', 'signet-harness', 'account', 'probe'], { env: childEnv, encoding: 'utf8', timeout: 5000 });
      return read.stdout === 'ok';
    }, 'gnome-keyring’s Secret Service');
    spawnSync(secretTool, ['clear', 'service', 'signet-harness', 'account', 'probe'], { env: childEnv, timeout: 5000 });
  } catch (error) {
    await stop();
    throw error;
  }
  let stopped = false;
  return {
    env,
    dir: dir.path,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stop();
    },
  };
}
