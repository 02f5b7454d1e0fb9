// A separate Signet process on a shared data directory, for concurrent-writers.test.ts: it makes its
// own key, says "ready <public key JSON>", waits for "go" on stdin, then signs every image given
// (repository@digest) at once through the one signing handler, and exits non-zero if any failed.
// Arguments: data directory, registry host, key name, images...
import { createInterface } from 'node:readline';
import { createCore } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';

const [dataDir, host, key, ...images] = process.argv.slice(2) as [string, string, string, ...string[]];
const core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
const call = async <T>(name: string, input: unknown): Promise<T> => {
  const r = (await core.dispatch(name as never, input as never)) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
  return r.value as T;
};
const { id } = await call<{ id: string }>('registry.add', { host });
await call('keys.generate', { name: key, type: 'ecdsa-p256' });
const { exports } = await call<{ exports: { pem: string } }>('keys.get', { key });
process.stdout.write(`ready ${JSON.stringify(exports.pem)}\n`);
for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;
const results = await Promise.allSettled(
  images.map((image) => {
    const [repository, digest] = image.split('@') as [string, string];
    return call('signatures.sign', { id, repository, digest, key });
  }),
);
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed) process.stderr.write(`${String((f as PromiseRejectedResult).reason)}\n`);
process.exit(failed.length ? 1 : 0);
