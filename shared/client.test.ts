import { describe, expect, it } from 'vitest';
import { buildClient } from './client';
import { CALL_NAMES, contract, channelOf } from './api';
import { ok } from './errors';

describe('buildClient', () => {
  it('exposes exactly one frozen method per contract call', async () => {
    const seen: Array<[string, unknown]> = [];
    const client = buildClient(
      async (name, input) => {
        seen.push([name, input]);
        return ok(null);
      },
      () => () => undefined,
    );
    expect(Object.isFrozen(client)).toBe(true);
    expect(Object.isFrozen(client.doctor)).toBe(true);
    const methods = Object.entries(client)
      .filter(([ns]) => ns !== 'events')
      .flatMap(([ns, group]) => Object.keys(group as object).map((m) => `${ns}.${m}`));
    expect(methods.sort()).toEqual([...CALL_NAMES].sort());
    await client.doctor.run({});
    await client.app.info({});
    expect(seen).toEqual([
      ['doctor.run', {}],
      ['app.info', {}],
    ]);
  });

  it('derives distinct channels from call names', () => {
    const channels = Object.keys(contract).map((n) => channelOf(n as keyof typeof contract));
    expect(new Set(channels).size).toBe(channels.length);
    for (const name of CALL_NAMES) expect(name).toMatch(/^[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/);
  });
});
