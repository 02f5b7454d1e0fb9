import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../core/assets/headers';

/** Only the loopback names of this very port: a rebinding DNS name never matches. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export type RequestVerdict = { ok: true } | { ok: false; status: number; message: string };

/** Host and Origin checks that every request passes before anything else is read. */
export function checkHostAndOrigin(req: IncomingMessage, port: number): RequestVerdict {
  const host = req.headers.host;
  if (!host || !allowedHosts(port).has(host.toLowerCase())) {
    return { ok: false, status: 421, message: 'This host answers only to 127.0.0.1 or localhost on its own port.' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(origin)) {
    return { ok: false, status: 403, message: 'Requests from other origins are refused.' };
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') return { ok: false, status: 403, message: 'Cross-site requests are refused.' };
  return { ok: true };
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
