import type { CallName, RequestOf, ResponseOf } from '../../../../shared/api';
import path from 'node:path';
import { RegistryHost, type OcirSettings } from '../../../../shared/models/registry';
import { UsageError } from '../args';
import { EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';
import { hostRegistry, layoutName, layoutRegistry, locate, parseImage, parseLayoutReference, REFERENCE_HELP } from '../resolve';

async function run<K extends CallName>(
  ctx: CommandContext,
  name: K,
  input: RequestOf<K>,
  print: (value: ResponseOf<K>) => string,
): Promise<number> {
  const result = await ctx.call(name, input);
  if (!result.ok) return reportFailure(ctx, result);
  ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : print(result.value));
  return EXIT_OK;
}

/** A saved registry's id alone is the old form with its repository missing, not an image on Docker Hub. */
async function refuseBareId(ctx: CommandContext, arg: string, oldForm: string): Promise<void> {
  if (arg.includes('/') || arg.includes(':') || arg.includes('@')) return;
  const list = await ctx.call('registry.list', {});
  if (list.ok && list.value.some((r) => r.id === arg))
    throw new UsageError(
      `${arg} is a saved registry; name the image in full (${REFERENCE_HELP}), or use the old form \`signet ${oldForm}\`.`,
    );
}

/** Every tag of an OCI layout directory: bare tags when it holds one repository, else repo:tag. */
async function layoutTags(ctx: CommandContext, text: string): Promise<number> {
  const ref = parseLayoutReference(text);
  if (ref.tag || ref.digest || ref.repository)
    throw new UsageError(`${text} names an image; registry tags takes a layout: oci:${ref.dir}.`);
  const id = await layoutRegistry(ctx, ref.dir);
  const repos = await ctx.call('registry.repositories', { id });
  if (!repos.ok) return reportFailure(ctx, repos);
  const names: Array<{ repository: string; tag: string }> = [];
  for (const repository of repos.value.repositories) {
    const tags = await ctx.call('registry.tags', { id, repository });
    if (!tags.ok) return reportFailure(ctx, tags);
    names.push(...tags.value.tags.map((tag) => ({ repository, tag })));
  }
  const single = repos.value.repositories.length <= 1;
  const tags = names.map((n) => (single ? n.tag : layoutName(n)));
  ctx.out(ctx.json ? JSON.stringify({ tags, complete: true }, null, 2) : tags.join('\n'));
  return EXIT_OK;
}

/**
 * A registry argument: a saved registry's id, a host (saved on first use, as images are), a
 * host/repo where a repository is welcome, or oci:DIR.
 */
async function registryArgument(
  ctx: CommandContext,
  arg: string,
  repositoryAllowed: boolean,
): Promise<{ id: string; repository?: string }> {
  const list = await ctx.call('registry.list', {});
  if (!list.ok) throw new Error(list.message);
  if (list.value.some((r) => r.id === arg)) return { id: arg };
  if (arg.startsWith('oci:')) {
    const ref = parseLayoutReference(arg);
    if (ref.tag || ref.digest || ref.repository) throw new UsageError(`${arg} names an image; give the layout alone: oci:${ref.dir}.`);
    return { id: await layoutRegistry(ctx, ref.dir) };
  }
  if (!arg.includes('/')) {
    if (!/[.:]/.test(arg) && arg !== 'localhost')
      throw new UsageError(
        `There is no saved registry ${JSON.stringify(arg)}; give a host such as registry.example.com or 127.0.0.1:5000 (see \`signet registry list\`).`,
      );
    if (!RegistryHost.safeParse(arg).success) throw new UsageError(`${JSON.stringify(arg)} is not a registry host.`);
    return { id: await hostRegistry(ctx, arg) };
  }
  const named = parseImage(arg);
  if (named.tag || named.digest)
    throw new UsageError(`${arg} names an image; give ${repositoryAllowed ? 'a host or host/repo' : 'a host'}.`);
  if (!repositoryAllowed) throw new UsageError(`${arg} names a repository; give the registry host alone (${named.registry}).`);
  const at = await locate(ctx, arg);
  return { id: at.id, repository: at.repository };
}

