import { APP_NAME, APP_VERSION } from '../../../shared/version';
import { parseArgs, UsageError, type OptionSpec } from './args';
import { EXIT_FAILED, EXIT_USAGE, type CommandContext, type CommandSpec } from './command';
import { COMMAND_GROUPS } from './commands/index';
import { formatCommandHelp, formatGroupHelp, formatTopHelp, VAULT_PASSWORD_OPTION } from './help';
import { readConfirmation, readSecretFrom } from './secret';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Resolves on Ctrl-C / SIGTERM. */
  interrupted(): Promise<void>;
}

const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Print machine-readable JSON' },
  { name: 'help', type: 'boolean', short: 'h', description: 'Show help for this command' },
  VAULT_PASSWORD_OPTION,
];

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(formatTopHelp(COMMAND_GROUPS));
    return EXIT_USAGE;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.out(`${APP_NAME.toLowerCase()} ${APP_VERSION}`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    if (!topic) {
      io.out(formatTopHelp(COMMAND_GROUPS));
      return 0;
    }
    return runCli([topic, ...rest.slice(1), '--help'], io);
  }

  const group = COMMAND_GROUPS.find((g) => g.name === first);
  if (!group) {
    io.err(`signet: unknown command ${JSON.stringify(first)}. Run \`signet --help\` for the list.`);
    return EXIT_USAGE;
  }
  const specs = await group.load();
  const sub = rest[0];
  let spec = specs.find((s) => s.name === group.name);
  let args = rest;
  if (!spec || (sub !== undefined && specs.some((s) => s.name === `${group.name} ${sub}`))) {
    spec = specs.find((s) => s.name === `${group.name} ${sub ?? ''}`);
    args = rest.slice(1);
    if (!spec) {
      const wantsHelp = sub === undefined || sub === '--help' || sub === '-h';
      (wantsHelp ? io.out : io.err)(
        wantsHelp
          ? formatGroupHelp(group, specs, group.notes ? await group.notes(await helpCaller(io)) : [])
          : `signet: unknown command "${group.name} ${sub}".\n\n${formatGroupHelp(group, specs)}`,
      );
      return wantsHelp && sub !== undefined ? 0 : EXIT_USAGE;
    }
  }
  return runCommand(spec, args, io);
}

/** The contract, for help that shows what the core knows (the KMS providers' credential sources). */
async function helpCaller(io: CliIo): Promise<CommandContext['call']> {
  const [{ defaultDataDir }, { createCore }] = await Promise.all([import('../../core/paths'), import('../../core/core')]);
  const core = createCore({ dataDir: defaultDataDir(io.env), host: 'cli', readOnly: true, log: (line) => io.err(line) });
  return (name, input) => core.dispatch(name, input) as never;
}

/** A pkcs11: URI (a value on its own or after --flag=) with pin-value in its path or query, its name percent-encoded or not. */
function carriesPin(arg: string): boolean {
  const value = arg.replace(/^--[a-z-]+=/, '').trim();
  if (!/^pkcs11:/i.test(value)) return false;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // Malformed percent-encoding: the URI parser refuses it later; look at it as it is.
  }
  return /(?:^pkcs11:|[;?&])pin-value=/i.test(decoded);
}

async function runCommand(spec: CommandSpec, argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, [...(spec.options ?? []), ...GLOBAL_OPTIONS], spec.positionals ?? []);
  } catch (error) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(formatCommandHelp(spec));
      return 0;
    }
    io.err(`signet ${spec.name}: ${(error as Error).message}\nRun \`signet ${spec.name} --help\` for usage.`);
    return EXIT_USAGE;
  }
  if (parsed.options.help === true) {
    io.out(formatCommandHelp(spec));
    return 0;
  }
  const pinInArgs = argv.find(carriesPin);
  if (pinInArgs !== undefined) {
    const message =
      'A pkcs11: URI on the command line carries a PIN (pin-value=), which every user of this machine can read in `ps` and the shell history. Nothing was done. Give the PIN with --pin-env VAR, a ?pin-source=FILE in the URI, or at the prompt.';
    if (parsed.options.json === true) io.out(JSON.stringify({ ok: false, code: 'INVALID_INPUT', message }));
    io.err(`signet ${spec.name}: ${message}`);
    return EXIT_USAGE;
  }

  const { defaultDataDir } = await import('../../core/paths');
  const dataDir = defaultDataDir(io.env);
  let dispatchPromise: Promise<import('../../core/dispatch').Dispatch> | undefined;
  const dispatch = () =>
    (dispatchPromise ??= import('../../core/core').then(({ createCore }) => {
      const core = createCore({ dataDir, host: 'cli', log: (line) => io.err(line) });
      if (io.env.SIGNET_PROGRESS !== '0' && (process.stderr.isTTY ?? false)) {
        core.events.subscribe((event) => {
          if (event.type === 'job.progress') io.err(`  [${event.payload.done}/${event.payload.total}] ${event.payload.message}`);
        });
      }
      return core.dispatch;
    }));

  const ctx: CommandContext = {
    args: parsed,
    json: parsed.options.json === true,
    env: io.env,
    dataDir,
    call: async (name, input) => {
      const d = await dispatch();
      const result = await d(name, input);
      // A key in the locked vault: ask for the passphrase once, unlock, and try again.
      if (!result.ok && result.code === 'KEY_LOCKED' && result.reason === 'vault-locked' && name !== 'keys.vaultUnlock') {
        const passphrase = await readSecretFrom(io, 'Vault passphrase: ', parsed.options['vault-password-env'] as string | undefined);
        const unlocked = await d('keys.vaultUnlock', { passphrase });
        if (!unlocked.ok) return unlocked as never;
        return d(name, input) as never;
      }
      return result as never;
    },
    out: (text) => io.out(text),
    err: (text) => io.err(text),
    readSecret: (prompt, envVar) => readSecretFrom(io, prompt, envVar),
    confirm: (prompt, instead) => readConfirmation(io, prompt, instead),
    interrupted: () => io.interrupted(),
  };
  try {
    return await spec.run(ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`signet ${spec.name}: ${error.message}\nRun \`signet ${spec.name} --help\` for usage.`);
      return EXIT_USAGE;
    }
    const { SignetError } = await import('../../../shared/errors');
    if (error instanceof SignetError) {
      if (ctx.json) io.out(JSON.stringify({ ok: false, code: error.code, message: error.message }));
      io.err(`signet ${spec.name}: ${error.message}`);
      return EXIT_FAILED;
    }
    io.err(`signet ${spec.name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILED;
  }
}
