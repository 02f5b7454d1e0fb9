import { parseEvent, type CallName, type SignetEvent } from '../../shared/api';
import { buildClient, type SignetApi } from '../../shared/client';
import { failure, isErrorCode, isFailureReason, type Result } from '../../shared/errors';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    readonly signet?: SignetApi;
  }
}

const TOKEN_KEY = 'signet.token';

/**
 * The one way the renderer reaches the privileged side: `window.signet` in Electron, or the same
 * client over the loopback web host in browser mode. Both are built from the contract.
 */
export function connect(): SignetApi {
  if (window.signet) return window.signet;
  return buildClient(httpInvoke, sseSubscribe);
}

/** The token arrives in the URL fragment once; it is kept for this tab and removed from the address bar. */
export function takeToken(): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

async function httpInvoke(name: CallName, input: unknown): Promise<Result<unknown>> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return failure('UNAUTHORIZED', 'This page has no access token: open the URL that `signet serve` printed.');
  let response: Response;
  try {
    response = await fetch(`/api/call/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Signet-Token': token },
      body: JSON.stringify(input ?? {}),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    return failure('UNAVAILABLE', 'Signet’s host is not answering. Is `signet serve` still running?');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return failure('UNAVAILABLE', `Signet’s host answered ${response.status} without a result.`);
  }
  return asResult(body, response.status);
}

function asResult(body: unknown, status: number): Result<unknown> {
  if (typeof body === 'object' && body !== null && 'ok' in body) {
    const b = body as { ok: unknown; value?: unknown; code?: unknown; message?: unknown; reason?: unknown };
    if (b.ok === true) return { ok: true, value: b.value };
    if (b.ok === false && isErrorCode(b.code) && typeof b.message === 'string')
      return failure(b.code, b.message, isFailureReason(b.reason) ? b.reason : undefined);
  }
  return failure('UNAVAILABLE', `Signet’s host answered ${status} with something unexpected.`);
}

/** Server-sent events over fetch (EventSource cannot send the token header); reconnects with backoff. */
function sseSubscribe(listener: (event: SignetEvent) => void): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  let delay = 500;
  const run = async () => {
    while (!stopped) {
      const token = sessionStorage.getItem(TOKEN_KEY);
      if (!token) return;
      controller = new AbortController();
      try {
        const response = await fetch('/api/events', { headers: { 'X-Signet-Token': token }, signal: controller.signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(String(response.status));
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame
              .split('\n')
              .filter((line) => line.startsWith('data: '))
              .map((line) => line.slice(6))
              .join('\n');
            if (!data) continue;
            try {
              const event = parseEvent(JSON.parse(data));
              if (event) listener(event);
            } catch {
              // a malformed frame is dropped
            }
          }
        }
      } catch {
        if (stopped) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
