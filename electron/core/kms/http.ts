import http from 'node:http';
import https from 'node:https';
import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';

/**
 * A small HTTP client for the KMS REST APIs Signet calls directly (Vault transit, Huawei KMS):
 * node:http(s) rather than fetch so a connection's own CA certificates (VAULT_CACERT, private
 * endpoints) can be trusted without touching the process-wide TLS settings. Bounded and timed.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST';
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array;
  ca?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const MAX_RESPONSE = 4 * 1024 * 1024;

export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const client = request.url.protocol === 'https:' ? https : request.url.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new SignetError('INVALID_INPUT', `${request.url.protocol} is not http: or https:.`));
  return new Promise((resolve, reject) => {
    const req = client.request(
      request.url,
      {
        method: request.method,
        headers: { ...(request.body ? { 'content-length': String(request.body.length) } : {}), ...request.headers },
        ...(request.ca ? { ca: request.ca } : {}),
        timeout: request.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE) {
            req.destroy(new SignetError('TOO_LARGE', `The answer from ${request.url.host} is larger than ${MAX_RESPONSE} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${request.url.host} in time`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** The JSON body of a response, parsed strictly; undefined for an empty body. */
export function jsonBody(response: HttpResponse, what: string): unknown {
  if (response.body.length === 0) return undefined;
  return parseStrictJson(response.body, what);
}
