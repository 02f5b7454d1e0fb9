import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../shared/api';
import { CHOOSE_PATH_CHANNEL } from '../../shared/contract/host-path';
import { PathGrants, resolveHostPaths } from './host-paths';
import { bindContract, bindPathDialog } from './ipc';

type Listener = (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>;

function fakeIpc() {
  const handlers = new Map<string, Listener>();
  const ipc = {
    handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>;
  return { ipc, handlers };
}

/** One window's page: calls from it share that window's grants. */
function appWindowEvent(): IpcMainInvokeEvent {
  const mainFrame = { url: 'app://signet/index.html' };
  return { senderFrame: mainFrame, sender: { mainFrame } } as unknown as IpcMainInvokeEvent;
}

function fakeDialog(chosen: { open?: string[]; save?: string; canceled?: boolean }) {
  return {
    showOpenDialog: vi.fn(async (_window: unknown, _options: unknown) => ({
      canceled: chosen.canceled ?? false,
      filePaths: chosen.open ?? [],
    })),
    showSaveDialog: vi.fn(async (_window: unknown, _options: unknown) => ({
      canceled: chosen.canceled ?? false,
      filePath: chosen.save ?? '',
    })),
  };
}

async function choose(
  handlers: Map<string, Listener>,
  event: IpcMainInvokeEvent,
  request: unknown,
): Promise<{ ok: boolean; value?: { handle: string; path: string } | null; code?: string }> {
  return (await handlers.get(CHOOSE_PATH_CHANNEL)?.(event, request)) as { ok: boolean; value?: { handle: string; path: string } | null };
}

describe('places on disk in the desktop app', () => {
  it('swaps a handle from the window’s own dialog for the chosen path before dispatching', async () => {
    const { ipc, handlers } = fakeIpc();
    const dispatch = vi.fn(async (_name: string, input: unknown) => ({ ok: true as const, value: input }));
    bindContract(ipc, dispatch);
    const dialog = fakeDialog({ open: ['/home/ada/lookaside'] });
    bindPathDialog(ipc, dialog, () => ({}) as BrowserWindow);
    const event = appWindowEvent();
    const chosen = await choose(handlers, event, {
      purpose: { call: 'signatures.sign', field: 'lookaside' },
      choice: 'directory',
      title: 'Lookaside directory',
    });
    expect(chosen.ok).toBe(true);
    expect(chosen.value?.path).toBe('/home/ada/lookaside');
    expect(dialog.showOpenDialog.mock.calls[0]?.[1]).toMatchObject({ properties: ['openDirectory', 'createDirectory'] });
    const input = { id: 'r1', repository: 'app', digest: `sha256:${'a'.repeat(64)}`, key: 'k', lookaside: chosen.value?.handle };
    const result = await handlers.get(channelOf('signatures.sign'))?.(event, input);
    expect(result).toMatchObject({ ok: true });
    expect(dispatch).toHaveBeenCalledWith('signatures.sign', { ...input, lookaside: '/home/ada/lookaside' });
  });

  it.each([
    ['a typed absolute path', '/etc'],
    ['a typed file URL', 'file:///etc'],
    ['a relative path', 'etc'],
    ['a made-up handle', `hostpath:${'A'.repeat(24)}`],
  ])('refuses %s, and nothing is dispatched', async (_label, lookaside) => {
    const { ipc, handlers } = fakeIpc();
    const dispatch = vi.fn();
    bindContract(ipc, dispatch);
    const result = await handlers.get(channelOf('registry.add'))?.(appWindowEvent(), { host: 'registry.example', lookaside });
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('takes a lookaside server’s URL as typed where the field allows URLs, and nowhere else', () => {
    const grants = new PathGrants();
    expect(resolveHostPaths('registry.add', { host: 'r.example', lookaside: 'https://sigs.example/l' }, grants)).toMatchObject({
      ok: true,
      value: { lookaside: 'https://sigs.example/l' },
    });
    expect(resolveHostPaths('signatures.sign', { lookaside: 'https://sigs.example/l' }, grants)).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
  });

  it('refuses a handle from another window, and one chosen for another purpose', async () => {
    const { ipc, handlers } = fakeIpc();
    const dispatch = vi.fn();
    bindContract(ipc, dispatch);
    bindPathDialog(ipc, fakeDialog({ open: ['/home/ada/module.so'] }), () => ({}) as BrowserWindow);
    const first = appWindowEvent();
    const file = await choose(handlers, first, {
      purpose: { call: 'tokens.addModule', field: 'path' },
      choice: 'file',
      title: 'PKCS#11 module',
    });
    const other = await handlers.get(channelOf('tokens.addModule'))?.(appWindowEvent(), { path: file.value?.handle });
    expect(other).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const elsewhere = await handlers.get(channelOf('storage.add'))?.(first, {
      name: 'f',
      kind: 'directory',
      path: file.value?.handle,
      credential: { source: 'none' },
    });
    expect(elsewhere).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await handlers.get(channelOf('tokens.addModule'))?.(first, { path: file.value?.handle });
    expect(dispatch).toHaveBeenCalledTimes(1);
    expect(dispatch).toHaveBeenCalledWith('tokens.addModule', { path: '/home/ada/module.so' });
  });

  it('accepts a handle only for the call and field it was chosen for, and shows dialogs only for such places', async () => {
    const { ipc, handlers } = fakeIpc();
    const dispatch = vi.fn(async () => ({ ok: true as const, value: null }));
    bindContract(ipc, dispatch);
    bindPathDialog(ipc, fakeDialog({ open: ['/home/ada/lookaside'] }), () => ({}) as BrowserWindow);
    const event = appWindowEvent();
    const forReading = await choose(handlers, event, {
      purpose: { call: 'signatures.verify', field: 'lookaside' },
      choice: 'directory',
      title: 'Lookaside',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    // A folder chosen to read a lookaside is not a storage folder Signet lists, overwrites or serves, nor a registries.d.
    for (const [call, input] of [
      ['storage.add', { name: 'f', kind: 'directory', path: forReading.value?.handle, credential: { source: 'none' } }],
      ['storage.objects', { target: { kind: 'directory', path: forReading.value?.handle } }],
      ['signatures.verify', { id: 'r', repository: 'a', digest, registriesD: forReading.value?.handle }],
    ] as const)
      expect(await handlers.get(channelOf(call))?.(event, input)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(dispatch).not.toHaveBeenCalled();
    const verify = { id: 'r', repository: 'a', digest, lookaside: forReading.value?.handle };
    expect(await handlers.get(channelOf('signatures.verify'))?.(event, verify)).toMatchObject({ ok: true });
    expect(dispatch).toHaveBeenCalledWith('signatures.verify', { ...verify, lookaside: '/home/ada/lookaside' });
    for (const purpose of [
      { call: 'keys.list', field: 'path' },
      { call: 'no.such', field: 'lookaside' },
      { call: 'signatures.sign', field: 'lookaside', extra: 1 },
    ])
      expect(await choose(handlers, event, { purpose, choice: 'directory', title: 'x' })).toMatchObject({
        ok: false,
        code: 'INVALID_INPUT',
      });
    // A file dialog for a place that takes folders only.
    const fileForFolder = { purpose: { call: 'signatures.sign', field: 'lookaside' }, choice: 'file', title: 'x' };
    expect(await choose(handlers, event, fileForFolder)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });

  it('offers a save dialog for a new export, returns null when cancelled, and refuses requests Signet does not make', async () => {
    const { ipc, handlers } = fakeIpc();
    const dialog = fakeDialog({ save: '/home/ada/images.tar' });
    bindPathDialog(ipc, dialog, () => ({}) as BrowserWindow);
    const saved = await choose(handlers, appWindowEvent(), {
      purpose: { call: 'offline.export', field: 'out' },
      choice: 'save',
      title: 'Export to',
      extensions: ['tar'],
      defaultName: 'images.tar',
    });
    expect(saved.value?.path).toBe('/home/ada/images.tar');
    expect(dialog.showSaveDialog.mock.calls[0]?.[1]).toMatchObject({ defaultPath: 'images.tar', filters: [{ extensions: ['tar'] }] });

    bindPathDialog(ipc, fakeDialog({ canceled: true }), () => ({}) as BrowserWindow);
    expect(
      await choose(handlers, appWindowEvent(), { purpose: { call: 'registry.add', field: 'lookaside' }, choice: 'directory', title: 'x' }),
    ).toEqual({ ok: true, value: null });
    expect(
      await choose(handlers, appWindowEvent(), {
        purpose: { call: 'registry.add', field: 'lookaside' },
        choice: 'directory',
        title: 'x',
        defaultPath: '/etc',
      }),
    ).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(
      await choose(handlers, appWindowEvent(), {
        purpose: { call: 'offline.export', field: 'out' },
        choice: 'save',
        title: 'x',
        defaultName: '../../etc/passwd',
      }),
    ).toMatchObject({
      ok: false,
    });
  });

  it('refuses a dialog request from a page that is not Signet’s', async () => {
    const { ipc, handlers } = fakeIpc();
    const dialog = fakeDialog({ open: ['/x'] });
    bindPathDialog(ipc, dialog, () => ({}) as BrowserWindow);
    const mainFrame = { url: 'https://attacker.example/' };
    const foreign = { senderFrame: mainFrame, sender: { mainFrame } } as unknown as IpcMainInvokeEvent;
    expect(
      await choose(handlers, foreign, { purpose: { call: 'tokens.addModule', field: 'path' }, choice: 'file', title: 'x' }),
    ).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });
});
