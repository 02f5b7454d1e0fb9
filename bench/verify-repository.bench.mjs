// Verifying every cosign signature of a 1,000-tag repository against the registry's own request
// ceiling: the same three requests per tag (manifest, signature image, payload) made by a bare
// fetch loop at the same concurrency. Goal: Signet's time ≤ 1.3× the ceiling.
import { generateKeyPairSync, sign } from 'node:crypto';
import { tsImport } from 'tsx/esm/api';

const TAGS = Number(process.env.SIGNET_BENCH_TAGS ?? 1000);
const CONCURRENCY = 8;

export async function run() {
  const { startRegistry, pushTestImage, RegistryClient, signCosign, verifyTags } = await tsImport('./support.ts', import.meta.url);
  const registry = await startRegistry();
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signer = {
      describe: () => ({ keyId: 'bench', provider: 'software', algorithm: 'ecdsa-p256-sha256', label: 'bench', spkiSha256: '' }),
      publicKeyPem: async () => pem,
      sign: async (d) => sign('sha256', d, privateKey),
    };
    const setupClient = new RegistryClient({ registry: registry.host, maxConcurrency: 16 });
    const setupStart = Date.now();
    const digests = new Array(TAGS);
    for (let i = 0; i < TAGS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, TAGS - i) }, async (_, j) => {
          const image = await pushTestImage(registry.url, 'bench/app', `t${i + j}`, { seed: String(i + j) });
          digests[i + j] = image.digest;
          await signCosign({ source: setupClient, registryHost: registry.host, repository: 'bench/app', digest: image.digest, signer });
        }),
      );
    }
    const setupMs = Date.now() - setupStart;
    const tags = Array.from({ length: TAGS }, (_, i) => `t${i}`);

    // The ceiling: bare requests, no parsing or checking.
    const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
    const base = registry.url;
    const payloadOf = new Map();
    for (const [i, d] of digests.entries()) {
      const sig = JSON.parse(
        await (await fetch(`${base}/v2/bench/app/manifests/${d.replace(':', '-')}.sig`, { headers: { Accept: accept } })).text(),
      );
      payloadOf.set(i, sig.layers[0].digest);
    }
    const ceilingStart = process.hrtime.bigint();
    let cursor = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = cursor++;
          if (i >= TAGS) return;
          await (await fetch(`${base}/v2/bench/app/manifests/t${i}`, { headers: { Accept: accept } })).arrayBuffer();
          await (
            await fetch(`${base}/v2/bench/app/manifests/${digests[i].replace(':', '-')}.sig`, { headers: { Accept: accept } })
          ).arrayBuffer();
          await (await fetch(`${base}/v2/bench/app/blobs/${payloadOf.get(i)}`)).arrayBuffer();
        }
      }),
    );
    const ceilingMs = Number(process.hrtime.bigint() - ceilingStart) / 1e6;

    const client = new RegistryClient({ registry: registry.host, maxConcurrency: CONCURRENCY });
    const start = process.hrtime.bigint();
    const verdicts = await verifyTags(client, 'bench/app', tags, [pem], CONCURRENCY);
    const signetMs = Number(process.hrtime.bigint() - start) / 1e6;
    const verified = verdicts.filter((v) => v.verdict === 'verified').length;
    if (verified !== TAGS) throw new Error(`only ${verified} of ${TAGS} verified`);
    const ratio = signetMs / ceilingMs;
    return {
      tags: TAGS,
      setupMs,
      ceilingMs,
      signetMs,
      ratio,
      summary: `${TAGS} tags verified in ${signetMs.toFixed(0)} ms vs the bare-request ceiling ${ceilingMs.toFixed(0)} ms (${ratio.toFixed(2)}×; setup ${(setupMs / 1000).toFixed(0)} s)`,
      goal: '≤ 1.3× the ceiling',
      met: ratio <= 1.3,
    };
  } finally {
    await registry.stop();
  }
}
