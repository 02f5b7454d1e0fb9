// `signet --version` cold: a fresh Node process each time, median of 15 runs. Goal: 300 ms.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../scripts/electron-runtime.mjs';

export async function run() {
  const times = [];
  for (let i = 0; i < 15; i += 1) {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [join(root, 'bin', 'signet.mjs'), '--version'], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) throw new Error(child.stderr);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const help = spawnTime(['--help']);
  return {
    median,
    helpMs: help,
    summary: `--version median ${median.toFixed(0)} ms (--help ${help.toFixed(0)} ms)`,
    goal: '≤ 300 ms',
    met: median <= 300,
  };
}

function spawnTime(args) {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, [join(root, 'bin', 'signet.mjs'), ...args]);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
