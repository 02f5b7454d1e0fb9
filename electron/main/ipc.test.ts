import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, channelOf } from '../../shared/api';
import { bindContract } from './ipc';

type Listener = (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>;

function fakeIpc() {
  const handlers = new Map<string, Listener>();
  const ipc = {
    handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>;
  return { ipc, handlers };
}

function eventFrom(url: string, options: { subframe?: boolean } = {}): IpcMainInvokeEvent {
  const mainFrame = { url };
  const senderFrame = options.subframe ? { url } : mainFrame;
  return { senderFrame, sender: { mainFrame } } as unknown as IpcMainInvokeEvent;
}

describe('IPC binding', () => {
  it('binds every call of the contract on its derived channel, and unbinds them', () => {
    const { ipc, handlers } = fakeIpc();
    const unbind = bindContract(ipc, vi.fn());
    expect([...handlers.keys()].sort()).toEqual(CALL_NAMES.map(channelOf).sort());
    unbind();
    expect(handlers.size).toBe(0);
  });

  it('dispatches calls from the app page main frame', async () => {
    const { ipc, handlers } = fakeIpc();
    const dispatch = vi.fn(async () => ({ ok: true as const, value: 'done' }));
    bindContract(ipc, dispatch);
    const result = await handlers.get(channelOf('settings.get'))?.(eventFrom('app://signet/index.html'), {});
    expect(result).toEqual({ ok: true, value: 'done' });
    expect(dispatch).toHaveBeenCalledWith('settings.get', {});
  });

  it.each([
    ['a foreign page', eventFrom('https://attacker.example/')],
    ['a subframe of the app', eventFrom('app://signet/index.html', { subframe: true })],
    ['a file page', eventFrom('file:///tmp/x.html')],
    ['no frame at all', { senderFrame: null, sender: { mainFrame: {} } } as unknown as IpcMainInvokeEvent],
  ])('refuses a call from %s before looking at its input', async (_label, event) => {
    const { ipc, handlers } = fakeIpc();
    const dispatch = vi.fn();
    bindContract(ipc, dispatch);
    const result = await handlers.get(channelOf('doctor.run'))?.(event, { jobId: 'x' });
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(dispatch).not.toHaveBeenCalled();
  });
});
