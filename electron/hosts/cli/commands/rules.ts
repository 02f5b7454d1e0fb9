import type { ResponseOf } from '../../../../shared/api';
import { RuleFormat as RuleFormatSchema } from '../../../../shared/models/rules';

const RULE_FORMATS: readonly string[] = RuleFormatSchema.options;
import type { Rule, RuleFields, RuleFormat, RuleRun } from '../../../../shared/models/rules';
import { createCore } from '../../../core/core';
import { listenerSecret, setupText, startRulesListener } from '../../../core/rules/listener';
import { UsageError, type OptionSpec } from '../args';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';

const FIELD_OPTIONS: readonly OptionSpec[] = [
  { name: 'registry', type: 'string', value: 'ID', description: 'The saved registry (see `signet registry list`)' },
  { name: 'namespace', type: 'string', value: 'NS', description: 'The namespace or organisation, e.g. team or team/apps' },
  { name: 'repositories', type: 'string', value: 'GLOB', description: 'Repositories below the namespace (default **; * stops at /)' },
  { name: 'tags', type: 'string', value: 'GLOB', description: 'Tags to sign (default **), e.g. v{1,2}.* or release-*' },
  { name: 'key', type: 'string', value: 'KEY', description: 'A Signet key (name or id), a KMS key URI or a pkcs11: URI (no PIN)' },
  {
    name: 'format',
    type: 'strings',
    value: RULE_FORMATS.join('|'),
    description: 'A format to sign in (repeat for several; default cosign); asc needs --asc-profile',
  },
  { name: 'asc-profile', type: 'string', value: 'NAME', description: 'asc: the storage profile the .asc files go to' },
  {
    name: 'asc-prefix',
    type: 'string',
    value: 'PREFIX',
    description: 'asc: a prefix inside it ({prefix}/{namespace}/{repo}/{sha256}.asc)',
  },
  {
    name: 'trigger',
    type: 'string',
    value: 'manual|event+manual',
    description: 'Run by hand only, or also on every push (default manual)',
  },
  { name: 'description', type: 'string', value: 'TEXT', description: 'What the rule is for' },
  { name: 'exclusive', type: 'boolean', description: 'One rule per namespace (TCR): refuse other rules for it' },
];

function fieldsFrom(ctx: CommandContext): Partial<RuleFields> {
  const o = ctx.args;
  const formats = o.list('format');
  if (formats)
    for (const f of formats) if (!RULE_FORMATS.includes(f)) throw new UsageError(`--format is one of ${RULE_FORMATS.join(', ')}.`);
  const ascProfile = o.str('asc-profile');
  if (o.str('asc-prefix') !== undefined && ascProfile === undefined) throw new UsageError('--asc-prefix needs --asc-profile.');
  const trigger = o.str('trigger');
  if (trigger !== undefined && trigger !== 'manual' && trigger !== 'event+manual')
    throw new UsageError('--trigger is manual or event+manual.');
  return {
    ...(o.str('registry') !== undefined ? { registry: o.req('registry') } : {}),
    ...(o.str('namespace') !== undefined ? { namespace: o.req('namespace') } : {}),
    ...(o.str('repositories') !== undefined ? { repositories: o.req('repositories') } : {}),
    ...(o.str('tags') !== undefined ? { tags: o.req('tags') } : {}),
    ...(o.str('key') !== undefined ? { key: o.req('key') } : {}),
    ...(formats ? { formats: formats as RuleFormat[] } : {}),
    ...(ascProfile !== undefined
      ? { asc: { profile: ascProfile, ...(o.str('asc-prefix') !== undefined ? { prefix: o.req('asc-prefix') } : {}) } }
      : {}),
    ...(trigger ? { trigger } : {}),
    ...(o.str('description') !== undefined ? { description: o.req('description') } : {}),
  };
}

function describeRule(r: Rule): string {
  return [
    `${r.name}${r.enabled ? '' : '  (disabled)'}`,
    `  ${r.description || 'No description.'}`,
    `  matches     ${r.registry}: ${r.namespace}/${r.repositories} tags ${r.tags}`,
    `  key         ${r.key}`,
    `  formats     ${r.formats.join(', ')}${r.asc ? ` (.asc files to ${r.asc.profile ?? 'storage'}${r.asc.prefix ? `/${r.asc.prefix}` : ''})` : ''}`,
    `  trigger     ${r.trigger}${r.exclusive ? '; the only rule of its namespace (TCR)' : ''}`,
    `  updated     ${r.updated}`,
  ].join('\n');
}

