import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SignetError } from '../../../shared/errors';
import { VaultSecretStore } from './vault';
import { createVaultKey, openVault, sealVault, wipeVaultKey } from './vault-file';

const pass = Buffer.from('correct horse battery');
const fast = { log2N: 14, r: 8, p: 1 };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return `${(error as SignetError).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('the vault file', () => {
  const key = createVaultKey(pass, fast);
  const sealed = sealVault(key, { 'k-1': 'secret one', 'k-2': 'secret two' });

  it('round-trips, and never holds the plaintext', () => {
    expect(openVault(sealed, pass).entries).toEqual({ 'k-1': 'secret one', 'k-2': 'secret two' });
    expect(sealed.includes(Buffer.from('secret one'))).toBe(false);
    expect(sealed.subarray(0, 8).toString('latin1')).toBe('SGNVAULT');
  });

  it('tells a wrong passphrase from damage', () => {
    expect(codeOf(() => openVault(sealed, Buffer.from('wrong passphrase')))).toMatch(/^BAD_PASSPHRASE: Wrong vault passphrase/);
  });

  it('refuses a flipped byte anywhere: header, nonce, check, ciphertext or tag', () => {
    for (const at of [5, 8, 11, 20, 35, 50, 76, 80, 90, sealed.length - 20, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at] = (bad[at] as number) ^ 0x01;
      expect(
        codeOf(() => openVault(bad, pass)),
        `byte ${at}`,
      ).toMatch(/^(MALFORMED|UNSUPPORTED|BAD_PASSPHRASE)/);
      if (at >= 86)
        expect(
          codeOf(() => openVault(bad, pass)),
          `byte ${at}`,
        ).toMatch(/^MALFORMED: .*damaged or was altered/);
      if (at < 78 && at !== 5)
        expect(
          codeOf(() => openVault(bad, pass)),
          `byte ${at}`,
        ).toMatch(/header is damaged/);
    }
  });

  it('refuses a file cut short, extended, another file, or a newer version', () => {
    expect(codeOf(() => openVault(sealed.subarray(0, 40), pass))).toMatch(/cut short \(its header/);
    expect(codeOf(() => openVault(sealed.subarray(0, sealed.length - 5), pass))).toMatch(/^MALFORMED: The vault file is cut short/);
    expect(codeOf(() => openVault(Buffer.concat([sealed, Buffer.from('x')]), pass))).toMatch(/data after its end/);
    expect(codeOf(() => openVault(Buffer.from('{"entries":{}}'), pass))).toMatch(/not a Signet vault/);
    const newer = Buffer.from(sealed);
    newer[8] = 2;
    // A consistent header of another version (checksum recomputed) is "use a newer Signet".
    createHash('sha256').update(newer.subarray(0, 78)).digest().subarray(0, 8).copy(newer, 78);
    expect(codeOf(() => openVault(newer, pass))).toMatch(/^UNSUPPORTED: .*version 2/);
  });

  it('zeroes the key when wiped', () => {
    const k = createVaultKey(pass, fast);
    wipeVaultKey(k);
    expect(k.key.every((b) => b === 0)).toBe(true);
  });
});

describe('the vault secret store', () => {
  it('creates on first unlock, keeps secrets across processes, locks, and refuses when locked', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-vault-'));
    const store = new VaultSecretStore(dir);
    await expect(store.put('k-1', 'x')).rejects.toMatchObject({ code: 'KEY_LOCKED' });
    expect((await store.unlock(pass)).exists).toBe(true);
    await store.put('k-1', 'private one');
    store.lock();
    await expect(store.get('k-1')).rejects.toMatchObject({ code: 'KEY_LOCKED' });
    const again = new VaultSecretStore(dir);
    await expect(again.unlock(Buffer.from('not the passphrase'))).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await again.unlock(pass);
    expect(await again.get('k-1')).toBe('private one');
    await again.delete('k-1');
    expect(await again.get('k-1')).toBeUndefined();
  });

  it('a damaged file is refused and left as it is (nothing is overwritten)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-vault-'));
    const store = new VaultSecretStore(dir);
    await store.unlock(pass);
    await store.put('k-1', 'keep me');
    store.lock();
    const file = path.join(dir, 'vault.signet');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x40;
    writeFileSync(file, bytes);
    await expect(new VaultSecretStore(dir).unlock(pass)).rejects.toMatchObject({ code: 'MALFORMED' });
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('locks itself after the idle time', async () => {
    const store = new VaultSecretStore(mkdtempSync(path.join(tmpdir(), 'signet-vault-')), 30);
    await store.unlock(pass);
    expect((await store.status()).unlocked).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect((await store.status()).unlocked).toBe(false);
  });
});
