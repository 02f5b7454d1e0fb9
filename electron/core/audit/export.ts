import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import {
  AuditDetails,
  AuditEntry,
  AuditOrigin,
  AuditOutcome,
  type AuditExportFormat,
  type AuditVerification,
} from '../../../shared/models/audit';
import { checkChain, GENESIS, type ReadLine, readEntryLine } from './chain';
import { csvRow, parseCsv } from './csv';

export const EXPORT_MAGIC = 'signet-audit-export';

/** The first line of an export: what it holds and the log's head when it was made. */
export const ExportHeader = z
  .object({
    format: z.literal(EXPORT_MAGIC),
    version: z.literal(1),
    exportedAt: z.string(),
    since: z.string().optional(),
    until: z.string().optional(),
    /** The sequence numbers of the first and last entry exported (a contiguous run of the chain). */
    first: z.number().int().nonnegative(),
    last: z.number().int().nonnegative(),
    entries: z.number().int().nonnegative(),
    /** The whole log's last entry when the export was made: a later export holding this hash at this number proves this one unedited. */
    head: z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  })
  .strict();
export type ExportHeader = z.infer<typeof ExportHeader>;

export const CSV_COLUMNS = ['seq', 'time', 'type', 'outcome', 'origin_host', 'origin_user', 'summary', 'details', 'prev', 'hash'] as const;

/**
 * The run of the chain between `since` and `until`: from the first entry at or after `since` to
 * the last at or before `until`, with everything between, so the run can be checked link by link.
 */
export function selectRange(all: readonly AuditEntry[], since?: string, until?: string): AuditEntry[] {
  const from = since ? all.findIndex((e) => Date.parse(e.time) >= Date.parse(since)) : 0;
  if (from < 0) return [];
  let to = all.length - 1;
  if (until) {
    const limit = Date.parse(until);
    while (to >= from && Date.parse(all[to]!.time) > limit) to -= 1;
  }
  return to < from ? [] : all.slice(from, to + 1);
}

export function renderExport(
  all: readonly AuditEntry[],
  format: AuditExportFormat,
  options: { since?: string; until?: string; now: Date },
): { text: string; header: ExportHeader } {
  const entries = selectRange(all, options.since, options.until);
  const last = all.at(-1);
  const header: ExportHeader = {
    format: EXPORT_MAGIC,
    version: 1,
    exportedAt: options.now.toISOString(),
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
    first: entries[0]?.seq ?? 0,
    last: entries.at(-1)?.seq ?? 0,
    entries: entries.length,
    head: { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS },
  };
  if (format === 'jsonl') return { header, text: [JSON.stringify(header), ...entries.map((e) => JSON.stringify(e))].join('\n') + '\n' };
  const rows = entries.map((e) =>
    spreadsheetRow([
      String(e.seq),
      e.time,
      e.type,
      e.outcome ?? '',
      e.origin?.host ?? '',
      e.origin?.user ?? '',
      e.summary,
      JSON.stringify(e.details),
      e.prev,
      e.hash,
    ]),
  );
  return { header, text: [`# ${JSON.stringify(header)}`, csvRow(CSV_COLUMNS), ...rows].join('\n') + '\n' };
}

function notAnExport(why: string): AuditVerification {
  return {
    intact: false,
    entries: 0,
    problem: `This is not a Signet audit export: ${why}.`,
    break: { reason: 'not-an-export', line: 1, seq: 0 },
  };
}

