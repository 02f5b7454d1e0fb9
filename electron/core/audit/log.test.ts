import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from './log';

function fresh() {
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-audit-'));
  return { dir, file: path.join(dir, 'audit.log'), log: new AuditLog(dir) };
}

describe('audit log', () => {
  it('chains entries and lists them newest first', async () => {
    const { log } = fresh();
    await log.append('key.generated', 'Generated key release', { keyId: 'k1' });
    await log.append('image.signed', 'Signed example', { digest: 'sha256:ab' });
    const { entries, total } = await log.list();
    expect(total).toBe(2);
    expect(entries.map((e) => e.type)).toEqual(['image.signed', 'key.generated']);
    expect(entries[0]?.prev).toBe(entries[1]?.hash);
    expect(await log.verify()).toMatchObject({ intact: true, entries: 2, head: { seq: 2, hash: entries[0]?.hash } });
  });

  it('keeps order under concurrent appends and across instances', async () => {
    const { dir, log } = fresh();
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append('image.verified', `v${i}`)));
    await new AuditLog(dir).append('key.deleted', 'after restart');
    const verdict = await new AuditLog(dir).verify();
    expect(verdict).toMatchObject({ intact: true, entries: 41 });
  });

  it('names the entry that was edited, removed or cut', async () => {
    const { dir, file, log } = fresh();
    for (const n of [1, 2, 3]) await log.append('key.imported', `entry ${n}`);
    const original = readFileSync(file, 'utf8');

    writeFileSync(file, original.replace('entry 2', 'entry X'));
    expect(await new AuditLog(dir).verify()).toMatchObject({
      intact: false,
      break: { reason: 'changed', line: 2, seq: 2, lastGood: { seq: 1 } },
    });

    const lines = original.trimEnd().split('\n');
    writeFileSync(file, `${[lines[0], lines[2]].join('\n')}\n`);
    expect(await new AuditLog(dir).verify()).toMatchObject({
      intact: false,
      break: { reason: 'sequence', line: 2, seq: 3, lastGood: { seq: 1 } },
    });

    writeFileSync(file, original.slice(0, -20));
    const damaged = new AuditLog(dir);
    expect(await damaged.verify()).toMatchObject({
      intact: false,
      break: { reason: 'unreadable-line', line: 3, seq: 3, lastGood: { seq: 2 } },
    });
    await expect(damaged.append('key.deleted', 'x')).rejects.toThrow(/damaged/);
    expect(readFileSync(file, 'utf8')).toBe(original.slice(0, -20));
  });

  it('keeps verifying a log written before origins and outcomes were recorded, and appends after it', async () => {
    const { dir, file } = fresh();
    // An entry as the earlier version wrote it: no origin, no outcome, hashed over the six original fields.
    const body = {
      seq: 1,
      time: '2026-01-01T00:00:00.000Z',
      type: 'image.signed',
      summary: 'Signed old',
      details: { digest: 'sha256:ab' },
      prev: '0'.repeat(64),
    };
    const hash = createHash('sha256')
      .update(JSON.stringify([body.seq, body.time, body.type, body.summary, Object.entries(body.details), body.prev]))
      .digest('hex');
    writeFileSync(file, `${JSON.stringify({ ...body, hash })}\n`);
    const log = new AuditLog(dir, { origin: { host: 'desktop', user: 'ana' } });
    await log.append('key.generated', 'new');
    expect(await log.verify()).toMatchObject({ intact: true, entries: 2 });
    expect((await log.list({ outcome: 'succeeded' })).total).toBe(2);
    expect((await log.list({ origin: 'desktop' })).entries.map((e) => e.seq)).toEqual([2]);
  });
});
