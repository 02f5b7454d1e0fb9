import type { Protocol } from 'electron';
import { SECURITY_HEADERS } from '../core/assets/headers';
import { readStaticFile } from '../core/assets/static';

export const APP_SCHEME = 'app';

/** Must be registered before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false },
} as const;

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Answers one app:// request from the built renderer, with the strict CSP on every answer. */
export async function serveAppRequest(requestUrl: string, rendererDir: string): Promise<AppResponse> {
  const url = new URL(requestUrl);
  if (url.host !== 'signet') return { status: 404, headers: { ...SECURITY_HEADERS }, body: 'Not found' };
  const file = await readStaticFile(rendererDir, url.pathname);
  if (!file) return { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }, body: 'Not found' };
  return { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': file.contentType }, body: file.body };
}

export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const answer = await serveAppRequest(request.url, rendererDir);
    return new Response(new Uint8Array(Buffer.from(answer.body)), { status: answer.status, headers: answer.headers });
  });
}
