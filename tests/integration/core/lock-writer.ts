// A separate process that increments a counter file under the data directory's lock, for the
// stale-lock test in concurrency.test.ts. Arguments: counter file, count, and the time (ms) all
// writers start at, so that they meet the stale lock together.
import { promises as fs } from 'node:fs';
import { withFileLock } from '../../../electron/core/storage/file-lock';

const [file, count, startAt] = process.argv.slice(2) as [string, string, string];
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < Number(count); i++) {
  await withFileLock(file, async () => {
    const now = Number((await fs.readFile(file, 'utf8').catch(() => '0')) || '0');
    await fs.writeFile(file, String(now + 1));
  });
}
