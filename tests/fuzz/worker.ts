import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { generate, inputSeed, MAX_INPUT_BYTES } from './mutate';
import { isExpectedRejection, loadTargets } from './targets';

/**
 * Runs one parser over inputs [start, end). Before each input it publishes the input and its
 * index in shared memory, so the watchdog in the main thread can save an input that hangs.
 */
export interface WorkerJob {
  target: string;
  start: number;
  end: number;
  runSeed: number;
  slowMs: number;
  shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'ready'; seeds: number }
  | { type: 'progress'; done: number; findings: number; slowestMs: number; maxHeapBytes: number }
  | { type: 'finding'; kind: 'crash' | 'slow'; key: string; index: number; ms: number; error: string; input: Uint8Array }
  | { type: 'done'; done: number; findings: number; slowestMs: number; maxHeapBytes: number };

export const HEADER_BYTES = 16;
export const sharedSize = HEADER_BYTES + MAX_INPUT_BYTES;

function describe(error: unknown): { key: string; text: string } {
  if (error instanceof Error) {
    const frame = (error.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
    // The same bug with different bytes in its message is one finding.
    const message = error.message
      .replace(/\d+/g, 'N')
      .replace(/"[^"]*"/g, '"…"')
      .slice(0, 120);
    return { key: `${error.name}: ${message} ${frame.trim()}`, text: error.stack ?? `${error.name}: ${error.message}` };
  }
  return { key: `non-Error thrown: ${typeof error}`, text: String(error) };
}

async function timeAgain(run: () => unknown): Promise<number> {
  const t0 = performance.now();
  try {
    const result = run();
    if (result instanceof Promise) await result;
  } catch {
    // Its outcome was judged on the first run.
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const job = workerData as WorkerJob;
  const target = (await loadTargets()).find((t) => t.name === job.target);
  if (!target) throw new Error(`No target ${job.target}`);
  const control = new Int32Array(job.shared, 0, 4);
  const data = new Uint8Array(job.shared, HEADER_BYTES);
  const port = parentPort!;
  const post = (m: WorkerMessage) => port.postMessage(m);
  post({ type: 'ready', seeds: target.seeds.length });
  const seen = new Set<string>();
  let findings = 0;
  let slowSaved = 0;
  let slowestMs = 0;
  let maxHeapBytes = v8.getHeapStatistics().used_heap_size;
  let lastReport = performance.now();
  const expected = target.expected ?? isExpectedRejection;
  for (let i = job.start; i < job.end; i += 1) {
    const input = generate(inputSeed(job.runSeed, i), target.seeds);
    data.set(input);
    Atomics.store(control, 1, input.length);
    Atomics.store(control, 0, i);
    const t0 = performance.now();
    let thrown: unknown;
    let threw = false;
    try {
      const result = target.run(input);
      if (result instanceof Promise) await result;
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const ms = performance.now() - t0;
    if (ms > slowestMs) slowestMs = ms;
    if (threw && !expected(thrown)) {
      findings += 1;
      const d = describe(thrown);
      if (!seen.has(d.key)) {
        seen.add(d.key);
        post({ type: 'finding', kind: 'crash', key: d.key, index: i, ms, error: d.text, input: Uint8Array.from(input) });
      }
    }
    // A slow input is timed again: a pause of the machine (GC, another process) is not the parser's.
    if (ms > job.slowMs && (await timeAgain(() => target.run(input))) > job.slowMs) {
      findings += 1;
      // Every slow input is counted; the first 20 are saved.
      if ((slowSaved += 1) <= 20)
        post({
          type: 'finding',
          kind: 'slow',
          key: `slow input (over ${job.slowMs} ms) #${slowSaved}`,
          index: i,
          ms,
          error: `${Math.round(ms)} ms; ${threw ? describe(thrown).text : 'returned'}`,
          input: Uint8Array.from(input),
        });
    }
    if ((i & 1023) === 0) {
      const heap = v8.getHeapStatistics().used_heap_size;
      if (heap > maxHeapBytes) maxHeapBytes = heap;
      const now = performance.now();
      if (now - lastReport > 2000) {
        lastReport = now;
        post({ type: 'progress', done: i + 1 - job.start, findings, slowestMs, maxHeapBytes });
      }
    }
  }
  const heap = v8.getHeapStatistics().used_heap_size;
  if (heap > maxHeapBytes) maxHeapBytes = heap;
  post({ type: 'done', done: job.end - job.start, findings, slowestMs, maxHeapBytes });
}

if (!isMainThread) await main();
