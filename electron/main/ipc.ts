import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CALL_NAMES, channelOf, EVENT_CHANNEL, type SignetEvent } from '../../shared/api';
import { failure, type Result } from '../../shared/errors';
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

/** Binds every call of the contract to its channel. Returns a function that unbinds them. */
export function bindContract(ipc: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch): () => void {
  for (const name of CALL_NAMES) {
    ipc.handle(channelOf(name), async (event, input: unknown) => {
      if (!isTrustedSender(event)) return failure('FORBIDDEN', 'This call did not come from Signet’s own window.');
      return dispatch(name, input);
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipc.removeHandler(channelOf(name));
  };
}

/** Forwards core events to a window while it lives. */
export function forwardEvents(subscribe: (listener: (event: SignetEvent) => void) => () => void, contents: WebContents): () => void {
  const unsubscribe = subscribe((event) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
