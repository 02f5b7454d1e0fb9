import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../core/core';
import { startWebHost, TOKEN_HEADER, type WebHost } from './server';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw requests, so Host and Origin can be forged exactly as an attacker would. */
function request(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

let host: WebHost;
const rendererDir = mkdtempSync(path.join(tmpdir(), 'signet-web-'));
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Signet</title>');

beforeAll(async () => {
  const core = createCore({
    dataDir: mkdtempSync(path.join(tmpdir(), 'signet-web-data-')),
    host: 'web',
    readOnly: true,
    doctor: {
      probeKeychain: async () => ({ backend: 'test', reachable: true }),
      findPkcs11Modules: async () => [],
      probeTools: async () => [],
    },
  });
  host = await startWebHost({ core, rendererDir, maxBodyBytes: 1024 * 1024 });
});
afterAll(() => host.close());

function call(name: string, headers: Record<string, string> = {}, body = '{}') {
  return request(host.port, {
    method: 'POST',
    path: `/api/call/${name}`,
    headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json', [TOKEN_HEADER]: host.token, ...headers },
    body,
  });
}

describe('browser host', () => {
  it('listens on 127.0.0.1 and hands the token over in the URL fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers a call that carries the token', async () => {
    const answer = await call('app.info');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true, value: { host: 'web', readOnly: true } });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a call without the token, or with a wrong one', async () => {
    const headers = { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json' };
    const without = await request(host.port, { method: 'POST', path: '/api/call/app.info', headers, body: '{}' });
    expect(without.status).toBe(401);
    expect(JSON.parse(without.body)).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    expect((await call('app.info', { [TOKEN_HEADER]: `${host.token.slice(0, -1)}x` })).status).toBe(401);
  });

  it('refuses a wrong Host (DNS rebinding), even with the token', async () => {
    for (const forged of ['attacker.example', `attacker.example:${host.port}`, `127.0.0.1:${host.port + 1}`]) {
      const answer = await call('app.info', { Host: forged });
      expect(answer.status).toBe(421);
      expect(answer.body).not.toContain('"ok":true');
    }
  });

  it('refuses a foreign Origin and cross-site fetches, even with the token', async () => {
    expect((await call('app.info', { Origin: 'https://attacker.example' })).status).toBe(403);
    expect((await call('app.info', { Origin: 'null' })).status).toBe(403);
    expect((await call('app.info', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await call('app.info', { Origin: `http://127.0.0.1:${host.port}` })).status).toBe(200);
  });

  it('accepts only JSON POST bodies up to its cap', async () => {
    expect((await call('app.info', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await call('app.info', {}, 'not json')).status).toBe(400);
    expect((await call('app.info', {}, JSON.stringify({ pad: 'x'.repeat(1_100_000) }))).status).toBe(413);
    const get = await request(host.port, {
      path: '/api/call/app.info',
      headers: { Host: `127.0.0.1:${host.port}`, [TOKEN_HEADER]: host.token },
    });
    expect(get.status).toBe(405);
  });

  it('validates the input against the contract', async () => {
    const answer = await call('doctor.run', {}, JSON.stringify({ jobId: '../../etc' }));
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(JSON.parse((await call('keys.nonexistent')).body)).toMatchObject({ ok: false, code: 'UNKNOWN_CALL' });
  });

  it('serves the renderer with the strict CSP', async () => {
    const page = await request(host.port, { path: '/', headers: { Host: `localhost:${host.port}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await request(host.port, { path: '/..%2f..%2fetc/passwd', headers: { Host: `localhost:${host.port}` } })).status).toBe(404);
  });

  it('streams progress events over SSE to token holders only', async () => {
    const refused = await fetch(`http://127.0.0.1:${host.port}/api/events`);
    expect(refused.status).toBe(401);
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${host.port}/api/events`, {
      headers: { [TOKEN_HEADER]: host.token },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    await reader.read(); // the ": connected" comment
    await call('doctor.run', {}, JSON.stringify({ jobId: 'sse-test' }));
    let text = '';
    while (!text.includes('"done":5')) text += (await reader.read()).value ?? '';
    expect(text).toContain('"jobId":"sse-test"');
    controller.abort();
  });
});
