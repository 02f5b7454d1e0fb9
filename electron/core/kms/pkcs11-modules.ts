import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Pkcs11Module } from '../../../shared/model';

/** Where the usual PKCS#11 modules (SoftHSM2, OpenSC, YubiKey's ykcs11) are installed. */
const KNOWN_MODULES: Readonly<Record<string, readonly string[]>> = {
  linux: [
    '/usr/lib/softhsm/libsofthsm2.so',
    '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
    '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
    '/usr/local/lib/softhsm/libsofthsm2.so',
    '/usr/lib64/pkcs11/libsofthsm2.so',
    '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
    '/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so',
    '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so',
    '/usr/lib64/opensc-pkcs11.so',
    '/usr/lib/x86_64-linux-gnu/libykcs11.so',
    '/usr/lib/x86_64-linux-gnu/libykcs11.so.2',
    '/usr/lib64/libykcs11.so',
    '/usr/local/lib/libykcs11.so',
  ],
  darwin: [
    '/usr/local/lib/softhsm/libsofthsm2.so',
    '/opt/homebrew/lib/softhsm/libsofthsm2.so',
    '/Library/OpenSC/lib/opensc-pkcs11.so',
    '/usr/local/lib/libykcs11.dylib',
    '/opt/homebrew/lib/libykcs11.dylib',
  ],
  win32: [
    'C:\\Windows\\System32\\opensc-pkcs11.dll',
    'C:\\SoftHSM2\\lib\\softhsm2-x64.dll',
    'C:\\Program Files\\Yubico\\Yubico PIV Tool\\bin\\libykcs11.dll',
  ],
};

const P11_KIT_DIRS = ['/usr/share/p11-kit/modules', '/etc/pkcs11/modules'];
const P11_KIT_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu/pkcs11', '/usr/lib/aarch64-linux-gnu/pkcs11', '/usr/lib64/pkcs11', '/usr/lib/pkcs11'];

/** Finds the PKCS#11 modules on the usual paths and those registered with p11-kit. */
export async function findPkcs11Modules(platform: NodeJS.Platform = process.platform): Promise<Pkcs11Module[]> {
  const found = new Map<string, Pkcs11Module>();
  for (const candidate of KNOWN_MODULES[platform] ?? []) {
    const real = await realFile(candidate);
    if (real && !found.has(real)) found.set(real, { path: candidate, name: moduleName(candidate), source: 'known-path' });
  }
  if (platform === 'linux') {
    for (const module of await p11KitModules()) {
      const real = await realFile(module.path);
      if (real && !found.has(real)) found.set(real, module);
    }
  }
  return [...found.values()];
}

async function p11KitModules(): Promise<Pkcs11Module[]> {
  const modules: Pkcs11Module[] = [];
  for (const dir of P11_KIT_DIRS) {
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const entry of entries.filter((e) => e.endsWith('.module')).sort()) {
      const text = await fs.readFile(path.join(dir, entry), 'utf8').catch(() => '');
      const line = /^\s*module:\s*(.+?)\s*$/m.exec(text);
      if (!line?.[1]) continue;
      const value = line[1];
      const candidates = path.isAbsolute(value) ? [value] : P11_KIT_LIB_DIRS.map((d) => path.join(d, value));
      for (const candidate of candidates) {
        if (await realFile(candidate)) {
          modules.push({ path: candidate, name: entry.replace(/\.module$/, ''), source: 'p11-kit' });
          break;
        }
      }
    }
  }
  return modules;
}

async function realFile(candidate: string): Promise<string | undefined> {
  try {
    const real = await fs.realpath(candidate);
    return (await fs.stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function moduleName(file: string): string {
  const base = path.basename(file).toLowerCase();
  if (base.includes('softhsm')) return 'SoftHSM2';
  if (base.includes('opensc')) return 'OpenSC';
  if (base.includes('ykcs11')) return 'YubiKey (ykcs11)';
  return path.basename(file);
}
