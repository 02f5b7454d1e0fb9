import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAppRulesListener } from '../../../electron/core/core';

describe('the desktop app listens for registry events while it runs', () => {
  it('on SIGNET_RULES_PORT, not at all with off, and leaves a taken port to its owner', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-app-listener-'));
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    expect(await startAppRulesListener({ dataDir, host: 'electron', env: { SIGNET_RULES_PORT: 'off' }, log })).toBeUndefined();
    const first = await startAppRulesListener({ dataDir, host: 'electron', env: { SIGNET_RULES_PORT: '0' }, log });
    try {
      expect(first?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${first?.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${first?.url}/events/reg`, { method: 'POST', body: '{}' })).status).toBe(401);
      expect(
        await startAppRulesListener({ dataDir, host: 'electron', env: { SIGNET_RULES_PORT: String(first?.port) }, log }),
      ).toBeUndefined();
      expect(lines.join('\n')).toMatch(/not listening for registry events on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      await first?.close();
    }
  });
});
