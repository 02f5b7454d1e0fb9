import { TOKEN_ALGORITHMS } from '../../../../shared/contract/tokens';
import { parsePkcs11Uri } from '../../../core/pkcs11/uri';
import { TOKEN_KEY_TYPES, type TokenKey, type TokenSummary } from '../../../../shared/models/tokens';
import { UsageError, type OptionSpec } from '../args';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';

const MODULE: OptionSpec = {
  name: 'module',
  type: 'string',
  value: 'PATH',
  description: 'The PKCS#11 module (default: the known module that has the token)',
};
const TOKEN: OptionSpec = {
  name: 'token',
  type: 'string',
  value: 'SERIAL|LABEL',
  description: 'The token, by serial number (or by label when that is unique)',
};
const PIN_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'pin-env',
    type: 'string',
    value: 'VAR',
    description: 'Read the user PIN from environment variable VAR (else a prompt; never from the command line)',
  },
  { name: 'pin-pad', type: 'boolean', description: 'Log in on the token’s own PIN pad' },
  { name: 'final-try', type: 'boolean', description: 'Allow the login when the token reports ONE try left' },
];

function flags(token: TokenSummary): string {
  const f = token.flags;
  return [
    f.userPinLocked ? 'PIN LOCKED' : '',
    f.userPinFinalTry ? 'PIN final try' : '',
    f.userPinCountLow ? 'PIN count low' : '',
    f.protectedAuthenticationPath ? 'PIN pad' : '',
    f.tokenInitialized ? '' : 'not initialised',
    f.loginRequired ? 'login required' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function describeKey(k: TokenKey): string {
  const kind = k.keyType === 'EC' ? `EC ${k.curve ?? ''}` : k.keyType === 'RSA' ? `RSA ${k.modulusBits ?? ''}` : k.keyType;
  const notes = [
    k.hasPrivateKey ? (k.canSign ? 'sign' : 'no CKA_SIGN') : 'public only',
    k.alwaysAuthenticate ? 'always-authenticate' : '',
    k.allowedMechanisms ? `mechanisms ${k.allowedMechanisms.join(' ')}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `${k.label || '(no label)'}  id ${k.idHex || '-'}  ${kind.trim()}  (${notes})`,
    `  ${k.uri}`,
    ...(k.spkiSha256 ? [`  SPKI SHA-256 ${k.spkiSha256}`] : []),
  ].join('\n');
}

/** The PIN fields of a call: --pin-pad, a PIN from --pin-env, or a prompt (when `ask`). */
async function pinFields(
  ctx: CommandContext,
  ask: boolean,
  token?: string,
): Promise<{ pin?: string; pinPad?: boolean; confirmFinalTry?: boolean }> {
  const o = ctx.args.options;
  const confirm = o['final-try'] === true ? { confirmFinalTry: true } : {};
  if (o['pin-pad'] === true) return { pinPad: true, ...confirm };
  const envVar = ctx.args.str('pin-env');
  if (envVar === undefined && !ask) return confirm;
  return { pin: await ctx.readSecret(`User PIN${token ? ` for token ${token}` : ''}: `, envVar), ...confirm };
}

/** The module holding `token` when --module is not given: exactly one known module must have it. */
async function moduleFor(ctx: CommandContext, token: string): Promise<string | number> {
  const given = ctx.args.str('module');
  if (given) return given;
  const result = await ctx.call('tokens.list', {});
  if (!result.ok) return reportFailure(ctx, result);
  const bySerial = result.value.filter((t) => t.serial === token);
  const matches = bySerial.length ? bySerial : result.value.filter((t) => t.label === token);
  const modules = [...new Set(matches.map((t) => t.module))];
  if (modules.length === 1) return modules[0] as string;
  ctx.err(
    modules.length
      ? `signet: token ${token} is in ${modules.length} modules (${modules.join(', ')}); choose one with --module.`
      : `signet: no known module has a token ${token}; see \`signet token list\`, or name the module with --module.`,
  );
  return EXIT_FAILED;
}

function requireToken(ctx: CommandContext): string {
  const token = ctx.args.str('token');
  if (!token) throw new UsageError('--token SERIAL|LABEL is required.');
  return token;
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'token modules',
    summary: 'The PKCS#11 modules Signet knows and those added',
    async run(ctx) {
      const result = await ctx.call('tokens.modules', {});
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : result.value.length
            ? result.value.map((m) => `${m.name.padEnd(20)}${m.path}  (${m.source})`).join('\n')
            : 'No PKCS#11 module found; add one with `signet token add-module PATH`.',
      );
      return EXIT_OK;
    },
  },
  {
    name: 'token add-module',
    summary: 'Add a PKCS#11 module by its path (loading a module runs its code: add only modules you trust)',
    positionals: [{ name: 'PATH', description: 'Absolute path to the module (.so, .dylib, .dll)' }],
    async run(ctx) {
      const result = await ctx.call('tokens.addModule', { path: ctx.args.pos(0) });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Added. Modules: ${result.value.map((m) => m.path).join(', ')}`);
      return EXIT_OK;
    },
  },
  {
    name: 'token list',
    summary: 'The tokens (by serial) of one module or of every known module',
    options: [MODULE],
    examples: ['signet token list', 'signet token list --module /usr/lib/softhsm/libsofthsm2.so --json'],
    async run(ctx) {
      const module = ctx.args.str('module');
      const result = await ctx.call('tokens.list', module ? { module } : {});
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : result.value.length
            ? result.value
                .map(
                  (t) =>
                    `${(t.label || '(no label)').padEnd(24)}serial ${t.serial.padEnd(18)}${t.manufacturer} ${t.model}  [${flags(t)}]\n  module ${t.module}  slot ${t.slotId}`,
                )
                .join('\n')
            : 'No tokens present.',
      );
      return EXIT_OK;
    },
  },
  {
    name: 'token keys',
    summary: 'The keys on a token with their attributes (private keys only after a login: --pin-env, --login or --pin-pad)',
    options: [TOKEN, MODULE, ...PIN_OPTIONS, { name: 'login', type: 'boolean', description: 'Ask for the PIN to see the private keys' }],
    examples: ['signet token keys --token signet-test --pin-env SIGNET_PIN'],
    async run(ctx) {
      const token = requireToken(ctx);
      const module = await moduleFor(ctx, token);
      if (typeof module === 'number') return module;
      const result = await ctx.call('tokens.keys', { module, token, ...(await pinFields(ctx, ctx.args.options.login === true, token)) });
      if (!result.ok) return reportFailure(ctx, result);
      const { keys, loggedIn } = result.value;
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : [
              ...(keys.length ? keys.map(describeKey) : ['No keys.']),
              ...(loggedIn ? [] : ['(Not logged in: private keys are hidden; add --login or --pin-env VAR.)']),
            ].join('\n'),
      );
      return EXIT_OK;
    },
  },
  {
    name: 'token generate',
    summary: 'Generate a key pair on the token (the private key never leaves it)',
    positionals: [{ name: 'LABEL', description: 'The key label (CKA_LABEL)' }],
    options: [
      { name: 'type', type: 'string', value: TOKEN_KEY_TYPES.join('|'), description: 'Key type (default ecdsa-p256)' },
      TOKEN,
      MODULE,
      ...PIN_OPTIONS,
    ],
    examples: ['signet token generate release --type ecdsa-p256 --token signet-test --pin-env SIGNET_PIN'],
    async run(ctx) {
      const type = ctx.args.str('type') ?? 'ecdsa-p256';
      if (!(TOKEN_KEY_TYPES as readonly string[]).includes(type))
        throw new UsageError(`--type must be one of ${TOKEN_KEY_TYPES.join(', ')}.`);
      const token = requireToken(ctx);
      const module = await moduleFor(ctx, token);
      if (typeof module === 'number') return module;
      const result = await ctx.call('tokens.generate', {
        module,
        token,
        label: ctx.args.pos(0),
        type: type as (typeof TOKEN_KEY_TYPES)[number],
        ...(await pinFields(ctx, true, token)),
      });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : `Generated ${type} key "${result.value.label}" on token ${token}.\n${describeKey(result.value)}`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'token test-sign',
    summary: 'Sign random data with a token key and verify the signature locally',
    positionals: [{ name: 'URI', description: 'The key’s pkcs11: URI (as `signet token keys` prints it)' }],
    options: [
      { name: 'algorithm', type: 'string', value: TOKEN_ALGORITHMS.join('|'), description: 'Signing algorithm (default: the key’s first)' },
      ...PIN_OPTIONS,
    ],
    examples: [
      'signet token test-sign "pkcs11:token=signet-test;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so" --pin-env SIGNET_PIN',
    ],
    async run(ctx) {
      const uri = ctx.args.pos(0);
      const algorithm = ctx.args.str('algorithm');
      if (algorithm !== undefined && !(TOKEN_ALGORITHMS as readonly string[]).includes(algorithm))
        throw new UsageError(`--algorithm must be one of ${TOKEN_ALGORITHMS.join(', ')}.`);
      // Refuse a bad URI before asking for a PIN; one that carries its own PIN (pin-value, pin-source) needs no prompt.
      const parsed = parsePkcs11Uri(uri);
      const uriHasPin = parsed.pinValue !== undefined || parsed.pinSource !== undefined;
      parsed.pinValue?.fill(0);
      const result = await ctx.call('tokens.testSign', {
        uri,
        ...(algorithm ? { algorithm: algorithm as (typeof TOKEN_ALGORITHMS)[number] } : {}),
        ...(await pinFields(ctx, !uriHasPin)),
      });
      if (!result.ok) return reportFailure(ctx, result);
      const r = result.value;
      ctx.out(
        ctx.json
          ? JSON.stringify(r, null, 2)
          : `Signature OK: ${r.algorithm} via ${r.mechanism}, ${r.signatureBytes} bytes, verified with ${r.verifiedWith}.\nkey ${r.uri}\nSPKI SHA-256 ${r.spkiSha256}`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'token diagnostics',
    summary: 'Every attribute of a token, its slot and module, and its mechanisms',
    options: [TOKEN, MODULE],
    async run(ctx) {
      const token = requireToken(ctx);
      const module = await moduleFor(ctx, token);
      if (typeof module === 'number') return module;
      const result = await ctx.call('tokens.diagnostics', { module, token });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : result.value.attributes.map((a) => `${a.group.padEnd(10)}${a.name.padEnd(34)}${a.value}`).join('\n'),
      );
      return EXIT_OK;
    },
  },
];
