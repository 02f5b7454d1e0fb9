import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as a fake KMS saw it (for assertions: which calls, which auth, never secrets). */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** `host:port` targets of CONNECT requests, when the server also acts as an HTTP proxy. */
  tunnels: string[];
  stop(): Promise<void>;
}

/**
 * An HTTP(S) server on 127.0.0.1 and a free port. `handle` answers each request; a thrown error
 * becomes a 500 so a test sees it rather than a hang.
 */
export async function startFakeServer(
  handle: (request: SeenRequest) => Promise<Reply> | Reply,
  tls?: { key: string; cert: string },
  options: { connectProxy?: boolean } = {},
): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  const tunnels: string[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(request);
      Promise.resolve()
        .then(() => handle(request))
        .catch((error: unknown): Reply => ({ status: 500, body: { error: error instanceof Error ? error.message : String(error) } }))
        .then((reply) => {
          const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...reply.headers });
          res.end(text);
        });
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  if (options.connectProxy) {
    // A vendor SDK configured with this server as its proxy tunnels to the vendor's real host
    // name; the tunnel ends here, so the request (with its real Host header) is answered locally.
    server.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) socket.unshift(head);
      server.emit('connection', socket);
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    tunnels,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Header value as one string. */
export function header(request: SeenRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}
