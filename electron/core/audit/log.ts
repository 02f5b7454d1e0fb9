import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import type { AuditEntry, AuditEventType, AuditVerification } from '../../../shared/models/audit';

const GENESIS = '0'.repeat(64);
const MAX_DETAIL_CHARS = 4096;

/**
 * The audit log: one JSON line per event in `<dataDir>/audit.log`, each carrying the SHA-256 of
 * the previous line's entry, so that an edited, removed or reordered line breaks the chain at a
 * place `verify()` names. Appends are serialised in this process and fsynced.
 */
export class AuditLog {
  private readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();
  private tail?: { seq: number; hash: string };

  constructor(dataDir: string, private readonly now: () => Date = () => new Date()) {
    this.file = path.join(dataDir, 'audit.log');
  }

  append(type: AuditEventType, summary: string, details: Record<string, string | number | boolean> = {}): Promise<AuditEntry> {
    const work = this.queue.then(async () => {
      const tail = this.tail ?? (await this.readTail());
      const body = {
        seq: tail.seq + 1,
        time: this.now().toISOString(),
        type,
        summary: summary.slice(0, 500),
        details: boundDetails(details),
        prev: tail.hash,
      };
      const entry: AuditEntry = { ...body, hash: hashOf(body) };
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const handle = await fs.open(this.file, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(entry)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.tail = { seq: entry.seq, hash: entry.hash };
      return entry;
    });
    this.queue = work.catch(() => undefined);
    return work;
  }

  /** Newest first. */
  async list(options: { offset?: number; limit?: number; type?: AuditEventType } = {}): Promise<{ entries: AuditEntry[]; total: number }> {
    const { entries } = await this.readAll();
    const filtered = options.type ? entries.filter((e) => e.type === options.type) : entries;
    const newestFirst = filtered.reverse();
    const offset = options.offset ?? 0;
    return { entries: newestFirst.slice(offset, offset + (options.limit ?? 100)), total: filtered.length };
  }

  async verify(): Promise<AuditVerification> {
    const { entries, broken } = await this.readAll();
    if (broken) return { intact: false, entries: entries.length, problem: broken };
    let prev = GENESIS;
    for (const [index, entry] of entries.entries()) {
      const { hash, ...body } = entry;
      if (entry.seq !== index + 1) return { intact: false, entries: entries.length, problem: `Entry ${index + 1} has sequence number ${entry.seq}: an entry was removed or reordered.` };
      if (entry.prev !== prev) return { intact: false, entries: entries.length, problem: `Entry ${entry.seq} does not follow entry ${entry.seq - 1}: the chain was cut.` };
      if (hashOf(body) !== hash) return { intact: false, entries: entries.length, problem: `Entry ${entry.seq} was changed after it was written.` };
      prev = hash;
    }
    return { intact: true, entries: entries.length };
  }

  private async readTail(): Promise<{ seq: number; hash: string }> {
    const { entries, broken } = await this.readAll();
    if (broken) throw new SignetError('IO_ERROR', `The audit log ${this.file} is damaged (${broken}); Signet will not append to it. Move it aside to start a new one.`);
    const last = entries.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS };
  }

  private async readAll(): Promise<{ entries: AuditEntry[]; broken?: string }> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [] };
      throw new SignetError('IO_ERROR', `Cannot read the audit log ${this.file}: ${(error as Error).message}`);
    }
    const entries: AuditEntry[] = [];
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const [index, line] of lines.entries()) {
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        return { entries, broken: `line ${index + 1} is not a complete entry` };
      }
    }
    return { entries };
  }
}

function hashOf(body: Omit<AuditEntry, 'hash'>): string {
  // Fixed member order: the hash covers exactly these fields, in this order.
  const canonical = JSON.stringify([body.seq, body.time, body.type, body.summary, Object.entries(body.details).sort(([a], [b]) => (a < b ? -1 : 1)), body.prev]);
  return createHash('sha256').update(canonical).digest('hex');
}

function boundDetails(details: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(details).slice(0, 32)) {
    out[key.slice(0, 64)] = typeof value === 'string' ? value.slice(0, MAX_DETAIL_CHARS) : value;
  }
  return out;
}
