// In-memory verification rate of cosign-style ECDSA P-256 signatures through Signet's verifier,
// against OpenSSL's own `openssl speed ecdsap256` verify rate on this machine. Goal: ≥ 0.9×.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { tsImport } from 'tsx/esm/api';

export async function run() {
  const { verifyRawSignature, buildCosignPayload } = await tsImport('./support.ts', import.meta.url);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payloads = Array.from({ length: 256 }, (_, i) =>
    Buffer.from(
      buildCosignPayload({ repository: `registry.example/app${i}`, manifestDigest: `sha256:${i.toString(16).padStart(64, '0')}` }),
    ),
  );
  const signatures = payloads.map((p) => sign('sha256', p, privateKey));
  let count = 0;
  const deadline = process.hrtime.bigint() + 2_000_000_000n;
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < payloads.length; i += 1) {
      if (!verifyRawSignature('ecdsa-p256-sha256', publicKey, payloads[i], signatures[i])) throw new Error('a valid signature failed');
    }
    count += payloads.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const ours = count / seconds;
  const speed = spawnSync('openssl', ['speed', '-seconds', '2', 'ecdsap256'], { encoding: 'utf8' });
  const line = speed.stdout.split('\n').find((l) => /256 bits ecdsa \(nistp256\)/.test(l));
  const theirs = line ? Number(line.trim().split(/\s+/).at(-1)) : NaN;
  const ratio = ours / theirs;
  return {
    ours,
    openssl: theirs,
    ratio,
    summary: `${ours.toFixed(0)} verifications/s vs openssl ${theirs.toFixed(0)}/s (${ratio.toFixed(2)}×)`,
    goal: '≥ 0.9× openssl',
    met: ratio >= 0.9,
  };
}
