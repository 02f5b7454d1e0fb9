import { readInputFile } from '../read-input';
import type { z } from 'zod';
import type { kmsCalls } from '../../../../shared/contract/kms';
import type { Result } from '../../../../shared/errors';
import { KMS_ALGORITHMS, KMS_PROVIDERS, type KmsKey } from '../../../../shared/models/kms';
import { UsageError } from '../args';
import { EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';

type KmsCalls = typeof kmsCalls;
type KmsCall = keyof KmsCalls;

/** ctx.call narrowed to the KMS area (the same contract table the app uses). */
function callKms<K extends KmsCall>(
  ctx: CommandContext,
  name: K,
  input: z.input<KmsCalls[K]['request']>,
): Promise<Result<z.output<KmsCalls[K]['response']>>> {
  return (ctx.call as unknown as (n: K, i: z.input<KmsCalls[K]['request']>) => Promise<Result<z.output<KmsCalls[K]['response']>>>)(
    name,
    input,
  );
}

async function run<K extends KmsCall>(
  ctx: CommandContext,
  name: K,
  input: z.input<KmsCalls[K]['request']>,
  print: (value: z.output<KmsCalls[K]['response']>) => string,
): Promise<number> {
  const result = await callKms(ctx, name, input);
  if (!result.ok) return reportFailure(ctx, result);
  ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : print(result.value));
  return EXIT_OK;
}

/** FIELD=VALUE pairs from a repeated option. */
function pairs(values: unknown, option: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of (values as string[] | undefined) ?? []) {
    const at = item.indexOf('=');
    if (at < 1)
      throw new UsageError(
        `--${option} takes FIELD=${option === 'secret-env' ? 'VAR' : 'PATH'}, e.g. --${option} clientSecret=${option === 'secret-env' ? 'AZURE_SECRET' : './key.pem'}.`,
      );
    out.set(item.slice(0, at), item.slice(at + 1));
  }
  return out;
}

const OPTIONAL_SECRETS = new Set(['sessionToken', 'passphrase', 'securityToken']);

