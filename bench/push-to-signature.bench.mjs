// Sign on push: a burst of N pushes to Debian's docker-registry, whose notifications reach
// Signet's rules listener (4 images signed at once); the latency of each image, from the end of
// its push to its cosign signature being confirmed in the registry. Reports p50 and p95.
// Goal: p95 under 30 s for a burst of 200 on a 2-core machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const PUSHES = Number(process.env.SIGNET_BENCH_PUSHES ?? 200);
const SECRET = 'bench-shared-secret-0123456789';

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function run() {
  const { startRegistry, pushTestImage, createCore, MemorySecretStore, startRulesListener } = await tsImport(
    './support.ts',
    import.meta.url,
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-bench-push-'));
  const core = createCore({ dataDir, host: 'cli', origin: 'rules', keySecrets: new MemorySecretStore() });
  const pushedAt = new Map();
  const latencies = [];
  let resolveAll;
  const all = new Promise((resolve) => (resolveAll = resolve));
  const listener = await startRulesListener({
    dataDir,
    dispatch: core.dispatch,
    secret: SECRET,
    port: 0,
    concurrency: 4,
    onRun: (push, result) => {
      if ('failed' in result || !result.counts.signed) return;
      const at = pushedAt.get(push.reference);
      if (at !== undefined) latencies.push(Date.now() - at);
      if (latencies.length >= PUSHES) resolveAll();
    },
  });
  let id;
  const registry = await startRegistry({
    notifications: async (host) => {
      const added = await core.dispatch('registry.add', { host, saveAnyway: true });
      if (!added.ok) throw new Error(added.message);
      id = added.value.id;
      return [
        {
          url: `${listener.url}/events/${id}`,
          headers: { Authorization: `Bearer ${SECRET}` },
          timeout: '5s',
          backoff: '200ms',
          threshold: 5,
        },
      ];
    },
  });
  try {
    await core.dispatch('keys.generate', { name: 'bench', type: 'ecdsa-p256' });
    const added = await core.dispatch('rules.add', {
      name: 'bench',
      description: '',
      registry: id,
      namespace: 'bench',
      repositories: '**',
      tags: '**',
      key: 'bench',
      formats: ['cosign'],
      trigger: 'event+manual',
      enabled: true,
      exclusive: false,
    });
    if (!added.ok) throw new Error(added.message);
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const i = next++;
          if (i >= PUSHES) return;
          await pushTestImage(registry.url, 'bench/app', `p${i}`, { seed: `push-${i}` });
          pushedAt.set(`p${i}`, Date.now());
        }
      }),
    );
    const timeout = setTimeout(() => resolveAll(), 600_000);
    await all;
    clearTimeout(timeout);
    await listener.idle();
    const totalMs = Date.now() - started;
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = pct(sorted, 50);
    const p95 = pct(sorted, 95);
    return {
      summary: `${latencies.length} of ${PUSHES} pushes signed in ${(totalMs / 1000).toFixed(1)} s; push-to-signature p50 ${(p50 / 1000).toFixed(1)} s, p95 ${(p95 / 1000).toFixed(1)} s`,
      goal: `every push signed; p95 < 30 s for a burst of ${PUSHES}`,
      met: latencies.length === PUSHES && p95 < 30_000,
      p50,
      p95,
      totalMs,
      signed: latencies.length,
    };
  } finally {
    await listener.close();
    await registry.stop();
  }
}
