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
