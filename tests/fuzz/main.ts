import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { isExpectedRejection, loadTargets } from './targets';
import { HEADER_BYTES, sharedSize, type WorkerJob, type WorkerMessage } from './worker';

/**
 * `npm run fuzz [-- --iterations N] [--only NAME[,NAME]] [--seed S] [--hang-ms MS] [--replay FILE --only NAME]`
 *
 * Feeds each parser N mutated inputs (default 1,000,000) derived from valid seeds, one parser at a
 * time, each in a worker thread with a memory limit and a watchdog. A finding is anything thrown
 * that is not a SignetError, an input slower than 1 s, a hang (no progress for --hang-ms), or the
 * worker running out of memory. Findings' inputs are saved in test-results/fuzz/; the summary goes
 * to test-results/fuzz/summary.json. Not part of `npm test`.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const outDir = path.join(root, 'test-results', 'fuzz');

interface Options {
  iterations: number;
  only?: string[];
  seed: number;
  hangMs: number;
  slowMs: number;
  replay?: string;
  heapMb: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { iterations: 1_000_000, seed: 1, hangMs: 10_000, slowMs: 1000, heapMb: 1024 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[(i += 1)];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--iterations' || arg === '-n') o.iterations = Number(value().replace(/_/g, ''));
    else if (arg === '--only') o.only = value().split(',');
    else if (arg === '--seed') o.seed = Number(value());
    else if (arg === '--hang-ms') o.hangMs = Number(value());
    else if (arg === '--slow-ms') o.slowMs = Number(value());
    else if (arg === '--heap-mb') o.heapMb = Number(value());
    else if (arg === '--replay') o.replay = value();
    else throw new Error(`Unknown option ${arg}`);
  }
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new Error('--iterations takes a whole number');
  return o;
}

interface Finding {
  kind: 'crash' | 'slow' | 'hang' | 'oom' | 'worker-error';
  key: string;
  index: number;
  ms?: number;
  file: string;
  error: string;
}

interface Row {
  parser: string;
  inputs: number;
  findings: number;
  unique: number;
  slowestMs: number;
  maxHeapMb: number;
  seconds: number;
  perSecond: number;
  complete: boolean;
  saved: Finding[];
}

function save(parser: string, kind: Finding['kind'], index: number, input: Uint8Array, text: string, seed: number): string {
  mkdirSync(outDir, { recursive: true });
  const hash = createHash('sha256').update(input).digest('hex').slice(0, 12);
  const base = path.join(outDir, `${parser}-${kind}-${hash}`);
  writeFileSync(`${base}.bin`, input);
  writeFileSync(
    `${base}.txt`,
    `parser: ${parser}\nkind: ${kind}\nseed: ${seed}\nindex: ${index}\nreplay: npm run fuzz -- --only ${parser} --replay ${path.relative(root, `${base}.bin`)}\n\n${text}\n`,
  );
  return path.relative(root, `${base}.bin`);
}

/** Runs inputs [start, end) in a worker; resolves where it stopped and why. */
function runWorker(
  parser: string,
  start: number,
  end: number,
  o: Options,
  row: Row,
  onFinding: (f: Finding) => void,
): Promise<{ next: number; finished: boolean }> {
  let ready = false;
  const shared = new SharedArrayBuffer(sharedSize);
  const control = new Int32Array(shared, 0, 4);
  const data = new Uint8Array(shared, HEADER_BYTES);
  Atomics.store(control, 0, start - 1);
  const job: WorkerJob = { target: parser, start, end, runSeed: o.seed, slowMs: o.slowMs, shared };
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: o.heapMb },
  });
  const current = () => {
    const index = Atomics.load(control, 0);
    const length = Atomics.load(control, 1);
    return { index, input: Uint8Array.from(data.subarray(0, length)) };
  };
  let lastPrint = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    let lastIndex = -2;
    let lastChange = performance.now();
    // Crashes and slow inputs the worker counted (duplicates included), as last reported.
    let workerFindings = 0;
    const finish = (result: { next: number; finished: boolean }) => {
      if (settled) return;
      settled = true;
      row.findings += workerFindings;
      clearInterval(watchdog);
      resolve(result);
    };
    const watchdog = setInterval(() => {
      const index = Atomics.load(control, 0);
      const now = performance.now();
      if (index !== lastIndex) {
        lastIndex = index;
        lastChange = now;
      } else if (index >= start && now - lastChange > o.hangMs) {
        const { input } = current();
        const file = save(parser, 'hang', index, input, `No progress for ${o.hangMs} ms on this input; the worker was stopped.`, o.seed);
        onFinding({ kind: 'hang', key: 'hang', index, ms: now - lastChange, file, error: `no progress for ${o.hangMs} ms` });
        row.inputs += index - start + 1;
        void worker.terminate();
        finish({ next: index + 1, finished: false });
      }
      if (now - lastPrint > 15_000) {
        lastPrint = now;
        const done = row.inputs + Math.max(0, index - start + 1);
        process.stdout.write(
          `  [${parser}] ${done.toLocaleString('en')} / ${o.iterations.toLocaleString('en')}, ${row.findings + workerFindings} finding(s)\n`,
        );
      }
    }, 250);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') ready = true;
      else if (m.type === 'finding') {
        const file = save(parser, m.kind, m.index, m.input, `${m.key}\n\n${m.error}`, o.seed);
        onFinding({ kind: m.kind, key: m.key, index: m.index, ms: m.ms, file, error: m.error.split('\n').slice(0, 6).join('\n') });
      } else if (m.type === 'progress' || m.type === 'done') {
        workerFindings = m.findings;
        row.slowestMs = Math.max(row.slowestMs, m.slowestMs);
        row.maxHeapMb = Math.max(row.maxHeapMb, m.maxHeapBytes / 1024 / 1024);
        if (m.type === 'done') {
          row.inputs += m.done;
          void worker.terminate();
          finish({ next: end, finished: true });
        }
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (!ready) {
        // The harness itself is broken (the worker did not start): not a finding.
        clearInterval(watchdog);
        settled = true;
        reject(error);
        return;
      }
      const { index, input } = current();
      const kind = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'worker-error';
      const file = save(parser, kind, index, input, error.stack ?? String(error), o.seed);
      onFinding({
        kind,
        key: `${kind}: ${error.message}`,
        index,
        file,
        error: (error.stack ?? String(error)).split('\n').slice(0, 6).join('\n'),
      });
      if (kind === 'oom') row.maxHeapMb = Math.max(row.maxHeapMb, o.heapMb);
      row.inputs += Math.max(0, index - start + 1);
      finish({ next: Math.max(index + 1, start + 1), finished: false });
    });
    worker.on('exit', () => finish({ next: Math.max(Atomics.load(control, 0) + 1, start + 1), finished: false }));
  });
}

