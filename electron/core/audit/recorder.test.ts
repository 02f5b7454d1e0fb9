import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallName } from '../../../shared/api';
import { SignetError } from '../../../shared/errors';
import type { AuditEntry } from '../../../shared/models/audit';
import { createCore } from '../core';
import { MemorySecretStore } from '../keys/secrets';
import { AuditLog } from './log';
import { createCallRecorder } from './recorder';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'signet-recorder-'));

describe('the call recorder', () => {
  it('records successes from the table or the handler, failures and malformed attempts, each with the origin', async () => {
    const dataDir = fresh();
    const core = createCore({ dataDir, host: 'web', keySecrets: new MemorySecretStore() });
    const call = (name: string, input: unknown) => core.dispatch(name as CallName, input);
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(
      await call('trust.add', { name: 'partner', data: pem, notAfter: '2030-01-01T00:00:00Z', scopes: ['example.com/team'] }),
    ).toMatchObject({ ok: true });
    expect(await call('keys.vaultLock', {})).toMatchObject({ ok: true });
    expect(await call('signatures.sign', { id: 'nope', repository: 'team/app', digest: 'sha256:short', key: 'k' })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(await call('keys.retire', { key: 'no-such-key' })).toMatchObject({ ok: false, code: 'KEY_NOT_FOUND' });
    const { entries } = await new AuditLog(dataDir).list({ limit: 10 });
    const [trusted, locked, malformed, failed] = entries.reverse();
    const origin = { host: 'browser', user: userInfo().username };
    expect(trusted).toMatchObject({
      type: 'trust.changed',
      outcome: 'succeeded',
      origin,
      details: { call: 'trust.add', name: 'partner', notAfter: '2030-01-01T00:00:00Z', scopes: 'example.com/team' },
    });
    expect(locked).toMatchObject({
      type: 'vault.changed',
      outcome: 'succeeded',
      origin,
      summary: 'Locked the vault',
      details: { call: 'keys.vaultLock' },
    });
    expect(malformed).toMatchObject({
      type: 'image.signed',
      outcome: 'failed',
      origin,
      details: { call: 'signatures.sign', code: 'INVALID_INPUT' },
    });
    expect(failed).toMatchObject({
      type: 'key.retired',
      outcome: 'failed',
      origin,
      details: { call: 'keys.retire', key: 'no-such-key', code: 'KEY_NOT_FOUND' },
    });
    expect(entries).toHaveLength(4);
  });

  it('records an attempted change a read-only reviewer host refused', async () => {
    const dataDir = fresh();
    const core = createCore({ dataDir, host: 'web', readOnly: true, keySecrets: new MemorySecretStore() });
    expect(await core.dispatch('keys.delete', { key: 'release', confirmName: 'release' })).toMatchObject({ ok: false, code: 'READ_ONLY' });
    const { entries } = await new AuditLog(dataDir).list();
    expect(entries).toMatchObject([
      {
        type: 'key.deleted',
        outcome: 'failed',
        origin: { host: 'browser' },
        details: { call: 'keys.delete', key: 'release', code: 'READ_ONLY' },
      },
    ]);
  });

  it('records a signature the self-check refused as refused', async () => {
    const audit = new AuditLog(fresh(), { origin: { host: 'rules', user: 'ci' } });
    const recorder = createCallRecorder(audit);
    const input = { id: 'r', repository: 'team/app', digest: `sha256:${'a'.repeat(64)}`, key: 'pkcs11:token=t;object=k?pin-value=123456' };
    const error = new SignetError(
      'SIGNING_FAILED',
      'The token key: the signature does not verify. Signet refused the signature; nothing was published.',
      { reason: 'self-check' },
    );
    await recorder.failed('signatures.sign', input, {
      code: error.code,
      message: error.message,
      ...(error.reason ? { reason: error.reason } : {}),
    });
    const [entry] = (await audit.list()).entries as [AuditEntry];
    expect(entry).toMatchObject({
      type: 'image.signed',
      outcome: 'refused',
      origin: { host: 'rules', user: 'ci' },
      details: { reason: 'self-check', code: 'SIGNING_FAILED', key: 'pkcs11:token=t;object=k?pin-value=REDACTED', format: 'cosign' },
    });
    expect(JSON.stringify(entry)).not.toContain('123456');
  });
});