function describeKey(k: KmsKey): string {
  const versions = k.versions
    .map(
      (v) =>
        `${v.version.length > 24 ? `…${v.version.slice(-12)}` : v.version}${v.current ? '*' : ''}${v.state === 'enabled' ? '' : ` (${v.state})`}`,
    )
    .join(', ');
  const lines = [
    `${k.uri}`,
    `    ${k.label ? `${k.label}; ` : ''}${k.keySpec ?? ''} ${k.canSign ? k.state : `cannot sign (${k.usage ?? 'not a signing key'})`}`,
  ];
  if (k.canSign)
    lines.push(`    algorithms: ${k.algorithms.join(', ') || 'none Signet can verify'}`, `    versions: ${versions || 'none'}`);
  return lines.join('\n');
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'kms add',
    summary: 'Save a named KMS connection: provider, region or endpoint, and where its credentials come from',
    positionals: [{ name: 'NAME', description: 'A name for the connection' }],
    options: [
      { name: 'provider', type: 'string', value: KMS_PROVIDERS.join('|'), description: 'The KMS' },
      { name: 'region', type: 'string', value: 'REGION', description: 'Region (AWS, Tencent, Huawei, OCI)' },
      {
        name: 'endpoint',
        type: 'string',
        value: 'URL',
        description: 'Service address (Vault address, private endpoint, Azure vault URL, OCI management endpoint)',
      },
      {
        name: 'scope',
        type: 'string',
        value: 'SCOPE',
        description: 'Where to list keys (Google projects/P/locations/L, Vault mount[|namespace], OCI compartment, Huawei project id)',
      },
      { name: 'authority-host', type: 'string', value: 'URL', description: 'Azure: Entra ID authority host (sovereign clouds)' },
      { name: 'ca-file', type: 'string', value: 'FILE', description: 'Extra trusted CA certificates (PEM) for this connection' },
      {
        name: 'profile',
        type: 'string',
        value: 'NAME',
        description: 'Use this profile of the vendor’s own config (AWS, Tencent, OCI, Huawei)',
      },
      { name: 'credentials-file', type: 'string', value: 'FILE', description: 'Use this credentials file (Google key file, OCI config)' },
      {
        name: 'keychain',
        type: 'boolean',
        description: 'Store credentials in the OS keychain (each field from --secret-env/--secret-file or a prompt)',
      },
      { name: 'secret-env', type: 'strings', value: 'FIELD=VAR', description: 'With --keychain: read FIELD from environment variable VAR' },
      {
        name: 'secret-file',
        type: 'strings',
        value: 'FIELD=PATH',
        description: 'With --keychain: read FIELD from a file (OCI private key, Google key JSON)',
      },
      { name: 'replace', type: 'boolean', description: 'Replace a connection of the same name' },
    ],
    examples: [
      'signet kms add prod-aws --provider awskms --region eu-central-1 --profile signing',
      'signet kms add vault --provider hashivault --endpoint https://vault.example.com:8200 --scope transit',
      'signet kms add azure --provider azurekms --endpoint https://release.vault.azure.net --keychain --secret-env clientSecret=AZURE_CLIENT_SECRET',
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const provider = ctx.args.str('provider');
      if (!provider || !(KMS_PROVIDERS as readonly string[]).includes(provider))
        throw new UsageError(`--provider must be one of ${KMS_PROVIDERS.join(', ')}.`);
      const sources = [
        o.profile ? 'profile' : undefined,
        o['credentials-file'] ? 'file' : undefined,
        o.keychain ? 'keychain' : undefined,
      ].filter(Boolean);
      if (sources.length > 1) throw new UsageError('Give at most one of --profile, --credentials-file and --keychain.');
      if (!o.keychain && (o['secret-env'] || o['secret-file'])) throw new UsageError('--secret-env and --secret-file go with --keychain.');
      let secret: Record<string, string> | undefined;
      if (o.keychain) {
        const providers = await callKms(ctx, 'kms.providers', {});
        if (!providers.ok) return reportFailure(ctx, providers);
        const fields = providers.value.find((p) => p.id === provider)?.secretFields ?? [];
        const fromEnv = pairs(o['secret-env'], 'secret-env');
        const fromFile = pairs(o['secret-file'], 'secret-file');
        for (const name of [...fromEnv.keys(), ...fromFile.keys()])
          if (!fields.includes(name))
            throw new UsageError(`${provider} credentials have no field ${name}; the fields are ${fields.join(', ')}.`);
        secret = {};
        for (const field of fields) {
          let value: string;
          if (fromFile.has(field)) {
            value = readInputFile(fromFile.get(field) as string, 'The secret file', 1024 * 1024).toString('utf8');
          } else {
            value = await ctx.readSecret(
              `${provider} ${field}${OPTIONAL_SECRETS.has(field) ? ' (empty to leave out)' : ''}: `,
              fromEnv.get(field),
            );
          }
          if (value) secret[field] = value.replace(/\r?\n$/, '');
        }
      }
      let caCertificates: string | undefined;
      if (o['ca-file']) {
        caCertificates = readInputFile(ctx.args.req('ca-file'), 'The CA file').toString('utf8');
      }
      const source = o.profile ? 'profile' : o['credentials-file'] ? 'file' : o.keychain ? 'keychain' : 'default';
      return run(
        ctx,
        'kms.add',
        {
          name: ctx.args.pos(0),
          provider: provider as (typeof KMS_PROVIDERS)[number],
          ...(o.region ? { region: ctx.args.req('region') } : {}),
          ...(o.endpoint ? { endpoint: ctx.args.req('endpoint') } : {}),
          ...(o.scope ? { scope: ctx.args.req('scope') } : {}),
          ...(o['authority-host'] ? { authorityHost: ctx.args.req('authority-host') } : {}),
          ...(caCertificates ? { caCertificates } : {}),
          credential: {
            source,
            ...(o.profile ? { profile: ctx.args.req('profile') } : {}),
            ...(o['credentials-file'] ? { path: ctx.args.req('credentials-file') } : {}),
            ...(secret ? { secret } : {}),
          },
          ...(o.replace ? { replace: true } : {}),
        },
        (c) =>
          `Saved the ${c.provider} connection "${c.name}" (credentials: ${c.credential.source}${c.credential.profile ? ` profile ${c.credential.profile}` : ''}${c.credential.identity ? ` ${c.credential.identity}` : ''}).`,
      );
    },
  },
  {
    name: 'kms list',
    summary: 'The saved KMS connections',
    async run(ctx) {
      return run(ctx, 'kms.list', {}, (list) =>
        list.length
          ? list
              .map(
                (c) =>
                  `${c.name.padEnd(20)}${c.provider.padEnd(12)}${(c.region ?? c.endpoint ?? c.scope ?? '').padEnd(40)}${c.credential.source}${c.credential.profile ? ` (${c.credential.profile})` : ''}${c.credential.identity ? ` (${c.credential.identity})` : ''}`,
              )
              .join('\n')
          : 'No KMS connection yet: `signet kms add NAME --provider …` (keys can also be used with the vendor’s default credentials directly).',
      );
    },
  },
  {
    name: 'kms remove',
    summary: 'Forget a KMS connection and its keychain entry (the keys stay in the KMS)',
    positionals: [{ name: 'NAME', description: 'The connection' }],
    async run(ctx) {
      return run(ctx, 'kms.remove', { name: ctx.args.pos(0) }, () => 'Removed.');
    },
  },
  {
    name: 'kms keys',
    summary: 'The keys a connection sees, with versions (* = current) and signing algorithms',
    positionals: [{ name: 'CONNECTION', description: 'A saved connection (see `signet kms list`)' }],
    async run(ctx) {
      return run(ctx, 'kms.keys', { connection: ctx.args.pos(0) }, ({ keys }) =>
        keys.length ? keys.map(describeKey).join('\n') : 'The connection sees no keys.',
      );
    },
  },
  {
    name: 'kms test',
    summary: 'Sign a random digest with a KMS key and verify it locally: shows algorithm, padding, key version and fingerprint',
    positionals: [
      { name: 'KEY-URI', description: 'awskms://…, gcpkms://…, azurekms://…, hashivault://…, tencentkms://…, ocikms://…, huaweikms://…' },
    ],
    options: [
      {
        name: 'connection',
        type: 'string',
        value: 'NAME',
        description: 'Use this saved connection (default: the best match, else the vendor’s default credentials)',
      },
      { name: 'algorithm', type: 'string', value: 'ALG', description: `One of ${KMS_ALGORITHMS.join(', ')}` },
      { name: 'version', type: 'string', value: 'VERSION', description: 'Key version (default: the current one)' },
    ],
    examples: ['signet kms test awskms:///alias/release', 'signet kms test hashivault://release --algorithm rsa-pss-sha256 --version 2'],
    async run(ctx) {
      const o = ctx.args.options;
      const algorithm = ctx.args.str('algorithm');
      if (algorithm && !(KMS_ALGORITHMS as readonly string[]).includes(algorithm))
        throw new UsageError(`--algorithm must be one of ${KMS_ALGORITHMS.join(', ')}.`);
      return run(
        ctx,
        'kms.test',
        {
          key: ctx.args.pos(0),
          ...(o.connection ? { connection: ctx.args.req('connection') } : {}),
          ...(algorithm ? { algorithm: algorithm as (typeof KMS_ALGORITHMS)[number] } : {}),
          ...(o.version ? { version: ctx.args.req('version') } : {}),
        },
        (r) =>
          [
            `Signed and verified locally with ${r.uri}`,
            `  algorithm:   ${r.algorithm}`,
            `  padding:     ${r.padding}`,
            `  key version: ${r.keyVersion}`,
            `  public key:  SHA-256 ${r.publicKeyFingerprint}`,
            `  signature:   ${r.signatureBytes} bytes, ${r.milliseconds} ms`,
          ].join('\n'),
      );
    },
  },
];