async function fuzz(parser: string, o: Options): Promise<Row> {
  const row: Row = {
    parser,
    inputs: 0,
    findings: 0,
    unique: 0,
    slowestMs: 0,
    maxHeapMb: 0,
    seconds: 0,
    perSecond: 0,
    complete: false,
    saved: [],
  };
  const keys = new Set<string>();
  const t0 = performance.now();
  let next = 0;
  let restarts = 0;
  process.stdout.write(`${parser}: ${o.iterations.toLocaleString('en')} inputs\n`);
  while (next < o.iterations) {
    const before = row.inputs;
    const result = await runWorker(parser, next, o.iterations, o, row, (f) => {
      if (f.kind !== 'crash' && f.kind !== 'slow') row.findings += 1;
      if (!keys.has(f.key)) {
        keys.add(f.key);
        row.saved.push(f);
        process.stdout.write(`  [${parser}] FINDING ${f.kind} at input ${f.index}: ${f.key.slice(0, 200)}\n    saved ${f.file}\n`);
      }
    });
    if (result.finished) break;
    if (row.inputs === before) row.inputs += 1;
    next = result.next;
    if ((restarts += 1) > 200) {
      process.stdout.write(`  [${parser}] stopped after 200 worker restarts\n`);
      break;
    }
  }
  row.seconds = (performance.now() - t0) / 1000;
  row.perSecond = Math.round(row.inputs / row.seconds);
  row.unique = keys.size;
  row.complete = row.inputs >= o.iterations;
  return row;
}

async function replay(file: string, o: Options): Promise<void> {
  const name = o.only?.[0];
  const target = (await loadTargets()).find((t) => t.name === name);
  if (!target) throw new Error('--replay needs --only NAME (one parser)');
  const input = readFileSync(file);
  const t0 = performance.now();
  try {
    const result = await target.run(input);
    process.stdout.write(`returned after ${(performance.now() - t0).toFixed(1)} ms: ${JSON.stringify(result)?.slice(0, 500)}\n`);
  } catch (error) {
    process.stdout.write(
      `threw after ${(performance.now() - t0).toFixed(1)} ms (${isExpectedRejection(error) ? 'an expected rejection' : 'A FINDING'}):\n${(error as Error).stack ?? String(error)}\n`,
    );
  }
}

function table(rows: Row[]): string {
  const header = ['parser', 'inputs', 'findings', 'unique', 'slowest ms', 'max heap MB', 'inputs/s', 'seconds'];
  const lines = rows.map((r) => [
    r.parser,
    r.inputs.toLocaleString('en') + (r.complete ? '' : ' (incomplete)'),
    String(r.findings),
    String(r.unique),
    r.slowestMs.toFixed(1),
    r.maxHeapMb.toFixed(1),
    r.perSecond.toLocaleString('en'),
    r.seconds.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.replay) return replay(o.replay, o);
  const all = (await loadTargets()).map((t) => t.name);
  const names = o.only ?? all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new Error(`Unknown parser(s) ${unknown.join(', ')}; the parsers are ${all.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  const rows: Row[] = [];
  const summaryFile = path.join(outDir, 'summary.json');
  const write = () =>
    writeFileSync(
      summaryFile,
      `${JSON.stringify({ seed: o.seed, iterations: o.iterations, slowMs: o.slowMs, hangMs: o.hangMs, heapLimitMb: o.heapMb, node: process.version, finished: new Date().toISOString(), parsers: rows }, null, 2)}\n`,
    );
  for (const name of names) {
    rows.push(await fuzz(name, o));
    write();
  }
  process.stdout.write(`\n${table(rows)}\n\nSummary: ${path.relative(root, summaryFile)}\n`);
  const findings = rows.reduce((n, r) => n + r.findings, 0);
  if (findings) {
    process.stdout.write(`\n${findings} finding(s):\n`);
    for (const r of rows) for (const f of r.saved) process.stdout.write(`  ${r.parser} ${f.kind}: ${f.key.slice(0, 160)}\n    ${f.file}\n`);
  }
  process.exitCode = findings ? 1 : 0;
}

await main();
