import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpLookaside, openLookaside } from '../../../electron/core/signatures/lookaside/store';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('HTTP(S) lookaside storage (read-only, as containers/image)', () => {
  let server: Server;
  let base: string;
  const files = new Map<string, Buffer>();
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sigs`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads signature-1, -2 … and stops at the first gap (signature-3 after a missing -2 is never read)', async () => {
    const dir = `/sigs/team/app@sha256=${'ab'.repeat(32)}`;
    files.set(`${dir}/signature-1`, Buffer.from('one'));
    files.set(`${dir}/signature-3`, Buffer.from('three'));
    const read = await openLookaside(base).read('team/app', digest);
    expect(read.map((e) => [e.name, e.bytes.toString()])).toEqual([['signature-1', 'one']]);
    expect(read[0]!.location).toBe(`${base}/team/app@sha256=${'ab'.repeat(32)}/signature-1`);
    expect(seen).not.toContain(`${dir}/signature-3`);
  });

  it('caps sizes, refuses writes and path tricks', async () => {
    files.set(`/sigs/big/app@sha256=${'ab'.repeat(32)}/signature-1`, Buffer.alloc(5 * 1024 * 1024));
    await expect(new HttpLookaside(base).read('big/app', digest)).rejects.toThrow('larger than 4 MiB');
    await expect(new HttpLookaside(base).write()).rejects.toThrow('read-only');
    await expect(new HttpLookaside(base).read('../etc', digest)).rejects.toThrow('not valid for lookaside');
    await expect(new HttpLookaside(base).read('team/app', 'sha256:../../etc/passwd')).rejects.toThrow();
    expect(() => openLookaside('ftp://example.com/sigs')).toThrow('not supported');
  });
});
