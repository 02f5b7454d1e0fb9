import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySimple } from '../../../electron/core/signatures/simple';
import { GpgHome, pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

/**
 * OpenPGP interop with GnuPG 2.2, through the real `signet` command: every .asc Signet writes
 * passes `gpg --decrypt` with exit status 0 whatever its length modulo 3 (gpg read the END line
 * as radix64 when the armor had neither padding nor a CRC line); gpg's binary and armored secret
 * keys, protected or not, with signing subkeys, import with gpg's fingerprints and sign what gpg
 * verifies; exported secret keys import into gpg and sign there.
 */
describe('OpenPGP with gpg 2.2', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  let gpg: GpgHome;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-pgp-interop-'));
  const work = mkdtempSync(path.join(tmpdir(), 'signet-pgp-files-'));
  const signet = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home, ...env },
    });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    gpg = new GpgHome();
    await signet(['key', 'generate', 'swr-pgp', '--type', 'pgp-ed25519', '--uid', 'SWR Release <swr@example.com>']);
    const exported = path.join(work, 'swr-pgp.pub.asc');
    await signet(['key', 'export', 'swr-pgp', '--format', 'pgp', '--out', exported]);
    // Armored public key export: gpg imports it, exit status 0 (run() throws otherwise).
    gpg.run(['--import', exported]);
  }, 120_000);
  afterAll(async () => {
    gpg?.stop();
    await registry?.stop();
    await keyring?.stop();
  });

  /** gpg --decrypt of the armored message inside an .asc file: status, payload, stderr. */
  function gpgReadsAsc(ascFile: string) {
    const doc = JSON.parse(readFileSync(ascFile, 'utf8')) as { PublicKeyID: string; Signature: string; SerializedPayload: null };
    const armored = Buffer.from(doc.Signature, 'base64').toString('utf8');
    const file = `${ascFile}.armored`;
    writeFileSync(file, armored);
    const result = gpg.spawn(['--status-fd', '2', '--decrypt', file]);
    return { ...result, armored, doc };
  }

  it('gpg exits 0 on every .asc file, for payloads of every length modulo 3, in both payload forms', { timeout: 240_000 }, async () => {
    const lengths = new Set<number>();
    const tags = ['1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789'];
    for (const tag of tags) await pushTestImage(registry.url, 'team/app', tag, { seed: tag });
    const cases = [
      ...tags.map((tag) => ({ ref: `${registry.host}/team/app:${tag}`, swr: false })),
      ...['a', 'ab', 'abc'].map((r) => ({ ref: `${registry.host}/team/r${r}:1`, swr: true })),
    ];
    for (const c of cases.filter((x) => x.swr))
      await pushTestImage(registry.url, c.ref.slice(registry.host.length + 1, -2), '1', { seed: c.ref });
    for (const [i, c] of cases.entries()) {
      const out = path.join(work, `asc-${i}`);
      const { stdout } = await signet(['asc', c.ref, '--key', 'swr-pgp', '--out', out, '--json', ...(c.swr ? ['--swr-payload'] : [])]);
      const made = JSON.parse(stdout) as { file: string; payloadSha256: string };
      const read = gpgReadsAsc(made.file);
      expect(read.status, `${c.ref}: ${read.stderr}`).toBe(0);
      expect(read.stderr).not.toMatch(/invalid radix64|no valid OpenPGP data/);
      expect(read.stderr).toMatch(/\[GNUPG:\] GOODSIG/);
      expect(read.armored).toMatch(/\n=[A-Za-z0-9+/]{4}\n-----END PGP MESSAGE-----/);
      lengths.add(read.stdout.length % 3);
      const body = read.armored.split('\n\n')[1]!.split('\n=')[0]!.replace(/\n/g, '');
      lengths.add(10 + (body.endsWith('=') ? 1 : 0));
      if (c.swr) {
        // Byte for byte what SWR's instructions write: echo '{…}' > payload.
        const repository = c.ref.slice(registry.host.length + 1, -2);
        const digest = `sha256:${path.basename(made.file, '.asc')}`;
        const echoed = spawnSync('sh', [
          '-c',
          `echo '{"critical":{"identity":{"docker-reference":"${repository}"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"}}'`,
        ]).stdout;
        expect(read.stdout.equals(echoed)).toBe(true);
      }
    }
    // Payloads of every length modulo 3, and armor bodies both with and without padding.
    expect([...lengths].sort()).toEqual([0, 1, 10, 11, 2]);
  });

  it(
    'reads both payload forms back: signet verify reports the .asc as verified, each under its identity rule',
    { timeout: 120_000 },
    async () => {
      await pushTestImage(registry.url, 'team/both', '1.0', { seed: 'both' });
      const ref = `${registry.host}/team/both:1.0`;
      for (const [form, extra] of [
        ['atomic', []],
        ['swr', ['--swr-payload']],
      ] as const) {
        const out = path.join(work, `both-${form}`);
        const { stdout } = await signet(['asc', ref, '--key', 'swr-pgp', '--out', out, '--json', ...extra]);
        const made = JSON.parse(stdout) as { file: string };
        const dir = path.join(work, `bucket-${form}`, 'team', 'both');
        spawnSync('mkdir', ['-p', dir]);
        writeFileSync(path.join(dir, path.basename(made.file)), readFileSync(made.file));
        const verified = await signet(['verify', ref, '--asc-from', path.join(work, `bucket-${form}`), '--json']).catch(
          (e: { stdout: string }) => e,
        );
        const report = JSON.parse(verified.stdout) as {
          signatures: Array<{
            format: string;
            verdict: string;
            payload: string;
            signature: string;
            fingerprint?: string;
            checks: Array<{ name: string; code: string; reason: string }>;
          }>;
        };
        const asc = report.signatures.find((s) => s.format === 'asc');
        expect(asc, verified.stdout).toMatchObject({ verdict: 'verified' });
        // The details show the signed payload and the armored message, not the .asc JSON; the signer by full fingerprint.
        expect(asc?.payload).toContain('"docker-manifest-digest"');
        expect(asc?.signature).toMatch(/^-----BEGIN PGP MESSAGE-----/);
        expect(asc?.checks.find((k) => k.name === 'signature')?.reason).toMatch(/\([0-9A-F]{40}\)/);
        expect(asc?.checks.find((k) => k.name === 'key trust')?.reason).not.toContain('(trusted) is');
        expect(asc?.checks.find((k) => k.name === 'identity')).toMatchObject({ code: 'IDENTITY_MATCH' });
      }
    },
  );

  it(
    'imports gpg’s binary secret key (RSA primary, RSA signing subkey, passphrase) with gpg’s fingerprints, and signs what gpg verifies by that subkey',
    { timeout: 240_000 },
    async () => {
      const passphrase = 'correct horse 3';
      const primary = gpg.generate('Sub Signer <sub@example.com>', { algo: 'rsa3072', usage: 'cert', passphrase });
      const [subkey] = gpg.addSubkey(primary, { algo: 'rsa3072', usage: 'sign', passphrase });
      const binary = gpg.run(['--export-secret-key', primary], { passphrase });
      expect(binary[0]! & 0x80).toBe(0x80);
      const file = path.join(work, 'keys');
      writeFileSync(file, binary);
      await expect(signet(['key', 'import', file, '--name', 'wrong', '--password-env', 'PW'], { PW: 'not it' })).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('password does not open'),
      });
      const { stdout } = await signet(['key', 'import', file, '--name', 'gpg-rsa', '--password-env', 'PW', '--json'], { PW: passphrase });
      const imported = JSON.parse(stdout) as {
        info: { pgpFingerprint: string; pgpSigningSubkey: string; type: string; pgpAlgorithm: string };
      };
      expect(imported.info).toMatchObject({
        pgpFingerprint: primary,
        pgpSigningSubkey: subkey,
        type: 'pgp-rsa-3072',
        pgpAlgorithm: 'RSA 3072',
      });

      await pushTestImage(registry.url, 'team/sub', '1.0', { seed: 'sub' });
      const out = path.join(work, 'sub-asc');
      const made = JSON.parse(
        (await signet(['asc', `${registry.host}/team/sub:1.0`, '--key', 'gpg-rsa', '--out', out, '--json'])).stdout,
      ) as { file: string };
      const read = gpgReadsAsc(made.file);
      expect(read.status, read.stderr).toBe(0);
      // VALIDSIG <signing key fpr> … <primary key fpr>: the subkey signed, on behalf of the primary.
      expect(read.stderr).toMatch(new RegExp(`VALIDSIG ${subkey} .* ${primary}\\n`));
      expect(read.doc.PublicKeyID).toBe(primary);

      // Signet's own verifier names the subkey too.
      const message = Buffer.from(read.armored.split('\n\n')[1]!.split('\n=')[0]!.replace(/\n/g, ''), 'base64');
      const digest = `sha256:${path.basename(made.file, '.asc')}`;
      const verdict = await verifySimple(message, digest, [{ name: 'gpg', key: gpg.exportPublic(primary).toString() }]);
      expect(verdict).toMatchObject({ ok: true, fingerprint: primary, signingSubkey: subkey });
    },
  );

  it(
    'imports armored and binary secret keys without a passphrase, and binary public keys into trust, with gpg’s fingerprints',
    { timeout: 120_000 },
    async () => {
      const fpr = gpg.generate('Plain <plain@example.com>', { algo: 'ed25519', usage: 'sign' });
      writeFileSync(path.join(work, 'plain.asc'), gpg.run(['--armor', '--export-secret-key', fpr]));
      writeFileSync(path.join(work, 'plain.gpg'), gpg.run(['--export-secret-key', fpr]));
      writeFileSync(path.join(work, 'plain.pub.gpg'), gpg.exportPublic(fpr, false));
      const armored = JSON.parse(
        (
          await signet(['key', 'import', path.join(work, 'plain.asc'), '--name', 'plain-armored', '--password-env', 'PW', '--json'], {
            PW: '',
          })
        ).stdout,
      ) as { info: { pgpFingerprint: string; type: string } };
      expect(armored.info).toMatchObject({ pgpFingerprint: fpr, type: 'pgp-ed25519' });
      const other = mkdtempSync(path.join(tmpdir(), 'signet-pgp-other-'));
      const bin = JSON.parse(
        (
          await signet(['key', 'import', path.join(work, 'plain.gpg'), '--name', 'plain-binary', '--password-env', 'PW', '--json'], {
            PW: '',
            SIGNET_HOME: other,
          })
        ).stdout,
      ) as { info: { pgpFingerprint: string } };
      expect(bin.info.pgpFingerprint).toBe(fpr);
      const trusted = JSON.parse(
        (
          await signet(['trust', 'add', path.join(work, 'plain.pub.gpg'), '--name', 'plain-pub', '--json'], {
            SIGNET_HOME: mkdtempSync(path.join(tmpdir(), 'signet-pgp-trust-')),
          })
        ).stdout,
      ) as { kind: string; fingerprint: string };
      expect(trusted).toMatchObject({ kind: 'openpgp', fingerprint: fpr });
      await expect(
        signet(['key', 'import', path.join(work, 'plain.pub.gpg'), '--name', 'pub-only', '--password-env', 'PW'], { PW: '' }),
      ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('public key') });
    },
  );

  it(
    'exports an OpenPGP secret key that gpg imports with its passphrase and signs with; the wrong passphrase does not sign',
    { timeout: 180_000 },
    async () => {
      const file = path.join(work, 'exported-secret.asc');
      await expect(
        signet(['key', 'export', 'swr-pgp', '--format', 'pgp-secret', '--out', file, '--password-env', 'PW'], { PW: '' }),
      ).rejects.toMatchObject({ code: 2 });
      await signet(['key', 'export', 'swr-pgp', '--format', 'pgp-secret', '--out', file, '--password-env', 'PW'], { PW: 'export pass 9' });
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
      expect(text).toMatch(/\n=[A-Za-z0-9+/]{4}\n-----END PGP PRIVATE KEY BLOCK-----/);
      const fresh = new GpgHome();
      try {
        fresh.run(['--import', file], { passphrase: 'export pass 9' });
        const listed = fresh.run(['--with-colons', '--list-secret-keys']).toString();
        const fingerprint = JSON.parse((await signet(['key', 'show', 'swr-pgp', '--json'])).stdout).pgpFingerprint as string;
        expect(listed).toContain(fingerprint);
        const data = path.join(work, 'to-sign.txt');
        writeFileSync(data, 'signed by gpg with a key Signet exported\n');
        const wrong = fresh.spawn(['--armor', '-u', fingerprint, '--sign', '-o', `${data}.wrong.asc`, data], {
          passphrase: 'not the passphrase',
        });
        expect(wrong.status).not.toBe(0);
        fresh.run(['--armor', '-u', fingerprint, '--sign', '-o', `${data}.asc`, data], { passphrase: 'export pass 9' });
        const verified = fresh.spawn(['--status-fd', '2', '--verify', `${data}.asc`]);
        expect(verified.status, verified.stderr).toBe(0);
        expect(verified.stderr).toContain(`VALIDSIG ${fingerprint}`);
      } finally {
        fresh.stop();
      }
    },
  );
});
