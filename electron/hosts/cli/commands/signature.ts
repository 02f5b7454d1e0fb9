import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../../core/storage/atomic';
import { UsageError } from '../args';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandSpec } from '../command';
import { hostRegistry, locate, REFERENCE_HELP, resolve } from '../resolve';
import { tagKind, UNSIGNED_TAGS_NOTE } from '../../../../shared/models/signature-tags';

const PLACES = [
  {
    name: 'lookaside',
    type: 'string',
    value: 'DIR',
    description: 'Also look for simple signatures in this lookaside directory (lookaside-staging)',
  },
  { name: 'registries-d', type: 'string', value: 'DIR', description: 'Find the lookaside in this registries.d directory' },
] as const;

export const commands: readonly CommandSpec[] = [
  {
    name: 'signature delete',
    summary:
      'Delete one signature of an image (by the id `signet signatures` shows), or every signature by one key in a repository (--by-key); shows what goes first, asks for the id (or the count) unless --yes; audited',
    positionals: [
      {
        name: 'REFERENCE',
        description: `${REFERENCE_HELP}; with --by-key, a repository (registry.example.com/team/app) or a whole registry (registry.example.com)`,
      },
    ],
    options: [
      { name: 'signature', type: 'string', value: 'ID', description: 'The signature’s 12-digit id, as `signet signatures REF` lists it' },
      {
        name: 'by-key',
        type: 'string',
        value: 'KEY',
        description:
          'Delete every signature by this key on the tagged images of the repository (or of every repository of the registry): a Signet key, a trust entry, or a fingerprint',
      },
      {
        name: 'export',
        type: 'string',
        value: 'FILE',
        description: 'First write what will be deleted (the signature and its stored bytes, JSON) to FILE',
      },
      { name: 'dry-run', type: 'boolean', description: 'Only show what would be deleted' },
      { name: 'yes', type: 'boolean', description: 'Do not ask for the id (or the count) to confirm' },
      {
        name: 'asc-from',
        type: 'string',
        value: 'PROFILE|DIR',
        description: 'Also look for the SWR .asc file in this storage profile or folder',
      },
      ...PLACES,
    ],
    examples: [
      'signet signatures registry.example.com/team/app:1.0',
      'signet signature delete registry.example.com/team/app:1.0 --signature 3f9a0c1d2e4b --export removed.json',
      'signet signature delete registry.example.com/team/app --by-key release --dry-run',
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const id = ctx.args.str('signature');
      const byKey = ctx.args.str('by-key');
      if (Boolean(id) === Boolean(byKey)) throw new UsageError('Give --signature ID, or --by-key KEY (not both).');
      const exportTo = ctx.args.str('export');
      if (exportTo && existsSync(exportTo)) throw new UsageError(`${exportTo} exists already; Signet does not overwrite an export.`);
      const lookaside = ctx.args.str('lookaside');
      const registriesD = ctx.args.str('registries-d');
      const places = { ...(lookaside ? { lookaside } : {}), ...(registriesD ? { registriesD } : {}) };
      if (byKey) {
        if (exportTo || o['asc-from']) throw new UsageError('--export and --asc-from are for --signature.');
        // A registry host alone (no path): every repository its catalog lists.
        const text = ctx.args.pos(0);
        const wholeRegistry = !text.includes('/') && !text.startsWith('oci:');
        const at = wholeRegistry ? { id: await hostRegistry(ctx, text), repository: undefined } : await locate(ctx, text);
        if ('tag' in at && (at.tag || at.digest))
          throw new UsageError(`--by-key works on a repository or a registry: give ${at.display.replace(/[:@][^/]*$/, '')}.`);
        const scope = { id: at.id, ...(at.repository ? { repository: at.repository } : {}) };
        const counted = await ctx.call('signatures.deleteByKey', { ...scope, key: byKey, dryRun: true, ...places });
        if (!counted.ok) return reportFailure(ctx, counted);
        const n = counted.value.signatures.length;
        if (!ctx.json || o['dry-run']) {
          const lines = [
            `${n} signature${n === 1 ? '' : 's'} by ${counted.value.keyName ?? counted.value.fingerprint} on ${counted.value.images} image(s) of ${at.repository ?? `${counted.value.repositories} repositories of ${text}`}:`,
            ...counted.value.signatures.map(
              (s) => `  ${s.id}  ${s.format.padEnd(15)}${wholeRegistry ? `${s.repository}:` : ''}${s.tags.join(', ')}  ${s.storage}`,
            ),
          ];
          if (ctx.json) ctx.out(JSON.stringify(counted.value, null, 2));
          else ctx.out(lines.join('\n'));
        }
        if (o['dry-run'] || n === 0) return EXIT_OK;
        if (!o.yes) {
          const answer = await ctx.confirm(`Type ${n} (the number of signatures) to delete them: `, 'pass --yes after a --dry-run');
          if (answer.trim() !== String(n)) {
            ctx.err('Nothing deleted.');
            return EXIT_FAILED;
          }
        }
        const result = await ctx.call('signatures.deleteByKey', { ...scope, key: byKey, expectedCount: n, ...places });
        if (!result.ok) return reportFailure(ctx, result);
        if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
        else for (const s of result.value.signatures) ctx.out(`Deleted ${s.id} (${s.format}, ${s.tags.join(', ')}): ${s.outcome ?? ''}`);
        return EXIT_OK;
      }
      const target = await resolve(ctx, ctx.args.pos(0));
      const ascFrom = ctx.args.str('asc-from');
      const asc = ascFrom === undefined ? undefined : /[/\\.]/.test(ascFrom) ? { path: ascFrom } : { profile: ascFrom };
      const request = {
        id: target.id,
        repository: target.repository,
        digest: target.digest,
        signature: id as string,
        ...places,
        ...(asc ? { asc } : {}),
      };
      const preview = await ctx.call('signatures.delete', { ...request, dryRun: true });
      if (!preview.ok) return reportFailure(ctx, preview);
      const plan = preview.value.plan;
      if (exportTo) {
        await writeFileAtomic(exportTo, plan.export, 0o600);
        ctx.err(`Wrote what will be deleted to ${exportTo}.`);
      }
      if (!ctx.json || o['dry-run']) {
        if (ctx.json) ctx.out(JSON.stringify({ ...plan, export: undefined }, null, 2));
        else
          ctx.out(
            `${plan.id}  ${plan.format} signature${plan.signer ? ` by ${plan.signer}` : ''}${plan.fingerprint ? ` (${plan.fingerprint})` : ''}\n  ${plan.storage}\n  ${plan.what}`,
          );
      }
      if (o['dry-run']) return EXIT_OK;
      if (!o.yes) {
        const answer = await ctx.confirm(`Type the signature id (${plan.id}) to delete it: `, 'pass --yes after a --dry-run');
        if (answer.trim() !== plan.id) {
          ctx.err('Nothing deleted.');
          return EXIT_FAILED;
        }
      }
      const result = await ctx.call('signatures.delete', request);
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify({ deleted: result.value.deleted, id: plan.id, outcome: result.value.outcome })
          : (result.value.outcome ?? 'Deleted.'),
      );
      return EXIT_OK;
    },
  },
  {
    name: 'signature tag',
    summary:
      'List, add and remove tags on one signature (key=value, namespace.key=value); stored unsigned on its descriptor in the registry, so anyone with push access can change them',
    positionals: [{ name: 'REFERENCE', description: REFERENCE_HELP }],
    options: [
      { name: 'signature', type: 'string', value: 'ID', description: 'The signature’s 12-digit id, as `signet signatures REF` lists it' },
      {
        name: 'add',
        type: 'strings',
        value: 'KEY=VALUE',
        description: 'Add or change a tag (repeatable): key=value, or namespace.key=value for a defined tag',
      },
      { name: 'remove', type: 'strings', value: 'KEY', description: 'Remove a tag (repeatable)' },
      ...PLACES,
    ],
    examples: [
      'signet signature tag registry.example.com/team/app:1.0 --signature 3f9a0c1d2e4b --add release=1.0 --add ops.approved=yes --remove draft',
    ],
    async run(ctx) {
      const id = ctx.args.str('signature');
      if (!id) throw new UsageError('--signature ID is required.');
      const add: Record<string, string> = {};
      for (const pair of ctx.args.list('add') ?? []) {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new UsageError(`--add takes KEY=VALUE, not ${JSON.stringify(pair)}.`);
        add[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const remove = ctx.args.list('remove') ?? [];
      const target = await resolve(ctx, ctx.args.pos(0));
      const lookaside = ctx.args.str('lookaside');
      const registriesD = ctx.args.str('registries-d');
      const places = { ...(lookaside ? { lookaside } : {}), ...(registriesD ? { registriesD } : {}) };
      if (!Object.keys(add).length && !remove.length) {
        const report = await ctx.call('signatures.verify', {
          id: target.id,
          repository: target.repository,
          digest: target.digest,
          ...places,
        });
        if (!report.ok) return reportFailure(ctx, report);
        const s = [...report.value.signatures, ...report.value.attestations].find((x) => x.id === id);
        if (!s) {
          ctx.err(`signet: no signature ${id} on ${target.repository}@${target.digest}.`);
          return EXIT_FAILED;
        }
        printTags(ctx, s.tags ?? {});
        return EXIT_OK;
      }
      const result = await ctx.call('signatures.tag', {
        id: target.id,
        repository: target.repository,
        digest: target.digest,
        signature: id,
        ...(Object.keys(add).length ? { add } : {}),
        ...(remove.length ? { remove } : {}),
        ...places,
      });
      if (!result.ok) return reportFailure(ctx, result);
      printTags(ctx, result.value.tags);
      if (!ctx.json) ctx.err(`Stored on ${result.value.where}.`);
      return EXIT_OK;
    },
  },
];

function printTags(ctx: { json: boolean; out(text: string): void }, tags: Record<string, string>): void {
  if (ctx.json) return ctx.out(JSON.stringify({ tags, signed: false }));
  const keys = Object.keys(tags).sort();
  ctx.out(keys.length ? `Tags (${UNSIGNED_TAGS_NOTE}):` : `No tags.`);
  for (const k of keys) ctx.out(`  ${k}=${tags[k]}  (${tagKind(k)})`);
}
