import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import type { DryRun, RuleRun } from '../../../shared/models/rules';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';
import { ok } from './helpers';

const exec = promisify(execFile);

/**
 * Each format decides "already signed by this key" its own way: cosign by the key, Notation by the leaf certificate, simple signing by the
 * OpenPGP fingerprint.
 */
describe('rules in every format Signet writes', () => {
  let registry: RegistryHandle;
  let core: Core;
  let id: string;
  const lookaside = mkdtempSync(path.join(tmpdir(), 'signet-rules-lookaside-'));
  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', 'v1', { seed: 'formats-1' });
    await pushTestImage(registry.url, 'team/app', 'v2', { seed: 'formats-2' });
    core = createCore({
      dataDir: mkdtempSync(path.join(tmpdir(), 'signet-rules-formats-')),
      host: 'cli',
      keySecrets: new MemorySecretStore(),
    });
    id = (await ok<{ id: string }>(core.dispatch('registry.add', { host: registry.host, lookaside }))).id;
    await ok(core.dispatch('keys.generate', { name: 'x509', type: 'x509-ecdsa-p256', userId: 'release.example.com' }));
    await ok(core.dispatch('keys.generate', { name: 'pgp', type: 'pgp-ed25519', userId: 'Release <release@example.com>' }));
  });
  afterAll(() => registry?.stop());

  const base = {
    description: '',
    registry: '',
    namespace: 'team',
    repositories: '**',
    tags: 'v*',
    trigger: 'manual',
    enabled: true,
    exclusive: false,
  };

  it('cosign and Notation with one x509 key: signed once each, then found signed', async () => {
    await ok(core.dispatch('rules.add', { ...base, registry: id, name: 'x509-rule', key: 'x509', formats: ['cosign', 'notation'] }));
    const first = await ok<RuleRun>(core.dispatch('rules.run', { name: 'x509-rule' }));
    expect(first.counts).toMatchObject({ signed: 4, alreadySigned: 0, failed: 0 });
    const dry = await ok<DryRun>(core.dispatch('rules.dryRun', { name: 'x509-rule' }));
    expect(dry.matches.map((m) => [m.tag, m.signed.sort().join(), m.wouldSign.length])).toEqual([
      ['v1', 'cosign,notation', 0],
      ['v2', 'cosign,notation', 0],
    ]);
    const second = await ok<RuleRun>(core.dispatch('rules.run', { name: 'x509-rule' }));
    expect(second.counts).toMatchObject({ signed: 0, alreadySigned: 4 });
    const report = await ok<{ signatures: Array<{ format: string; verdict: string }> }>(
      core.dispatch('signatures.verify', { id, repository: 'team/app', digest: dry.matches[0]!.digest }),
    );
    expect(report.signatures.map((s) => s.format).sort()).toEqual(['cosign', 'notation']);
  });

  it('simple signing with an OpenPGP key into the registry’s lookaside: signed once, then found signed', async () => {
    await ok(core.dispatch('rules.add', { ...base, registry: id, name: 'pgp-rule', key: 'pgp', formats: ['simplesigning'] }));
    const first = await ok<RuleRun>(core.dispatch('rules.run', { name: 'pgp-rule' }));
    expect(first.counts).toMatchObject({ signed: 2, failed: 0 });
    const second = await ok<RuleRun>(core.dispatch('rules.run', { name: 'pgp-rule' }));
    expect(second.counts).toMatchObject({ signed: 0, alreadySigned: 2 });
    const files = readdirSync(lookaside, { recursive: true })
      .map(String)
      .filter((f) => /signature-\d+$/.test(f));
    expect(files).toHaveLength(2);
  });

  it('.asc files for Huawei SWR into a storage profile: gpg decrypts each with exit status 0, signed once, then found signed', async () => {
    const bucket = mkdtempSync(path.join(tmpdir(), 'signet-rules-asc-'));
    await ok(core.dispatch('storage.add', { name: 'swr-drop', kind: 'directory', path: bucket, credential: { source: 'none' } }));
    // Without a place for the files the rule is refused, in words.
    const refused = (await core.dispatch('rules.add', { ...base, registry: id, name: 'asc-nowhere', key: 'pgp', formats: ['asc'] })) as {
      ok: boolean;
      message: string;
    };
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/storage profile/) });
    await ok(
      core.dispatch('rules.add', { ...base, registry: id, name: 'asc-rule', key: 'pgp', formats: ['asc'], asc: { profile: 'swr-drop' } }),
    );
    const first = await ok<RuleRun>(core.dispatch('rules.run', { name: 'asc-rule' }));
    expect(first.counts).toMatchObject({ signed: 2, failed: 0 });
    const second = await ok<RuleRun>(core.dispatch('rules.run', { name: 'asc-rule' }));
    expect(second.counts).toMatchObject({ signed: 0, alreadySigned: 2 });
    const files = readdirSync(bucket, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.asc'));
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.startsWith(path.join('team', 'app')))).toBe(true);
    // gpg, not Signet, checks each: its exit status (execFile rejects on non-zero) and the payload it recovers.
    const pub = await ok<{ exports: { pgp?: string } }>(core.dispatch('keys.get', { key: 'pgp' }));
    const gnupg = mkdtempSync(path.join(tmpdir(), 'signet-rules-gpg-'));
    writeFileSync(path.join(gnupg, 'key.asc'), pub.exports.pgp ?? '');
    await exec('gpg', ['--batch', '--homedir', gnupg, '--import', path.join(gnupg, 'key.asc')]);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(path.join(bucket, f), 'utf8')) as { Signature: string };
      writeFileSync(path.join(gnupg, 'msg.asc'), Buffer.from(doc.Signature, 'base64'));
      const out = await exec('gpg', ['--batch', '--homedir', gnupg, '--decrypt', path.join(gnupg, 'msg.asc')]);
      expect(out.stdout).toContain(`"docker-manifest-digest":"sha256:${path.basename(f, '.asc')}"`);
    }
    await exec('gpgconf', ['--homedir', gnupg, '--kill', 'all']).catch(() => undefined);
  });

  it('a key that cannot make a format is refused at save, in words', async () => {
    const refused = (await core.dispatch('rules.add', { ...base, registry: id, name: 'pgp-cosign', key: 'pgp', formats: ['cosign'] })) as {
      ok: false;
      message: string;
    };
    expect(refused.message).toMatch(/cannot sign cosign/);
  });
});
