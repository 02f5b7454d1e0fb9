import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmsCalls } from '../../../shared/contract/kms';
import { failure, ok, SignetError } from '../../../shared/errors';
import { MemoryStore as MemorySecretStore } from '../../../electron/core/keys/secret-store';
import { createKmsHandlers } from '../../../electron/core/kms/handlers';
import { parseArgs } from '../../../electron/hosts/cli/args';
import type { CommandContext } from '../../../electron/hosts/cli/command';
import { commands } from '../../../electron/hosts/cli/commands/kms';
import { startFakeVault, type FakeVault } from '../../harness/kms/vault';
import { tempDir, type TempDir } from '../../harness/tools';

/**
 * `signet kms add|list|keys|test|remove` through the contract: each call's request and response
 * are checked against shared/contract/kms.ts exactly as the dispatcher does, then handled by
 * createKmsHandlers.
 */
describe('signet kms commands through the kms contract', () => {
  let vault: FakeVault;
  let dir: TempDir;
  const secrets = new MemorySecretStore();
  let handlers: ReturnType<typeof createKmsHandlers>;

  beforeAll(async () => {
    vault = await startFakeVault([
      { name: 'release', type: 'ecdsa-p256', versions: 2 },
      { name: 'rsa', type: 'rsa-3072' },
    ]);
    dir = tempDir('kms-cli');
    handlers = createKmsHandlers(
      { dataDir: dir.path, options: { dataDir: dir.path, host: 'cli' }, log: () => undefined },
      { secrets, env: {}, home: dir.path },
    );
  });

  afterAll(async () => {
    await vault?.stop();
    dir?.remove();
  });

  async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    const words = argv.slice(0, 2).join(' ');
    const spec = commands.find((c) => c.name === words);
    if (!spec) throw new Error(`no command ${words}`);
    const json = argv.includes('--json');
    const args = parseArgs(
      argv.slice(2).filter((a) => a !== '--json'),
      spec.options ?? [],
      spec.positionals ?? [],
    );
    let out = '';
    let err = '';
    const ctx: CommandContext = {
      args,
      json,
      env,
      dataDir: dir.path,
      call: (async (name: string, input: unknown) => {
        const def = kmsCalls[name as keyof typeof kmsCalls];
        const parsed = def.request.safeParse(input);
        if (!parsed.success) return failure('INVALID_INPUT', parsed.error.issues.map((i) => i.message).join('; '));
        try {
          const value = await (handlers[name as keyof typeof handlers] as (i: unknown) => Promise<unknown>)(parsed.data);
          return ok(def.response.parse(value));
        } catch (error) {
          if (error instanceof SignetError) return failure(error.code, error.message);
          throw error;
        }
      }) as unknown as CommandContext['call'],
      out: (t) => (out += `${t}\n`),
      err: (t) => (err += `${t}\n`),
      readSecret: async (_prompt, envVar) => {
        if (!envVar || env[envVar] === undefined) throw new Error('no prompt in tests');
        return env[envVar];
      },
      confirm: async () => {
        throw new Error('no prompt in tests');
      },
      interrupted: () => new Promise(() => undefined),
    };
    return { code: await spec.run(ctx), out, err };
  }

  it('adds a connection with a keychain token, lists it, and keeps the token out of kms.json', async () => {
    const added = await cli(
      ['kms', 'add', 'vault', '--provider', 'hashivault', '--endpoint', vault.url, '--keychain', '--secret-env', 'token=VT'],
      { VT: vault.token },
    );
    expect(added).toMatchObject({ code: 0, err: '' });
    expect(added.out).toContain('Saved the hashivault connection "vault" (credentials: keychain)');
    expect(readFileSync(path.join(dir.path, 'kms.json'), 'utf8')).not.toContain(vault.token);
    expect(secrets.entries.get('kms:vault')).toContain(vault.token);
    const listed = await cli(['kms', 'list']);
    expect(listed.out).toMatch(/^vault\s+hashivault\s+http:\/\/127\.0\.0\.1:\d+\s+keychain/);
  });

  it('lists keys with versions and algorithms', async () => {
    const keys = await cli(['kms', 'keys', 'vault']);
    expect(keys.code).toBe(0);
    expect(keys.out).toContain('hashivault://release\n    ecdsa-p256 enabled\n    algorithms: ecdsa-p256-sha256\n    versions: 1, 2*');
    expect(keys.out).toContain('algorithms: rsa-pkcs1v15-sha256, rsa-pkcs1v15-sha384');
  });

  it('tests a key: algorithm, padding, key version, fingerprint; --json is the contract’s answer', async () => {
    const shown = await cli(['kms', 'test', 'hashivault://rsa', '--algorithm', 'rsa-pss-sha384']);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(
      /algorithm: {3}rsa-pss-sha384\n {2}padding: {5}PSS \(MGF1-SHA-384, salt = 48 bytes\)\n {2}key version: 1\n {2}public key: {2}SHA-256 [0-9a-f]{64}/,
    );
    const json = await cli(['kms', 'test', 'hashivault://release', '--version', '1', '--json']);
    const result = JSON.parse(json.out) as {
      keyVersion: string;
      publicKeyPem: string;
      publicKeyFingerprint: string;
      verifiedLocally: boolean;
    };
    expect(result).toMatchObject({ keyVersion: '1', verifiedLocally: true });
    // The fingerprint is SHA-256 of the DER SPKI of that version's public key, as openssl computes it.
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: result.publicKeyPem });
    expect(result.publicKeyFingerprint).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('fails with the core’s sentence and exit 1; usage errors before any call', async () => {
    const bad = await cli(['kms', 'test', 'hashivault://no/such']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^signet: Invalid KMS key reference: "hashivault:\/\/no\/such"/);
    const missing = await cli(['kms', 'test', 'hashivault://missing']);
    expect(missing.err).toMatch(/HashiCorp Vault has no key hashivault:\/\/missing/);
    await expect(cli(['kms', 'add', 'x', '--provider', 'nope'])).rejects.toThrow(/--provider must be one of/);
    await expect(cli(['kms', 'add', 'x', '--provider', 'awskms', '--profile', 'p', '--keychain'])).rejects.toThrow(/at most one/);
    const duplicate = await cli(['kms', 'add', 'vault', '--provider', 'hashivault']);
    expect(duplicate.err).toMatch(/exists already/);
  });

  it('removes the connection and its keychain entry', async () => {
    expect((await cli(['kms', 'remove', 'vault'])).code).toBe(0);
    expect(secrets.entries.has('kms:vault')).toBe(false);
    expect((await cli(['kms', 'list'])).out).toMatch(/No KMS connection yet/);
  });
});
