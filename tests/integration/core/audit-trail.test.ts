import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Entry {
  type: string;
  summary: string;
  outcome?: string;
  details: Record<string, string | number | boolean>;
}

/**
 * What an auditor finds after ordinary use: registry and storage changes, a failed signing
 * attempt with its reason code, and the verifications a person asked for, not the passive
 * checks a view makes while browsing.
 */
describe('the audit trail', () => {
  let registry: RegistryHandle;
  let core: Core;
  let dataDir: string;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const entries = async () =>
    (
      (await call<{ entries: Entry[] }>('audit.list', { limit: 1000 })) as { ok: true; value: { entries: Entry[] } }
    ).value.entries.reverse();

  beforeAll(async () => {
    registry = await startRegistry();
    dataDir = mkdtempSync(path.join(tmpdir(), 'signet-audit-trail-'));
    core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('records registry and storage changes, failed attempts with their code, and only requested verifications', async () => {
    const image = await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'audit' });
    const added = await call<{ id: string }>('registry.add', { host: registry.host });
    if (!added.ok) throw new Error(added.message);
    const id = added.value.id;
    await call('registry.edit', { id, lookaside: '/srv/lookaside' });
    await call('storage.add', { name: 'local', kind: 'directory', path: path.join(dataDir, 'bucket'), credential: { source: 'none' } });
    const failed = await call('signatures.sign', { id, repository: 'team/app', digest: image.digest, key: 'no-such-key' });
    expect(failed.ok).toBe(false);
    await call('signatures.verify', { id, repository: 'team/app', digest: image.digest });
    await call('signatures.verify', { id, repository: 'team/app', digest: image.digest, requested: true });
    await call('registry.remove', { id });

    const log = await entries();
    const types = log.map((e) => e.type);
    expect(types).toEqual([
      'registry.changed',
      'registry.changed',
      'storage.changed',
      'image.signed',
      'image.verified',
      'registry.changed',
    ]);
    expect(log[3]).toMatchObject({
      outcome: 'failed',
      details: {
        call: 'signatures.sign',
        code: 'KEY_NOT_FOUND',
        key: 'no-such-key',
        repository: 'team/app',
        digest: image.digest,
        format: 'cosign',
      },
    });
    expect(log[4]).toMatchObject({ details: { verdict: 'unsigned', code: 'UNSIGNED' } });
    expect((await call<{ intact: boolean }>('audit.verify', {})) as Outcome<{ intact: boolean }>).toMatchObject({
      ok: true,
      value: { intact: true },
    });
  });
});
