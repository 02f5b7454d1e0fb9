// Batch signing: Signet signs N images in cosign format (software key, 64 in flight, each write under
// the signature tag's cross-process lock and confirmed by a re-read) against a `skopeo copy --sign-by`
// loop signing the same N images in simple-signing format, one process per image as a shell loop would.
// Goal: ≥ 10× faster. Also measured in the same run: registry requests per signature, and the same N
// signatures made by a loop invoking `signet sign` once per image, as a CI script would.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const IMAGES = Number(process.env.SIGNET_BENCH_IMAGES ?? 40);
const CONCURRENCY = Number(process.env.SIGNET_BENCH_SIGN_CONCURRENCY ?? 64);
/** Rounds of signing the N images (each round its own unsigned repository): the figure is the median round, the machine being shared. */
const ROUNDS = Number(process.env.SIGNET_BENCH_SIGN_ROUNDS ?? 3);
const roundRepository = (r) => (r === 0 ? 'bench/app' : `bench/app-r${r}`);
/** Bare requests sent to measure the registry's own ceiling (at the same concurrency as the signing). */
const CEILING_REQUESTS = Number(process.env.SIGNET_BENCH_CEILING_REQUESTS ?? 4000);

/** What kind of registry request a URL and method are, for the per-signature breakdown. */
function kindOf(method, url) {
  const p = new URL(url).pathname;
  if (p.includes('/manifests/')) return `${method} manifest`;
  if (p.includes('/blobs/uploads/')) return `${method} blob upload`;
  if (p.includes('/blobs/')) return `${method} blob`;
  return `${method} ${p}`;
}

