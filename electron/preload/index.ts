import { contextBridge, ipcRenderer } from 'electron';
import { channelOf, EVENT_CHANNEL, parseEvent, type CallName, type SignetEvent } from '../../shared/api';
import { buildClient } from '../../shared/client';
import { CHOOSE_PATH_CHANNEL, type ChoosePathRequest, type ChosenPath, type HostBridge } from '../../shared/contract/host-path';
import type { Result } from '../../shared/errors';

// Only domain verbs cross into the page: never ipcRenderer itself.
const client = buildClient(
  (name: CallName, input: unknown) => ipcRenderer.invoke(channelOf(name), input) as Promise<Result<unknown>>,
  (listener: (event: SignetEvent) => void) => {
    const onEvent = (_event: unknown, raw: unknown) => {
      const parsed = parseEvent(raw);
      if (parsed) listener(parsed);
    };
    ipcRenderer.on(EVENT_CHANNEL, onEvent);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, onEvent);
  },
);

contextBridge.exposeInMainWorld('signet', client);

// Files and folders are chosen in the main process's dialogs; the page gets an opaque handle.
const host: HostBridge = Object.freeze({
  choosePath: (request: ChoosePathRequest) => ipcRenderer.invoke(CHOOSE_PATH_CHANNEL, request) as Promise<Result<ChosenPath | null>>,
});
contextBridge.exposeInMainWorld('signetHost', host);
