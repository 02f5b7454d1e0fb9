// Verifying every tag of a repository that mixes signature formats — cosign signatures, containers/image simple signatures in a
// lookaside served over HTTP, Notation signatures (docker-registry 2.8 has no referrers API: the referrers tag schema) — with the
// real code behind the tag list's "Check all" and `signet tags` (repositoryStatus), against the ceiling: a bare fetch loop making
// exactly the requests each tag strictly needs, in the same order of formats, at the same concurrency. Goal: Signet ≤ 1.2× the ceiling.
// Requests are counted at a counting proxy in front of docker-registry and at the lookaside server.
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const TAGS = Number(process.env.SIGNET_BENCH_TAGS ?? 1000);
const CONCURRENCY = 8;
const ROUNDS = 5;
const KINDS = ['cosign', 'simple', 'notation'];
const kindOf = (i) => KINDS[i % KINDS.length];

/**
 * The counting proxy in front of the registry and the lookaside server (a read-only directory over HTTP), in a worker thread so their
 * work does not share the event loop being measured. Each counts the requests it answers.
 */
const SERVERS = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const counts = { registry: 0, lookaside: 0, registryConnections: 0, lookasideConnections: 0 };
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const proxy = http.createServer((req, res) => {
  counts.registry += 1;
  const up = http.request({ host: '127.0.0.1', port: workerData.upstreamPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode || 502, answer.headers);
    answer.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
});
const dir = workerData.dir;
const lookaside = http.createServer((req, res) => {
  counts.lookaside += 1;
  const file = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const st = file.startsWith(dir + path.sep) ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
  if (!st || !st.isFile()) return void res.writeHead(404).end();
  const bytes = fs.readFileSync(file);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
});
proxy.keepAliveTimeout = lookaside.keepAliveTimeout = 30000;
proxy.on('connection', () => (counts.registryConnections += 1));
lookaside.on('connection', () => (counts.lookasideConnections += 1));
parentPort.on('message', (m) => {
  if (m === 'count') parentPort.postMessage({ counts });
  else if (m === 'stop') { proxy.closeAllConnections(); lookaside.closeAllConnections(); proxy.close(); lookaside.close(); agent.destroy(); parentPort.close(); }
});
Promise.all([listen(proxy), listen(lookaside)]).then(([p, l]) => parentPort.postMessage({ ports: [p, l] }));
`;

async function startServers(upstreamPort, dir) {
  const worker = new Worker(SERVERS, { eval: true, workerData: { upstreamPort, dir } });
  const next = () =>
    new Promise((resolve, reject) => {
      const failed = (error) => (worker.off('message', answered), reject(error));
      const answered = (message) => (worker.off('error', failed), resolve(message));
      worker.once('message', answered);
      worker.once('error', failed);
    });
  const { ports } = await next();
  return {
    host: `127.0.0.1:${ports[0]}`,
    lookasideUrl: `http://127.0.0.1:${ports[1]}`,
    counts: async () => (worker.postMessage('count'), (await next()).counts),
    stop: async () => (worker.postMessage('stop'), await worker.terminate()),
  };
}

