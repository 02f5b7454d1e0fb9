import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyring, type KeyringHandle } from '../../harness';

// This file runs in its own worker: it points process.env at the private bus before keytar loads.
let keyring: KeyringHandle;
const saved = { ...process.env };

beforeAll(async () => {
  keyring = await startKeyring();
  Object.assign(process.env, keyring.env);
});

afterAll(async () => {
  await keyring?.stop();
  for (const key of Object.keys(keyring?.env ?? {})) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('keyring harness (private D-Bus + gnome-keyring)', () => {
  it('gives an env with a private bus and fresh XDG dirs', () => {
    expect(keyring.env.DBUS_SESSION_BUS_ADDRESS).toContain(keyring.dir);
    for (const key of ['XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME']) expect(keyring.env[key]?.startsWith(keyring.dir)).toBe(true);
  });

  it('stores, reads and deletes through keytar without a prompt', async () => {
    const { default: keytar } = await import('keytar');
    await keytar.setPassword('signet-harness-test', 'alice', 'pässword 1');
    expect(await keytar.getPassword('signet-harness-test', 'alice')).toBe('pässword 1');
    // The secret really lives in our gnome-keyring (seen by another libsecret client).
    const lookup = spawnSync('secret-tool', ['lookup', 'service', 'signet-harness-test', 'account', 'alice'], {
      env: { ...process.env, ...keyring.env },
      encoding: 'utf8',
    });
    expect(lookup.stdout).toBe('pässword 1');
    expect(await keytar.deletePassword('signet-harness-test', 'alice')).toBe(true);
    expect(await keytar.getPassword('signet-harness-test', 'alice')).toBeNull();
  });

  it('stops idempotently and removes its directory', async () => {
    const other = await startKeyring();
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
  });
});
