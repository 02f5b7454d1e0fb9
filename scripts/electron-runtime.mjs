// Finds Electron's runtime without loading the `electron` package (whose index downloads it).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {{ path: string } | { missing: string }} */
export function findElectronRuntime() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return existsSync(candidate) ? { path: candidate } : { missing: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${candidate})` };
  }
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(pkg)) return { missing: 'the electron package is not installed (run npm ci)' };
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'its binary was never downloaded (this machine cannot reach GitHub releases)' };
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { missing: `its binary is missing (${binary})` };
}
