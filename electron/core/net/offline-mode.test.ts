import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../core';
import { isOfflineError } from './gate';

let server: http.Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    requests += 1;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('offline mode through the contract', () => {
  it('is switched by settings.set, survives a restart, and blocks the process network', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-offline-'));
    const core = createCore({ dataDir, host: 'cli' });
    expect(await core.dispatch('settings.set', { offlineMode: true })).toMatchObject({ ok: true, value: { offlineMode: true } });
    expect(isOfflineError(await fetch(url).catch((e: unknown) => e))).toBe(true);
    expect(requests).toBe(0);

    const restarted = createCore({ dataDir, host: 'cli' });
    expect(await restarted.dispatch('settings.get', {})).toMatchObject({ ok: true, value: { offlineMode: true } });
    expect(isOfflineError(await fetch(url).catch((e: unknown) => e))).toBe(true);
    expect(requests).toBe(0);

    await restarted.dispatch('settings.set', { offlineMode: false });
    expect(await (await fetch(url)).text()).toBe('ok');
    expect(requests).toBe(1);
  });

  it('refuses unknown settings', async () => {
    const core = createCore({ dataDir: mkdtempSync(path.join(tmpdir(), 'signet-offline-')), host: 'cli' });
    expect(await core.dispatch('settings.set', { offlineMode: 'yes' })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await core.dispatch('settings.set', { telemetry: true })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });
});
