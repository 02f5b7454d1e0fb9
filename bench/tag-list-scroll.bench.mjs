// A 100,000-tag repository in the Registries view: time to list and render, and frame times while
// scrolling the tag list end to end in Chromium. Goal: p95 frame ≤ 20 ms (smooth at 50+ fps).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { root } from '../scripts/electron-runtime.mjs';

const TAGS = 100_000;

export async function run() {
  const tags = Array.from({ length: TAGS }, (_, i) => `v${Math.floor(i / 1000)}.${Math.floor(i / 10) % 100}.${i % 10}-build${i}`);
  const body = JSON.stringify({ name: 'big/repo', tags });
  // A registry that, like distribution 2.8, ignores `n` and answers the whole list at once.
  const registry = http.createServer((req, res) => {
    if (req.url === '/v2/') return res.end('{}');
    if (req.url?.startsWith('/v2/_catalog')) return res.end(JSON.stringify({ repositories: ['big/repo'] }));
    if (req.url?.startsWith('/v2/big/repo/tags/list')) return res.end(body);
    res.writeHead(404).end();
  });
  await new Promise((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${registry.address().port}`;
  const home = join(root, 'test-results', `bench-home-${process.pid}`);
  const serve = spawn(process.execPath, [join(root, 'bin', 'signet.mjs'), 'serve', '--json'], {
    env: { ...process.env, SIGNET_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve) => serve.stdout.once('data', (d) => resolve(JSON.parse(String(d)).url)));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.getByRole('button', { name: 'Add registry' }).click();
    await page.getByLabel('Registry host').fill(host);
    await page.getByLabel('Registry host').press('Enter');
    const start = Date.now();
    await page.getByRole('listbox', { name: 'Repositories' }).getByRole('option', { name: 'big/repo' }).click();
    await page.getByRole('heading', { name: `Tags (${TAGS})` }).waitFor({ timeout: 60_000 });
    const listMs = Date.now() - start;
    const frames = await page.evaluate(async () => {
      const list = document.querySelector('[aria-label="Tags"]');
      const times = [];
      let last = performance.now();
      const step = list.scrollHeight / 300;
      for (let i = 0; i < 300; i += 1) {
        list.scrollTop = step * i;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return { times, rendered: list.querySelectorAll('[role="option"]').length };
    });
    const sorted = [...frames.times].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)];
    return {
      listMs,
      p95FrameMs: p95,
      renderedRows: frames.rendered,
      summary: `100,000 tags listed and shown in ${listMs} ms; scrolling p95 frame ${p95.toFixed(1)} ms with ${frames.rendered} rows in the DOM`,
      goal: 'p95 frame ≤ 20 ms',
      met: p95 <= 20,
    };
  } finally {
    await browser.close();
    serve.kill('SIGTERM');
    registry.close();
    rmSync(home, { recursive: true, force: true });
  }
}
