// A separate process that writes trust entries and audit entries as fast as it can, for the
// cross-process test in concurrency.test.ts. Arguments: data directory, writer name, count.
import { generateKeyPairSync } from 'node:crypto';
import { AuditLog } from '../../../electron/core/audit/log';
import { TrustStore } from '../../../electron/core/trust/store';

const [dataDir, who, count] = process.argv.slice(2) as [string, string, string];
const store = new TrustStore(dataDir);
const audit = new AuditLog(dataDir);
for (let i = 0; i < Number(count); i++) {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await store.add({ name: `${who}-${i}`, data: pem });
  await audit.append('trust.changed', `${who} ${i}`, { who, i });
}
