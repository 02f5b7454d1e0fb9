import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/log';
import { createCore, type Core } from '../core';
import { KeyRing } from '../keys/key-ring';
import { MemorySecretStore } from '../keys/secrets';
import { VaultSecretStore } from '../keys/vault';
import { MIGRATION_MESSAGE, TrustMigration } from './migration';
import { TrustStore } from './store';

const temp = () => mkdtempSync(path.join(tmpdir(), 'signet-trust-migration-'));
const cores: Core[] = [];
const core = (dataDir: string, secrets: MemorySecretStore, readOnly = false) => {
  const c = createCore({ dataDir, host: 'cli', keySecrets: secrets, readOnly });
  cores.push(c);
  return c;
};
afterAll(() => cores.splice(0));

async function ok<T>(result: Promise<unknown>): Promise<T> {
  const r = (await result) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value as T;
}

interface Listed {
  entries: { id: string; name: string; kind: string; fingerprint: string; notAfter?: string; signetKey?: { id: string; name: string } }[];
  migration?: {
    message: string;
    entries: { keyId: string; keyName: string; entryId: string; entryName: string }[];
    pending: { keyName: string }[];
    skipped: { keyName: string }[];
  };
}

/**
 * A data directory as an earlier version left it: keys made outside the new core, the trust store
 * untouched by it. "known" is trusted explicitly already under another name; a trust entry named
 * "pgp" holds some other key; "lost" has no private part left in the keychain.
 */
async function olderDataDir() {
  const dir = temp();
  const secrets = new MemorySecretStore();
  const ring = new KeyRing(dir, secrets, new AuditLog(dir));
  const release = await ring.generate({ name: 'release', type: 'ecdsa-p256', expires: new Date('2031-01-01T00:00:00Z') });
  const pgp = await ring.generate({ name: 'pgp', type: 'pgp-ed25519', userId: 'Release <release@example.com>' });
  const known = await ring.generate({ name: 'known', type: 'ed25519' });
  const cloudKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cloud = await ring.addKms({
    name: 'cloud',
    uri: 'awskms:///alias/release',
    algorithm: 'ecdsa-p256-sha256',
    publicKeyPem: cloudKey,
  });
  const lost = await ring.generate({ name: 'lost', type: 'ecdsa-p256' });
  await secrets.delete(lost.id);
  const store = new TrustStore(dir);
  await store.add({ name: 'Known key', data: (await ring.publicExports(known.id)).pem! });
  const otherPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await store.add({ name: 'pgp', data: otherPem });
  return { dir, secrets, ring, ids: { release: release.id, pgp: pgp.id, known: known.id, cloud: cloud.id, lost: lost.id } };
}

