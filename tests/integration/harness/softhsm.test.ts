import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startSoftHsm } from '../../harness';

describe('softhsm harness', () => {
  it('initialises a token that softhsm2-util sees through SOFTHSM2_CONF', async () => {
    const hsm = await startSoftHsm({ label: 'harness-token', pin: '4321', soPin: '87654321' });
    try {
      expect(existsSync(hsm.modulePath)).toBe(true);
      expect(hsm).toMatchObject({ tokenLabel: 'harness-token', pin: '4321', soPin: '87654321' });
      const slots = spawnSync('softhsm2-util', ['--show-slots'], { env: { ...process.env, ...hsm.env }, encoding: 'utf8' });
      expect(slots.status).toBe(0);
      expect(slots.stdout).toMatch(/Label:\s+harness-token/);
      expect(slots.stdout).toMatch(/Initialized:\s+yes/);
    } finally {
      await hsm.stop();
      await hsm.stop();
    }
    expect(existsSync(hsm.dir)).toBe(false);
  });

  it('keeps tokens of separate instances apart', async () => {
    const [a, b] = await Promise.all([startSoftHsm({ label: 'token-a' }), startSoftHsm({ label: 'token-b' })]);
    try {
      const slots = spawnSync('softhsm2-util', ['--show-slots'], { env: { ...process.env, ...a.env }, encoding: 'utf8' });
      expect(slots.stdout).toContain('token-a');
      expect(slots.stdout).not.toContain('token-b');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