/** --ocir-profile and --ocir-compartment (with --ocir-region, --ocir-config, --ocir-endpoint) into the registry's OCIR settings. */
function ocirFrom(ctx: CommandContext): { ocir?: OcirSettings } {
  const o = ctx.args.options;
  const given = ['ocir-compartment', 'ocir-region', 'ocir-config', 'ocir-endpoint', 'ocir-namespace'].filter((k) => o[k] !== undefined);
  if (!o['ocir-profile']) {
    if (given.length) throw new UsageError(`--${given[0]} needs --ocir-profile.`);
    return {};
  }
  if (!o['ocir-compartment']) throw new UsageError('--ocir-profile needs --ocir-compartment OCID.');
  return {
    ocir: {
      profile: ctx.args.req('ocir-profile'),
      compartmentId: ctx.args.req('ocir-compartment'),
      ...(o['ocir-region'] ? { region: ctx.args.req('ocir-region') } : {}),
      ...(o['ocir-config'] ? { configFile: path.resolve(ctx.args.req('ocir-config')) } : {}),
      ...(o['ocir-endpoint'] ? { endpoint: ctx.args.req('ocir-endpoint') } : {}),
      ...(o['ocir-namespace'] ? { namespace: ctx.args.req('ocir-namespace') } : {}),
    },
  };
}

/** Marking a registry as Oracle OCIR (registry add and edit). */
const OCIR_OPTIONS = [
  { name: 'ocir-profile', type: 'string', value: 'NAME', description: 'Oracle OCIR: the OCI config profile for its image-signature API' },
  { name: 'ocir-compartment', type: 'string', value: 'OCID', description: 'Oracle OCIR: the compartment of its repositories' },
  { name: 'ocir-region', type: 'string', value: 'REGION', description: 'Oracle OCIR: the region (else the profile’s)' },
  { name: 'ocir-config', type: 'string', value: 'FILE', description: 'Oracle OCIR: the OCI config file (else ~/.oci/config)' },
  { name: 'ocir-endpoint', type: 'string', value: 'URL', description: 'Oracle OCIR: the Artifacts API endpoint (else from the region)' },
  { name: 'ocir-namespace', type: 'string', value: 'NS', description: 'Oracle OCIR: the tenancy namespace (first path segment of images)' },
] as const;

const ID = { name: 'REGISTRY', description: 'A saved registry’s id (see `signet registry list`)' };

