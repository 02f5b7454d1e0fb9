import { writeFileAtomic } from './atomic';
import { withFileLock } from './file-lock';

/**
 * The one read-modify-write of a versioned JSON record file (`{ version: 1, <field>: [...] }`):
 * under the data directory's cross-process lock, the records are read afresh, changed, and
 * written atomically. Every store of records (keys, trust, policies, registries) goes through it.
 */
export function updateRecords<R, T>(
  file: string,
  field: string,
  read: () => Promise<R[]>,
  change: (records: R[]) => { records: R[]; result: T },
  mode = 0o600,
): Promise<T> {
  return withFileLock(file, async () => {
    const { records, result } = change(await read());
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, [field]: records }, null, 2)}\n`, mode);
    return result;
  });
}
