import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, contract } from '../../shared/api';
import { createCore } from './core';

function core(readOnly = false) {
  const logs: string[] = [];
  const instance = createCore({
    dataDir: mkdtempSync(path.join(tmpdir(), 'signet-core-')),
    host: 'cli',
    readOnly,
    log: (line) => logs.push(line),
    doctor: {
      probeKeychain: async () => ({ backend: 'test', reachable: false, reason: 'not here' }),
      findPkcs11Modules: async () => [],
      probeTools: async () => [],
    },
  });
  return { instance, logs };
}

describe('dispatch', () => {
  it('answers a known call with an ok envelope', async () => {
    const result = await core().instance.dispatch('app.info', {});
    expect(result).toMatchObject({ ok: true, value: { name: 'Signet', host: 'cli', readOnly: false } });
  });

  it('refuses unknown calls and prototype names', async () => {
    for (const name of ['nope.call', '__proto__', 'constructor', 42]) {
      expect(await core().instance.dispatch(name, {})).toMatchObject({ ok: false, code: 'UNKNOWN_CALL' });
    }
  });

  it('refuses input that breaks the schema, without echoing it', async () => {
    const result = await core().instance.dispatch('doctor.run', { jobId: 'bad id with spaces', secret: 'hunter2' });
    expect(result).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('reports progress as events tied to the job id', async () => {
    const { instance } = core();
    const seen: string[] = [];
    instance.events.subscribe((e) => seen.push(`${e.payload.jobId}:${e.payload.done}/${e.payload.total}`));
    const result = await instance.dispatch('doctor.run', { jobId: 'job-1' });
    expect(result.ok).toBe(true);
    expect(seen.at(-1)).toBe('job-1:5/5');
    expect(seen[0]).toBe('job-1:0/5');
  });

  it('crosses failures as a code and a sentence, never a stack', async () => {
    const { instance } = core();
    const failing = createCore({ dataDir: '/proc/signet-cannot-exist/x', host: 'cli', log: () => undefined });
    const result = await failing.dispatch('settings.get', {});
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at /);
    expect(instance.readOnly).toBe(false);
  });

  it('in reviewer mode refuses every call that changes anything, here or elsewhere, before reading its input', async () => {
    const { instance } = core(true);
    const refused: string[] = [];
    for (const name of CALL_NAMES) {
      const result = await instance.dispatch(name, {});
      if (!result.ok && result.code === 'READ_ONLY') refused.push(name);
    }
    expect(refused.sort()).toEqual(CALL_NAMES.filter((n) => contract[n].effect !== 'read').sort());
    // The calls the independent check found succeeding in reviewer mode.
    for (const name of [
      'settings.set',
      'storage.add',
      'storage.upload',
      'storage.publish',
      'storage.lookaside',
      'registry.add',
      'registry.remove',
      'offline.import',
      'offline.export',
      'keys.generate',
      'keys.retire',
      'keys.vaultUnlock',
    ]) {
      expect(refused).toContain(name);
    }
  });

  it('in reviewer mode names no folder or server on the host: storage reads take saved profiles as they are', async () => {
    const { instance } = core(true);
    expect(await instance.dispatch('storage.download', { target: { kind: 'directory', path: '/etc' }, key: 'passwd' })).toMatchObject({
      ok: false,
      code: 'READ_ONLY',
    });
    expect(await instance.dispatch('storage.objects', { target: { kind: 'directory', path: '/etc' } })).toMatchObject({
      ok: false,
      code: 'READ_ONLY',
    });
  });

  it('a saved storage profile cannot be pointed at another endpoint, bucket or folder: its credentials would follow', async () => {
    const { instance } = core();
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-profile-'));
    expect(
      await instance.dispatch('storage.add', { name: 'prod', kind: 'directory', path: dir, credential: { source: 'none' } }),
    ).toMatchObject({ ok: true });
    expect(await instance.dispatch('storage.objects', { target: { profile: 'prod', path: '/etc' } })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(await instance.dispatch('storage.objects', { target: { profile: 'prod', endpoint: 'http://127.0.0.1:9' } })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(await instance.dispatch('storage.objects', { target: { profile: 'prod', awsProfile: 'other' } })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(await instance.dispatch('storage.objects', { target: { profile: 'prod' } })).toMatchObject({ ok: true });
  });
});
