// `npm run bench [-- NAME...]`: performance goals measured, never asserted in tests.
// Each bench prints its measurement, its goal and whether it met it; the JSON lands in test-results/bench.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './electron-runtime.mjs';

const wanted = new Set(process.argv.slice(2));
const dir = join(root, 'bench');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort();
const results = [];
for (const file of files) {
  const name = file.replace('.bench.mjs', '');
  if (wanted.size && !wanted.has(name)) continue;
  const { run } = await import(pathToFileURL(join(dir, file)).href);
  process.stdout.write(`${name}: running…\n`);
  try {
    const result = await run();
    results.push({ name, ...result });
    console.log(`${name}: ${result.summary} — goal ${result.goal}: ${result.met ? 'met' : 'NOT met'}`);
  } catch (error) {
    results.push({ name, error: String(error?.message ?? error) });
    console.log(`${name}: could not run: ${error?.message ?? error}`);
  }
}
mkdirSync(join(root, 'test-results'), { recursive: true });
writeFileSync(join(root, 'test-results', 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
