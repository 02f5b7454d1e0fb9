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
    return { backend, reachable: true };
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<KeychainState>((resolve) => {
    timer = setTimeout(
      () => resolve({ backend, reachable: false, reason: `No answer from the keychain within ${timeoutMs / 1000} s (is it locked and waiting for a password prompt?).` }),
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
