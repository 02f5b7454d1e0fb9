import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { requireCommand, spawnService, tempDir, type Service } from './tools';

export interface KeyringHandle {
  /**
   * DBUS_SESSION_BUS_ADDRESS, XDG_DATA_HOME, XDG_RUNTIME_DIR, XDG_CONFIG_HOME. Pass it to a child's
   * environment, or assign it to process.env BEFORE keytar/libsecret is first loaded in-process
   * (libsecret connects to the session bus once and keeps that connection).
   */
  env: Record<string, string>;
  dir: string;
  /** Idempotent. */
  stop(): Promise<void>;
}

const PASSWORD = 'signet-test';
const PROBE = ['service', 'signet-harness', 'account', 'probe'];

/**
 * A private D-Bus session bus (socket in the temp dir) with gnome-keyring's Secret Service whose
 * login keyring is created and unlocked, in fresh XDG dirs: nothing of the user's own keyring,
 * HOME or session bus is touched, and keytar can store without a prompt.
 */
export async function startKeyring(): Promise<KeyringHandle> {
  const dbusDaemon = requireCommand('dbus-daemon', 'dbus-daemon');
  const keyringDaemon = requireCommand('gnome-keyring-daemon', 'gnome-keyring');
  const secretTool = requireCommand('secret-tool', 'libsecret-tools');
  const dir = tempDir('keyring');
  const run = path.join(dir.path, 'run');
  const env: Record<string, string> = {
    XDG_DATA_HOME: path.join(dir.path, 'data'),
    XDG_RUNTIME_DIR: run,
    XDG_CONFIG_HOME: path.join(dir.path, 'config'),
    XDG_CACHE_HOME: path.join(dir.path, 'cache'),
  };
  for (const d of Object.values(env)) mkdirSync(d, { recursive: true, mode: 0o700 });
  // The daemons also get a private HOME; callers keep theirs (only libsecret needs env).
  const daemonEnv = () => ({ ...process.env, ...env, HOME: dir.path });
  const services: Service[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of services.reverse()) await s.stop();
      dir.remove();
    })());
  try {
    const bus = await spawnService(
      dbusDaemon,
      ['--session', '--nofork', '--nopidfile', `--address=unix:path=${path.join(run, 'bus')}`, '--print-address=1'],
      {
        env: daemonEnv(),
        ready: { line: /^unix:/ },
      },
    );
    services.push(bus);
    env.DBUS_SESSION_BUS_ADDRESS = (bus.readyLine() as string).trim();

    const childEnv = { ...process.env, ...env };
    const dbusSend = requireCommand('dbus-send', 'dbus-bin');
    // Talk to the Secret Service only once ours owns the name: an earlier call would have D-Bus
    // activate a second daemon, with a locked keyring.
    const keyring = await spawnService(keyringDaemon, ['--unlock', '--components=secrets', '--foreground'], {
      env: daemonEnv(),
      stdin: PASSWORD,
      ready: () => {
        const owned = spawnSync(
          dbusSend,
          [
            '--session',
            '--print-reply',
            '--dest=org.freedesktop.DBus',
            '/org/freedesktop/DBus',
            'org.freedesktop.DBus.NameHasOwner',
            'string:org.freedesktop.secrets',
          ],
          { env: childEnv, encoding: 'utf8', timeout: 5000 },
        );
        return owned.stdout.includes('boolean true');
      },
    });
    services.push(keyring);

    // The default collection (login) must exist and be unlocked: prove it with a real round trip.
    const stored = spawnSync(secretTool, ['store', '--label=signet-harness', ...PROBE], {
      env: childEnv,
      input: 'ok',
      encoding: 'utf8',
      timeout: 10_000,
    });
    const read = spawnSync(secretTool, ['lookup', ...PROBE], { env: childEnv, encoding: 'utf8', timeout: 10_000 });
    if (stored.status !== 0 || read.stdout !== 'ok') {
      throw new Error(
        `gnome-keyring's Secret Service does not store secrets (secret-tool store: ${stored.status} ${stored.stderr.trim()}; lookup: ${read.status} ${read.stderr.trim()}). Its output:\n${keyring.output()}`,
      );
    }
    spawnSync(secretTool, ['clear', ...PROBE], { env: childEnv, timeout: 10_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, dir: dir.path, stop };
}

/**
 * Points this process at the keyring (keytar reads the bus address when it first connects) and
 * returns a function that puts the environment back.
 */
export function useKeyringInProcess(keyring: KeyringHandle): () => void {
  const saved = Object.fromEntries(Object.keys(keyring.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, keyring.env);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
