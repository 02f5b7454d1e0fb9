import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import type { AuditEntry, AuditEventType, AuditVerification } from '../../../shared/models/audit';
import { withFileLock } from '../storage/file-lock';

const GENESIS = '0'.repeat(64);
const MAX_DETAIL_CHARS = 4096;

/**
 * The audit log: one JSON line per event in `<dataDir>/audit.log`, each carrying the SHA-256 of
 * the previous line's entry, so that an edited, removed or reordered line breaks the chain at a
 * place `verify()` names. Appends hold a cross-process lock and are fsynced.
 */
export class AuditLog {
  private readonly file: string;

  constructor(dataDir: string, private readonly now: () => Date = () => new Date()) {
    this.file = path.join(dataDir, 'audit.log');
  }

  /**
   * Appends under the data directory's cross-process lock, after reading the chain's tail from
   * the file itself: the desktop app, `signet serve` and the CLI may append to one log at once.
   */
  append(type: AuditEventType, summary: string, details: Record<string, string | number | boolean> = {}): Promise<AuditEntry> {
    return withFileLock(this.file, async () => {
      const tail = await this.readTail();
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
      return entry;
    });
  }

  /** Throws, before an action has any effect, when the log could not take its entry (damaged tail, unwritable file). */
  async ensureWritable(): Promise<void> {
    await withFileLock(this.file, async () => {
      await this.readTail();
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const handle = await fs.open(this.file, 'a', 0o600).catch((error: Error) => {
        throw new SignetError('IO_ERROR', `The audit log ${this.file} cannot be written (${error.message}); nothing was done.`);
      });
      await handle.close();
    });
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

  /** The last entry, read from the end of the file; a last line that is cut or not an entry makes the log refuse appends. */
  private async readTail(): Promise<{ seq: number; hash: string }> {
    let handle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, hash: GENESIS };
      throw new SignetError('IO_ERROR', `Cannot read the audit log ${this.file}: ${(error as Error).message}`);
    }
    try {
      const { size } = await handle.stat();
      if (size === 0) return { seq: 0, hash: GENESIS };
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8');
      const damaged = (why: string) => new SignetError('IO_ERROR', `The audit log ${this.file} is damaged (${why}); Signet will not append to it, and did nothing. Move it aside to start a new one.`);
      if (!text.endsWith('\n')) throw damaged('its last line is cut short');
      const lines = text.slice(0, -1).split('\n');
      const last = lines.at(-1) ?? '';
      if (lines.length === 1 && length < size) throw damaged('its last line is longer than 64 KiB');
      let entry: Partial<AuditEntry>;
      try {
        entry = JSON.parse(last) as Partial<AuditEntry>;
      } catch {
        throw damaged('its last line is not an entry');
      }
      if (typeof entry.seq !== 'number' || typeof entry.hash !== 'string' || !/^[0-9a-f]{64}$/.test(entry.hash)) throw damaged('its last line is not an entry');
      const { hash, ...body } = entry as AuditEntry;
      if (hashOf(body) !== hash) throw damaged('its last entry was changed after it was written');
      return { seq: entry.seq, hash };
    } finally {
      await handle.close();
    }
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
