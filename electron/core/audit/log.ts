import { describeSystemError } from '../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import type { AuditEntry, AuditEventType, AuditFilter, AuditOrigin, AuditOutcome, AuditVerification } from '../../../shared/models/audit';
import { appendFileDurable } from '../storage/atomic';
import { withFileLock } from '../storage/file-lock';
import { checkChain, GENESIS, hashOf, readEntryLine, type ReadLine } from './chain';
import { callFields } from './context';
import { matchesFilter } from './filter';

const MAX_DETAIL_CHARS = 4096;

export interface AuditLogOptions {
  now?: () => Date;
  /** Stamped on every entry this process writes: its host and OS user. */
  origin?: AuditOrigin;
}

export interface AppendOptions {
  /** Default `succeeded`. */
  outcome?: AuditOutcome;
}

/**
 * The audit log: one JSON line per event in `<dataDir>/audit.log`, each carrying the SHA-256 of
 * the previous line's entry, so that an edited, removed or reordered line breaks the chain at a
 * place `verify()` names. Appends hold a cross-process lock and are fsynced.
 */
export class AuditLog {
  readonly file: string;
  private readonly now: () => Date;
  readonly origin: AuditOrigin | undefined;

  constructor(dataDir: string, options: AuditLogOptions = {}) {
    this.file = path.join(dataDir, 'audit.log');
    this.now = options.now ?? (() => new Date());
    this.origin = options.origin;
  }

  /**
   * Appends under the data directory's cross-process lock, after reading the chain's tail from
   * the file itself: the desktop app, `signet serve` and the CLI may append to one log at once.
   */
  append(
    type: AuditEventType,
    summary: string,
    details: Record<string, string | number | boolean> = {},
    options: AppendOptions = {},
  ): Promise<AuditEntry> {
    // Read now, in the caller's context: the entry names the call being answered and what was asked.
    const asked = callFields();
    return withFileLock(this.file, async () => {
      const tail = await this.readTail();
      const body = {
        seq: tail.seq + 1,
        time: this.now().toISOString(),
        type,
        summary: summary.slice(0, 500),
        details: boundDetails({ ...asked, ...details }),
        ...(this.origin ? { origin: this.origin } : {}),
        outcome: options.outcome ?? 'succeeded',
        prev: tail.hash,
      };
      const entry: AuditEntry = { ...body, hash: hashOf(body) };
      await appendFileDurable(this.file, `${JSON.stringify(entry)}\n`);
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

  /** Newest first, narrowed by the filter. */
  async list(
    options: AuditFilter & { offset?: number; limit?: number; type?: AuditEventType } = {},
  ): Promise<{ entries: AuditEntry[]; total: number }> {
    const { offset = 0, limit = 100, type, ...filter } = options;
    const entries = (await this.readEntries()).filter((e) => (!type || e.type === type) && matchesFilter(e, filter));
    const newestFirst = entries.reverse();
    return { entries: newestFirst.slice(offset, offset + limit), total: entries.length };
  }

  /** Every entry in chain order; refuses a log whose chain is broken (an export must not launder it). */
  async chainOrder(): Promise<AuditEntry[]> {
    const lines = await this.readLines();
    const verdict = checkChain(lines);
    if (!verdict.intact)
      throw new SignetError(
        'VERIFICATION_FAILED',
        `The audit log is not intact: ${verdict.problem} Run \`signet audit verify\`; nothing was exported.`,
      );
    return lines.flatMap((l) => ('entry' in l ? [l.entry] : []));
  }

  async verify(): Promise<AuditVerification> {
    return checkChain(await this.readLines());
  }

  /** The last entry, read from the end of the file; a last line that is cut or not an entry makes the log refuse appends. */
  private async readTail(): Promise<{ seq: number; hash: string }> {
    let handle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, hash: GENESIS };
      throw new SignetError('IO_ERROR', `Cannot read the audit log ${this.file}: ${describeSystemError(error)}`);
    }
    try {
      const { size } = await handle.stat();
      if (size === 0) return { seq: 0, hash: GENESIS };
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8');
      const damaged = (why: string) =>
        new SignetError(
          'IO_ERROR',
          `The audit log ${this.file} is damaged (${why}); Signet will not append to it, and did nothing. Move it aside to start a new one.`,
        );
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
      if (typeof entry.seq !== 'number' || typeof entry.hash !== 'string' || !/^[0-9a-f]{64}$/.test(entry.hash))
        throw damaged('its last line is not an entry');
      const { hash, ...body } = entry as AuditEntry;
      if (hashOf(body) !== hash) throw damaged('its last entry was changed after it was written');
      return { seq: entry.seq, hash };
    } finally {
      await handle.close();
    }
  }

  private async readLines(): Promise<ReadLine[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new SignetError('IO_ERROR', `Cannot read the audit log ${this.file}: ${describeSystemError(error)}`);
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.map((line, index) => readEntryLine(line, index + 1));
  }

  /** The readable entries (for listing; `verify` says whether they can be trusted). */
  private async readEntries(): Promise<AuditEntry[]> {
    return (await this.readLines()).flatMap((l) => ('entry' in l ? [l.entry] : []));
  }
}

function boundDetails(details: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(details).slice(0, 32)) {
    out[key.slice(0, 64)] = typeof value === 'string' ? value.slice(0, MAX_DETAIL_CHARS) : value;
  }
  return out;
}
