import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CALL_NAMES, channelOf, EVENT_CHANNEL, type SignetEvent } from '../../shared/api';
import { failure, type Result } from '../../shared/errors';
import { choosePath, CHOOSE_PATH_CHANNEL, PathGrants, resolveHostPaths, type PathDialogs } from './host-paths';
import { isAppUrl } from './window';

type Dispatch = (name: string, input: unknown) => Promise<Result<unknown>>;

/**
 * A call is served only when it comes from the main frame of a window showing Signet's own
 * app:// page. Anything else (a subframe, a page that navigated away) is refused before its
 * input is looked at; the input is then checked by the dispatcher against the contract.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}

const grantsByContents = new WeakMap<object, PathGrants>();

/** The paths chosen in one window's dialogs (gone with the window). */
export function grantsFor(sender: object): PathGrants {
  let grants = grantsByContents.get(sender);
  if (!grants) {
    grants = new PathGrants();
    grantsByContents.set(sender, grants);
  }
  return grants;
}

/**
 * Binds every call of the contract to its channel. Places on disk arrive as handles from the
 * window's own file dialogs and are swapped for their paths here, before the dispatcher checks
 * the input; a typed path is refused. Returns a function that unbinds them.
 */
export function bindContract(ipc: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch): () => void {
  for (const name of CALL_NAMES) {
    ipc.handle(channelOf(name), async (event, input: unknown) => {
      if (!isTrustedSender(event)) return failure('FORBIDDEN', 'This call did not come from Signet’s own window.');
      const resolved = resolveHostPaths(name, input, grantsFor(event.sender));
      if (!resolved.ok) return resolved;
      return dispatch(name, resolved.value);
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipc.removeHandler(channelOf(name));
  };
}

/** Serves the page's requests for a file dialog, shown modal to the asking window. */
export function bindPathDialog(
  ipc: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dialog: PathDialogs,
  windowOf: (sender: WebContents) => BrowserWindow | null,
): () => void {
  ipc.handle(CHOOSE_PATH_CHANNEL, async (event, request: unknown) => {
    if (!isTrustedSender(event)) return failure('FORBIDDEN', 'This request did not come from Signet’s own window.');
    const window = windowOf(event.sender);
    if (!window) return failure('FORBIDDEN', 'This request did not come from a Signet window.');
    return choosePath(dialog, window, grantsFor(event.sender), request);
  });
  return () => ipc.removeHandler(CHOOSE_PATH_CHANNEL);
}

/** Forwards core events to a window while it lives. */
export function forwardEvents(subscribe: (listener: (event: SignetEvent) => void) => () => void, contents: WebContents): () => void {
  const unsubscribe = subscribe((event) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
