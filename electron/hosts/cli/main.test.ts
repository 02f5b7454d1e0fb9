import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../../shared/version';
import { parseArgs, UsageError } from './args';
import { COMMAND_GROUPS } from './commands/index';
import { runCli } from './main';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { SIGNET_HOME: mkdtempSync(path.join(tmpdir(), 'signet-cli-')), ...env },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stdin: new PassThrough(),
    interrupted: () => Promise.resolve(),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('signet CLI', () => {
  it('prints its version', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, out: `signet ${APP_VERSION}` });
  });

  it('lists the commands with --help, and exits 2 without a command', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const group of COMMAND_GROUPS) expect(help.out).toContain(group.name);
    expect((await cli([])).code).toBe(2);
  });

  it('kms --help lists the credential sources of every provider, from the provider table', async () => {
    const help = await cli(['kms', '--help']);
    expect(help.code).toBe(0);
    for (const id of ['awskms', 'gcpkms', 'azurekms', 'hashivault', 'tencentkms', 'ocikms', 'huaweikms'])
      expect(help.out).toMatch(new RegExp(`^  ${id} \\(.*default \\(no option\\)`, 'm'));
    expect(help.out).toContain('--credentials-file FILE');
  });

  it('has --help on every command', async () => {
    for (const group of COMMAND_GROUPS) {
      for (const spec of await group.load()) {
        const result = await cli([...spec.name.split(' '), '--help']);
        expect(result.code, spec.name).toBe(0);
        expect(result.out, spec.name).toContain(`Usage: signet ${spec.name}`);
        expect(result.out, spec.name).toContain('--json');
      }
    }
  });

  it('exits 2 on usage errors, naming the problem', async () => {
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') });
    expect(await cli(['doctor', '--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining('Unknown option --bogus') });
    expect(await cli(['doctor', 'extra'])).toMatchObject({ code: 2, err: expect.stringContaining('Unexpected argument') });
    expect(await cli(['serve', '--port', 'http'])).toMatchObject({ code: 2, err: expect.stringContaining('--port must be') });
  });

  it('lists the contract as JSON', async () => {
    const result = await cli(['calls', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'doctor.run', effect: 'read' })]));
  });
});

describe('argument parser', () => {
  const options = [
    { name: 'port', type: 'string', description: '' },
    { name: 'flag', type: 'boolean', description: '' },
    { name: 'annotation', type: 'strings', description: '' },
  ] as const;
  it('parses values, repeats and --', () => {
    const parsed = parseArgs(['--port=1', '--flag', '--annotation', 'a=b', '--annotation', 'c=d', '--', '--x'], options, [
      { name: 'REF', description: '' },
    ]);
    expect(parsed.options).toEqual({ port: '1', flag: true, annotation: ['a=b', 'c=d'] });
    expect(parsed.positionals).toEqual(['--x']);
  });
  it.each([
    [['--port'], 'needs a value'],
    [['--port', '1', '--port', '2'], 'given twice'],
    [['--flag=yes'], 'takes no value'],
    [['--nope'], 'Unknown option'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, options, [])).toThrow(UsageError);
    expect(() => parseArgs(argv, options, [])).toThrow(message);
  });
});

describe('signet CLI: files named on the command line', () => {
  it(
    'refuses a FIFO, /dev/zero or an oversize file as a key, policy, trust or offline file, without hanging',
    { timeout: 10_000 },
    async () => {
      const { execFileSync } = await import('node:child_process');
      const { symlinkSync, writeFileSync } = await import('node:fs');
      const dir = mkdtempSync(path.join(tmpdir(), 'signet-cli-files-'));
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const zero = path.join(dir, 'zero');
      symlinkSync('/dev/zero', zero);
      const big = path.join(dir, 'big.pem');
      writeFileSync(big, Buffer.alloc(4 * 1024 * 1024 + 1, 0x41));
      for (const file of [fifo, zero]) {
        for (const argv of [
          ['key', 'import', file, '--name', 'k'],
          ['policy', 'import', file],
          ['trust', 'add', file],
          ['offline', 'check', file, file],
        ]) {
          const result = await cli([...argv, '--json']);
          expect(result.code, argv.join(' ')).toBe(1);
          expect(JSON.parse(result.out), argv.join(' ')).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
          expect(result.err).toMatch(/FIFO|character device/);
        }
      }
      expect(await cli(['key', 'import', big, '--name', 'k'])).toMatchObject({
        code: 1,
        err: expect.stringContaining('larger than 4 MiB'),
      });
      expect(await cli(['key', 'import', path.join(dir, 'absent'), '--name', 'k'])).toMatchObject({
        code: 2,
        err: expect.stringContaining('does not exist'),
      });
    },
  );
});