export const commands: readonly CommandSpec[] = [
  {
    name: 'registry add',
    summary: 'Save a registry; credentials go to the OS keychain (the password is read from a prompt or --password-env)',
    positionals: [{ name: 'HOST', description: 'registry.example.com or 127.0.0.1:5000', optional: true }],
    options: [
      { name: 'layout', type: 'string', value: 'PATH', description: 'Add an OCI image layout directory or .tar instead of a registry' },
      { name: 'name', type: 'string', value: 'NAME', description: 'A name to show' },
      { name: 'insecure', type: 'boolean', description: 'Use plain HTTP (loopback always does)' },
      { name: 'username', type: 'string', value: 'USER', description: 'Sign in as USER' },
      { name: 'password-env', type: 'string', value: 'VAR', description: 'Read the password from environment variable VAR' },
      {
        name: 'lookaside',
        type: 'string',
        value: 'URL',
        description: 'Where its simple signatures are kept: a directory, file:/// or http(s):// URL',
      },
      ...OCIR_OPTIONS,
      {
        name: 'save-anyway',
        type: 'boolean',
        description: 'Save even if the registry does not answer or refuses the sign-in (checked first by default)',
      },
    ],
    examples: [
      'signet registry add 127.0.0.1:5000',
      'REG_PASS=… signet registry add registry.example.com --username ci --password-env REG_PASS',
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const host = ctx.args.positionals[0];
      if ((host === undefined) === (o.layout === undefined)) throw new UsageError('Give a registry HOST or --layout PATH.');
      if (o.layout)
        return run(
          ctx,
          'registry.add',
          { layoutPath: ctx.args.req('layout'), ...(o.name ? { name: ctx.args.req('name') } : {}) },
          (r) => `Saved the OCI layout ${r.path} as ${r.id}.`,
        );
      const username = ctx.args.str('username');
      if (o['password-env'] && !username) throw new UsageError('--password-env needs --username.');
      const password = username ? await ctx.readSecret(`Password for ${username}: `, ctx.args.str('password-env')) : undefined;
      return run(
        ctx,
        'registry.add',
        {
          host: host as string,
          ...(o.name ? { name: ctx.args.req('name') } : {}),
          ...(o.insecure ? { insecure: true } : {}),
          ...(username && password ? { username, password } : {}),
          ...(o.lookaside ? { lookaside: ctx.args.req('lookaside') } : {}),
          ...(o['save-anyway'] ? { saveAnyway: true } : {}),
          ...ocirFrom(ctx),
        },
        (r) => `Saved ${r.name} as ${r.id} (credentials: ${r.credentials}${r.lookaside ? `; lookaside ${r.lookaside}` : ''}).`,
      );
    },
  },
  {
    name: 'registry edit',
    summary: 'Rename a saved registry, or set or clear the lookaside its simple signatures are read from',
    positionals: [ID],
    options: [
      { name: 'name', type: 'string', value: 'NAME', description: 'A new name to show' },
      {
        name: 'lookaside',
        type: 'string',
        value: 'URL',
        description: 'Read simple signatures from this directory, file:/// or http(s):// URL',
      },
      { name: 'no-lookaside', type: 'boolean', description: 'Forget the saved lookaside (registries.d decides again)' },
      ...OCIR_OPTIONS,
      { name: 'no-ocir', type: 'boolean', description: 'Forget the OCIR settings' },
    ],
    examples: ['signet registry edit 127-0-0-1-5000 --lookaside https://sigs.example.com/lookaside'],
    async run(ctx) {
      const o = ctx.args.options;
      if (o.lookaside && o['no-lookaside']) throw new UsageError('Give --lookaside or --no-lookaside, not both.');
      if (!o.name && !o.lookaside && !o['no-lookaside'] && !o['ocir-profile'] && !o['no-ocir'])
        throw new UsageError('Nothing to change: give --name, --lookaside, --no-lookaside, --ocir-profile or --no-ocir.');
      if (o['ocir-profile'] && o['no-ocir']) throw new UsageError('Give --ocir-profile or --no-ocir, not both.');
      return run(
        ctx,
        'registry.edit',
        {
          id: ctx.args.pos(0),
          ...(o.name ? { name: ctx.args.req('name') } : {}),
          ...(o.lookaside ? { lookaside: ctx.args.req('lookaside') } : o['no-lookaside'] ? { lookaside: null } : {}),
          ...(o['no-ocir'] ? { ocir: null } : ocirFrom(ctx)),
        },
        (r) => `${r.name} (${r.id}): lookaside ${r.lookaside ?? 'from registries.d'}.`,
      );
    },
  },
  {
    name: 'registry list',
    summary: 'The saved registries',
    async run(ctx) {
      return run(ctx, 'registry.list', {}, (list) =>
        list.length
          ? list
              .map(
                (r) =>
                  `${r.id.padEnd(24)} ${(r.kind === 'oci-layout' ? `oci:${r.path ?? ''}` : r.host).padEnd(32)} ${r.credentials}${r.username ? ` (${r.username})` : ''}`,
              )
              .join('\n')
          : 'No saved registry: add one with `signet registry add HOST`.',
      );
    },
  },
  {
    name: 'registry remove',
    summary: 'Forget a saved registry and its stored credentials',
    positionals: [ID],
    async run(ctx) {
      return run(ctx, 'registry.remove', { id: ctx.args.pos(0) }, (r) => (r.removed ? 'Removed.' : 'There was no such registry.'));
    },
  },
  {
    name: 'registry probe',
    summary: 'What the registry can do: auth scheme, catalog, referrers API, rate limit',
    positionals: [
      {
        name: 'REGISTRY',
        description:
          'A host (127.0.0.1:5000), a host/repo to probe the referrers API on, oci:DIR, or a saved registry’s id; a host not saved yet is saved on first use',
      },
      { name: 'REPO', description: 'Old form only: `signet registry probe REGISTRY-ID REPO`', optional: true },
    ],
    examples: ['signet registry probe registry.example.com/team/app', 'signet registry probe 127.0.0.1:5000'],
    async run(ctx) {
      const [first, second] = ctx.args.positionals as [string, string?];
      const at = await registryArgument(ctx, first, true);
      if (second !== undefined && at.repository)
        throw new UsageError(`${first} already names a repository; give REGISTRY-ID REPO or host/repo.`);
      const repository = second ?? at.repository;
      return run(ctx, 'registry.probe', { id: at.id, ...(repository ? { repository } : {}) }, (c) =>
        [
          `reachable: ${c.reachable}`,
          `auth: ${c.authScheme}`,
          `catalog: ${c.catalog}`,
          `referrers API: ${c.referrersApi}`,
          ...(c.rateLimitRemaining ? [`rate limit remaining: ${c.rateLimitRemaining}`] : []),
        ].join('\n'),
      );
    },
  },
  {
    name: 'registry repos',
    summary: 'Repositories in the registry’s catalog (or an OCI layout’s)',
    positionals: [
      {
        name: 'REGISTRY',
        description: 'A host (127.0.0.1:5000), oci:DIR, or a saved registry’s id; a host not saved yet is saved on first use',
      },
    ],
    options: [{ name: 'filter', type: 'string', value: 'TEXT', description: 'Only names containing TEXT' }],
    examples: ['signet registry repos 127.0.0.1:5000 --filter team/'],
    async run(ctx) {
      const filter = ctx.args.str('filter');
      const at = await registryArgument(ctx, ctx.args.pos(0), false);
      return run(ctx, 'registry.repositories', { id: at.id, ...(filter ? { filter } : {}) }, (r) => r.repositories.join('\n'));
    },
  },
  {
    name: 'registry tags',
    summary: 'Every tag of a repository, named in full like skopeo and crane (host/repo, or oci:DIR for a layout)',
    positionals: [
      {
        name: 'REPOSITORY',
        description: `registry.example.com/team/app, or oci:DIR for every tag of an OCI layout directory (saved as a layout registry on first use, read in place). A :TAG or @DIGEST is refused`,
      },
      { name: 'REPO', description: 'Old form only: `signet registry tags REGISTRY-ID REPO`', optional: true },
    ],
    examples: [
      'signet registry tags registry.example.com/team/app',
      'signet registry tags 127.0.0.1:5000/team/app --json',
      'signet registry tags oci:./app-layout',
    ],
    async run(ctx) {
      const [first, second] = ctx.args.positionals as [string, string?];
      if (second !== undefined && /[/:@]/.test(first))
        throw new UsageError(`Give one REPOSITORY (${first}); the two-argument form is REGISTRY-ID REPO.`);
      if (second !== undefined) return run(ctx, 'registry.tags', { id: first, repository: second }, (r) => r.tags.join('\n'));
      await refuseBareId(ctx, first, 'registry tags REGISTRY-ID REPO');
      if (first.startsWith('oci:')) return layoutTags(ctx, first);
      const named = parseImage(first);
      if (named.tag || named.digest)
        throw new UsageError(`${first} names an image; registry tags takes a repository: ${named.registry}/${named.repository}.`);
      const at = await locate(ctx, first);
      return run(ctx, 'registry.tags', { id: at.id, repository: at.repository }, (r) => r.tags.join('\n'));
    },
  },
  {
    name: 'registry inspect',
    summary: 'An image by tag or digest, named in full like skopeo and crane: digest, platforms, config, layers',
    positionals: [
      {
        name: 'IMAGE',
        description: `${REFERENCE_HELP}. Without a tag or digest: :latest (for oci:DIR, the layout’s only image). A host or layout not saved yet is saved on first use`,
      },
      {
        name: 'REPO TAG|DIGEST',
        description: 'Old form only: `signet registry inspect REGISTRY-ID REPO TAG|DIGEST`',
        optional: true,
        variadic: true,
      },
    ],
    examples: [
      'signet registry inspect registry.example.com/team/app:1.0',
      'signet registry inspect registry.example.com/team/app@sha256:…',
      'signet registry inspect oci:./app-layout:1.0 --json',
    ],
    async run(ctx) {
      const args = ctx.args.positionals;
      let id: string;
      let repository: string;
      let reference: string;
      let display: string;
      if (args.length === 3) {
        [id, repository, reference] = args as [string, string, string];
        display = `${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
      } else if (args.length === 1) {
        await refuseBareId(ctx, args[0]!, 'registry inspect REGISTRY-ID REPO TAG|DIGEST');
        const at = await locate(ctx, args[0]!);
        ({ id, repository, reference, display } = at);
        if (at.chosen && !ctx.json) ctx.err(`(the layout holds one image: ${display})`);
      } else throw new UsageError(`Give one IMAGE (${REFERENCE_HELP}), or the old form REGISTRY-ID REPO TAG|DIGEST.`);
      return run(ctx, 'registry.image', { id, repository, reference }, (i) =>
        [
          display,
          `digest      ${i.digest}`,
          `media type  ${i.mediaType}`,
          ...i.platforms.map((p) => `platform    ${p.platform.padEnd(16)} ${p.digest}`),
          ...(i.config
            ? [
                `config      ${i.config.os ?? '?'}/${i.config.architecture ?? '?'}${i.config.created ? `, created ${i.config.created}` : ''}`,
              ]
            : []),
          ...i.layers.map((l) => `layer       ${l.digest} ${l.size} B`),
        ].join('\n'),
      );
    },
  },
];
