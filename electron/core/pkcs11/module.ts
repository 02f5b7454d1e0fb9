import { statSync } from 'node:fs';
import path from 'node:path';
import type * as Pkcs11js from 'pkcs11js';
import { SignetError } from '../../../shared/errors';
import { CKR, ckrOf } from './errors';

export type Pkcs11Lib = typeof Pkcs11js;
export type Pkcs11 = Pkcs11js.PKCS11;
export type Handle = Buffer;

/** One loaded and initialised PKCS#11 module. */
export interface LoadedModule {
  readonly path: string;
  readonly lib: Pkcs11Lib;
  readonly p11: Pkcs11;
  readonly info: { manufacturer: string; description: string; libraryVersion: string; cryptokiVersion: string };
}

// C_Initialize once per module path for the life of the process (a second C_Initialize or a
// C_Finalize under another user of the module breaks its sessions).
const loaded = new Map<string, Promise<LoadedModule>>();

export function loadModule(modulePath: string): Promise<LoadedModule> {
  if (!path.isAbsolute(modulePath))
    return Promise.reject(new SignetError('INVALID_INPUT', 'A PKCS#11 module is named by its absolute path.'));
  let pending = loaded.get(modulePath);
  if (!pending) {
    pending = load(modulePath);
    loaded.set(modulePath, pending);
    pending.catch(() => loaded.delete(modulePath));
  }
  return pending;
}

async function load(modulePath: string): Promise<LoadedModule> {
  try {
    if (!statSync(modulePath).isFile()) throw new Error('not a file');
  } catch {
    throw new SignetError('NOT_FOUND', `The PKCS#11 module ${modulePath} does not exist or is not a file.`);
  }
  const imported = (await import('pkcs11js')) as Pkcs11Lib & { default?: Pkcs11Lib };
  const lib = (imported.default ?? imported) as Pkcs11Lib;
  const p11 = new lib.PKCS11();
  try {
    p11.load(modulePath);
  } catch (error) {
    throw new SignetError(
      'UNAVAILABLE',
      `The PKCS#11 module ${modulePath} could not be loaded (${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}); is it a PKCS#11 library for this platform?`,
    );
  }
  try {
    p11.C_Initialize();
  } catch (error) {
    if (ckrOf(error) !== CKR.CRYPTOKI_ALREADY_INITIALIZED) {
      throw new SignetError(
        'UNAVAILABLE',
        `The PKCS#11 module ${modulePath} failed to initialise (${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}).`,
      );
    }
  }
  const info = p11.C_GetInfo();
  return {
    path: modulePath,
    lib,
    p11,
    info: {
      manufacturer: info.manufacturerID.trim(),
      description: info.libraryDescription.trim(),
      libraryVersion: `${info.libraryVersion.major}.${info.libraryVersion.minor}`,
      cryptokiVersion: `${info.cryptokiVersion.major}.${info.cryptokiVersion.minor}`,
    },
  };
}

/** A slot handle as a decimal string (what `slot-id` in a pkcs11: URI means). */
export function slotIdOf(slot: Handle): string {
  return slot.length >= 8 ? slot.readBigUInt64LE(0).toString() : slot.readUInt32LE(0).toString();
}