function describeRun(run: RuleRun): string {
  const head = `Run ${run.id} of "${run.rule}" (${run.trigger}${run.resumed ? `, resuming ${run.resumed}` : ''}): ${run.status}. Signed ${run.counts.signed}, already signed ${run.counts.alreadySigned}, failed ${run.counts.failed}${run.counts.cancelled ? `, cancelled ${run.counts.cancelled}` : ''}.`;
  const rows = run.items.map(
    (i) =>
      `  ${i.outcome.padEnd(15)}${i.format.padEnd(15)}${i.repository}${i.tag ? `:${i.tag}` : ''}@${i.digest.slice(0, 19)}…${i.message && i.outcome === 'failed' ? `  ${i.message}` : ''}`,
  );
  return [head, ...rows].join('\n');
}

/** Columns aligned to their widest cell (two spaces apart); the last one is left as it is. */
function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)) + 2);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] as number) : c))
      .join('')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const printWarnings = (ctx: CommandContext, warnings: readonly string[]) => {
  for (const w of warnings) ctx.err(`signet: note: ${w}`);
};

export const commands: readonly CommandSpec[] = [
  {
    name: 'rule add',
    summary: 'Save a signing rule: which images of a namespace a key signs, in which formats, by hand or on push',
    positionals: [{ name: 'NAME', description: '2-50 of a-z 0-9 . _ - / (separators only between letters and digits)' }],
    options: [...FIELD_OPTIONS, { name: 'disabled', type: 'boolean', description: 'Save it disabled' }],
    examples: [
      'signet rule add team/release --registry registry-example-com --namespace team --tags "v*" --key release-key',
      'signet rule add prod --registry tcr --namespace prod --key awskms:///alias/release --trigger event+manual --exclusive',
    ],
    mayUnlockVault: true,
    async run(ctx) {
      const f = fieldsFrom(ctx);
      if (!f.registry || !f.namespace || !f.key) throw new UsageError('--registry, --namespace and --key are required.');
      const result = await ctx.call('rules.add', {
        name: ctx.args.pos(0),
        description: f.description ?? '',
        registry: f.registry,
        namespace: f.namespace,
        repositories: f.repositories ?? '**',
        tags: f.tags ?? '**',
        key: f.key,
        formats: f.formats ?? ['cosign'],
        trigger: f.trigger ?? 'manual',
        enabled: !ctx.args.flag('disabled'),
        exclusive: ctx.args.flag('exclusive'),
      });
      if (!result.ok) return reportFailure(ctx, result);
      printWarnings(ctx, result.value.warnings);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Saved\n${describeRule(result.value.rule)}`);
      return EXIT_OK;
    },
  },
  {
    name: 'rule list',
    summary: 'The signing rules, one a line (--json: with their recent runs)',
    async run(ctx) {
      const result = await ctx.call('rules.list', {});
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else if (!result.value.rules.length) ctx.out('No signing rules. Add one with `signet rule add`.');
      else {
        ctx.out(
          table(
            ['NAME', 'TRIGGER', 'MATCHES', 'FORMATS', 'KEY'],
            result.value.rules.map((r) => [
              r.name,
              r.enabled ? r.trigger : 'disabled',
              `${r.registry}: ${r.namespace}/${r.repositories}:${r.tags}`,
              r.formats.join(','),
              r.key,
            ]),
          ),
        );
      }
      return EXIT_OK;
    },
  },
  {
    name: 'rule keys',
    summary: 'Which keys can sign unattended, as a rule with trigger event+manual needs, and why or why not',
    async run(ctx) {
      const result = await ctx.call('rules.keys', {});
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else {
        const uris = 'KMS key URIs sign unattended; a pkcs11: URI only with ?pin-source=FILE.';
        ctx.out(
          result.value.keys.length
            ? `${table(
                ['KEY', 'UNATTENDED', 'WHY'],
                result.value.keys.map((k) => [k.name, k.unattended ? 'yes' : 'no', k.reason]),
              )}\n\n${uris}`
            : `No keys. ${uris}`,
        );
      }
      return EXIT_OK;
    },
  },
  {
    name: 'rule show',
    summary: 'One signing rule, with its recent runs',
    positionals: [{ name: 'NAME', description: 'The rule' }],
    async run(ctx) {
      const name = ctx.args.pos(0);
      const [rule, list] = await Promise.all([ctx.call('rules.get', { name }), ctx.call('rules.list', {})]);
      if (!rule.ok) return reportFailure(ctx, rule);
      const runs = list.ok ? list.value.runs.filter((r) => r.rule === name).slice(0, 10) : [];
      if (ctx.json) ctx.out(JSON.stringify({ rule: rule.value, runs }, null, 2));
      else
        ctx.out(
          [
            describeRule(rule.value),
            '',
            runs.length ? 'Recent runs:' : 'No runs yet.',
            ...runs.map(
              (r) =>
                `  ${r.startedAt}  ${r.trigger.padEnd(7)}${r.status.padEnd(12)}signed ${r.counts.signed}, already ${r.counts.alreadySigned}, failed ${r.counts.failed}`,
            ),
          ].join('\n'),
        );
      return EXIT_OK;
    },
  },
  {
    name: 'rule edit',
    summary: 'Change a signing rule (only the options given change)',
    positionals: [{ name: 'NAME', description: 'The rule' }],
    options: [
      ...FIELD_OPTIONS.filter((o) => o.name !== 'exclusive'),
      { name: 'rename', type: 'string', value: 'NEW', description: 'A new name' },
      { name: 'enable', type: 'boolean', description: 'Enable it' },
      { name: 'disable', type: 'boolean', description: 'Disable it (it signs nothing until enabled)' },
      { name: 'exclusive', type: 'string', value: 'yes|no', description: 'One rule per namespace (TCR), or not' },
    ],
    mayUnlockVault: true,
    async run(ctx) {
      if (ctx.args.flag('enable') && ctx.args.flag('disable')) throw new UsageError('--enable or --disable, not both.');
      const exclusive = ctx.args.str('exclusive');
      if (exclusive !== undefined && exclusive !== 'yes' && exclusive !== 'no') throw new UsageError('--exclusive is yes or no.');
      const changes: Partial<RuleFields> = {
        ...fieldsFrom(ctx),
        ...(ctx.args.str('rename') ? { name: ctx.args.req('rename') } : {}),
        ...(ctx.args.flag('enable') ? { enabled: true } : ctx.args.flag('disable') ? { enabled: false } : {}),
        ...(exclusive ? { exclusive: exclusive === 'yes' } : {}),
      };
      if (!Object.keys(changes).length) throw new UsageError('Say what to change (see the options).');
      const result = await ctx.call('rules.edit', { name: ctx.args.pos(0), changes });
      if (!result.ok) return reportFailure(ctx, result);
      printWarnings(ctx, result.value.warnings);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Changed\n${describeRule(result.value.rule)}`);
      return EXIT_OK;
    },
  },
  {
    name: 'rule remove',
    summary: 'Delete a signing rule; the signatures it made stay unless --delete-signatures (as TCR does)',
    positionals: [{ name: 'NAME', description: 'The rule' }],
    options: [
      {
        name: 'delete-signatures',
        type: 'boolean',
        description: 'Also delete the cosign signatures the rule made (those that name it); other formats stay',
      },
    ],
    async run(ctx) {
      const result = await ctx.call('rules.remove', {
        name: ctx.args.pos(0),
        ...(ctx.args.flag('delete-signatures') ? { deleteSignatures: true } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      const r = result.value;
      if (ctx.json) ctx.out(JSON.stringify(r));
      else
        ctx.out(
          [
            `Deleted the rule "${r.removed}".${r.signaturesDeleted ? ` Deleted ${r.signaturesDeleted} signature(s) it made.` : ''} ${r.signaturesKept} signature(s) it made stay in the registry.`,
            ...r.problems.map((p) => `  not deleted: ${p}`),
          ].join('\n'),
        );
      return r.problems.length ? EXIT_FAILED : EXIT_OK;
    },
  },
  {
    name: 'rule run',
    summary: 'Sign every image the rule matches that its key has not signed (resumes a run cut short); --dry-run only lists',
    positionals: [{ name: 'NAME', description: 'The rule' }],
    options: [{ name: 'dry-run', type: 'boolean', description: 'List what the rule matches and what it would sign; sign nothing' }],
    mayUnlockVault: true,
    async run(ctx) {
      const name = ctx.args.pos(0);
      if (ctx.args.flag('dry-run')) {
        const result = await ctx.call('rules.dryRun', { name });
        if (!result.ok) return reportFailure(ctx, result);
        const d = result.value;
        if (ctx.json) ctx.out(JSON.stringify(d, null, 2));
        else {
          const would = d.matches.filter((m) => m.wouldSign.length);
          ctx.out(
            [
              `"${d.rule}" matches ${d.matches.length} image(s) in ${d.repositories} repositories; a run would sign ${would.length}.`,
              `Namespace ${d.namespace.name}: ${d.namespace.signed} signed, ${d.namespace.unsigned} unsigned.`,
              ...d.matches.map(
                (m) =>
                  `  ${(m.wouldSign.length ? `sign ${m.wouldSign.join(',')}` : 'signed').padEnd(28)}${m.repository}:${m.tag}@${m.digest.slice(0, 19)}…${m.signedBy?.length ? `  (by rule ${m.signedBy.join(', ')})` : ''}`,
              ),
              ...d.notes.map((n) => `Note: ${n}`),
            ].join('\n'),
          );
        }
        return EXIT_OK;
      }
      const jobId = `cli-${process.pid}`;
      let cancelled = false;
      void ctx.interrupted().then(async () => {
        if (cancelled) return;
        cancelled = true;
        ctx.err('signet: stopping after the image being signed (what is signed stays signed; run again to finish)…');
        await ctx.call('rules.cancel', { jobId });
      });
      const result = await ctx.call('rules.run', { name, jobId });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : describeRun(result.value));
      return result.value.status === 'completed' ? EXIT_OK : EXIT_FAILED;
    },
  },
  {
    name: 'rules serve',
    summary:
      'Sign on push: listen on 127.0.0.1 for registry events (docker-registry notifications, Harbor webhooks) and run the matching rules',
    options: [
      { name: 'port', type: 'string', value: 'PORT', description: 'Port (default 8765; 0: a free port)' },
      { name: 'listen', type: 'string', value: 'ADDRESS', description: 'Address to listen on (default 127.0.0.1)' },
      {
        name: 'secret-env',
        type: 'string',
        value: 'VAR',
        description: 'Read the shared secret from this variable (default: one kept in the data directory)',
      },
      { name: 'concurrency', type: 'string', value: 'N', description: 'Images signed at once (default 4)' },
      {
        name: 'poll',
        type: 'string',
        value: 'SECONDS',
        description: 'Also list the covered tags every SECONDS and sign new ones (registries that send no events)',
      },
    ],
    examples: ['signet rules serve', 'signet rules serve --port 9000 --secret-env SIGNET_EVENTS_SECRET'],
    mayUnlockVault: true,
    async run(ctx) {
      const portText = ctx.args.str('port') ?? '8765';
      const port = Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a number from 0 to 65535.');
      const concurrency = Number(ctx.args.str('concurrency') ?? '4');
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency is 1 to 64.');
      const poll = ctx.args.str('poll') === undefined ? undefined : Number(ctx.args.str('poll'));
      if (poll !== undefined && (!Number.isInteger(poll) || poll < 5 || poll > 86_400))
        throw new UsageError('--poll is a number of seconds from 5 to 86400.');
      const envName = ctx.args.str('secret-env');
      if (envName && !ctx.env[envName]) throw new UsageError(`The variable ${envName} is not set.`);
      const secret = await listenerSecret(ctx.dataDir, envName ? ctx.env[envName] : undefined);
      const core = createCore({ dataDir: ctx.dataDir, host: 'cli', origin: 'rules', log: (line) => ctx.err(line) });
      // A vault key signs on push only while the vault is unlocked for this session: unlocked now, and again when it locks itself.
      const vaultVar = ctx.args.str('vault-password-env');
      const passphrase = vaultVar ? ctx.env[vaultVar] : undefined;
      if (vaultVar && !passphrase) throw new UsageError(`The variable ${vaultVar} is not set.`);
      const unlock = passphrase ? async () => (await core.dispatch('keys.vaultUnlock', { passphrase })).ok : undefined;
      if (unlock && !(await unlock())) {
        ctx.err('signet: the vault did not unlock with that passphrase.');
        return EXIT_FAILED;
      }
      const listed = await core.dispatch('rules.list', {});
      let listener;
      try {
        listener = await startRulesListener({
          dataDir: ctx.dataDir,
          dispatch: core.dispatch,
          secret,
          port,
          host: ctx.args.str('listen') ?? '127.0.0.1',
          concurrency,
          ...(poll ? { pollSeconds: poll } : {}),
          ...(unlock ? { unlock } : {}),
          log: (line) => ctx.err(line),
        });
      } catch (error) {
        ctx.err(`signet: cannot listen on port ${port}: ${(error as Error).message}`);
        return EXIT_FAILED;
      }
      const onPush = (listed.ok ? (listed.value as ResponseOf<'rules.list'>).rules : []).filter(
        (r) => r.enabled && r.trigger === 'event+manual',
      );
      const ids = [...new Set(onPush.map((r) => r.registry))];
      if (ctx.json) ctx.out(JSON.stringify({ url: listener.url, port: listener.port, registries: ids, rules: onPush.map((r) => r.name) }));
      else {
        ctx.out(`Signet listens for registry events at ${listener.url}/events/<registry id>.`);
        if (poll) ctx.out(`It also lists the tags those rules cover every ${poll} s and signs new ones.`);
        ctx.out(
          onPush.length
            ? `Rules that sign on push: ${onPush.map((r) => r.name).join(', ')}.`
            : 'No enabled rule has trigger event+manual yet: events are taken and ignored until one does.',
        );
        ctx.out('');
        ctx.out(setupText(listener.url, ids, secret));
        ctx.out('\nPress Ctrl-C to stop.');
      }
      await ctx.interrupted();
      await listener.close();
      return EXIT_OK;
    },
  },
];
