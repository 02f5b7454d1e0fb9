import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Settings } from '../../../shared/model';
import { SignetError } from '../../../shared/errors';
import { readJsonFile, writeFileAtomic } from '../storage/atomic';

const DEFAULTS: Settings = { offlineMode: false };

/** Settings live in `settings.json` in the data directory, written atomically. */
export class SettingsStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
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
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${(error as Error).message}`);
    }
    if (raw === undefined) return { ...DEFAULTS };
    const parsed = Settings.partial().strict().safeParse(raw);
    if (!parsed.success) {
      throw new SignetError('IO_ERROR', `${this.file} is not a valid settings file; fix or remove it.`);
    }
    return { ...DEFAULTS, ...parsed.data };
  }

  async update(change: Partial<Settings>): Promise<Settings> {
    const next = Settings.parse({ ...(await this.read()), ...change });
    await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }
}
