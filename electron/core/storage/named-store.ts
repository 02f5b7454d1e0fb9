import { describeSystemError } from '../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';
import { writeFileAtomic } from './atomic';
import { withFileLock } from './file-lock';

/**
 * A list of named records in one JSON file of the data directory (`{ version: 1, <field>: [...] }`),
 * read strictly, written atomically, changes serialised so concurrent writers never lose one.
 * Holds no secrets: those go to the keychain.
 */
export class NamedRecordStore<T extends { name: string }> {
  private readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    fileName: string,
    private readonly field: string,
    private readonly schema: z.ZodType<T>,
    /** "storage profile", "trust entry": used in messages. */
    private readonly what: string,
  ) {
    this.file = path.join(dataDir, fileName);
  }

  async list(): Promise<T[]> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${describeSystemError(error)}.`);
    }
    const doc = parseStrictJson(bytes, this.file) as Record<string, unknown> | null;
    const items = doc && typeof doc === 'object' && doc.version === 1 ? doc[this.field] : undefined;
    if (!Array.isArray(items))
      throw new SignetError('MALFORMED', `${this.file} is not a Signet ${this.what} file. Move it aside and add them again.`);
    return items.map((item, i) => {
      const parsed = this.schema.safeParse(item);
      if (!parsed.success)
        throw new SignetError(
          'MALFORMED',
          `${this.file}: ${this.what} ${i + 1} is invalid (${parsed.error.issues[0]?.message ?? 'invalid'}). Fix or move the file aside.`,
        );
      return parsed.data;
    });
  }

  async get(name: string): Promise<T> {
    const found = (await this.list()).find((r) => r.name === name);
    if (!found) throw new SignetError('NOT_FOUND', `There is no ${this.what} named "${name.slice(0, 100)}".`);
    return found;
  }

  put(record: T, replace: boolean): Promise<void> {
    return this.serial(async () => {
      const all = await this.list();
      const at = all.findIndex((r) => r.name === record.name);
      if (at !== -1 && !replace)
        throw new SignetError('CONFLICT', `A ${this.what} named "${record.name}" exists already. Remove it first, or replace it.`);
      if (at === -1) all.push(record);
      else all[at] = record;
      await this.write(all);
    });
  }

  remove(name: string): Promise<T> {
    return this.serial(async () => {
      const all = await this.list();
      const found = all.find((r) => r.name === name);
      if (!found) throw new SignetError('NOT_FOUND', `There is no ${this.what} named "${name.slice(0, 100)}".`);
      await this.write(all.filter((r) => r.name !== name));
      return found;
    });
  }

  private async write(records: T[]): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, [this.field]: records }, null, 2)}\n`, 0o600);
  }

  private serial<R>(run: () => Promise<R>): Promise<R> {
    const locked = () => withFileLock(this.file, run);
    const next = this.chain.then(locked, locked);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
