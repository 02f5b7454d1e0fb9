import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from './log';
import { renderExport, verifyExport } from './export';

async function log(count: number) {
  let t = Date.parse('2026-11-01T00:00:00Z');
  const audit = new AuditLog(mkdtempSync(path.join(tmpdir(), 'signet-export-')), {
    now: () => new Date((t += 3600_000)),
    origin: { host: 'browser', user: 'ana' },
  });
  for (let i = 1; i <= count; i += 1)
    await audit.append(i % 2 ? 'image.signed' : 'key.generated', `entry ${i}, "quoted", with a comma\nand a newline`, {
      key: `k${i}`,
      repository: 'team/app',
      n: i,
      ok: true,
    });
  return audit;
}

describe('audit export', () => {
  it('round-trips through JSON Lines and CSV, whole or a range, and names the head', async () => {
    const all = await (await log(6)).chainOrder();
    for (const format of ['jsonl', 'csv'] as const) {
      const whole = renderExport(all, format, { now: new Date() });
      expect(verifyExport(whole.text)).toEqual({ intact: true, entries: 6, head: { seq: 6, hash: all[5]?.hash } });
      const range = renderExport(all, format, { since: '2026-11-01T02:30:00Z', until: '2026-11-01T04:30:00Z', now: new Date() });
      expect(range.header).toMatchObject({ first: 3, last: 4, entries: 2, head: { seq: 6 } });
      expect(verifyExport(range.text)).toMatchObject({ intact: true, entries: 2 });
    }
  });

  it('writes no cell a spreadsheet would run as a formula, and still verifies', async () => {
    const audit = new AuditLog(mkdtempSync(path.join(tmpdir(), 'signet-export-')), { origin: { host: 'cli', user: '@ana' } });
    const names = ['=HYPERLINK("https://evil.example","x")', '+1+1', '-2', '@SUM(A1)', '\tTAB', "'=quoted already", "'plain"];
    for (const name of names) await audit.append('key.generated', name, { key: name });
    const all = await audit.chainOrder();
    const csv = renderExport(all, 'csv', { now: new Date() }).text;
    const { parseCsv } = await import('./csv');
    const cells = parseCsv(csv).records.flatMap((r) => r.fields);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(verifyExport(csv)).toEqual({ intact: true, entries: names.length, head: { seq: names.length, hash: all.at(-1)?.hash } });
  });

  it('says where an edited, removed or cut export breaks', async () => {
    const all = await (await log(5)).chainOrder();
    const jsonl = renderExport(all, 'jsonl', { now: new Date() }).text;
    const lines = jsonl.trimEnd().split('\n');
    expect(verifyExport(jsonl.replace('"k3"', '"k9"'))).toMatchObject({
      intact: false,
      break: { reason: 'changed', line: 4, seq: 3, lastGood: { seq: 2 } },
    });
    expect(verifyExport([...lines.slice(0, 3), ...lines.slice(4)].join('\n'))).toMatchObject({
      intact: false,
      break: { reason: 'sequence', line: 4, seq: 4, lastGood: { seq: 2 } },
    });
    expect(verifyExport(lines.slice(0, 5).join('\n'))).toMatchObject({
      intact: false,
      break: { reason: 'sequence', seq: 5, lastGood: { seq: 4 } },
    });
    expect(verifyExport(jsonl.replace('"origin":{"host":"browser"', '"origin":{"host":"cli"'))).toMatchObject({
      intact: false,
      break: { reason: 'changed', seq: 1 },
    });
    const csv = renderExport(all, 'csv', { now: new Date() }).text;
    expect(verifyExport(csv.replace('succeeded,browser', 'failed,browser'))).toMatchObject({
      intact: false,
      break: { reason: 'changed', seq: 1 },
    });
    expect(verifyExport('seq,time\n1,2')).toMatchObject({ intact: false, break: { reason: 'not-an-export' } });
  });

  it('filters by time, kind or area, key, image, outcome and origin', async () => {
    const audit = await log(6);
    expect((await audit.list({ kind: 'key' })).total).toBe(3);
    expect((await audit.list({ kind: 'image.signed', key: 'K5' })).entries.map((e) => e.seq)).toEqual([5]);
    expect((await audit.list({ image: 'team/' })).total).toBe(6);
    expect((await audit.list({ image: 'other/' })).total).toBe(0);
    expect((await audit.list({ origin: 'browser', outcome: 'succeeded' })).total).toBe(6);
    expect((await audit.list({ origin: 'cli' })).total).toBe(0);
    expect((await audit.list({ since: '2026-11-01T02:00:00Z', until: '2026-11-01T03:00:00Z' })).entries.map((e) => e.seq)).toEqual([3, 2]);
  });
});