function readHeader(text: string): ExportHeader | undefined {
  try {
    const parsed = ExportHeader.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A row whose cells a spreadsheet shows as text: a cell that starts like a formula (=, +, -, @,
 * tab, CR) gets a leading apostrophe, as OWASP's CSV-injection advice says, and so does a cell that
 * already starts with one, so that reading strips exactly one and the hash chain still verifies.
 */
function spreadsheetRow(values: readonly string[]): string {
  return csvRow(values.map((v) => (/^['=+\-@\t\r]/.test(v) ? `'${v}` : v)));
}

const fromSpreadsheetCell = (v: string) => (v.startsWith("'") ? v.slice(1) : v);

/** A CSV row back into the entry it was written from, or why it is none. */
function entryFromCsv(cells: readonly string[], line: number): ReadLine {
  if (cells.length !== CSV_COLUMNS.length) return { line, unreadable: 'not-an-entry' };
  const fields = cells.map(fromSpreadsheetCell);
  const [seq, time, type, outcome, host, user, summary, details, prev, hash] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  let parsedDetails: unknown;
  try {
    parsedDetails = JSON.parse(details);
  } catch {
    return { line, unreadable: 'unreadable-line' };
  }
  const origin = host || user ? AuditOrigin.safeParse({ host, user }) : undefined;
  const out = outcome ? AuditOutcome.safeParse(outcome) : undefined;
  if (!AuditDetails.safeParse(parsedDetails).success || origin?.success === false || out?.success === false || !/^\d+$/.test(seq))
    return { line, unreadable: 'not-an-entry' };
  const entry = AuditEntry.safeParse({
    seq: Number(seq),
    time,
    type,
    summary,
    details: parsedDetails,
    ...(origin?.success ? { origin: origin.data } : {}),
    ...(out?.success ? { outcome: out.data } : {}),
    prev,
    hash,
  });
  return entry.success ? { line, entry: entry.data } : { line, unreadable: 'not-an-entry' };
}

function readExport(text: string): { header: ExportHeader; lines: ReadLine[] } | AuditVerification {
  const firstBreak = text.indexOf('\n');
  const first = firstBreak < 0 ? text : text.slice(0, firstBreak);
  if (first.startsWith('{')) {
    const header = readHeader(first);
    if (!header) return notAnExport('its first line is not an export header');
    const rest = text.slice(firstBreak + 1).split('\n');
    if (rest.at(-1) === '') rest.pop();
    return { header, lines: rest.map((l, i) => readEntryLine(l, i + 2)) };
  }
  if (first.startsWith('# ')) {
    const header = readHeader(first.slice(2));
    if (!header) return notAnExport('its first line is not an export header');
    const { records, unterminatedAt } = parseCsv(text.slice(firstBreak + 1));
    const [columns, ...rows] = records;
    if (!columns || columns.fields.join(',') !== CSV_COLUMNS.join(','))
      return notAnExport(`its second line is not the column row ${CSV_COLUMNS.join(',')}`);
    const lines = rows.map((r) => entryFromCsv(r.fields, r.line + 1));
    if (unterminatedAt !== undefined) lines.push({ line: unterminatedAt + 1, unreadable: 'unreadable-line' });
    return { header, lines };
  }
  return notAnExport('it starts with neither a JSON header nor a "# " header line');
}

/**
 * Checks an export on its own (on another machine): each entry whole, each linked to the one
 * before, the run as long as its header says, and — when it reaches the log's head — ending in the
 * head hash the header names.
 */
export function verifyExport(text: string): AuditVerification {
  const read = readExport(text);
  if ('intact' in read) return read;
  const { header, lines } = read;
  const firstEntry = lines.find((l): l is Extract<ReadLine, { entry: AuditEntry }> => 'entry' in l)?.entry;
  const start = { seq: header.first || 1, prev: header.first <= 1 ? GENESIS : (firstEntry?.prev ?? GENESIS) };
  const verdict = checkChain(lines, start);
  if (!verdict.intact) return verdict;
  const lastLine = (lines.at(-1)?.line ?? 1) + 1;
  const lastGood = lines.length ? (lines.at(-1) as Extract<ReadLine, { entry: AuditEntry }>).entry : undefined;
  const good = lastGood ? { lastGood: { seq: lastGood.seq, time: lastGood.time, hash: lastGood.hash } } : {};
  if (lines.length !== header.entries || (lastGood?.seq ?? 0) !== header.last) {
    return {
      intact: false,
      entries: lines.length,
      problem: `The export's header says it holds entries ${header.first}–${header.last} (${header.entries}), but it ends after ${lines.length} entr${lines.length === 1 ? 'y' : 'ies'}${lastGood ? ` at entry ${lastGood.seq}` : ''}: entries were cut off its end.`,
      break: { reason: 'sequence', line: lastLine, seq: (lastGood?.seq ?? header.first - 1) + 1, ...good },
    };
  }
  if (header.last === header.head.seq && lastGood && lastGood.hash !== header.head.hash) {
    return {
      intact: false,
      entries: lines.length,
      problem: `The export reaches the log's head, entry ${header.head.seq}, but its last entry's hash is not the head hash its header names.`,
      break: { reason: 'head-mismatch', line: lastLine - 1, seq: lastGood.seq, ...good },
    };
  }
  return { intact: true, entries: lines.length, head: header.head };
}

/** Refuses a bad export format or range before anything is read. */
export function checkRange(since?: string, until?: string): void {
  if (since && until && Date.parse(since) > Date.parse(until))
    throw new SignetError('INVALID_INPUT', `--since (${since}) is after --until (${until}).`);
}
