import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyRing } from './key-ring';
import { MemorySecretStore } from './secrets';
import { VaultSecretStore } from './vault';

const passphrase = 'correct horse battery';

async function ringWithVault() {
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-vault-public-'));
  const vault = new VaultSecretStore(dir);
  await vault.unlock(Buffer.from(passphrase));
  return { dir, vault, ring: new KeyRing(dir, new MemorySecretStore(), undefined, vault) };
}

describe('public halves of vault keys', () => {
  it('are shown and exported while the vault is locked, the same as from the private key', { timeout: 60_000 }, async () => {
    const { vault, ring } = await ringWithVault();
    const software = await ring.generate({ name: 'soft', type: 'ecdsa-p256', store: 'vault' });
    const pgp = await ring.generate({ name: 'pgp', type: 'pgp-ed25519', userId: 'Release <r@example.com>', store: 'vault' });
    const unlockedSoft = await ring.publicExports(software.id);
    const unlockedPgp = await ring.publicExports(pgp.id);
    vault.lock();
    expect(vault.unlocked).toBe(false);
    expect(await ring.publicExports('soft')).toEqual(unlockedSoft);
    expect(await ring.publicExports('pgp')).toEqual(unlockedPgp);
    // Signing still needs the passphrase.
    await expect(ring.signer('soft')).rejects.toMatchObject({ code: 'KEY_LOCKED' });
  });

  it('a public key swapped on disk is refused while locked, and found and restored at the next unlock', { timeout: 60_000 }, async () => {
    const { dir, vault, ring } = await ringWithVault();
    const key = await ring.generate({ name: 'soft', type: 'ecdsa-p256', store: 'vault' });
    const genuine = await ring.publicExports(key.id);
    vault.lock();
    const file = path.join(dir, 'vault.public.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { pem?: string }> };
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    doc.entries[key.id] = { pem: attacker };
    writeFileSync(file, JSON.stringify(doc));
    await expect(ring.publicExports(key.id)).rejects.toMatchObject({ code: 'VERIFICATION_FAILED' });

    await vault.unlock(Buffer.from(passphrase));
    expect(await ring.refreshVaultPublic()).toEqual({ altered: ['soft'] });
    vault.lock();
    expect(await ring.publicExports(key.id)).toEqual(genuine);
  });
});
