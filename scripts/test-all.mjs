// `npm test`: build, typecheck, lint, vitest (unit, renderer, integration), Playwright (web, electron).
// Every suite runs even when an earlier one fails; the last line is `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './electron-runtime.mjs';

const reports = join(root, 'test-results', 'summary');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const rows = [];

function run(command, args, env = {}) {
  console.log(`\n=== ${[command.split('/').pop(), ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function check(name, command, args) {
  const status = run(command, args);
  rows.push({ name, passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

check('build', process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn']);
check('typecheck', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
check('typecheck (renderer)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']);
check('lint', bin('eslint'), ['--max-warnings=0', '.']);

const vitestJson = join(reports, 'vitest.json');
const vitestStatus = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
const vitest = readJson(vitestJson);
if (vitest) {
  rows.push({
    name: 'vitest (unit, renderer, integration)',
    passed: vitest.numPassedTests,
    failed: vitest.numFailedTests + suitesThatFailedToLoad(vitest),
    skipped: vitest.numPendingTests + vitest.numTodoTests,
  });
} else rows.push({ name: 'vitest', passed: 0, failed: 1, skipped: 0 });
if (vitest && vitestStatus !== 0 && rows.at(-1).failed === 0) rows.at(-1).failed = 1;

const playwrightJson = join(reports, 'playwright.json');
run(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson });
const playwright = readJson(playwrightJson);
if (playwright) {
  const s = playwright.stats;
  rows.push({
    name: 'playwright (web, electron)',
    passed: s.expected + s.flaky,
    failed: s.unexpected + (playwright.errors?.length ?? 0),
    skipped: s.skipped,
  });
  for (const reason of skipReasons(playwright)) console.log(`skipped: ${reason}`);
} else rows.push({ name: 'playwright', passed: 0, failed: 1, skipped: 0 });

/** A test file that failed without any failing test (it did not load) counts as one failure. */
function suitesThatFailedToLoad(report) {
  return (report.testResults ?? []).filter((r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'))
    .length;
}

function skipReasons(report) {
  const reasons = new Set();
  const visit = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        for (const a of t.annotations ?? []) if (a.type === 'skip' && a.description) reasons.add(`${spec.title}: ${a.description}`);
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
  return reasons;
}

console.log('\nSuite'.padEnd(44) + 'passed  failed  skipped');
for (const r of rows)
  console.log(`${r.name.padEnd(43)}${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`);
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0);
if (existsSync(join(root, 'artifacts'))) console.log('Artifacts (screenshots): artifacts/');
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
