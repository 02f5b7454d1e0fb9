import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failure, type Result } from '../../../shared/errors';
import { readStaticFile } from '../../core/assets/static';
import type { Core } from '../../core/core';
import { SECURITY_HEADERS, checkHostAndOrigin, tokenMatches } from './security';

export const TOKEN_HEADER = 'x-signet-token';
/** Signing requests and bundles travel as call input, so the cap fits a 64 MiB file in base64. */
const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export interface WebHostOptions {
  core: Core;
  /** Directory of the built renderer; without it only the API is served. */
  rendererDir?: string;
  port?: number;
  token?: string;
  maxBodyBytes?: number;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  /** The URL to open: the token travels in the fragment, which browsers never send to a server. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The loopback browser host: serves the built renderer and the contract on 127.0.0.1 only.
 * Every API request needs the per-run token in a header, a loopback Host of this port, and
 * no foreign Origin; no CORS header is ever sent.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const streams = new Set<ServerResponse>();
  let port = 0;

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, failure('INTERNAL', 'The browser host failed to answer.'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = checkHostAndOrigin(req, port);
    if (!verdict.ok) return sendJson(res, verdict.status, failure('FORBIDDEN', verdict.message));
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(headerValue(req, TOKEN_HEADER), token)) {
        return sendJson(res, 401, failure('UNAUTHORIZED', 'This call needs the token from the URL the host printed.'));
      }
      if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(res);
      const match = /^\/api\/call\/([A-Za-z0-9.]+)$/.exec(url.pathname);
      if (!match?.[1]) return sendJson(res, 404, failure('NOT_FOUND', 'No such endpoint.'));
      if (req.method !== 'POST') return sendJson(res, 405, failure('INVALID_INPUT', 'Calls are POST requests.'));
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        return sendJson(res, 415, failure('INVALID_INPUT', 'Calls carry a JSON body (Content-Type: application/json).'));
      }
      const body = await readBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      if (!body.ok) return sendJson(res, 413, body);
      let input: unknown;
      try {
        input = body.value.length ? (JSON.parse(body.value) as unknown) : {};
      } catch {
        return sendJson(res, 400, failure('INVALID_INPUT', 'The request body is not valid JSON.'));
      }
      const result = await options.core.dispatch(match[1], input);
      return sendJson(res, 200, result);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, failure('INVALID_INPUT', 'Method not allowed.'));
    const file = options.rendererDir ? await readStaticFile(options.rendererDir, url.pathname) : undefined;
    if (!file) {
      const message = options.rendererDir ? 'Not found.' : 'The renderer is not built: run `npm run build`.';
      return sendText(res, options.rendererDir ? 404 : 503, message);
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  function openEventStream(res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = options.core.events.subscribe((event) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Result<string>> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => failure('TOO_LARGE', `The request body is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB.`);
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      req.resume();
      resolve(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        // Stop keeping it, but drain the rest so the 413 answer reaches the client.
        refused = true;
        chunks.length = 0;
        resolve(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve({ ok: true, value: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
