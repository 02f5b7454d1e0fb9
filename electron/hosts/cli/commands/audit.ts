import { existsSync } from 'node:fs';
import {
  AUDIT_EXPORT_FORMATS,
  AUDIT_HOSTS,
  AUDIT_OUTCOMES,
  type AuditExportFormat,
  type AuditFilter,
  type AuditHost,
  type AuditOutcome,
  type AuditVerification,
} from '../../../../shared/models/audit';
import { MiB } from '../../../core/storage/bounded-read';
import { writeFileAtomic } from '../../../core/storage/atomic';
import { UsageError, type ParsedArgs } from '../args';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandSpec } from '../command';
import { readInputFile } from '../read-input';

const EXPORT_MAX = 256 * MiB;

const oneOf = <T extends string>(values: readonly T[], option: string, given: string | undefined): T | undefined => {
  if (given === undefined) return undefined;
  if (!(values as readonly string[]).includes(given)) throw new UsageError(`--${option} is one of ${values.join(', ')}.`);
  return given as T;
};

/** A day (`2026-11-30`) stands for its first or last instant in UTC; anything else goes to the core as given. */
function timeOption(args: ParsedArgs, option: 'since' | 'until'): string | undefined {
  const given = args.str(option);
  if (given === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(given)) return option === 'since' ? `${given}T00:00:00Z` : `${given}T23:59:59.999Z`;
  if (Number.isNaN(Date.parse(given)))
    throw new UsageError(`--${option} is a date (2026-11-30) or an ISO 8601 time (2026-11-30T14:00:00Z).`);
  return given;
}

function filterOf(args: ParsedArgs): AuditFilter {
  const since = timeOption(args, 'since');
  const until = timeOption(args, 'until');
  const kind = args.str('kind');
  const key = args.str('key');
  const image = args.str('image');
  const outcome = oneOf<AuditOutcome>(AUDIT_OUTCOMES, 'outcome', args.str('outcome'));
  const origin = oneOf<AuditHost>(AUDIT_HOSTS, 'origin', args.str('origin'));
  return {
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(kind ? { kind } : {}),
    ...(key ? { key } : {}),
    ...(image ? { image } : {}),
    ...(outcome ? { outcome } : {}),
    ...(origin ? { origin } : {}),
  };
}

const RANGE_OPTIONS = [
  {
    name: 'since',
    type: 'string',
    value: 'TIME',
    description: 'From this time on: a date (2026-11-30, from its start, UTC) or an ISO 8601 time',
  },
  { name: 'until', type: 'string', value: 'TIME', description: 'Up to this time: a date (to its end, UTC) or an ISO 8601 time' },
] as const;

