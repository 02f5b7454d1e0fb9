import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeychainState } from '../../../shared/model';

/** The service name under which Signet keeps its entries in the OS keychain. */
export const KEYCHAIN_SERVICE = 'Signet';

type Keytar = typeof import('keytar');

let keytarModule: Promise<Keytar> | undefined;

/** keytar is a native module: load it on first use only, so start-up never pays for it. */
export function loadKeytar(): Promise<Keytar> {
  keytarModule ??= import('keytar').then((m) => ((m as { default?: Keytar }).default ?? m) as Keytar);
  return keytarModule;
}

export function keychainBackendName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (libsecret)';
}

/**
 * Whether the OS keychain can hold a secret right now: writes, reads back and removes a probe
 * entry. A locked or missing keychain answers with the backend's own reason.
 */
export async function probeKeychain(timeoutMs = 8000): Promise<KeychainState> {
  const backend = keychainBackendName();
  const account = `doctor-probe-${process.pid}-${Date.now()}`;
  const probe = async (): Promise<KeychainState> => {
    const keytar = await loadKeytar();
    const value = 'probe';
    await keytar.setPassword(KEYCHAIN_SERVICE, account, value);
    try {
      const back = await keytar.getPassword(KEYCHAIN_SERVICE, account);
      if (back !== value) return { backend, reachable: false, reason: 'The keychain did not return the value just stored.' };
    } finally {
      await keytar.deletePassword(KEYCHAIN_SERVICE, account);
    }
    // Reachable, but a key stored there would sit unencrypted on disk: Signet refuses to use it.
    const unprotected = unprotectedKeychainReason();
    if (unprotected)
      return {
        backend,
        reachable: false,
        reason: `${unprotected}. Signet does not store keys there; set a password on that keyring or use the encrypted vault (--store vault).`,
      };
    return { backend, reachable: true };
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<KeychainState>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          backend,
          reachable: false,
          reason: `No answer from the keychain within ${timeoutMs / 1000} s (is it locked and waiting for a password prompt?).`,
        }),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([
      probe().catch((error: unknown): KeychainState => ({ backend, reachable: false, reason: describeKeychainError(error) })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describeKeychainError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/autolaunch D-Bus/i.test(message)) {
    return `No D-Bus session bus to reach a Secret Service (${message}). Start a desktop session or gnome-keyring.`;
  }
  if (/org\.freedesktop\.secrets/i.test(message)) {
    return `No Secret Service provider on the session bus (${message}). Install and start gnome-keyring or KeePassXC's Secret Service.`;
  }
  if (/Could not connect/i.test(message)) {
    return `The D-Bus session bus cannot be reached (${message}), so there is no Secret Service. Start a desktop session or gnome-keyring.`;
  }
  return message;
}

/** What `gnome-keyring` writes at the start of an encrypted keyring file. */
const GNOME_ENCRYPTED = Buffer.from('GnomeKeyring\n\r\0\n', 'latin1');

/**
 * Best effort: why the keychain that would hold a secret stores it unprotected, or undefined when
 * it does not or Signet cannot tell. On Linux, libsecret stores into the Secret Service's default
 * collection; gnome-keyring keeps a collection with an empty password as a plain-text file
 * (`[keyring]` …) instead of its encrypted format, readable by anyone who can read the file.
 * Other Secret Service providers (KeePassXC, KWallet) and macOS/Windows are not inspected.
 */
export function unprotectedKeychainReason(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform !== 'linux') return undefined;
  const dir = path.join(env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share'), 'keyrings');
  let collection = 'login';
  try {
    collection = readFileSync(path.join(dir, 'default'), 'utf8').trim() || collection;
  } catch {
    // No alias file: gnome-keyring's default is the login collection.
  }
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(collection)) return undefined;
  let head: Buffer;
  try {
    head = readFileSync(path.join(dir, `${collection}.keyring`)).subarray(0, 64);
  } catch {
    return undefined;
  }
  if (head.subarray(0, GNOME_ENCRYPTED.length).equals(GNOME_ENCRYPTED)) return undefined;
  if (head.toString('latin1').trimStart().startsWith('[keyring]')) {
    return `gnome-keyring keeps the "${collection}" keyring unencrypted (it has an empty password), so a key stored there would be readable by anyone who can read ${path.join(dir, `${collection}.keyring`)}`;
  }
  return undefined;
}
