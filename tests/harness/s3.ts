import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import S3rver from 's3rver';
import { verifySigV4 } from './sigv4';
import { tempDir } from './tools';

export interface S3Handle {
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  dir: string;
  /** Requests the front refused, with the S3 error code (for tests that expect refusals). */
  refused(): string[];
  /** Every request the front saw: method, path, Host header and payload-hash header. */
  requests(): Array<{ method: string; path: string; host: string; payloadHash: string }>;
  /** Drops the connection of the next `n` PUT requests after reading their body (a cut mid-upload). */
  cutNextPuts(n: number): void;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'S3RVER';
const SECRET = 'S3RVER';

/**
 * An S3-compatible server on loopback, in-process: s3rver (storage in a temp dir, buckets made at
 * start) behind a front that checks every request's AWS SigV4 signature, because s3rver 3.7 only
 * checks V2 signatures and accepts any V4 one (lib/middleware/authentication.js) and also accepts
 * unsigned requests. Path-style addressing, region us-east-1, keys S3RVER/S3RVER.
 */
export async function startS3(
  options: {
    buckets?: string[];
    /** Huawei OBS behaviour: SigV4 only with UNSIGNED-PAYLOAD (or streaming); a signed payload hash is refused. */
    obs?: boolean;
  } = {},
): Promise<S3Handle> {
  const dir = tempDir('s3');
  const data = path.join(dir.path, 'data');
  mkdirSync(data);
  const backend = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: data,
    configureBuckets: (options.buckets ?? ['signet']).map((name) => ({ name, configs: [] })),
  });
  let backendPort: number;
  try {
    ({ port: backendPort } = await backend.run());
  } catch (error) {
    dir.remove();
    throw error;
  }
  const refusals: string[] = [];
  const seen: Array<{ method: string; path: string; host: string; payloadHash: string }> = [];
  let cuts = 0;
  const buckets = new Set(options.buckets ?? ['signet']);
  const secrets = new Map([[ACCESS_KEY, SECRET]]);
  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
      seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', host: String(req.headers.host ?? ''), payloadHash });
      if (req.method === 'PUT' && cuts > 0) {
        cuts--;
        req.socket.destroy();
        return;
      }
      if (options.obs && payloadHash !== 'UNSIGNED-PAYLOAD' && !payloadHash.startsWith('STREAMING-')) {
        refusals.push('InvalidRequest');
        res.writeHead(400, { 'Content-Type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>OBS supports V4 only with UNSIGNED-PAYLOAD or STREAMING-AWS4-HMAC-SHA256-PAYLOAD.</Message></Error>',
        );
        return;
      }
      const verdict = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, secrets);
      if (!verdict.ok) {
        refusals.push(verdict.code);
        res.writeHead(verdict.code === 'NotImplemented' ? 501 : 403, { 'Content-Type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${verdict.code}</Code><Message>${verdict.message}</Message></Error>`);
        return;
      }
      // Virtual-hosted addressing (Host: <bucket>.host:port) is turned into path style for s3rver.
      const hostName = String(req.headers.host ?? '').replace(/:\d+$/, '');
      const virtualBucket = [...buckets].find((b) => hostName.startsWith(`${b}.`));
      const forwardPath = virtualBucket ? `/${virtualBucket}${req.url ?? '/'}` : req.url;
      const forward = http.request(
        {
          host: '127.0.0.1',
          port: backendPort,
          method: req.method,
          path: forwardPath,
          headers: { ...req.headers, host: `127.0.0.1:${backendPort}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(0, '127.0.0.1', resolve);
    });
  } catch (error) {
    await backend.close();
    dir.remove();
    throw error;
  }
  const { port } = front.address() as AddressInfo;
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET,
    region: 'us-east-1',
    dir: dir.path,
    refused: () => [...refusals],
    requests: () => [...seen],
    cutNextPuts: (n) => {
      cuts = n;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        front.closeAllConnections();
        await new Promise<void>((resolve) => front.close(() => resolve()));
        await backend.close();
      } finally {
        dir.remove();
      }
    },
  };
}
