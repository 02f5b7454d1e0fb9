import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { startRulesListener, type RulesListener } from '../../../electron/core/rules/listener';
import { RegistryClient } from '../../../electron/core/registry/client';
import { pushTestImage, startRegistry, waitFor, type RegistryHandle } from '../../harness';
import { cosignSignatures, ok } from './helpers';

const SECRET = 'a-shared-secret-for-the-test-0123';

/** Pushes with a few in flight at a time, as a CI pipeline would. */
async function pushMany(registry: RegistryHandle, repository: string, tags: string[], inFlight = 6): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const tag = tags[next++];
        if (tag === undefined) return;
        digests[tag] = (await pushTestImage(registry.url, repository, tag, { seed: `${repository}:${tag}` })).digest;
      }
    }),
  );
  return digests;
}

describe('sign on push: docker-registry notifications to `signet rules serve`', () => {
  let registry: RegistryHandle;
  let core: Core;
  let listener: RulesListener;
  let id = '';
  let pem: string;
  let dataDir: string;
  const post = (body: unknown, auth?: string) =>
    fetch(`${listener.url}/events/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.docker.distribution.events.v1+json', ...(auth ? { Authorization: auth } : {}) },
      body: JSON.stringify(body),
    });
  const signedCount = async () =>
    (await ok<{ entries: Array<{ type: string; outcome: string }> }>(core.dispatch('audit.list', { limit: 1000 }))).entries.filter(
      (e) => e.type === 'image.signed' && e.outcome === 'succeeded',
    ).length;

  /** Waits for a push to be signed; on a timeout, says what the listener saw. */
  const signedSoon = async (repository: string, digest: string) => {
    try {
      await waitFor(
        async () => (await cosignSignatures(registry, repository, digest, pem, false)).count === 1,
        `${repository}@${digest} to be signed`,
        30_000,
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message} The listener saw: ${JSON.stringify(listener.stats())}; log: ${logged.slice(-10).join(' | ')}`,
      );
    }
  };
  const logged: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'signet-rules-push-'));
    core = createCore({ dataDir, host: 'cli', origin: 'rules', keySecrets: new MemorySecretStore() });
    listener = await startRulesListener({
      dataDir,
      dispatch: core.dispatch,
      secret: SECRET,
      port: 0,
      concurrency: 4,
      log: (line) => logged.push(line),
    });
    registry = await startRegistry({
      notifications: async (host) => {
        id = (await ok<{ id: string }>(core.dispatch('registry.add', { host, saveAnyway: true }))).id;
        return [
          {
            url: `${listener.url}/events/${id}`,
            headers: { Authorization: `Bearer ${SECRET}` },
            timeout: '5s',
            backoff: '200ms',
            threshold: 3,
          },
        ];
      },
    });
    await ok(core.dispatch('keys.generate', { name: 'ci', type: 'ecdsa-p256' }));
    pem = (await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'ci' }))).exports.pem;
    await ok(
      core.dispatch('rules.add', {
        name: 'team-on-push',
        description: 'Every v* push of team',
        registry: id,
        namespace: 'team',
        repositories: '**',
        tags: 'v*',
        key: 'ci',
        formats: ['cosign'],
        trigger: 'event+manual',
        enabled: true,
        exclusive: false,
      }),
    );
  });
  afterAll(async () => {
    await listener?.close();
    await registry?.stop();
  });

  it('a matching push is signed within seconds, and the signature verifies', async () => {
    const started = Date.now();
    const image = await pushTestImage(registry.url, 'team/app', 'v1', { seed: 'v1' });
    await signedSoon('team/app', image.digest);
    expect((await cosignSignatures(registry, 'team/app', image.digest, pem)).verified).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    await listener.idle();
    const report = await ok<{ verdict: string }>(core.dispatch('signatures.verify', { id, repository: 'team/app', digest: image.digest }));
    expect(report.verdict).toBe('verified');
    const entry = (
      await ok<{ entries: Array<{ type: string; origin?: { host: string }; details: Record<string, unknown> }> }>(
        core.dispatch('audit.list', {}),
      )
    ).entries.find((e) => e.type === 'image.signed');
    expect(entry).toMatchObject({
      origin: { host: 'rules' },
      details: { rule: 'team-on-push', repository: 'team/app', digest: image.digest },
    });
  });

  it('a push no rule matches is not signed', async () => {
    const before = listener.stats().pushes;
    const dev = await pushTestImage(registry.url, 'team/app', 'dev', { seed: 'dev' });
    const other = await pushTestImage(registry.url, 'other/app', 'v1', { seed: 'other' });
    await waitFor(() => listener.stats().pushes >= before + 2, 'the registry to deliver both events', 30_000);
    await listener.idle();
    expect((await cosignSignatures(registry, 'team/app', dev.digest, pem)).count).toBe(0);
    expect((await cosignSignatures(registry, 'other/app', other.digest, pem)).count).toBe(0);
  });

  it('a forged event without the secret gets 401 and signs nothing; one for a digest the registry lacks signs nothing', async () => {
    const image = await pushTestImage(registry.url, 'lab/app', 'v1', { seed: 'lab' });
    await ok(
      core.dispatch('rules.add', {
        name: 'lab-all',
        description: '',
        registry: id,
        namespace: 'lab',
        repositories: '**',
        tags: '**',
        key: 'ci',
        formats: ['cosign'],
        trigger: 'event+manual',
        enabled: true,
        exclusive: false,
      }),
    );
    const forged = {
      events: [
        {
          id: 'forged-1',
          action: 'push',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.digest, repository: 'lab/app', tag: 'v1' },
        },
      ],
    };
    const unauthorized = listener.stats().unauthorized;
    for (const auth of [undefined, 'Bearer wrong-secret', SECRET, `Bearer ${SECRET}x`, `bearer ${SECRET}`])
      expect((await post(forged, auth)).status).toBe(401);
    expect(listener.stats().unauthorized).toBe(unauthorized + 5);
    const lacking = `sha256:${'e'.repeat(64)}`;
    const before = await signedCount();
    const ghost = {
      events: [
        {
          id: 'ghost-1',
          action: 'push',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: lacking, repository: 'lab/app' },
        },
        {
          id: 'ghost-2',
          action: 'push',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: lacking, repository: 'team/app', tag: 'v404' },
        },
      ],
    };
    expect((await post(ghost, `Bearer ${SECRET}`)).status).toBe(200);
    await listener.idle();
    expect(await signedCount()).toBe(before);
    const tags = (await new RegistryClient({ registry: registry.host }).tags('lab/app')).tags;
    expect(tags).toEqual(['v1']);
    expect((await cosignSignatures(registry, 'lab/app', image.digest, pem)).count).toBe(0);
  });

  it('replayed and duplicated deliveries sign once', async () => {
    const image = await pushTestImage(registry.url, 'team/replay', 'v1', { seed: 'replay' });
    await signedSoon('team/replay', image.digest);
    const event = {
      events: [
        {
          id: 'again',
          action: 'push',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.digest, repository: 'team/replay', tag: 'v1' },
        },
      ],
    };
    await Promise.all(Array.from({ length: 5 }, () => post(event, `Bearer ${SECRET}`)));
    await listener.idle();
    expect((await cosignSignatures(registry, 'team/replay', image.digest, pem)).count).toBe(1);
  });

  it('100 pushes in a burst give exactly 100 signatures', async () => {
    const tags = Array.from({ length: 100 }, (_, i) => `v${i + 1}`);
    const digests = await pushMany(registry, 'team/burst', tags);
    expect(new Set(Object.values(digests)).size).toBe(100);
    const counted = async (check: boolean) =>
      await Promise.all(Object.values(digests).map((d) => cosignSignatures(registry, 'team/burst', d, pem, check)));
    await waitFor(async () => (await counted(false)).every((c) => c.count >= 1), '100 signatures', 180_000);
    await listener.idle();
    const all = await counted(true);
    expect(all.map((c) => c.count)).toEqual(Array.from({ length: 100 }, () => 1));
    expect(all.reduce((n, c) => n + c.verified, 0)).toBe(100);
  }, 240_000);
});

