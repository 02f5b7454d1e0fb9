/** A small, strict command-line parser: unknown options and missing values are usage errors. */

export interface OptionSpec {
  readonly name: string;
  readonly type: 'boolean' | 'string' | 'strings';
  readonly description: string;
  readonly value?: string;
  readonly short?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** Only the last positional: takes every remaining argument. */
  readonly variadic?: boolean;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  /** The value of a string option, if given. */
  str(name: string): string | undefined;
  /** The value of a string option the command has already required (a usage error if absent). */
  req(name: string): string;
  /** The values of a repeatable option, if any was given. */
  list(name: string): string[] | undefined;
  /** Whether a boolean option was given. */
  flag(name: string): boolean;
  /** A positional argument the spec requires (parsing has already refused a missing one). */
  pos(index: number): string;
}

/** Typed reads of what parseArgs found, so commands need no casts. */
export function argsOf(positionals: string[], options: Readonly<Record<string, string | boolean | string[] | undefined>>): ParsedArgs {
  return {
    positionals,
    options,
    str: (name) => {
      const v = options[name];
      return typeof v === 'string' ? v : undefined;
    },
    req: (name) => {
      const v = options[name];
      if (typeof v !== 'string') throw new UsageError(`--${name} is required here.`);
      return v;
    },
    list: (name) => {
      const v = options[name];
      return Array.isArray(v) ? v : undefined;
    },
    flag: (name) => options[name] === true,
    pos: (index) => {
      const v = positionals[index];
      if (v === undefined) throw new UsageError('Missing argument.');
      return v;
    },
  };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], options: readonly OptionSpec[], positionals: readonly PositionalSpec[]): ParsedArgs {
  const byName = new Map(options.map((o) => [o.name, o] as const));
  const byShort = new Map(options.filter((o) => o.short).map((o) => [o.short as string, o] as const));
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const rest: string[] = [];
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      rest.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let spec: OptionSpec | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      spec = byName.get(name);
    } else {
      name = arg.slice(1);
      spec = byShort.get(name);
    }
    if (!spec) throw new UsageError(`Unknown option ${arg.split('=')[0]}.`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value.`);
      values[spec.name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`--${spec.name} needs a value${spec.value ? ` (${spec.value})` : ''}.`);
    }
    if (spec.type === 'strings') values[spec.name] = [...((values[spec.name] as string[] | undefined) ?? []), value];
    else if (values[spec.name] !== undefined) throw new UsageError(`--${spec.name} is given twice.`);
    else values[spec.name] = value;
  }

  const required = positionals.filter((p) => !p.optional).length;
  if (rest.length < required) {
    const missing = positionals[rest.length];
    throw new UsageError(`Missing ${missing ? missing.name : 'argument'}.`);
  }
  if (rest.length > positionals.length && !positionals.at(-1)?.variadic)
    throw new UsageError(`Unexpected argument ${JSON.stringify(rest[positionals.length])}.`);
  return argsOf(rest, values);
}
