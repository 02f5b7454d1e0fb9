import os from 'node:os';
import path from 'node:path';
import { APP_NAME } from '../../shared/version';

/**
 * The data directory: `SIGNET_HOME` when set, otherwise the folder Electron's `app.getPath('userData')`
 * gives for this app (appData + product name), so the CLI and the desktop app share their data.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env.SIGNET_HOME?.trim();
  if (explicit) return path.resolve(explicit);
  return path.join(appDataDir(env, platform), APP_NAME);
}

function appDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const home = env.HOME ?? os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support');
    case 'win32':
      return env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    default:
      return env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  }
}