/** Where a chain breaks, said so that a person can go to that line. */
function describeVerdict(v: AuditVerification, what: string): string {
  if (v.intact)
    return `${what} is intact (${v.entries} ${v.entries === 1 ? 'entry' : 'entries'}${v.head ? `; head: entry ${v.head.seq}, ${v.head.hash}` : ''}).`;
  const at = v.break
    ? ` [${v.break.reason} at line ${v.break.line}, entry ${v.break.seq}${v.break.lastGood ? `; last intact entry ${v.break.lastGood.seq}, ${v.break.lastGood.hash}` : ''}]`
    : '';
  return `${what} is NOT intact: ${v.problem ?? 'the chain is broken'}${at}`;
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'audit list',
    summary: 'Show the audit log, newest first, narrowed by time, kind, key, image, outcome or origin',
    options: [
      { name: 'limit', type: 'string', value: 'N', description: 'How many entries (default 50)' },
      ...RANGE_OPTIONS,
      {
        name: 'kind',
        type: 'string',
        value: 'KIND',
        description:
          'A kind (image.signed, key.deleted…) or an area (image, key, trust, registry, storage, kms, token, vault, settings, offline)',
      },
      {
        name: 'key',
        type: 'string',
        value: 'KEY',
        description: 'A key name, fingerprint (or its start), KMS key URI or version, token or label',
      },
      { name: 'image', type: 'string', value: 'IMAGE', description: 'A repository (or part of it) or a digest (or its start)' },
      {
        name: 'outcome',
        type: 'string',
        value: 'OUTCOME',
        description: `${AUDIT_OUTCOMES.join(', ')} (refused: Signet refused a signature that failed its self-check)`,
      },
      { name: 'origin', type: 'string', value: 'HOST', description: `Which host made it: ${AUDIT_HOSTS.join(', ')}` },
    ],
    examples: [
      'signet audit list --kind image.signed --outcome failed',
      'signet audit list --since 2026-11-01 --key release --origin browser',
      'signet audit list --image team/app',
    ],
    async run(ctx) {
      const limit = Number(ctx.args.options.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000.');
      const filter = filterOf(ctx.args);
      const result = await ctx.call('audit.list', { limit, ...filter });
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else if (result.value.entries.length === 0)
        ctx.out(Object.keys(filter).length ? 'No audit entries match.' : 'The audit log is empty.');
      else {
        for (const e of result.value.entries) {
          const origin = e.origin ? `${e.origin.host}/${e.origin.user}` : '-';
          ctx.out(
            `${String(e.seq).padStart(5)}  ${e.time}  ${(e.outcome ?? '').padEnd(9)} ${origin.padEnd(16)} ${e.type.padEnd(19)}${e.summary}`,
          );
        }
        if (result.value.total > result.value.entries.length)
          ctx.out(`(${result.value.entries.length} of ${result.value.total} shown; --limit shows more)`);
      }
      return EXIT_OK;
    },
  },
  {
    name: 'audit export',
    summary: 'Export the audit log (or the run between two times) as JSON Lines or CSV, headed by the chain’s head hash',
    options: [
      { name: 'format', type: 'string', value: 'FORMAT', description: `${AUDIT_EXPORT_FORMATS.join(' or ')} (default jsonl)` },
      ...RANGE_OPTIONS,
      {
        name: 'out',
        type: 'string',
        value: 'FILE',
        description: 'Write to this file (refuses to overwrite one); default: standard output',
      },
    ],
    examples: [
      'signet audit export --format csv --since 2026-11-01 --until 2026-11-30 --out november.csv',
      'signet audit export > audit.jsonl',
    ],
    async run(ctx) {
      const format = oneOf<AuditExportFormat>(AUDIT_EXPORT_FORMATS, 'format', ctx.args.str('format')) ?? 'jsonl';
      const since = timeOption(ctx.args, 'since');
      const until = timeOption(ctx.args, 'until');
      const out = ctx.args.str('out');
      if (out && existsSync(out)) throw new UsageError(`${out} exists already; Signet does not overwrite an export.`);
      const result = await ctx.call('audit.export', { format, ...(since ? { since } : {}), ...(until ? { until } : {}) });
      if (!result.ok) return reportFailure(ctx, result);
      const v = result.value;
      const said = `Exported ${v.entries} entr${v.entries === 1 ? 'y' : 'ies'}${v.entries ? ` (${v.first}–${v.last})` : ''}; the log's head is entry ${v.head.seq}, ${v.head.hash}.`;
      if (out) {
        await writeFileAtomic(out, v.text, 0o600);
        ctx.out(
          ctx.json ? JSON.stringify({ out, entries: v.entries, first: v.first, last: v.last, head: v.head }) : `${said} Written to ${out}.`,
        );
      } else {
        ctx.out(v.text.replace(/\n$/, ''));
        ctx.err(said);
      }
      return EXIT_OK;
    },
  },
  {
    name: 'audit verify',
    summary: 'Check the audit log’s hash chain (or an exported file) and say where it breaks; exits 1 when it was tampered with',
    options: [
      {
        name: 'from-export',
        type: 'string',
        value: 'FILE',
        description: 'Check this file made by `signet audit export` (on any machine) instead of the log',
      },
    ],
    examples: ['signet audit verify', 'signet audit verify --from-export november.csv'],
    async run(ctx) {
      const file = ctx.args.str('from-export');
      const result = file
        ? await ctx.call('audit.verifyExport', { text: readInputFile(file, 'the audit export', EXPORT_MAX).toString('utf8') })
        : await ctx.call('audit.verify', {});
      if (!result.ok) return reportFailure(ctx, result);
      const v = result.value;
      ctx.out(ctx.json ? JSON.stringify(v) : describeVerdict(v, file ? `The export ${file}` : 'The audit log'));
      return v.intact ? EXIT_OK : EXIT_FAILED;
    },
  },
];
