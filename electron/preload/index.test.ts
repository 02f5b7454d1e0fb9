import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, channelOf, EVENT_CHANNEL } from '../../shared/api';

const exposed = new Map<string, unknown>();
const invoke = vi.fn(async () => ({ ok: true, value: 'pong' }));
const listeners = new Map<string, (event: unknown, raw: unknown) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke,
    on: (channel: string, listener: (event: unknown, raw: unknown) => void) => listeners.set(channel, listener),
    removeListener: (channel: string) => listeners.delete(channel),
  },
}));

type Api = Record<string, Record<string, (input: unknown) => Promise<unknown>>> & {
  events: { subscribe(listener: (event: unknown) => void): () => void };
};

describe('preload', () => {
  let api: Api;
  beforeAll(async () => {
    await import('./index');
    api = exposed.get('signet') as Api;
  });

  it('exposes window.signet, a frozen object of domain verbs, and window.signetHost with the file dialog only', async () => {
    expect([...exposed.keys()]).toEqual(['signet', 'signetHost']);
    const host = exposed.get('signetHost') as Record<string, (request: unknown) => Promise<unknown>>;
    expect(Object.isFrozen(host)).toBe(true);
    expect(Object.keys(host)).toEqual(['choosePath']);
    await host.choosePath?.({ choice: 'directory', title: 'Lookaside' });
    expect(invoke).toHaveBeenLastCalledWith('signet:choose-path', { choice: 'directory', title: 'Lookaside' });
    expect(Object.isFrozen(api)).toBe(true);
    for (const name of CALL_NAMES) {
      const [ns, verb] = name.split('.') as [string, string];
      expect(typeof api[ns]?.[verb]).toBe('function');
      expect(Object.isFrozen(api[ns])).toBe(true);
    }
    const text = JSON.stringify(Object.keys(api));
    expect(text).not.toMatch(/ipc|invoke|send/i);
  });

  it('calls the channel derived from the contract', async () => {
    await expect(api.settings?.get?.({})).resolves.toEqual({ ok: true, value: 'pong' });
    expect(invoke).toHaveBeenCalledWith(channelOf('settings.get'), {});
  });

  it('passes on only events that match their schema', () => {
    const seen: unknown[] = [];
    const unsubscribe = api.events.subscribe((event) => seen.push(event));
    const deliver = listeners.get(EVENT_CHANNEL);
    deliver?.({}, { type: 'job.progress', payload: { jobId: 'j', call: 'doctor.run', done: 1, total: 2, message: 'half' } });
    deliver?.({}, { type: 'job.progress', payload: { jobId: 'j' } });
    deliver?.({}, { type: 'evil', payload: {} });
    expect(seen).toHaveLength(1);
    unsubscribe();
    expect(listeners.has(EVENT_CHANNEL)).toBe(false);
  });
});
