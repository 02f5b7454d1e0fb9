import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, startSoftHsm, type RegistryHandle, type SoftHsmHandle } from '../../harness';
import { startKeyring, type KeyringHandle } from '../../harness/keyring';
import { startFakeVault, type FakeVault } from '../../harness/kms/vault';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');

interface Entry {
  seq: number;
  type: string;
  summary: string;
  outcome?: string;
  origin?: { host: string; user: string };
  details: Record<string, string | number | boolean>;
}

/** What one step must leave in the log: one entry of this kind, for this call, from this host. */
interface Expected {
  type: string;
  call: string;
  host: 'cli' | 'browser';
  outcome?: 'succeeded' | 'failed' | 'refused';
  details?: Record<string, unknown>;
}

/**
 * Issue #22's proof: every kind of change, made through the CLI and through the browser host
 * (`signet serve`), two processes on one data directory. Each change appears once, with its origin;
 * the chain verifies; an export round-trips through `audit verify --from-export`; and no secret the
 * test used (passphrases, passwords, tokens, the PIN) appears anywhere in the log or its exports.
 */
describe('the audit trail an auditor accepts', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'signet-audit-proof-'));
  const secrets = {
    VP: 'vault-Passphrase-Zebra-7',
    REGPASS: 'registry-Password-Quail-3',
    COSIGNPASS: 'cosign-Password-Walrus-5',
    VTOKEN: '',
    PIN: 'pin-Yak-Secret-9',
  };
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  let vault: FakeVault;
  let hsm: SoftHsmHandle;
  let server: ChildProcess;
  let base = '';
  let token = '';
  let env: NodeJS.ProcessEnv = {};
  let digest = '';
  const user = userInfo().username;

  const cli = async (...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 };
    }
  };
  const web = async <T>(name: string, input: unknown) => {
    const res = await fetch(`${base}/api/call/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signet-token': token },
      body: JSON.stringify(input),
    });
    return (await res.json()) as { ok: true; value: T } | { ok: false; code: string; message: string };
  };
  const webOk = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await web<T>(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.code} ${r.message}`);
    return r.value;
  };
  const head = async () => (await webOk<{ head?: { seq: number } }>('audit.verify', {})).head?.seq ?? 0;

  beforeAll(async () => {
    keyring = await startKeyring();
    hsm = await startSoftHsm({ label: 'audit-token', pin: secrets.PIN });
    registry = await startRegistry();
    vault = await startFakeVault([
      { name: 'release', type: 'ecdsa-p256' },
      { name: 'bad', type: 'rsa-2048', misbehave: 'pss-instead-of-pkcs1' },
    ]);
    secrets.VTOKEN = vault.token;
    digest = (await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'audit-proof' })).digest;
    env = {
      PATH: process.env.PATH,
      HOME: home,
      SIGNET_HOME: home,
      ...keyring.env,
      ...hsm.env,
      ...secrets,
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.token,
    };
    server = spawn(process.execPath, [path.join(root, 'bin', 'signet.mjs'), 'serve', '--json'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      server.once('exit', (code) => reject(new Error(`signet serve exited ${code}`)));
    });
    const url = new URL((JSON.parse(line) as { url: string }).url);
    base = url.origin;
    token = url.hash.replace('#token=', '');
  }, 120_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await vault?.stop();
    await registry?.stop();
    await hsm?.stop();
    await keyring?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('records each change and signing attempt once, with its origin; the chain and its exports verify; no secret is in it', async () => {
    const ref = `${registry.host}/team/app:1.0`;
    const pubFile = path.join(home, 'partner.pub');
    writeFileSync(pubFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const policyFile = path.join(home, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ default: [{ type: 'reject' }] }));
    const exportDir = path.join(home, 'cosign-export');
    let registryId = '';
    let trustId = '';
    let tokenSerial = '';
    let tokenKeyUri = '';

    const steps: Array<{ what: string; run: () => Promise<unknown>; expect: Expected }> = [
      {
        what: 'offline mode on (browser)',
        run: () => webOk('settings.set', { offlineMode: true }),
        expect: { type: 'settings.changed', call: 'settings.set', host: 'browser', details: { offlineMode: true } },
      },
      {
        what: 'offline mode off (CLI)',
        run: () => cli('offline', 'mode', 'off'),
        expect: { type: 'settings.changed', call: 'settings.set', host: 'cli', details: { offlineMode: false } },
      },
      {
        what: 'registry add with credentials (CLI)',
        run: async () => {
          await cli('registry', 'add', registry.host, '--insecure', '--username', 'auditor', '--password-env', 'REGPASS');
          registryId =
            (await webOk<Array<{ id: string; host: string }>>('registry.list', {})).find((r) => r.host === registry.host)?.id ?? '';
        },
        expect: { type: 'registry.changed', call: 'registry.add', host: 'cli', details: { credentialsChanged: true } },
      },
      {
        what: 'registry edit (browser)',
        run: () => webOk('registry.edit', { id: registryId, name: 'Team registry' }),
        expect: { type: 'registry.changed', call: 'registry.edit', host: 'browser' },
      },
      {
        what: 'key generate (CLI)',
        run: () => cli('key', 'generate', 'release', '--type', 'ecdsa-p256'),
        expect: { type: 'key.generated', call: 'keys.generate', host: 'cli', details: { keyName: 'release' } },
      },
      {
        what: 'key generate (browser)',
        run: () => webOk('keys.generate', { name: 'web-key', type: 'ed25519', trust: false }),
        expect: { type: 'key.generated', call: 'keys.generate', host: 'browser', details: { keyName: 'web-key' } },
      },
      {
        what: 'export of a secret key (CLI)',
        run: () => cli('key', 'export', 'release', '--format', 'cosign', '--out', exportDir, '--password-env', 'COSIGNPASS'),
        expect: { type: 'key.exported', call: 'keys.exportCosign', host: 'cli', details: { keyName: 'release' } },
      },
      {
        what: 'key import (browser)',
        run: () =>
          webOk('keys.import', {
            name: 'imported',
            text: readFileSync(path.join(exportDir, 'cosign.key'), 'utf8'),
            password: secrets.COSIGNPASS,
          }),
        expect: { type: 'key.imported', call: 'keys.import', host: 'browser', details: { keyName: 'imported' } },
      },
      {
        what: 'key retire (browser)',
        run: () => webOk('keys.retire', { key: 'web-key' }),
        expect: { type: 'key.retired', call: 'keys.retire', host: 'browser', details: { keyName: 'web-key' } },
      },
      {
        what: 'key delete (CLI)',
        run: () => cli('key', 'delete', 'imported', '--confirm', 'imported'),
        expect: { type: 'key.deleted', call: 'keys.delete', host: 'cli', details: { keyName: 'imported' } },
      },
      {
        what: 'trust add with a window and scopes (CLI)',
        run: async () => {
          await cli(
            'trust',
            'add',
            pubFile,
            '--name',
            'partner',
            '--not-before',
            '2026-01-01',
            '--not-after',
            '2030-01-01',
            '--scope',
            `${registry.host}/team`,
          );
          trustId =
            (await webOk<{ entries: Array<{ id: string; name: string }> }>('trust.list', {})).entries.find((e) => e.name === 'partner')
              ?.id ?? '';
        },
        expect: { type: 'trust.changed', call: 'trust.add', host: 'cli', details: { scopes: `${registry.host}/team` } },
      },
      {
        what: 'trust remove (browser)',
        run: () => webOk('trust.remove', { id: trustId }),
        expect: { type: 'trust.changed', call: 'trust.remove', host: 'browser' },
      },
      {
        what: 'policy import (CLI)',
        run: () => cli('policy', 'import', policyFile, '--name', 'strict'),
        expect: { type: 'trust.changed', call: 'trust.importPolicy', host: 'cli' },
      },
      {
        what: 'storage profile add (browser)',
        run: () => webOk('storage.add', { name: 'drop', kind: 'directory', path: path.join(home, 'drop'), credential: { source: 'none' } }),
        expect: { type: 'storage.changed', call: 'storage.add', host: 'browser' },
      },
      {
        what: 'storage profile remove (CLI)',
        run: () => cli('storage', 'remove', 'drop'),
        expect: { type: 'storage.changed', call: 'storage.remove', host: 'cli' },
      },
      {
        what: 'KMS connection add with a keychain token (CLI)',
        run: () =>
          cli(
            'kms',
            'add',
            'transit',
            '--provider',
            'hashivault',
            '--endpoint',
            vault.url,
            '--scope',
            'transit',
            '--keychain',
            '--secret-env',
            'token=VTOKEN',
          ),
        expect: { type: 'kms.changed', call: 'kms.add', host: 'cli' },
      },
      {
        what: 'KMS test-sign (browser)',
        run: () => webOk('kms.test', { key: 'hashivault://release', connection: 'transit' }),
        expect: { type: 'kms.tested', call: 'kms.test', host: 'browser', details: { keyVersion: '1' } },
      },
      {
        what: 'key generation on a token (browser)',
        run: async () => {
          tokenSerial =
            (await webOk<Array<{ serial: string; label: string }>>('tokens.list', { module: hsm.modulePath })).find(
              (t) => t.label === 'audit-token',
            )?.serial ?? '';
          tokenKeyUri = (
            await webOk<{ uri: string }>('tokens.generate', {
              module: hsm.modulePath,
              token: tokenSerial,
              label: 'token-key',
              type: 'ecdsa-p256',
              pin: secrets.PIN,
            })
          ).uri;
        },
        expect: { type: 'key.generated', call: 'tokens.generate', host: 'browser', details: { label: 'token-key' } },
      },
      {
        what: 'a signature (CLI)',
        run: () => cli('sign', ref, '--key', 'release'),
        expect: {
          type: 'image.signed',
          call: 'signatures.sign',
          host: 'cli',
          outcome: 'succeeded',
          details: { keyName: 'release', repository: 'team/app', digest, format: 'cosign' },
        },
      },
      {
        what: 'a signature with a token key (browser)',
        run: () => webOk('signatures.sign', { id: registryId, repository: 'team/app', digest, key: tokenKeyUri, pin: secrets.PIN }),
        expect: {
          type: 'image.signed',
          call: 'signatures.sign',
          host: 'browser',
          outcome: 'succeeded',
          details: { keyName: 'audit-token / token-key', format: 'cosign', digest },
        },
      },
      {
        what: 'a failed signing attempt (browser)',
        run: () => web('signatures.sign', { id: registryId, repository: 'team/app', digest, key: 'no-such-key' }),
        expect: {
          type: 'image.signed',
          call: 'signatures.sign',
          host: 'browser',
          outcome: 'failed',
          details: { code: 'KEY_NOT_FOUND', key: 'no-such-key', digest },
        },
      },
      {
        what: 'a signature the self-check refuses (CLI)',
        run: () => cli('sign', ref, '--key', 'hashivault://bad'),
        expect: {
          type: 'image.signed',
          call: 'signatures.sign',
          host: 'cli',
          outcome: 'refused',
          details: { code: 'SIGNING_FAILED', reason: 'self-check', key: 'hashivault://bad' },
        },
      },
      {
        what: 'a verification a person asked for (browser)',
        run: () => webOk('signatures.verify', { id: registryId, repository: 'team/app', digest, requested: true }),
        expect: { type: 'image.verified', call: 'signatures.verify', host: 'browser' },
      },
      {
        what: 'KMS connection remove (browser)',
        run: () => webOk('kms.remove', { name: 'transit' }),
        expect: { type: 'kms.changed', call: 'kms.remove', host: 'browser' },
      },
      {
        what: 'vault unlock (browser)',
        run: () => webOk('keys.vaultUnlock', { passphrase: secrets.VP }),
        expect: { type: 'vault.changed', call: 'keys.vaultUnlock', host: 'browser' },
      },
      {
        what: 'registry remove (browser)',
        run: () => webOk('registry.remove', { id: registryId }),
        expect: { type: 'registry.changed', call: 'registry.remove', host: 'browser' },
      },
    ];

    const windows: Array<{ what: string; from: number; to: number; expect: Expected }> = [];
    for (const step of steps) {
      const from = await head();
      await step.run();
      windows.push({ what: step.what, from, to: await head(), expect: step.expect });
    }

    const listed = JSON.parse((await cli('audit', 'list', '--limit', '1000', '--json')).stdout) as { entries: Entry[] };
    const log = listed.entries;
    for (const w of windows) {
      const inWindow = log.filter((e) => e.seq > w.from && e.seq <= w.to);
      const matching = inWindow.filter((e) => e.type === w.expect.type && e.details.call === w.expect.call);
      expect(matching, `${w.what}: ${JSON.stringify(inWindow.map((e) => [e.type, e.details.call, e.outcome, e.summary]))}`).toHaveLength(1);
      expect(matching[0], w.what).toMatchObject({
        origin: { host: w.expect.host, user },
        outcome: w.expect.outcome ?? 'succeeded',
        ...(w.expect.details ? { details: w.expect.details } : {}),
      });
    }
    // Every entry names its origin.
    expect(log.filter((e) => !e.origin)).toEqual([]);

    // The filters an auditor uses.
    const signing = JSON.parse((await cli('audit', 'list', '--kind', 'image.signed', '--json')).stdout) as { entries: Entry[] };
    expect(signing.entries.map((e) => e.outcome).sort()).toEqual(['failed', 'refused', 'succeeded', 'succeeded']);
    expect(signing.entries.find((e) => e.details.keyName === 'audit-token / token-key')?.details.tokenSerial).toBe(tokenSerial);
    const fromBrowser = JSON.parse((await cli('audit', 'list', '--origin', 'browser', '--kind', 'key', '--json')).stdout) as {
      entries: Entry[];
    };
    expect(fromBrowser.entries.map((e) => e.details.call).sort()).toEqual([
      'keys.generate',
      'keys.import',
      'keys.retire',
      'tokens.generate',
    ]);
    const byKey = JSON.parse((await cli('audit', 'list', '--key', 'release', '--image', 'team/app', '--json')).stdout) as {
      entries: Entry[];
    };
    expect(byKey.entries.some((e) => e.type === 'image.signed' && e.outcome === 'succeeded')).toBe(true);

    // The chain verifies; each export round-trips through --from-export.
    expect(JSON.parse((await cli('audit', 'verify', '--json')).stdout)).toMatchObject({ intact: true, entries: log.length });
    const exports: string[] = [];
    for (const format of ['jsonl', 'csv']) {
      const file = path.join(home, `audit.${format}`);
      const made = await cli('audit', 'export', '--format', format, '--out', file, '--json');
      expect(JSON.parse(made.stdout)).toMatchObject({ entries: log.length, head: { seq: log.length } });
      const checked = await cli('audit', 'verify', '--from-export', file, '--json');
      expect(JSON.parse(checked.stdout), checked.stderr).toMatchObject({ intact: true, entries: log.length });
      exports.push(readFileSync(file, 'utf8'));
    }
    const since = new Date(Date.now() - 3600_000).toISOString();
    const ranged = path.join(home, 'ranged.jsonl');
    await cli('audit', 'export', '--since', since, '--until', new Date().toISOString(), '--out', ranged);
    expect(JSON.parse((await cli('audit', 'verify', '--from-export', ranged, '--json')).stdout)).toMatchObject({ intact: true });
    // An edited export is caught, and the place named.
    const edited = path.join(home, 'edited.jsonl');
    writeFileSync(edited, exports[0]!.replace('"Team registry"', '"Other registry"'));
    const broken = await cli('audit', 'verify', '--from-export', edited, '--json');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ intact: false, break: { reason: 'changed' } });

    // No secret the test used is anywhere in the log or its exports.
    const everything = [readFileSync(path.join(home, 'audit.log'), 'utf8'), ...exports].join('\n');
    for (const [name, value] of Object.entries(secrets)) expect(everything.includes(value), `${name} appears in the audit log`).toBe(false);
  }, 300_000);
});
