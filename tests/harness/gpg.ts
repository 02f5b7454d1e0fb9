import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireCommand } from './tools';

/** A time for gpg's --faked-system-time, frozen ("!"), in seconds since the epoch. */
const faked = (at: Date) => `${Math.floor(at.getTime() / 1000)}!`;

/**
 * A throw-away GnuPG home: real gpg makes the keys, subkeys, expiries, revocations and signatures
 * the verification tests check Signet against. Every gpg run's exit status is checked. `stop()`
 * ends the gpg-agent it started and removes the directory.
 */
export class GpgHome {
  readonly dir: string;

  constructor() {
    requireCommand('gpg', 'gnupg');
    this.dir = mkdtempSync(path.join(tmpdir(), 'signet-gpg-'));
    execFileSync('chmod', ['700', this.dir]);
  }

  run(args: string[], options: { input?: string | Buffer; at?: Date; passphrase?: string } = {}): Buffer {
    const result = this.spawn(args, options);
    if (result.status !== 0) throw new Error(`gpg ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().slice(-600)}`);
    return result.stdout;
  }

  /** Runs gpg and returns its exit status, stdout and stderr, whatever the status. */
  spawn(
    args: string[],
    options: { input?: string | Buffer; at?: Date; passphrase?: string } = {},
  ): { status: number | null; stdout: Buffer; stderr: string } {
    const full = [
      '--homedir',
      this.dir,
      '--batch',
      '--yes',
      '--no-tty',
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      options.passphrase ?? '',
      ...(options.at ? ['--faked-system-time', faked(options.at)] : []),
      ...args,
    ];
    const result = spawnSync('gpg', full, { input: options.input ?? '', maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
  }

  /** A new key, made at `at`; returns its fingerprint. `usage` "sign" makes a signing primary; "cert" a certify-only primary. */
  generate(uid: string, options: { algo?: string; usage?: string; expire?: string; at?: Date; passphrase?: string } = {}): string {
    this.run(['--quick-gen-key', uid, options.algo ?? 'ed25519', options.usage ?? 'sign', options.expire ?? 'never'], {
      ...(options.at ? { at: options.at } : {}),
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    });
    return this.fingerprints(uid)[0]!;
  }

  /** Adds a subkey; returns the fingerprints of the key's subkeys, newest last. */
  addSubkey(fpr: string, options: { algo?: string; usage?: string; expire?: string; at?: Date; passphrase?: string } = {}): string[] {
    this.run(['--quick-add-key', fpr, options.algo ?? 'ed25519', options.usage ?? 'sign', options.expire ?? 'never'], {
      ...(options.at ? { at: options.at } : {}),
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    });
    return this.fingerprints(fpr).slice(1);
  }

  /** The primary's fingerprint then its subkeys', as gpg lists them. */
  fingerprints(query: string): string[] {
    const listing = this.run(['--with-colons', '--list-keys', query]).toString('utf8');
    return listing
      .split('\n')
      .filter((l) => l.startsWith('fpr:'))
      .map((l) => l.split(':')[9]!);
  }

  /**
   * Revokes the key (or, given `subkeyIndex` from 1, that subkey) with an RFC 4880 reason code:
   * 0 none, 1 superseded, 2 compromised, 3 retired — through --edit-key, as a person does.
   */
  revoke(fpr: string, reason: 0 | 1 | 2 | 3, subkeyIndex?: number): void {
    // gpg's menu lists "compromised" (1) before "superseded" (2): the reverse of RFC 4880's codes.
    const menu = { 0: '0', 1: '2', 2: '1', 3: '3' }[reason];
    const commands = subkeyIndex
      ? [`key ${subkeyIndex}`, 'revkey', 'y', menu, 'revoked by the test', '', 'y', 'save']
      : ['revkey', 'y', menu, 'revoked by the test', '', 'y', 'save'];
    this.run(['--command-fd', '0', '--status-fd', '2', '--edit-key', fpr], { input: `${commands.join('\n')}\n` });
  }

  exportPublic(fpr: string, armor = true): Buffer {
    return this.run([...(armor ? ['--armor'] : []), '--export', fpr]);
  }

  /**
   * A binary signed message (compressed, as gpg --sign writes by default), made at `at` by the given keys (key ids with "!" pin a subkey).
   */
  sign(payload: string | Buffer, signers: readonly string[], at?: Date, options: { compress?: boolean } = {}): Buffer {
    const input = path.join(this.dir, `payload-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    writeFileSync(input, payload);
    const out = `${input}.gpg`;
    this.run(
      [
        ...(options.compress === false ? ['--compress-algo', 'none'] : []),
        ...signers.flatMap((s) => ['-u', s]),
        '--sign',
        '-o',
        out,
        input,
      ],
      { ...(at ? { at } : {}) },
    );
    return readFileSync(out);
  }

  /** An unsigned message: the data compressed (zlib) in a literal packet, as `gpg --store` writes it. */
  store(data: Buffer): Buffer {
    const input = path.join(this.dir, `data-${Date.now()}`);
    writeFileSync(input, data);
    this.run(['--compress-algo', 'zlib', '--store', '-o', `${input}.gpg`, input]);
    return readFileSync(`${input}.gpg`);
  }

  stop(): void {
    spawnSync('gpgconf', ['--homedir', this.dir, '--kill', 'all']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