export async function run() {
  const s = await tsImport('./support.ts', import.meta.url);
  const registry = await s.startRegistry();
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-bench-lookaside-'));
  let servers;
  try {
    servers = await startServers(Number(registry.host.split(':').at(-1)), dir);
    const proxy = { host: servers.host };
    const lookaside = { url: servers.lookasideUrl };
    const now = new Date();
    const repository = 'bench/app';

    // Keys: a cosign key, an OpenPGP key, a Notation key with its CA; all three trusted (no scopes: every image).
    const cosignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cosignPem = cosignKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const cosignSigner = {
      describe: () => ({ keyId: 'bench', provider: 'software', algorithm: 'ecdsa-p256-sha256', label: 'bench', spkiSha256: '' }),
      publicKeyPem: async () => cosignPem,
      sign: async (d) => sign('sha256', d, cosignKey.privateKey),
    };
    const pgp = await s.generatePgpKey('pgp-ed25519', 'Bench Release <release@example.com>');
    const pgpSign = await s.pgpSigner(pgp.armoredPrivate);
    const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const notary = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const caSubject = { commonName: 'Bench CA', organization: 'Signet Bench' };
    const validity = { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + 86_400_000) };
    const caPem = s.makeCertificate({
      subject: caSubject,
      publicKey: ca.publicKey,
      issuer: { subject: caSubject, privateKey: ca.privateKey },
      ...validity,
      ca: true,
    });
    const leafPem = s.makeCertificate({
      subject: { commonName: 'bench-notary', organization: 'Signet Bench' },
      publicKey: notary.publicKey,
      issuer: { subject: caSubject, privateKey: ca.privateKey },
      ...validity,
      ca: false,
    });
    const notarySigner = s.softwareSigner(notary.privateKey, {
      keyId: 'bench-notary',
      provider: 'software',
      algorithm: 'ecdsa-p256-sha256',
      label: 'bench-notary',
      spkiSha256: s.spkiSha256(notary.publicKey),
    });
    const addedAt = now.toISOString();
    const entries = [
      {
        id: 'cosign',
        name: 'cosign key',
        kind: 'public-key',
        fingerprint: s.spkiSha256(cosignKey.publicKey).toUpperCase(),
        data: cosignPem,
        addedAt,
      },
      { id: 'pgp', name: 'release key', kind: 'openpgp', fingerprint: pgp.fingerprint, keyId: pgp.keyId, data: pgp.armoredPublic, addedAt },
      { id: 'ca', name: 'bench CA', kind: 'certificate', fingerprint: s.spkiSha256(ca.publicKey).toUpperCase(), data: caPem, addedAt },
    ];

    // Setup, straight at the registry (not counted): push each image and sign it in its format.
    const setupClient = new s.RegistryClient({ registry: registry.host, maxConcurrency: 16 });
    const setupStart = Date.now();
    const digests = new Array(TAGS);
    for (let i = 0; i < TAGS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, TAGS - i) }, async (_, j) => {
          const n = i + j;
          const image = await s.pushTestImage(registry.url, repository, `t${n}`, { seed: String(n) });
          digests[n] = image.digest;
          const kind = kindOf(n);
          if (kind === 'cosign')
            await s.signCosign({
              source: setupClient,
              registryHost: proxy.host,
              repository,
              digest: image.digest,
              signer: cosignSigner,
              now,
            });
          else if (kind === 'simple') {
            const { message } = await s.signSimple(pgpSign, `${proxy.host}/${repository}:t${n}`, image.digest, 'Signet bench', now);
            await s.writeLookaside(dir, repository, image.digest, message);
          } else
            await s.signNotation({
              source: setupClient,
              repository,
              digest: image.digest,
              signer: notarySigner,
              certificateChain: leafPem + caPem,
              envelope: 'jws',
              now,
            });
        }),
      );
    }
    const setupMs = Date.now() - setupStart;
    const tags = Array.from({ length: TAGS }, (_, i) => `t${i}`);

    // What the ceiling needs to know beforehand (not timed): where each tag's signature is.
    const accept = [
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ].join(', ');
    const base = `http://${proxy.host}/v2/${repository}`;
    const get = (url) => fetch(url, { headers: { Accept: accept } });
    const json = async (url) => JSON.parse(await (await get(url)).text());
    const where = new Array(TAGS);
    for (let i = 0; i < TAGS; i += 1) {
      const kind = kindOf(i);
      const hex = digests[i].replace(':', '-');
      if (kind === 'cosign') where[i] = { payload: (await json(`${base}/manifests/${hex}.sig`)).layers[0].digest };
      else if (kind === 'notation') {
        const manifest = (await json(`${base}/manifests/${hex}`)).manifests[0].digest;
        where[i] = { manifest, envelope: (await json(`${base}/manifests/${manifest}`)).layers[0].digest };
      } else where[i] = {};
    }
    const probe = await get(`${base}/referrers/${digests[0]}`);
    const referrersApi = `${probe.status}`;
    await probe.arrayBuffer();

    // The ceiling: per tag the requests its verdict strictly needs, formats in Signet's order (cosign, lookaside, Notation), no parsing.
    const ceiling = async () => {
      let cursor = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (;;) {
            const i = cursor++;
            if (i >= TAGS) return;
            const kind = kindOf(i);
            const hex = digests[i].replace(':', '-');
            await (await get(`${base}/manifests/t${i}`)).arrayBuffer();
            await (await get(`${base}/manifests/${hex}.sig`)).arrayBuffer();
            if (kind === 'cosign') {
              await (await get(`${base}/blobs/${where[i].payload}`)).arrayBuffer();
              continue;
            }
            await (await fetch(`${lookaside.url}/${repository}@${hex.replace('-', '=')}/signature-1`)).arrayBuffer();
            if (kind === 'simple') continue;
            await (await get(`${base}/manifests/${hex}`)).arrayBuffer();
            await (await get(`${base}/manifests/${where[i].manifest}`)).arrayBuffer();
            await (await get(`${base}/blobs/${where[i].envelope}`)).arrayBuffer();
          }
        }),
      );
    };
    const signet = async () => {
      const client = new s.RegistryClient({ registry: proxy.host, maxConcurrency: CONCURRENCY });
      const verdicts = await s.repositoryStatus({
        source: client,
        host: proxy.host,
        repository,
        tags,
        entries,
        lookaside: { url: lookaside.url, from: 'bench' },
        now: new Date(),
        concurrency: CONCURRENCY,
      });
      const wrong = verdicts.filter((v) => v.verdict !== 'verified');
      if (wrong.length)
        throw new Error(
          `${wrong.length} of ${TAGS} not verified, e.g. ${wrong.slice(0, 3).map((v) => `${v.tag} (${kindOf(Number(v.tag.slice(1)))}): ${v.verdict}`)}`,
        );
    };
    const measure = async (work) => {
      const before = await servers.counts();
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      await work();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      const after = await servers.counts();
      return {
        ms,
        // CPU of this process per tag (its counting proxy and lookaside threads included, the same for both).
        cpuMsPerTag: (used.user + used.system) / 1000 / TAGS,
        registry: (after.registry - before.registry) / TAGS,
        lookaside: (after.lookaside - before.lookaside) / TAGS,
        // New TCP connections: a connection closed early (a response body cancelled) costs a new one.
        connections: {
          registry: after.registryConnections - before.registryConnections,
          lookaside: after.lookasideConnections - before.lookasideConnections,
        },
      };
    };
    // The machine is shared: each round measures the ceiling and Signet back to back, and the round with the median ratio counts.
    const rounds = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      const round = { ceiling: await measure(ceiling), signet: await measure(signet) };
      rounds.push({ ...round, ratio: round.signet.ms / round.ceiling.ms });
    }
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(ROUNDS / 2)];
    const [c, g] = [median.ceiling, median.signet];
    const ratio = g.ms / c.ms;
    const perTag = (x) =>
      `${x.registry.toFixed(2)} registry + ${x.lookaside.toFixed(2)} lookaside requests and ${x.cpuMsPerTag.toFixed(2)} ms CPU per tag`;
    return {
      tags: TAGS,
      mix: 'cosign, simple signing (HTTP lookaside), Notation (referrers tag schema), a third each',
      setupMs,
      ceilingMs: c.ms,
      signetMs: g.ms,
      ratio,
      requestsPerTag: {
        signet: { registry: g.registry, lookaside: g.lookaside },
        ceiling: { registry: c.registry, lookaside: c.lookaside },
      },
      referrersApiStatus: referrersApi,
      rounds,
      summary:
        `${TAGS} tags (cosign, simple, Notation: a third each) verified in ${(g.ms / 1000).toFixed(2)} s vs the bare-request ceiling ` +
        `${(c.ms / 1000).toFixed(2)} s (${ratio.toFixed(2)}×, the median of ${ROUNDS} rounds: ${Math.min(...rounds.map((r) => r.ratio)).toFixed(2)}–` +
        `${Math.max(...rounds.map((r) => r.ratio)).toFixed(2)}×); Signet ${perTag(g)}, ceiling ${perTag(c)}; setup ${(setupMs / 1000).toFixed(0)} s`,
      goal: '≤ 1.2× the ceiling',
      met: ratio <= 1.2,
    };
  } finally {
    await servers?.stop();
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
