import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vector } from '../../../tests/vectors';
import { exportPolicy } from './export';
import { parsePolicy } from './policy';
import { TrustStore, withinWindow } from './store';

const dir = mkdtempSync(path.join(tmpdir(), 'signet-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trust store', () => {
  const store = new TrustStore(dir);
  const cosignPub = readFileSync(vector('containers-image', 'cosign.pub'), 'utf8');
  const gpgPub = readFileSync(vector('containers-image', 'public-key.gpg'), 'utf8');

  it('adds public keys and OpenPGP keys with fingerprints, persisted in trust.json', async () => {
    const key = await store.add({ name: 'cosign test key', data: cosignPub, scopes: ['registry.example.com/team'] });
    expect(key).toMatchObject({ kind: 'public-key', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const pgp = await store.add({ name: 'skopeo testing key', data: gpgPub, notAfter: '2030-01-01T00:00:00Z' });
    expect(pgp).toMatchObject({ kind: 'openpgp', fingerprint: '08CD26E446E2E95249B7A405E932F44B23E8DD43', keyId: 'E932F44B23E8DD43' });
    const reread = await new TrustStore(dir).list();
    expect(reread.map((e) => e.name)).toEqual(['cosign test key', 'skopeo testing key']);
    expect(JSON.parse(readFileSync(path.join(dir, 'trust.json'), 'utf8')).version).toBe(1);
  });

  it.each([
    ['the same key twice', () => cosignPub, 'trusted already'],
    [
      'a private key',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'private key',
    ],
    ['junk', () => 'hello', 'Give a PEM public key'],
  ])('refuses %s and stores nothing', async (_what, data, reason) => {
    const before = readFileSync(path.join(dir, 'trust.json'), 'utf8');
    await expect(store.add({ name: `n-${_what}`, data: data() })).rejects.toThrow(reason);
    expect(readFileSync(path.join(dir, 'trust.json'), 'utf8')).toBe(before);
  });

  it('validity windows judge the claimed signing time', () => {
    const entry = { notAfter: '2026-01-01T00:00:00Z' };
    expect(withinWindow(entry, new Date('2025-06-01T00:00:00Z')).ok).toBe(true);
    expect(withinWindow(entry, new Date('2026-06-01T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('before 2026-01-01'),
    });
  });

  it('exports a policy podman reads: signedBy for OpenPGP, sigstoreSigned + matchRepository for keys, scopes inherit unscoped keys', async () => {
    const out = exportPolicy(await store.entries(), {
      keyDir: '/etc/containers/keys/signet',
      embed: false,
      fallback: 'reject',
      lookaside: 'https://sigs.example.com',
    });
    const policy = parsePolicy(out.policy);
    expect(policy.default).toEqual([{ type: 'reject' }]);
    expect(policy.transports.docker!['']).toEqual([
      {
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: '/etc/containers/keys/signet/skopeo-testing-key.asc',
        signedIdentity: { type: 'matchRepoDigestOrExact' },
      },
    ]);
    expect(policy.transports.docker!['registry.example.com/team']!.map((r) => r.type)).toEqual(['signedBy', 'sigstoreSigned']);
    expect(policy.transports.docker!['registry.example.com/team']![1]).toMatchObject({
      keyPath: '/etc/containers/keys/signet/cosign-test-key.pub',
      signedIdentity: { type: 'matchRepository' },
    });
    expect(out.registriesD).toContain('lookaside: https://sigs.example.com');
    expect(out.registriesD).toContain('use-sigstore-attachments: true');
    expect(out.warnings.join(' ')).toContain('one signature of each kind');
    expect(out.keyFiles).toHaveLength(2);
  });

  it('removes by name or id', async () => {
    await store.remove('cosign test key');
    expect((await store.list()).map((e) => e.name)).toEqual(['skopeo testing key']);
    await expect(store.remove('nope')).rejects.toThrow('There is no trust entry');
  });
});

describe('Notation named stores', () => {
  const notationDir = mkdtempSync(path.join(tmpdir(), 'signet-trust-notation-'));
  afterAll(() => rmSync(notationDir, { recursive: true, force: true }));
  const store = new TrustStore(notationDir);
  const e2e = readFileSync(vector('notation', 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'), 'utf8');

  it('a self-signed certificate goes into ca:NAME, and joins another store when added again', async () => {
    expect(await store.add({ name: 'e2e', data: e2e, stores: ['ca:e2e'] })).toMatchObject({ kind: 'certificate', stores: ['ca:e2e'] });
    expect(await store.add({ name: 'e2e again', data: e2e, stores: ['signingAuthority:e2e'] })).toMatchObject({
      name: 'e2e',
      stores: ['ca:e2e', 'signingAuthority:e2e'],
    });
    expect(await store.list()).toHaveLength(1);
  });

  it('refuses a public key in a store, and a non-CA certificate in a tsa store', async () => {
    await expect(
      store.add({ name: 'key', data: readFileSync(vector('containers-image', 'cosign.pub'), 'utf8'), stores: ['ca:x'] }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('Only certificates') });
    await expect(store.add({ name: 'tsa', data: e2e, stores: ['tsa:x'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('self-signed root CA'),
    });
  });
});
