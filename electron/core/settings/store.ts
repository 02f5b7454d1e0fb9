import { describeSystemError } from '../../../shared/system-errors';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Settings } from '../../../shared/model';
import { SignetError } from '../../../shared/errors';
import { readJsonFile, writeFileAtomic } from '../storage/atomic';
import { withFileLock } from '../storage/file-lock';

const DEFAULTS: Settings = { offlineMode: false };

/** Settings live in `settings.json` in the data directory, written atomically. */
export class SettingsStore {
  private readonly file: string;

  private seen?: { mtimeMs: number; size: number; offline: boolean };

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  /**
   * Offline mode as the settings file says now, re-read when the file changed: another process
   * (the CLI, the desktop app) may have turned it on. Checked by the network gate before every
   * connection; an unreadable file counts as offline.
   */
  offlineNow(): boolean {
    let stat;
    try {
      stat = statSync(this.file);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? DEFAULTS.offlineMode : true;
    }
    if (this.seen && this.seen.mtimeMs === stat.mtimeMs && this.seen.size === stat.size) return this.seen.offline;
    const offline = this.readAtStartSync().offlineMode;
    this.seen = { mtimeMs: stat.mtimeMs, size: stat.size, offline };
    return offline;
  }

  /**
   * The settings at start-up, read synchronously so that offline mode is in force before the
   * first request can leave. An unreadable file counts as offline: failing closed.
   */
  readAtStartSync(): Settings {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULTS };
      return { ...DEFAULTS, offlineMode: true };
    }
    try {
      const parsed = Settings.partial().strict().safeParse(JSON.parse(text));
      return parsed.success ? { ...DEFAULTS, ...parsed.data } : { ...DEFAULTS, offlineMode: true };
    } catch {
      return { ...DEFAULTS, offlineMode: true };
    }
  }

  async read(): Promise<Settings> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.file);
    } catch (error) {
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${describeSystemError(error)}`);
    }
    if (raw === undefined) return { ...DEFAULTS };
    const parsed = Settings.partial().strict().safeParse(raw);
    if (!parsed.success) {
      throw new SignetError('IO_ERROR', `${this.file} is not a valid settings file; fix or remove it.`);
    }
    return { ...DEFAULTS, ...parsed.data };
  }

  /** Changes settings under the cross-process lock; returns what was in force before and what is now. */
  update(change: Partial<Settings>): Promise<{ previous: Settings; next: Settings }> {
    return withFileLock(this.file, async () => {
      const previous = await this.read();
      const next = Settings.parse({ ...previous, ...change });
      await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
      return { previous, next };
    });
  }
}
