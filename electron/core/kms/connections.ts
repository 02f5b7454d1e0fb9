import { describeSystemError } from '../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import { KmsConnection } from '../../../shared/models/kms';
import { parseStrictJson } from '../json/strict';
import { KeychainStore } from '../keys/secret-store';
import { writeFileAtomic } from '../storage/atomic';
import { withFileLock } from '../storage/file-lock';

export type { SecretStore } from '../keys/secret-store';

export const KMS_SECRET_SERVICE = 'Signet KMS credentials';

/** KMS secrets in the OS keychain. */
export const kmsKeychain = () =>
  new KeychainStore({ service: KMS_SECRET_SERVICE, what: 'the KMS credentials', instead: "use the vendor's own credential files instead" });

export const keychainEntryFor = (name: string) => `kms:${name}`;

const FileSchema = z.object({ version: z.literal(1), connections: z.array(KmsConnection) }).strict();

/** Named KMS connections in `<dataDir>/kms.json`: no secrets, written atomically. */
export class KmsConnectionStore {
  private readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'kms.json');
  }

  async list(): Promise<KmsConnection[]> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${describeSystemError(error)}.`);
    }
    const parsed = FileSchema.safeParse(parseStrictJson(bytes, this.file));
    if (!parsed.success)
      throw new SignetError(
        'MALFORMED',
        `${this.file} is not a Signet KMS connection file (${parsed.error.issues[0]?.message ?? 'invalid'}). Move it aside and add the connections again.`,
      );
    return parsed.data.connections;
  }

  async get(name: string): Promise<KmsConnection> {
    const found = (await this.list()).find((c) => c.name === name);
    if (!found)
      throw new SignetError('NOT_FOUND', `There is no KMS connection named "${name}". \`signet kms list\` shows the connections.`);
    return found;
  }

  /** Adds (or, with `replace`, replaces) a connection; serialised so concurrent writers never lose one. */
  put(connection: KmsConnection, replace: boolean): Promise<void> {
    return this.serial(async () => {
      const all = await this.list();
      const at = all.findIndex((c) => c.name === connection.name);
      if (at !== -1 && !replace)
        throw new SignetError('CONFLICT', `A KMS connection named "${connection.name}" exists already. Remove it first, or replace it.`);
      if (at === -1) all.push(connection);
      else all[at] = connection;
      await this.write(all);
    });
  }

  remove(name: string): Promise<KmsConnection> {
    return this.serial(async () => {
      const all = await this.list();
      const found = all.find((c) => c.name === name);
      if (!found) throw new SignetError('NOT_FOUND', `There is no KMS connection named "${name}".`);
      await this.write(all.filter((c) => c.name !== name));
      return found;
    });
  }

  private async write(connections: KmsConnection[]): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, connections }, null, 2)}\n`, 0o600);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const locked = () => withFileLock(this.file, run);
    const next = this.chain.then(locked, locked);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
