import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/hosts/cli/main';
import { requireCommand, startSoftHsm, type SoftHsmHandle } from '../../harness';

let hsm: SoftHsmHandle;
let home: string;

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { SIGNET_HOME: home, ...env },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stdin: new PassThrough(),
    interrupted: () => new Promise(() => undefined),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  hsm = await startSoftHsm({ label: 'cli-token', pin: '314159' });
  Object.assign(process.env, hsm.env);
  home = mkdtempSync(path.join(tmpdir(), 'signet-p11-cli-'));
});

afterAll(async () => {
  await hsm?.stop();
});

describe('signet token (CLI) against SoftHSM2', () => {
  it('token list --json lists the token by serial', async () => {
    const result = await cli(['token', 'list', '--module', hsm.modulePath, '--json']);
    expect(result.code, result.err).toBe(0);
    const tokens = JSON.parse(result.out) as Array<{ label: string; serial: string; module: string; flags: { loginRequired: boolean } }>;
    const token = tokens.find((t) => t.label === 'cli-token');
    expect(token).toMatchObject({ module: hsm.modulePath, flags: { loginRequired: true } });
  });

  it('generates a key with the PIN from --pin-env, lists it, test-signs its URI; openssl verifies a key it exported', async () => {
    const env = { TOKEN_PIN: '314159' };
    const generated = await cli(
      [
        'token',
        'generate',
        'ci-release',
        '--type',
        'ecdsa-p384',
        '--token',
        'cli-token',
        '--module',
        hsm.modulePath,
        '--pin-env',
        'TOKEN_PIN',
        '--json',
      ],
      env,
    );
    expect(generated.code, generated.err).toBe(0);
    const key = JSON.parse(generated.out) as { uri: string; curve: string; publicKeyPem: string; spkiSha256: string };
    expect(key.curve).toBe('P-384');
    expect(generated.out).not.toContain('314159');

    const listed = await cli(['token', 'keys', '--token', 'cli-token', '--module', hsm.modulePath, '--pin-env', 'TOKEN_PIN'], env);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain('ci-release');
    expect(listed.out).toContain('EC P-384');

    const signed = await cli(['token', 'test-sign', key.uri, '--pin-env', 'TOKEN_PIN', '--json'], env);
    expect(signed.code, signed.err).toBe(0);
    expect(JSON.parse(signed.out)).toMatchObject({ ok: true, algorithm: 'ecdsa-p384-sha384', spkiSha256: key.spkiSha256 });

    const pem = path.join(home, 'pub.pem');
    writeFileSync(pem, key.publicKeyPem);
    const text = spawnSync(requireCommand('openssl', 'openssl'), ['pkey', '-pubin', '-in', pem, '-noout', '-text'], { encoding: 'utf8' });
    expect(text.stdout).toMatch(/NIST CURVE: P-384/);
  });

  it('a wrong PIN fails once with a clear message that does not contain it', async () => {
    const result = await cli(['token', 'keys', '--token', 'cli-token', '--module', hsm.modulePath, '--pin-env', 'TOKEN_PIN', '--json'], {
      TOKEN_PIN: '271828',
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out)).toMatchObject({ ok: false, code: 'BAD_PASSPHRASE' });
    expect(result.err).toMatch(/PIN .* was wrong/);
    expect(`${result.out}${result.err}`).not.toContain('271828');
  });

  it.each([
    ['in its path', (m: string) => `pkcs11:token=cli-token;object=ci-release;pin-value=314159?module-path=${m}`],
    ['in its query, as cosign takes it', (m: string) => `pkcs11:token=cli-token;object=ci-release?module-path=${m}&pin-value=314159`],
    ['percent-encoded', (m: string) => `pkcs11:token=cli-token;object=ci-release?module-path=${m}&pin%2Dvalue=314159`],
  ])('refuses a URI on the command line with the PIN %s, before asking anything, and says what to use', async (_, make) => {
    const result = await cli(['token', 'test-sign', make(hsm.modulePath), '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(result.err).toMatch(/--pin-env VAR, a \?pin-source=FILE/);
    expect(`${result.out}${result.err}`).not.toContain('314159');
  });

  it('shows diagnostics', async () => {
    const result = await cli(['token', 'diagnostics', '--token', 'cli-token', '--module', hsm.modulePath]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/token\s+label\s+cli-token/);
    expect(result.out).toMatch(/mechanism\s+CKM_ECDSA/);
  });
});
