import http from 'node:http';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import S3rver from 's3rver';
import { verifySigV4 } from './sigv4';
import { freePort, tempDir } from './tools';

export interface S3Handle {
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  dir: string;
  /** Requests the front refused, with the S3 error code (for tests that expect refusals). */
  refused(): string[];
  stop(): Promise<void>;
}

const ACCESS_KEY = 'S3RVER';
const SECRET = 'S3RVER';

/**
 * An S3-compatible server on loopback: s3rver for storage behind a front that checks every
 * request's SigV4 signature (s3rver itself does not), path-style addressing.
 */
export async function startS3(options: { buckets?: string[] } = {}): Promise<S3Handle> {
  const dir = tempDir('s3');
  const data = path.join(dir.path, 'data');
  mkdirSync(data);
  const backendPort = await freePort();
  const backend = new S3rver({ address: '127.0.0.1', port: backendPort, silent: true, directory: data, configureBuckets: (options.buckets ?? ['signet']).map((name) => ({ name, configs: [] })) });
  await backend.run();
  const refusals: string[] = [];
  const secrets = new Map([[ACCESS_KEY, SECRET]]);
  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verdict = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, secrets);
      if (!verdict.ok) {
        refusals.push(verdict.code);
        res.writeHead(verdict.code === 'NotImplemented' ? 501 : 403, { 'Content-Type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${verdict.code}</Code><Message>${verdict.message}</Message></Error>`);
        return;
      }
      const forward = http.request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${backendPort}` } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => front.listen(port, '127.0.0.1', resolve));
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET,
    region: 'us-east-1',
    dir: dir.path,
    refused: () => [...refusals],
    stop: async () => {
      if (stopped) return;
      stopped = true;
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await backend.close();
      dir.remove();
    },
  };
}
