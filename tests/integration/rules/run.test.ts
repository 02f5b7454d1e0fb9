import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import type { DryRun, RuleRun } from '../../../shared/models/rules';
import { pushTestImage, startRegistry, waitFor, type RegistryHandle } from '../../harness';
import { cosignSignatures, ok } from './helpers';

describe('signing rules on existing images, against the real registry', () => {
  let registry: RegistryHandle;
  let core: Core;
  let dataDir: string;
  let id: string;
  let pem: string;
  const images: Record<string, string> = {};
  beforeAll(async () => {
    registry = await startRegistry();
    for (const [repo, tag] of [
      ['team/app', '1.0'],
      ['team/app', '1.1'],
      ['team/app', 'dev'],
      ['team/api', '1.0'],
      ['team/tools/lint', '1.0'],
      ['other/app', '1.0'],
    ] as const)
      images[`${repo}:${tag}`] = (await pushTestImage(registry.url, repo, tag, { seed: `${repo}:${tag}` })).digest;
    dataDir = mkdtempSync(path.join(tmpdir(), 'signet-rules-'));
    core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
    id = (await ok<{ id: string }>(core.dispatch('registry.add', { host: registry.host }))).id;
    await ok(core.dispatch('keys.generate', { name: 'officer', type: 'ecdsa-p256' }));
    pem = (await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'officer' }))).exports.pem;
  });
  afterAll(() => registry?.stop());

  const rule = (over: Record<string, unknown> = {}) => ({
    name: 'team/release',
    description: 'Release tags of team',
    registry: id,
    namespace: 'team',
    repositories: '*',
    tags: '{1.*,2.*}',
    key: 'officer',
    formats: ['cosign'],
    trigger: 'manual',
    enabled: true,
    exclusive: false,
    ...over,
  });

  it('refuses a bad rule field by field, and a second rule for a TCR namespace', async () => {
    const bad = (await core.dispatch('rules.add', rule({ name: 'Team', tags: 'v{1' }))) as { ok: false; message: string };
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/name: A rule name is lower case/);
    expect(bad.message).toMatch(/tags: .*never closed/);
    await ok(core.dispatch('rules.add', rule({ name: 'tcr-one', exclusive: true, namespace: 'other' })));
    const second = (await core.dispatch('rules.add', rule({ name: 'tcr-two', namespace: 'other' }))) as {
      ok: false;
      code: string;
      message: string;
    };
    expect(second).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(second.message).toContain('tcr-one');
    await ok(core.dispatch('rules.remove', { name: 'tcr-one' }));
    expect(await core.dispatch('rules.add', rule({ name: 'no-key', key: 'nobody' }))).toMatchObject({ ok: false, code: 'KEY_NOT_FOUND' });
    const notation = (await core.dispatch('rules.add', rule({ name: 'no-chain', formats: ['cosign', 'notation'] }))) as {
      ok: false;
      code: string;
      message: string;
    };
    expect(notation).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('X.509 certificate chain') });
  });

  it('dry run lists what the rule matches and what it would sign; the run signs exactly that, audited per image', async () => {
    await ok(core.dispatch('rules.add', rule()));
    const dry = await ok<DryRun>(core.dispatch('rules.dryRun', { name: 'team/release' }));
    // `*` stops at "/": team/tools/lint is not matched; dev is not a release tag; other/ is another namespace.
    expect(dry.matches.map((m) => `${m.repository}:${m.tag}`)).toEqual(['team/api:1.0', 'team/app:1.0', 'team/app:1.1']);
    expect(dry.matches.every((m) => m.wouldSign.join() === 'cosign' && m.signed.length === 0)).toBe(true);
    expect(dry.namespace).toEqual({ name: 'team', images: 3, signed: 0, unsigned: 3 });
    expect(dry.matches.map((m) => m.digest)).toEqual([images['team/api:1.0'], images['team/app:1.0'], images['team/app:1.1']]);

    const run = await ok<RuleRun>(core.dispatch('rules.run', { name: 'team/release' }));
    expect(run).toMatchObject({ status: 'completed', trigger: 'manual', counts: { signed: 3, alreadySigned: 0, failed: 0 } });
    for (const m of dry.matches) {
      const sigs = await cosignSignatures(registry, m.repository, m.digest, pem);
      expect(sigs).toMatchObject({ count: 1, verified: 1 });
      expect(sigs.payloads[0]).toContain('"dev.signet.rule":"team/release"');
    }
    expect((await cosignSignatures(registry, 'team/app', images['team/app:dev'] as string, pem)).count).toBe(0);
    expect((await cosignSignatures(registry, 'team/tools/lint', images['team/tools/lint:1.0'] as string, pem)).count).toBe(0);

    const audit = await ok<{ entries: Array<{ type: string; details: Record<string, unknown> }> }>(core.dispatch('audit.list', {}));
    const signed = audit.entries.filter((e) => e.type === 'image.signed');
    expect(signed).toHaveLength(3);
    expect(signed.every((e) => e.details.rule === 'team/release' && e.details.call === 'rules.run')).toBe(true);
    expect(audit.entries.find((e) => e.type === 'rule.ran')?.details).toMatchObject({ rule: 'team/release' });
  });

  it('is idempotent: the second run and the dry run find everything signed, and sign nothing', async () => {
    const dry = await ok<DryRun>(core.dispatch('rules.dryRun', { name: 'team/release' }));
    expect(
      dry.matches.every((m) => m.wouldSign.length === 0 && m.signed.join() === 'cosign' && m.signedBy?.join() === 'team/release'),
    ).toBe(true);
    expect(dry.namespace).toEqual({ name: 'team', images: 3, signed: 3, unsigned: 0 });
    const run = await ok<RuleRun>(core.dispatch('rules.run', { name: 'team/release' }));
    expect(run.counts).toMatchObject({ signed: 0, alreadySigned: 3, failed: 0 });
    const list = await ok<{ runs: RuleRun[] }>(core.dispatch('rules.list', {}));
    expect(list.runs.map((r) => r.counts.signed)).toEqual([0, 3]);
  });

  it('a run cut short by a killed registry is resumed by the next: no duplicate, no lost signature', async () => {
    const repo = 'team/bulk';
    const digests: string[] = [];
    for (let i = 0; i < 12; i++) digests.push((await pushTestImage(registry.url, repo, `1.${i}`, { seed: `bulk-${i}` })).digest);
    await ok(core.dispatch('rules.add', rule({ name: 'bulk', repositories: 'bulk', tags: '**' })));
    const journal = path.join(dataDir, 'rules', 'journal', 'bulk.jsonl');
    const running = core.dispatch('rules.run', { name: 'bulk', jobId: 'bulk-1' });
    await waitFor(
      () => {
        try {
          return (
            readFileSync(journal, 'utf8')
              .split('\n')
              .filter((l) => l.includes('"outcome":"signed"')).length >= 3
          );
        } catch {
          return false;
        }
      },
      'three signatures',
      60_000,
    );
    await registry.kill();
    const cut = await ok<RuleRun>(running);
    expect(cut.status).toBe('failed');
    expect(cut.counts.signed).toBeGreaterThanOrEqual(3);
    expect(cut.counts.signed).toBeLessThan(12);
    expect(cut.items.at(-1)).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/reach|answer/) });

    await registry.restart();
    const resumed = await ok<RuleRun>(core.dispatch('rules.run', { name: 'bulk' }));
    expect(resumed).toMatchObject({ status: 'completed', resumed: cut.id });
    expect(resumed.counts.signed + resumed.counts.alreadySigned).toBe(12);
    // A signature the registry took just before it died (journaled as intended, not as done) is found, not made again.
    expect(resumed.counts.signed).toBeLessThanOrEqual(12 - cut.counts.signed);
    expect(resumed.items.filter((i) => i.outcome === 'already-signed' && i.message?.includes(cut.id))).toHaveLength(cut.counts.signed);
    for (const digest of digests) expect(await cosignSignatures(registry, repo, digest, pem)).toMatchObject({ count: 1, verified: 1 });

    const again = await ok<RuleRun>(core.dispatch('rules.run', { name: 'bulk' }));
    expect(again.resumed).toBeUndefined();
    expect(again.counts).toMatchObject({ signed: 0, alreadySigned: 12 });
  });

  it('cancels between images; what was signed stays, the rest is signed by the next run', async () => {
    const repo = 'team/cancel';
    for (let i = 0; i < 6; i++) await pushTestImage(registry.url, repo, `1.${i}`, { seed: `cancel-${i}` });
    await ok(core.dispatch('rules.add', rule({ name: 'cancel-me', repositories: 'cancel', tags: '**' })));
    const running = core.dispatch('rules.run', { name: 'cancel-me', jobId: 'cancel-job' });
    const journal = path.join(dataDir, 'rules', 'journal', 'cancel-me.jsonl');
    await waitFor(
      () => {
        try {
          return readFileSync(journal, 'utf8').includes('"outcome":"signed"');
        } catch {
          return false;
        }
      },
      'one signature',
      60_000,
    );
    expect(await ok(core.dispatch('rules.cancel', { jobId: 'cancel-job' }))).toEqual({ cancelled: true });
    const run = await ok<RuleRun>(running);
    expect(run.status).toBe('cancelled');
    expect(run.counts.cancelled).toBeGreaterThan(0);
    const next = await ok<RuleRun>(core.dispatch('rules.run', { name: 'cancel-me' }));
    expect(next.counts.signed + run.counts.signed).toBe(6);
  });

  it('read-only reviewer mode refuses rule writes and runs, and allows the dry run', async () => {
    const reviewer = createCore({ dataDir, host: 'web', readOnly: true, keySecrets: new MemorySecretStore() });
    expect(await reviewer.dispatch('rules.run', { name: 'team/release' })).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect(await reviewer.dispatch('rules.add', rule({ name: 'sneaky' }))).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect(await reviewer.dispatch('rules.remove', { name: 'team/release' })).toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect(await reviewer.dispatch('rules.list', {})).toMatchObject({ ok: true });
  });

  it('deleting a rule keeps its signatures and says how many', async () => {
    expect(await ok(core.dispatch('rules.signatures', { name: 'team/release' }))).toEqual({ made: 3 });
    expect(await ok(core.dispatch('rules.remove', { name: 'team/release' }))).toEqual({
      removed: 'team/release',
      signaturesKept: 3,
      signaturesDeleted: 0,
      problems: [],
    });
    expect((await cosignSignatures(registry, 'team/app', images['team/app:1.0'] as string, pem)).count).toBe(1);
  });

  it('deleting a rule with its signatures, as TCR does, deletes exactly the ones that rule made', async () => {
    const bulk = await ok<DryRun>(core.dispatch('rules.dryRun', { name: 'bulk' }));
    expect(bulk.matches).toHaveLength(12);
    // Another signature by the same key on one of the images, made by hand: it is not the rule's, and stays.
    const first = bulk.matches[0] as DryRun['matches'][number];
    await ok(core.dispatch('signatures.sign', { id, repository: first.repository, digest: first.digest, key: 'officer' }));
    const gone = await ok<{ signaturesDeleted: number; signaturesKept: number; problems: string[] }>(
      core.dispatch('rules.remove', { name: 'bulk', deleteSignatures: true }),
    );
    expect(gone).toEqual({ removed: 'bulk', signaturesDeleted: 12, signaturesKept: 0, problems: [] });
    for (const m of bulk.matches) expect((await cosignSignatures(registry, m.repository, m.digest, pem)).count).toBe(m === first ? 1 : 0);
    expect((await cosignSignatures(registry, first.repository, first.digest, pem)).payloads[0]).not.toContain('dev.signet.rule');
  });
});
