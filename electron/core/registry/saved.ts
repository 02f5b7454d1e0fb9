import path from 'node:path';
import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import { SavedRegistry } from '../../../shared/models/registry';
import { readJsonFile } from '../storage/atomic';
import { updateRecords } from '../storage/record-file';

const File = z.object({ version: z.literal(1), registries: z.array(SavedRegistry) }).strict();

/** The registries the user saved, in `<dataDir>/registries.json`, written atomically. */
export class SavedRegistries {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'registries.json');
  }

  async list(): Promise<SavedRegistry[]> {
    const raw = await readJsonFile(this.file).catch((error: Error) => {
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${error.message}`);
    });
    if (raw === undefined) return [];
    const parsed = File.safeParse(raw);
    if (!parsed.success) throw new SignetError('IO_ERROR', `${this.file} is not a valid registry list; fix or move it aside.`);
    return parsed.data.registries;
  }

  async get(id: string): Promise<SavedRegistry> {
    const found = (await this.list()).find((r) => r.id === id);
    if (!found) throw new SignetError('NOT_FOUND', `There is no saved registry ${id}.`);
    return found;
  }

  update<T>(change: (registries: SavedRegistry[]) => { registries: SavedRegistry[]; result: T }): Promise<T> {
    return updateRecords(
      this.file,
      'registries',
      () => this.list(),
      (records) => {
        const { registries, result } = change(records);
        return { records: registries, result };
      },
    );
  }
}

export function registryIdFor(host: string, taken: ReadonlySet<string>): string {
  const base =
    host
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 56) || 'registry';
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  return id;
}