/** CPU seconds (user + system) a process used so far, from /proc; undefined where there is no /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The docker-registry process serving from this directory (its command line names its config there). */
function registryPid(dir) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('docker-registry') && cmd.includes(dir)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Bare requests at `concurrency` in flight, nothing parsed: requests per second, and the registry's CPU share over that time. */
async function ceiling(total, concurrency, send, regPid) {
  let next = 0;
  const cpu0 = cpuSeconds(regPid);
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const response = await send(i);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`ceiling request ${i}: ${response.status}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu1 = cpuSeconds(regPid);
  return { perSecond: total / seconds, registryCores: cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / seconds : undefined };
}

export async function run() {
  if (spawnSync('skopeo', ['--version']).status !== 0 || spawnSync('gpg', ['--version']).status !== 0)
    throw new Error('skopeo and gpg are needed (scripts/setup-system.sh)');
  const { startRegistry, startKeyring, pushTestImage, RegistryClient, signCosign } = await tsImport('./support.ts', import.meta.url);
  const registry = await startRegistry();
  const keyring = await startKeyring();
  const home = mkdtempSync(path.join(tmpdir(), 'signet-bench-sign-'));
  try {
    const digests = [];
    for (let i = 0; i < IMAGES; i += 20) {
      digests.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, IMAGES - i) }, (_, j) =>
            pushTestImage(registry.url, 'bench/app', `t${i + j}`, { seed: `b${i + j}` }).then(async (x) => {
              await pushTestImage(registry.url, 'bench/cli', `t${i + j}`, { seed: `b${i + j}` });
              for (let r = 1; r < ROUNDS; r++) await pushTestImage(registry.url, roundRepository(r), `t${i + j}`, { seed: `b${i + j}` });
              return x.digest;
            }),
          ),
        )),
      );
    }

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signer = {
      describe: () => ({ keyId: 'bench', provider: 'software', algorithm: 'ecdsa-p256-sha256', label: 'bench', spkiSha256: '' }),
      publicKeyPem: async () => pem,
      sign: async (d) => sign('sha256', d, privateKey),
    };
    const regPid = registryPid(registry.dir);
    let requests = 0;
    let requestMs = 0;
    const kinds = {};
    const kindMs = {};
    const counted = async (url, init) => {
      requests += 1;
      const kind = kindOf(init?.method ?? 'GET', String(url));
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      const t0 = process.hrtime.bigint();
      try {
        return await fetch(url, init);
      } finally {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        requestMs += ms;
        kindMs[kind] = (kindMs[kind] ?? 0) + ms;
      }
    };
    const client = new RegistryClient({ registry: registry.host, maxConcurrency: CONCURRENCY * 2, fetch: counted });
    const lockDirectory = path.join(home, 'locks');
    const latencies = [];
    const benchCpu0 = process.cpuUsage();
    const registryCpu0 = cpuSeconds(regPid);
    const roundsMs = [];
    for (let round = 0; round < ROUNDS; round++) {
      const signetStart = process.hrtime.bigint();
      let cursor = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (;;) {
            const i = cursor++;
            if (i >= IMAGES) return;
            const t0 = process.hrtime.bigint();
            await signCosign({
              source: client,
              registryHost: registry.host,
              repository: roundRepository(round),
              digest: digests[i],
              signer,
              lockDirectory,
            });
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          }
        }),
      );
      roundsMs.push(Number(process.hrtime.bigint() - signetStart) / 1e6);
    }
    const signetMs = [...roundsMs].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
    const signed = IMAGES * ROUNDS;
    const allRoundsMs = roundsMs.reduce((a, b) => a + b, 0);
    const perSignature = requests / signed;
    const benchCpu = process.cpuUsage(benchCpu0);
    const registryCpu = registryCpu0 === undefined ? undefined : cpuSeconds(regPid) - registryCpu0;
    const cores = (seconds) => (seconds === undefined ? undefined : seconds / (allRoundsMs / 1000));
    latencies.sort((a, b) => a - b);
    const signing = {
      breakdown: Object.fromEntries(
        Object.entries(kinds)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => [k, n / signed]),
      ),
      kindMeanMs: Object.fromEntries(Object.entries(kindMs).map(([k, ms]) => [k, ms / kinds[k]])),
      latencyMs: {
        mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
        p50: latencies[Math.floor(latencies.length / 2)],
        max: latencies[latencies.length - 1],
      },
      // Summed over requests in flight: time a signature spends waiting on the registry; the rest of its latency is pauses, locks, CPU.
      requestMsPerSignature: requestMs / signed,
      benchCores: cores((benchCpu.user + benchCpu.system) / 1e6),
      registryCores: cores(registryCpu),
      requestsPerSecond: requests / (allRoundsMs / 1000),
    };

    // The registry's own ceiling on this machine: bare GETs (a manifest by tag) and HEADs at the same concurrency, nothing parsed.
    const manifestUrl = (i) => `${registry.url}/v2/bench/app/manifests/t${i % IMAGES}`;
    const accept = { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' };
    const getCeiling = await ceiling(CEILING_REQUESTS, CONCURRENCY, (i) => fetch(manifestUrl(i), { headers: accept }), regPid);
    const headCeiling = await ceiling(
      CEILING_REQUESTS,
      CONCURRENCY,
      (i) => fetch(manifestUrl(i), { method: 'HEAD', headers: accept }),
      regPid,
    );
    // Writes: a new small blob uploaded (POST, then PUT with its bytes and digest), as a payload or config goes up; counted in requests.
    const nonce = randomBytes(8).toString('hex');
    const uploadCeiling = await ceiling(
      CEILING_REQUESTS / 4,
      CONCURRENCY,
      async (i) => {
        const bytes = Buffer.from(`{"ceiling":"${nonce}-${i}"}`);
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        const started = await fetch(`${registry.url}/v2/bench/ceiling/blobs/uploads/`, { method: 'POST' });
        await started.arrayBuffer();
        const location = new URL(started.headers.get('location'), registry.url);
        location.searchParams.set('digest', digest);
        return fetch(location, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
      },
      regPid,
    );
    uploadCeiling.perSecond *= 2;

    // The same N signatures from a shell loop invoking `signet sign` once per image (a key in the keychain, one data directory).
    const signetHome = path.join(home, 'signet');
    const cliEnv = { ...process.env, ...keyring.env, SIGNET_HOME: signetHome };
    const signetBin = path.join(import.meta.dirname, '..', 'bin', 'signet.mjs');
    // SIGNET_BENCH_SKIP_CLI=1 leaves this loop out (it takes the longest), say while trying changes to the writer.
    const skipCli = process.env.SIGNET_BENCH_SKIP_CLI === '1';
    if (!skipCli) await promisify(execFile)(process.execPath, [signetBin, 'key', 'generate', 'bench'], { env: cliEnv });
    const cliStart = process.hrtime.bigint();
    for (let i = 0; i < (skipCli ? 0 : IMAGES); i++)
      await promisify(execFile)(process.execPath, [signetBin, 'sign', `${registry.host}/bench/cli:t${i}`, '--key', 'bench'], {
        env: cliEnv,
        timeout: 60_000,
      });
    const cliMs = Number(process.hrtime.bigint() - cliStart) / 1e6;

    // skopeo: a GnuPG key without passphrase, a lookaside-staging directory, accept-anything policy.
    const gnupg = path.join(home, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    execFileSync(
      'gpg',
      ['--batch', '--homedir', gnupg, '--passphrase', '', '--quick-gen-key', 'Bench <bench@example.com>', 'ed25519', 'sign', 'never'],
      { stdio: 'ignore' },
    );
    const fpr = /fpr:+([0-9A-F]{40}):/.exec(
      execFileSync('gpg', ['--batch', '--homedir', gnupg, '--with-colons', '--list-keys'], { encoding: 'utf8' }),
    )[1];
    const registriesD = path.join(home, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(path.join(registriesD, 'bench.yaml'), `default-docker:\n  lookaside-staging: file://${path.join(home, 'staging')}\n`);
    writeFileSync(path.join(home, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const skopeoStart = process.hrtime.bigint();
    for (let i = 0; i < IMAGES; i++) {
      // Asynchronous, so this process keeps draining the registry's log pipe.
      await promisify(execFile)(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--policy',
          path.join(home, 'policy.json'),
          '--registries.d',
          registriesD,
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          '--sign-by',
          fpr,
          `docker://${registry.host}/bench/app:t${i}`,
          `docker://${registry.host}/bench/signed:t${i}`,
        ],
        { env: { ...process.env, GNUPGHOME: gnupg }, timeout: 60_000 },
      );
    }
    const skopeoMs = Number(process.hrtime.bigint() - skopeoStart) / 1e6;
    const ratio = skopeoMs / signetMs;
    // One signature's requests, each at its kind's bare rate (manifest PUTs counted as uploads): the registry's own bound.
    const bareRate = (kind) =>
      kind.startsWith('HEAD') ? headCeiling.perSecond : kind.startsWith('GET') ? getCeiling.perSecond : uploadCeiling.perSecond;
    signing.ceilingSignaturesPerSecond = 1 / Object.entries(signing.breakdown).reduce((t, [k, n]) => t + n / bareRate(k), 0);
    const rate = (ms) => ((IMAGES * 1000) / ms).toFixed(1);
    const f1 = (x) => (x === undefined ? '?' : x.toFixed(1));
    const f2 = (x) => (x === undefined ? '?' : x.toFixed(2));
    const breakdown = Object.entries(signing.breakdown)
      .map(([k, n]) => `${k} ${n.toFixed(2)} (${(signing.kindMeanMs[k] ?? 0).toFixed(0)} ms)`)
      .join(', ');
    return {
      summary:
        `${IMAGES} images: Signet ${signetMs.toFixed(0)} ms (${rate(signetMs)}/s, median of ${ROUNDS} rounds: ${roundsMs.map(rate).join(', ')}/s; ${CONCURRENCY} in flight, ${perSignature.toFixed(1)} requests per signature: ${breakdown}), ` +
        `skopeo loop ${skopeoMs.toFixed(0)} ms (${rate(skopeoMs)}/s): ${ratio.toFixed(1)}× faster; ${skipCli ? 'the `signet sign` loop skipped' : `a \`signet sign\` loop ${cliMs.toFixed(0)} ms (${rate(cliMs)}/s, ${(skopeoMs / cliMs).toFixed(2)}× the skopeo loop)`}. ` +
        `Per signature: latency mean ${signing.latencyMs.mean.toFixed(0)} ms (p50 ${signing.latencyMs.p50.toFixed(0)}, max ${signing.latencyMs.max.toFixed(0)}), ` +
        `${signing.requestMsPerSignature.toFixed(0)} ms in requests; while signing: ${signing.requestsPerSecond.toFixed(0)} requests/s, ` +
        `CPU bench ${f2(signing.benchCores)} + registry ${f2(signing.registryCores)} of 2 cores. ` +
        `Registry ceiling (bare, ${CONCURRENCY} in flight): GET manifest ${getCeiling.perSecond.toFixed(0)}/s (registry ${f1(getCeiling.registryCores)} cores), ` +
        `HEAD ${headCeiling.perSecond.toFixed(0)}/s, blob upload ${uploadCeiling.perSecond.toFixed(0)} requests/s (POST+PUT, registry ${f1(uploadCeiling.registryCores)} cores); ` +
        `with this request mix the registry alone allows ≤ ${signing.ceilingSignaturesPerSecond.toFixed(0)} signatures/s`,
      goal: '≥ 10× faster than a skopeo loop',
      met: ratio >= 10,
      signetMs,
      roundsMs,
      skopeoMs,
      cliMs,
      ratio,
      requestsPerSignature: perSignature,
      signing,
      registryCeiling: {
        getPerSecond: getCeiling.perSecond,
        headPerSecond: headCeiling.perSecond,
        registryCores: getCeiling.registryCores,
      },
    };
  } finally {
    await registry.stop();
    await keyring.stop();
  }
}
