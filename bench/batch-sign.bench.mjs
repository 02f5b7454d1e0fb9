// Batch signing: Signet signs N images in cosign format (software key, 64 in flight, each write under
// the signature tag's cross-process lock and confirmed by a re-read) against a `skopeo copy --sign-by`
// loop signing the same N images in simple-signing format, one process per image as a shell loop would.
// Goal: ≥ 10× faster. Also measured in the same run: registry requests per signature, and the same N
// signatures made by a loop invoking `signet sign` once per image, as a CI script would.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const IMAGES = Number(process.env.SIGNET_BENCH_IMAGES ?? 40);
const CONCURRENCY = Number(process.env.SIGNET_BENCH_SIGN_CONCURRENCY ?? 64);

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
    let requests = 0;
    const counted = (...args) => {
      requests += 1;
      return fetch(...args);
    };
    const client = new RegistryClient({ registry: registry.host, maxConcurrency: CONCURRENCY * 2, fetch: counted });
    const lockDirectory = path.join(home, 'locks');
    const signetStart = process.hrtime.bigint();
    let cursor = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = cursor++;
          if (i >= IMAGES) return;
          await signCosign({
            source: client,
            registryHost: registry.host,
            repository: 'bench/app',
            digest: digests[i],
            signer,
            lockDirectory,
          });
        }
      }),
    );
    const signetMs = Number(process.hrtime.bigint() - signetStart) / 1e6;
    const perSignature = requests / IMAGES;

    // The same N signatures from a shell loop invoking `signet sign` once per image (a key in the keychain, one data directory).
    const signetHome = path.join(home, 'signet');
    const cliEnv = { ...process.env, ...keyring.env, SIGNET_HOME: signetHome };
    const signetBin = path.join(import.meta.dirname, '..', 'bin', 'signet.mjs');
    await promisify(execFile)(process.execPath, [signetBin, 'key', 'generate', 'bench'], { env: cliEnv });
    const cliStart = process.hrtime.bigint();
    for (let i = 0; i < IMAGES; i++)
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
    const rate = (ms) => ((IMAGES * 1000) / ms).toFixed(1);
    return {
      summary: `${IMAGES} images: Signet ${signetMs.toFixed(0)} ms (${rate(signetMs)}/s, ${CONCURRENCY} in flight, ${perSignature.toFixed(1)} requests per signature), skopeo loop ${skopeoMs.toFixed(0)} ms (${rate(skopeoMs)}/s): ${ratio.toFixed(1)}× faster; a \`signet sign\` loop ${cliMs.toFixed(0)} ms (${rate(cliMs)}/s, ${(skopeoMs / cliMs).toFixed(2)}× the skopeo loop)`,
      goal: '≥ 10× faster than a skopeo loop',
      met: ratio >= 10,
      signetMs,
      skopeoMs,
      cliMs,
      ratio,
      requestsPerSignature: perSignature,
    };
  } finally {
    await registry.stop();
    await keyring.stop();
  }
}
