import type { CallName, RequestOf, ResponseOf } from '../../../shared/api';
import type { Result } from '../../../shared/errors';
import type { OptionSpec, ParsedArgs, PositionalSpec } from './args';

/** Everything a command may use; commands never reach for process globals directly. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly json: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  /** Calls the core through the contract, exactly as the app does. */
  call<K extends CallName>(name: K, input: RequestOf<K>): Promise<Result<ResponseOf<K>>>;
  out(text: string): void;
  err(text: string): void;
  /** Reads a secret: from the environment variable named by the user, else a no-echo prompt. */
  readSecret(prompt: string, envVar?: string): Promise<string>;
  /** Asks at a terminal, echoing; without one, a usage error that names the flag to pass instead. */
  confirm(prompt: string, instead: string): Promise<string>;
  /** Resolves when the user interrupts (Ctrl-C / SIGTERM). */
  interrupted(): Promise<void>;
}

export interface CommandSpec {
  /** One or two words: `doctor`, `key generate`. */
  readonly name: string;
  readonly summary: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options?: readonly OptionSpec[];
  readonly examples?: readonly string[];
  /** The command may need a key from the encrypted vault: its help lists the global --vault-password-env. */
  readonly mayUnlockVault?: boolean;
  /** Returns the exit code: 0 ok, 1 failed. */
  run(ctx: CommandContext): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Prints a failed call: its sentence on stderr (and the envelope on stdout with --json); exit 1. */
export function reportFailure(
  ctx: Pick<CommandContext, 'json' | 'out' | 'err'>,
  failure: { ok: false; code: string; message: string },
): number {
  if (ctx.json) ctx.out(JSON.stringify(failure));
  ctx.err(`signet: ${failure.message}`);
  return EXIT_FAILED;
}
