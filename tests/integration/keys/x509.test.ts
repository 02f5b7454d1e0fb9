import { execFile, execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyring, type KeyringHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('X.509 keys through the CLI, checked by openssl', () => {
  let keyring: KeyringHandle;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-x509-cli-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    });
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: home, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(async () => {
    keyring = await startKeyring();
  });
  afterAll(async () => {
    await keyring?.stop();
  });

  it('generates a key with a test CA and a code-signing certificate (as notation cert generate-test), exports the chain, and writes a CSR', async () => {
    const info = JSON.parse(
      (await signet('key', 'generate', 'notation-test', '--type', 'x509-ecdsa-p256', '--uid', 'release.example.com', '--json')).stdout,
    ) as { spkiSha256: string; algorithm: string };
    expect(info.algorithm).toBe('ecdsa-p256-sha256');
    await signet('key', 'export', 'notation-test', '--format', 'x509', '--out', path.join(home, 'chain.pem'));
    const chain = readFileSync(path.join(home, 'chain.pem'), 'utf8');
    const [leaf, ca] = chain.split(/(?<=-----END CERTIFICATE-----\n)/);
    writeFileSync(path.join(home, 'leaf.pem'), leaf as string);
    writeFileSync(path.join(home, 'ca.pem'), ca as string);
    expect(openssl(['verify', '-CAfile', 'ca.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
    expect(openssl(['x509', '-in', 'leaf.pem', '-noout', '-subject', '-ext', 'extendedKeyUsage'])).toMatch(
      /CN ?= ?release\.example\.com[\s\S]*Code Signing/,
    );
    // The certificate is for the key Signet holds.
    const certKey = createPublicKey(openssl(['x509', '-in', 'leaf.pem', '-noout', '-pubkey']));
    expect(
      createHash('sha256')
        .update(certKey.export({ type: 'spki', format: 'der' }))
        .digest('hex'),
    ).toBe(info.spkiSha256);

    await signet('key', 'csr', 'notation-test', '--cn', 'release.example.com', '--org', 'Example', '--out', path.join(home, 'req.csr'));
    const req = execFileSync('openssl', ['req', '-in', 'req.csr', '-noout', '-verify', '-subject'], {
      cwd: home,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(req).toMatch(/O ?= ?Example, CN ?= ?release\.example\.com/);
    await expect(signet('key', 'csr', 'no-such-key')).rejects.toMatchObject({ code: 1 });
  });

  it('attaches a chain an openssl CA issued from a Signet CSR; refuses the wrong order and the certificate of another key', async () => {
    await signet('key', 'generate', 'ca-issued');
    await signet('key', 'csr', 'ca-issued', '--cn', 'ci.example.com', '--out', path.join(home, 'ci.csr'));
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'oca.key',
      '-out',
      'oca.crt',
      '-subj',
      '/CN=openssl CA',
      '-days',
      '2',
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      'ci.csr',
      '-CA',
      'oca.crt',
      '-CAkey',
      'oca.key',
      '-CAcreateserial',
      '-out',
      'ci.crt',
      '-days',
      '1',
      '-copy_extensions',
      'copy',
    ]);
    writeFileSync(
      path.join(home, 'ci-chain.pem'),
      readFileSync(path.join(home, 'ci.crt'), 'utf8') + readFileSync(path.join(home, 'oca.crt'), 'utf8'),
    );
    writeFileSync(
      path.join(home, 'ci-wrong.pem'),
      readFileSync(path.join(home, 'oca.crt'), 'utf8') + readFileSync(path.join(home, 'ci.crt'), 'utf8'),
    );
    await expect(signet('key', 'attach-cert', 'ca-issued', path.join(home, 'ci-wrong.pem'))).rejects.toMatchObject({
      stderr: expect.stringContaining('another public key'),
    });
    await expect(signet('key', 'attach-cert', 'notation-test', path.join(home, 'ci-chain.pem'))).rejects.toMatchObject({ code: 1 });
    await signet('key', 'attach-cert', 'ca-issued', path.join(home, 'ci-chain.pem'));
    await signet('key', 'export', 'ca-issued', '--format', 'x509', '--out', path.join(home, 'ci-export.pem'));
    expect(readFileSync(path.join(home, 'ci-export.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    openssl(['x509', '-in', 'ci.crt', '-outform', 'DER', '-out', 'ci.der']);
    await signet('key', 'attach-cert', 'ca-issued', path.join(home, 'ci.der'));
  });
});
