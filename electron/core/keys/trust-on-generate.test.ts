import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { createCore } from '../core';
import { MemorySecretStore } from './secrets';

const temp = () => mkdtempSync(path.join(tmpdir(), 'signet-trust-keys-'));
const newCore = (readOnly = false) => createCore({ dataDir: temp(), host: 'cli', keySecrets: new MemorySecretStore(), readOnly });

async function ok<T>(result: Promise<unknown>): Promise<T> {
  const r = (await result) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value as T;
}

interface NewKey {
  id: string;
  name: string;
  spkiSha256?: string;
  pgpFingerprint?: string;
  trusted?: { id: string; name: string };
  trustNote?: string;
}
interface Listed {
  entries: {
    id: string;
    name: string;
    kind: string;
    fingerprint: string;
    notAfter?: string;
    scopes?: string[];
    signetKey?: { id: string; name: string };
  }[];
}

describe('a new key is trusted only when asked (by default), an imported one never', () => {
  it('generate trusts by default: an entry named after the key, with its public key, and an audit entry', async () => {
    const core = newCore();
    const key = await ok<NewKey>(core.dispatch('keys.generate', { name: 'release', type: 'ecdsa-p256', expires: '2030-06-01T00:00:00Z' }));
    expect(key.trusted).toMatchObject({ name: 'release' });
    const { entries } = await ok<Listed>(core.dispatch('trust.list', {}));
    expect(entries).toEqual([
      expect.objectContaining({
        id: key.trusted!.id,
        name: 'release',
        kind: 'public-key',
        fingerprint: key.spkiSha256,
        notAfter: '2030-06-01T00:00:00.000Z',
        signetKey: { id: key.id, name: 'release' },
      }),
    ]);
    const audit = await ok<{ entries: { type: string; details: Record<string, unknown> }[] }>(core.dispatch('audit.list', {}));
    expect(audit.entries.find((e) => e.type === 'trust.changed')).toMatchObject({ details: { keyId: key.id, via: 'generated' } });

    const pgp = await ok<NewKey>(
      core.dispatch('keys.generate', { name: 'release-pgp', type: 'pgp-ed25519', userId: 'Release <release@example.com>' }),
    );
    const listed = await ok<Listed>(core.dispatch('trust.list', {}));
    expect(listed.entries.find((e) => e.id === pgp.trusted?.id)).toMatchObject({
      kind: 'openpgp',
      fingerprint: pgp.pgpFingerprint,
      signetKey: { id: pgp.id },
    });
  });

  it('generate with trust: false adds nothing; trust.addKey trusts it later, once', async () => {
    const core = newCore();
    const key = await ok<NewKey>(core.dispatch('keys.generate', { name: 'scratch', type: 'ed25519', trust: false }));
    expect(key.trusted).toBeUndefined();
    expect((await ok<Listed>(core.dispatch('trust.list', {}))).entries).toEqual([]);
    const entry = await ok<{ name: string; notAfter: string; scopes: string[] }>(
      core.dispatch('trust.addKey', {
        key: 'scratch',
        name: 'Scratch (CI)',
        notAfter: '2029-01-01T00:00:00Z',
        scopes: ['registry.example.com/team'],
      }),
    );
    expect(entry).toMatchObject({ name: 'Scratch (CI)', notAfter: '2029-01-01T00:00:00Z', scopes: ['registry.example.com/team'] });
    expect((await ok<Listed>(core.dispatch('trust.list', {}))).entries).toMatchObject([
      { name: 'Scratch (CI)', signetKey: { id: key.id } },
    ]);
    expect(await core.dispatch('trust.addKey', { key: key.id })).toMatchObject({
      ok: false,
      code: 'CONFLICT',
      message: expect.stringContaining('trusted already, as "Scratch (CI)"'),
    });
  });

  it('a taken entry name gets a suffix when a key is generated', async () => {
    const core = newCore();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await ok(core.dispatch('trust.add', { name: 'release', data: other }));
    const key = await ok<NewKey>(core.dispatch('keys.generate', { name: 'release', type: 'ecdsa-p256' }));
    expect(key.trusted?.name).toBe('release (2)');
  });

  it('read-only mode adds no trust (the reviewer host refuses making keys at all, and trusting)', async () => {
    const core = newCore(true);
    expect(await core.dispatch('keys.generate', { name: 'r', type: 'ecdsa-p256', trust: true })).toMatchObject({
      ok: false,
      code: 'READ_ONLY',
    });
    expect(await core.dispatch('keys.generate', { name: 'r', type: 'ecdsa-p256', trust: false })).toMatchObject({
      ok: false,
      code: 'READ_ONLY',
    });
    expect(await core.dispatch('trust.addKey', { key: 'r' })).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect((await ok<Listed>(core.dispatch('trust.list', {}))).entries).toEqual([]);
  });

  it('importing a key never trusts it (PKCS#8 and OpenPGP)', async () => {
    const core = newCore();
    const pkcs8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const imported = await ok<{ info: { id: string } }>(core.dispatch('keys.import', { name: 'third-party', text: pkcs8, password: '' }));
    const { privateKey } = await openpgp.generateKey({
      type: 'curve25519',
      userIDs: [{ name: 'Vendor', email: 'vendor@example.com' }],
      format: 'armored',
    });
    await ok(core.dispatch('keys.import', { name: 'vendor-pgp', text: privateKey, password: '' }));
    expect((await ok<Listed>(core.dispatch('trust.list', {}))).entries).toEqual([]);
    const audit = await ok<{ entries: { type: string }[] }>(core.dispatch('audit.list', {}));
    expect(audit.entries.some((e) => e.type === 'trust.changed')).toBe(false);
    // It can be trusted on purpose.
    await ok(core.dispatch('trust.addKey', { key: imported.info.id }));
    expect((await ok<Listed>(core.dispatch('trust.list', {}))).entries).toMatchObject([
      { name: 'third-party', signetKey: { id: imported.info.id } },
    ]);
  });
});
