// In-memory verification rate of cosign signatures over Signet's whole verification path, on one thread, against OpenSSL's own
// `openssl speed ecdsap256` verify rate on this machine (single core too). Goal: ≥ 0.9×.
//
// Per signature, what the Signatures tab and `signet verify` do to judge one cosign signature already read from the registry
// (judgeCosignSignature: the strict payload parse, the digest binding, the signature with the image's trusted keys, key trust and
// validity, the report), then the docker-reference identity check a sigstoreSigned policy applies (matchRepository: cosign names
// the repository only).
// Four keys, each trusted for its own repository (trust scopes), 1,024 signatures spread over them; the trust set of a repository is
// built once, as the real path builds it per image, and each public key is parsed once (verifyWithKey keeps parsed keys).
// Also measured: the signature check alone (node's crypto.verify through verifyRawSignature, key parsed once).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { tsImport } from 'tsx/esm/api';

const KEYS = 4;
const SIGNATURES = 1024;
const SECONDS = 1;
const ROUNDS = 5;

/**
 * Runs `one(i)` over the signatures for SECONDS and returns the rate per CPU second (user + system, every thread of this process):
 * `openssl speed` divides by its CPU user time too (without -elapsed), so other work on the shared machine does not skew either.
 */
function rate(one) {
  let count = 0;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const deadline = start + BigInt(SECONDS * 1e9);
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < SIGNATURES; i += 1) one(i);
    count += SIGNATURES;
  }
  const used = process.cpuUsage(cpu);
  return count / ((used.user + used.system) / 1e6);
}

function opensslVerifyRate() {
  const speed = spawnSync('openssl', ['speed', '-seconds', String(SECONDS), 'ecdsap256'], { encoding: 'utf8' });
  const line = speed.stdout.split('\n').find((l) => /256 bits ecdsa \(nistp256\)/.test(l));
  return line ? Number(line.trim().split(/\s+/).at(-1)) : NaN;
}

export async function run() {
  const s = await tsImport('./support.ts', import.meta.url);
  const now = new Date();
  const keys = Array.from({ length: KEYS }, (_, k) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const repository = `registry.example/team${k}/app`;
    const trust = s.emptyTrust();
    trust.keys.push({
      name: `team ${k} (trusted)`,
      pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      fingerprint: s.spkiSha256(publicKey),
      validity: {},
    });
    return { privateKey, publicKey, repository, trust };
  });
  const signatures = Array.from({ length: SIGNATURES }, (_, i) => {
    const key = keys[i % KEYS];
    const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
    const payload = Buffer.from(
      s.buildCosignPayload({ repository: key.repository, manifestDigest: digest, timestamp: Math.floor(now.getTime() / 1000) - i }),
    );
    const signature = sign('sha256', payload, key.privateKey);
    return {
      key,
      storage: `${key.repository}:${digest.replace(':', '-')}.sig`,
      image: `${key.repository}@${digest}`,
      ctx: { digest, trust: key.trust, now },
      sig: {
        layerDigest: s.digestOf(payload),
        payload,
        signature,
        annotations: { 'dev.cosignproject.cosign/signature': signature.toString('base64') },
      },
    };
  });
  const rule = { type: 'matchRepository' };
  const whole = (i) => {
    const x = signatures[i];
    const report = s.judgeCosignSignature(x.ctx, x.storage, x.sig);
    if (report.verdict !== 'verified') throw new Error(`a valid signature was judged ${report.verdict} (${report.code})`);
    if (!s.identityMatches(rule, s.parseNormalizedNamed(x.image), report.identity).ok) throw new Error('a valid identity was refused');
  };
  const signatureOnly = (i) => {
    const x = signatures[i];
    if (!s.verifyRawSignature('ecdsa-p256-sha256', x.key.publicKey, x.sig.payload, x.sig.signature))
      throw new Error('a valid signature failed');
  };
  // Five rounds, each openssl then ours then the signature alone; the best of each counts.
  rate(whole);
  rate(signatureOnly);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r += 1) rounds.push({ openssl: opensslVerifyRate(), ours: rate(whole), raw: rate(signatureOnly) });
  const best = (k) => Math.max(...rounds.map((x) => x[k]));
  const [openssl, ours, raw] = [best('openssl'), best('ours'), best('raw')];
  const ratio = ours / openssl;
  const rawRatio = raw / openssl;
  return {
    ours,
    signatureOnly: raw,
    openssl,
    rounds,
    ratio,
    signatureOnlyRatio: rawRatio,
    summary:
      `whole path ${ours.toFixed(0)} cosign signatures/s (${KEYS} keys, ${SIGNATURES} signatures), ${ratio.toFixed(2)}× openssl's ` +
      `${openssl.toFixed(0)} verify/s; signature check alone ${raw.toFixed(0)}/s (${rawRatio.toFixed(2)}×)`,
    goal: '≥ 0.9× openssl (whole path)',
    met: ratio >= 0.9,
  };
}
