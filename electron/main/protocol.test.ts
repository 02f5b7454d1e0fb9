import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveAppRequest } from './protocol';

const outer = mkdtempSync(path.join(tmpdir(), 'signet-protocol-'));
const dir = path.join(outer, 'renderer');
mkdirSync(path.join(dir, 'assets'), { recursive: true });
writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Signet</title>');
writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(outer, 'secret.txt'), 'outside');

describe('app:// protocol', () => {
  it('serves the renderer with a strict CSP', async () => {
    const answer = await serveAppRequest('app://signet/index.html', dir);
    expect(answer.status).toBe(200);
    const csp = answer.headers['Content-Security-Policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect((await serveAppRequest('app://signet/assets/app.js', dir)).headers['Content-Type']).toContain('javascript');
  });

  it('falls back to index.html for app routes', async () => {
    expect(String((await serveAppRequest('app://signet/keys', dir)).body)).toContain('<title>Signet</title>');
  });

  it.each([
    'app://signet/../secret.txt',
    'app://signet/%2e%2e/secret.txt',
    'app://signet/assets/..%2f..%2fsecret.txt',
    'app://other/index.html',
    'app://signet/missing.js',
  ])('refuses %s', async (url) => {
    const answer = await serveAppRequest(url, dir);
    expect(answer.status).toBe(404);
    expect(String(answer.body)).not.toContain('outside');
  });
});
