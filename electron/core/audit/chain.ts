import { createHash } from 'node:crypto';
import { AuditEntry, type AuditBreak, type AuditVerification } from '../../../shared/models/audit';

export const GENESIS = '0'.repeat(64);

export type EntryBody = Omit<AuditEntry, 'hash'>;

/**
 * The SHA-256 an entry carries. Fixed member order: the hash covers exactly these fields. Origin
 * and outcome are covered when present; entries written before they existed hash as they did.
 */
export function hashOf(body: EntryBody): string {
  const fields: unknown[] = [
    body.seq,
    body.time,
    body.type,
    body.summary,
    Object.entries(body.details).sort(([a], [b]) => (a < b ? -1 : 1)),
    body.prev,
  ];
  if (body.origin !== undefined || body.outcome !== undefined)
    fields.push(body.origin ? [body.origin.host, body.origin.user] : null, body.outcome ?? null);
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** One line of a log or an export: the entry it holds, or why it holds none. */
export type ReadLine = { line: number; entry: AuditEntry } | { line: number; unreadable: 'unreadable-line' | 'not-an-entry' };

export function readEntryLine(text: string, line: number): ReadLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { line, unreadable: 'unreadable-line' };
  }
  const parsed = AuditEntry.safeParse(raw);
  return parsed.success ? { line, entry: parsed.data } : { line, unreadable: 'not-an-entry' };
}

/**
 * Walks a run of entries and says where the chain breaks: the line, the sequence number, why
 * (a code), and the last entry that is still whole. `start` is where the run must begin: the
 * genesis for a whole log; for an export of a range, the sequence number and `prev` of its first entry.
 */
export function checkChain(
  lines: readonly ReadLine[],
  start: { seq: number; prev: string } = { seq: 1, prev: GENESIS },
): AuditVerification {
  let prev = start.prev;
  let expected = start.seq;
  let lastGood: AuditBreak['lastGood'];
  const broken = (reason: AuditBreak['reason'], line: number, seq: number, problem: string): AuditVerification => ({
    intact: false,
    entries: lines.length,
    problem: `${problem}${lastGood ? ` Entries up to ${lastGood.seq} (${lastGood.time}) are intact.` : ' No entry before it can be vouched for.'}`,
    break: { reason, line, seq, ...(lastGood ? { lastGood } : {}) },
  });
  for (const read of lines) {
    if ('unreadable' in read) {
      return broken(
        read.unreadable,
        read.line,
        expected,
        `Line ${read.line} (where entry ${expected} should be) ${read.unreadable === 'unreadable-line' ? 'is not a complete entry: it was cut or edited' : 'is not an audit entry'}.`,
      );
    }
    const { entry, line } = read;
    const { hash, ...body } = entry;
    if (entry.seq !== expected)
      return broken(
        'sequence',
        line,
        entry.seq,
        `Line ${line} holds entry ${entry.seq} where entry ${expected} should be: ${entry.seq > expected ? `entr${entry.seq - expected === 1 ? 'y' : 'ies'} ${expected}${entry.seq - expected > 1 ? `–${entry.seq - 1}` : ''} w${entry.seq - expected === 1 ? 'as' : 'ere'} removed` : 'an entry was repeated or moved'} (removed or reordered).`,
      );
    if (entry.prev !== prev)
      return broken(
        'chain-cut',
        line,
        entry.seq,
        `Entry ${entry.seq} (line ${line}) does not follow entry ${entry.seq - 1}: the chain was cut there.`,
      );
    if (hashOf(body) !== hash)
      return broken('changed', line, entry.seq, `Entry ${entry.seq} (line ${line}, ${entry.time}) was changed after it was written.`);
    prev = hash;
    expected += 1;
    lastGood = { seq: entry.seq, time: entry.time, hash };
  }
  return { intact: true, entries: lines.length, ...(lastGood ? { head: { seq: lastGood.seq, hash: lastGood.hash } } : {}) };
}