describe('the move from implicit to explicit trust of Signet’s own keys', () => {
  it('does nothing in a fresh data directory: no entries, no note, no audit entry, no file', async () => {
    const dir = temp();
    const secrets = new MemorySecretStore();
    const c = core(dir, secrets);
    const listed = await ok<Listed>(c.dispatch('trust.list', {}));
    expect(listed.entries).toEqual([]);
    expect(listed.migration).toBeUndefined();
    expect((await ok<{ total: number }>(c.dispatch('audit.list', {}))).total).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
    // The first key made writes the marker, so keys made from now on are never trusted by a later start.
    await ok(c.dispatch('keys.generate', { name: 'new', type: 'ecdsa-p256', trust: false }));
    expect(JSON.parse(readFileSync(path.join(dir, 'trust-migration.json'), 'utf8'))).toMatchObject({ migrated: [], acknowledged: true });
    const again = await ok<Listed>(core(dir, secrets).dispatch('trust.list', {}));
    expect(again.entries).toEqual([]);
    expect(again.migration).toBeUndefined();
  });

  it('makes every existing key an explicit entry once, keeps the note until dismissed, and a second start changes nothing', async () => {
    const { dir, secrets, ids } = await olderDataDir();
    const first = await ok<Listed>(core(dir, secrets).dispatch('trust.list', {}));
    const byKey = new Map(first.entries.filter((e) => e.signetKey).map((e) => [e.signetKey!.id, e]));
    expect(byKey.get(ids.release)).toMatchObject({ name: 'release', kind: 'public-key', notAfter: '2031-01-01T00:00:00.000Z' });
    // The name "pgp" was taken by another entry: a suffix.
    expect(byKey.get(ids.pgp)).toMatchObject({ name: 'pgp (2)', kind: 'openpgp' });
    // Trusted already: left as it was, not duplicated, and not in the note.
    expect(byKey.get(ids.known)).toMatchObject({ name: 'Known key' });
    expect(first.entries.filter((e) => e.signetKey?.id === ids.known)).toHaveLength(1);
    expect(byKey.get(ids.cloud)).toMatchObject({ name: 'cloud', kind: 'public-key' });
    expect(first.migration).toMatchObject({
      message: MIGRATION_MESSAGE,
      pending: [],
      skipped: [{ keyName: 'lost', reason: expect.stringContaining('not in the OS keychain') }],
    });
    expect(first.migration?.entries.map((e) => [e.keyName, e.entryName])).toEqual([
      ['release', 'release'],
      ['pgp', 'pgp (2)'],
      ['cloud', 'cloud'],
    ]);
    const audit = await ok<{ entries: { type: string; summary: string; details: Record<string, unknown> }[] }>(
      core(dir, secrets).dispatch('audit.list', {}),
    );
    const migrationAudit = audit.entries.filter((e) => e.details.via === 'migration');
    expect(migrationAudit).toHaveLength(1);
    expect(migrationAudit[0]).toMatchObject({ type: 'trust.changed', summary: expect.stringContaining('"release"') });

    // A second start: no new entries, no new audit entry, the note is still there.
    const second = core(dir, secrets);
    const listed = await ok<Listed>(second.dispatch('trust.list', {}));
    expect(listed.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    expect(listed.migration?.entries).toEqual(first.migration?.entries);
    expect((await ok<{ total: number }>(second.dispatch('audit.list', {}))).total).toBe(audit.entries.length);

    // Read-only mode may not dismiss it; a normal session may, and it stays dismissed.
    expect(await core(dir, secrets, true).dispatch('trust.ackMigration', {})).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect(await ok(second.dispatch('trust.ackMigration', {}))).toEqual({ acknowledged: true });
    expect(await ok(second.dispatch('trust.ackMigration', {}))).toEqual({ acknowledged: false });
    const third = await ok<Listed>(core(dir, secrets).dispatch('trust.list', {}));
    expect(third.migration).toBeUndefined();
    expect(third.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
  });

  it('keeps a removed migrated entry removed: the migration runs once per data directory', async () => {
    const { dir, secrets, ids } = await olderDataDir();
    const c = core(dir, secrets);
    const listed = await ok<Listed>(c.dispatch('trust.list', {}));
    const entry = listed.entries.find((e) => e.signetKey?.id === ids.release)!;
    await ok(c.dispatch('trust.remove', { id: entry.id }));
    const later = await ok<Listed>(core(dir, secrets).dispatch('trust.list', {}));
    expect(later.entries.some((e) => e.signetKey?.id === ids.release)).toBe(false);
  });

  it('two processes starting at once add each entry once', async () => {
    const { dir, secrets } = await olderDataDir();
    const a = new TrustMigration(dir, new KeyRing(dir, secrets), new AuditLog(dir));
    const b = new TrustMigration(dir, new KeyRing(dir, secrets), new AuditLog(dir));
    const [ma, mb] = await Promise.all([a.run(), b.run()]);
    expect(typeof ma === 'object' && typeof mb === 'object' && ma.migrated).toEqual(typeof mb === 'object' && mb.migrated);
    expect(typeof ma === 'object' ? ma.migrated : []).toHaveLength(3);
    const entries = await new TrustStore(dir).entries();
    expect(entries.map((e) => e.name).sort()).toEqual(['Known key', 'cloud', 'pgp', 'pgp (2)', 'release']);
    expect(existsSync(path.join(dir, 'trust-migration.lock'))).toBe(false);
  });

  it('takes over a stale lock left by a crashed process, and waits for a live one', async () => {
    const { dir, secrets } = await olderDataDir();
    writeFileSync(path.join(dir, 'trust-migration.lock'), '1 crashed\n');
    const waiting = new TrustMigration(dir, new KeyRing(dir, secrets), new AuditLog(dir), { lockWaitMs: 150, staleMs: 60_000 });
    expect(await waiting.run()).toBe('busy');
    expect(await new TrustStore(dir).entries()).toHaveLength(2); // nothing added while the other holds it
    const taking = new TrustMigration(dir, new KeyRing(dir, secrets), new AuditLog(dir), { staleMs: 0 });
    const taken = await taking.run();
    expect(typeof taken === 'object' ? taken.migrated : []).toHaveLength(3);
  });

  it('a key in the locked vault waits, listed in the note, and is trusted when the vault is unlocked', async () => {
    const dir = temp();
    const secrets = new MemorySecretStore();
    const vault = new VaultSecretStore(dir);
    await vault.unlock(Buffer.from('correct horse'));
    const ring = new KeyRing(dir, secrets, new AuditLog(dir), vault);
    const inVault = await ring.generate({ name: 'vaulted', type: 'ecdsa-p256', store: 'vault' });
    vault.lock();
    // A vault written before public keys were kept beside it: the public key needs the passphrase.
    rmSync(path.join(dir, 'vault.public.json'));
    const c = core(dir, secrets);
    const before = await ok<Listed>(c.dispatch('trust.list', {}));
    expect(before.entries).toEqual([]);
    expect(before.migration?.pending.map((p) => p.keyName)).toEqual(['vaulted']);
    await ok(c.dispatch('keys.vaultUnlock', { passphrase: 'correct horse' }));
    const after = await ok<Listed>(c.dispatch('trust.list', {}));
    expect(after.entries).toMatchObject([{ name: 'vaulted', signetKey: { id: inVault.id } }]);
    expect(after.migration).toMatchObject({ pending: [], entries: [{ keyName: 'vaulted', entryName: 'vaulted' }] });
  });
});