describe('Harbor PUSH_ARTIFACT webhooks (documented Default and CloudEvents shapes) against a real registry', () => {
  let registry: RegistryHandle;
  let core: Core;
  let listener: RulesListener;
  let id: string;
  let pem: string;
  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-rules-harbor-'));
    core = createCore({ dataDir, host: 'cli', origin: 'rules', keySecrets: new MemorySecretStore() });
    registry = await startRegistry();
    id = (await ok<{ id: string }>(core.dispatch('registry.add', { host: registry.host }))).id;
    listener = await startRulesListener({ dataDir, dispatch: core.dispatch, secret: SECRET, port: 0 });
    await ok(core.dispatch('keys.generate', { name: 'harbor-ci', type: 'ecdsa-p256' }));
    pem = (await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'harbor-ci' }))).exports.pem;
    await ok(
      core.dispatch('rules.add', {
        name: 'library',
        description: '',
        registry: id,
        namespace: 'library',
        repositories: '*',
        tags: '**',
        key: 'harbor-ci',
        formats: ['cosign'],
        trigger: 'event+manual',
        enabled: true,
        exclusive: true,
      }),
    );
  });
  afterAll(async () => {
    await listener?.close();
    await registry?.stop();
  });

  it('signs the image a Default payload names, and the one a CloudEvents payload names by digest', async () => {
    const a = await pushTestImage(registry.url, 'library/nginx', 'latest', { seed: 'nginx' });
    const b = await pushTestImage(registry.url, 'library/alpine', '3.20', { seed: 'alpine' });
    const auth = { Authorization: `Bearer ${SECRET}`, 'Content-Type': 'application/json' };
    const byDefault = {
      type: 'PUSH_ARTIFACT',
      occur_at: 1586922308,
      operator: 'admin',
      event_data: {
        resources: [{ digest: a.digest, tag: 'latest', resource_url: `${registry.host}/library/nginx:latest` }],
        repository: { date_created: 1586922308, name: 'nginx', namespace: 'library', repo_full_name: 'library/nginx', repo_type: 'public' },
      },
    };
    const cloud = {
      specversion: '1.0',
      id: '66e18103-09c1-41f6-982f-37df223f3eeb',
      source: '/projects/2/webhook/policies/15',
      type: 'harbor.artifact.pushed',
      datacontenttype: 'application/json',
      time: '2026-11-30T06:04:46Z',
      data: {
        resources: [{ digest: b.digest, tag: b.digest, resource_url: `${registry.host}/library/alpine@${b.digest}` }],
        repository: { name: 'alpine', namespace: 'library', repo_full_name: 'library/alpine', repo_type: 'private' },
      },
      operator: 'harbor-jobservice',
    };
    expect((await fetch(`${listener.url}/events/${id}`, { method: 'POST', headers: auth, body: JSON.stringify(byDefault) })).status).toBe(
      200,
    );
    expect(
      (
        await fetch(`${listener.url}/events/${id}`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/cloudevents+json' },
          body: JSON.stringify(cloud),
        })
      ).status,
    ).toBe(200);
    await listener.idle();
    expect(await cosignSignatures(registry, 'library/nginx', a.digest, pem)).toMatchObject({ count: 1, verified: 1 });
    expect(await cosignSignatures(registry, 'library/alpine', b.digest, pem)).toMatchObject({ count: 1, verified: 1 });
    // Harbor retries a delivery it thinks failed: harmless.
    expect((await fetch(`${listener.url}/events/${id}`, { method: 'POST', headers: auth, body: JSON.stringify(byDefault) })).status).toBe(
      200,
    );
    await listener.idle();
    expect((await cosignSignatures(registry, 'library/nginx', a.digest, pem)).count).toBe(1);
    // A push of a signature (here cosign's signature image, named by digest) is never signed in turn.
    const client = new RegistryClient({ registry: registry.host });
    const sig = await client.manifest('library/alpine', `${b.digest.replace(':', '-')}.sig`);
    const again = {
      ...cloud,
      id: 'sig-push',
      data: {
        ...cloud.data,
        resources: [{ digest: sig.digest, tag: sig.digest, resource_url: `${registry.host}/library/alpine@${sig.digest}` }],
      },
    };
    expect((await fetch(`${listener.url}/events/${id}`, { method: 'POST', headers: auth, body: JSON.stringify(again) })).status).toBe(200);
    await listener.idle();
    expect((await cosignSignatures(registry, 'library/alpine', sig.digest, pem)).count).toBe(0);
  });

  it('a delivery that could not be signed is not a replay: the registry’s retry signs it', async () => {
    const late = {
      type: 'PUSH_ARTIFACT',
      occur_at: 1,
      operator: 'ci',
      event_data: {
        resources: [{ digest: `sha256:${'0'.repeat(64)}`, tag: '1.0', resource_url: `${registry.host}/library/late:1.0` }],
        repository: { name: 'late', namespace: 'library', repo_full_name: 'library/late', repo_type: 'private' },
      },
    };
    const send = () =>
      fetch(`${listener.url}/events/${id}`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` }, body: JSON.stringify(late) });
    expect((await send()).status).toBe(200);
    await listener.idle();
    const image = await pushTestImage(registry.url, 'library/late', '1.0', { seed: 'late' });
    expect((await cosignSignatures(registry, 'library/late', image.digest, pem)).count).toBe(0);
    expect((await send()).status).toBe(200);
    await listener.idle();
    expect((await cosignSignatures(registry, 'library/late', image.digest, pem)).verified).toBe(1);
  });
});

describe('polling, for registries that send no events', () => {
  it('signs a tag that appears after the first look, and not the ones there before', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-rules-poll-'));
    const core = createCore({ dataDir, host: 'cli', origin: 'rules', keySecrets: new MemorySecretStore() });
    const registry = await startRegistry();
    let listener: RulesListener | undefined;
    try {
      const id = (await ok<{ id: string }>(core.dispatch('registry.add', { host: registry.host }))).id;
      await ok(core.dispatch('keys.generate', { name: 'poller', type: 'ecdsa-p256' }));
      const pem = (await ok<{ exports: { pem: string } }>(core.dispatch('keys.get', { key: 'poller' }))).exports.pem;
      await ok(
        core.dispatch('rules.add', {
          name: 'quiet',
          description: '',
          registry: id,
          namespace: 'quiet',
          repositories: '**',
          tags: '**',
          key: 'poller',
          formats: ['cosign'],
          trigger: 'event+manual',
          enabled: true,
          exclusive: false,
        }),
      );
      const old = await pushTestImage(registry.url, 'quiet/app', 'old', { seed: 'old' });
      listener = await startRulesListener({ dataDir, dispatch: core.dispatch, secret: SECRET, port: 0, pollSeconds: 1 });
      const fresh = await pushTestImage(registry.url, 'quiet/app', 'new', { seed: 'new' });
      const other = await pushTestImage(registry.url, 'quiet/tool', 'v1', { seed: 'tool' });
      await waitFor(
        async () =>
          (await cosignSignatures(registry, 'quiet/app', fresh.digest, pem)).verified === 1 &&
          (await cosignSignatures(registry, 'quiet/tool', other.digest, pem)).verified === 1,
        'the new tags to be signed',
        30_000,
      );
      expect((await cosignSignatures(registry, 'quiet/app', old.digest, pem)).count).toBe(0);
    } finally {
      await listener?.close();
      await registry.stop();
    }
  });
});
