// Exporting an image of large layers to an OCI layout .tar and importing it into another registry,
// through the real `signet` command, measuring each process's peak memory (sampled from /proc)
// and its throughput against `cp` of the same archive. Goal: under 300 MB RSS each way.
// SIGNET_BENCH_LAYOUT_GIB (default 3) sets the total, in layers of 1 GiB.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { root } from '../scripts/electron-runtime.mjs';

const GIB = 1024 * 1024 * 1024;
const TOTAL_GIB = Number(process.env.SIGNET_BENCH_LAYOUT_GIB ?? 3);
const GOAL_RSS = 300e6;

/** Runs the CLI, sampling its resident memory every 50 ms; returns the peak and the time taken. */
function measured(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let peak = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setInterval(() => {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        peak = Math.max(peak, kb * 1024);
      } catch {
        // the process has just exited
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`signet ${args.join(' ')} exited ${code}: ${stderr.slice(0, 400)}`));
      else resolve({ peak, ms });
    });
  });
}

export async function run() {
  const { startRegistry, pushTestImage } = await tsImport('./support.ts', import.meta.url);
  const source = await startRegistry();
  const target = await startRegistry();
  const work = mkdtempSync(join(tmpdir(), 'signet-bench-layout-'));
  try {
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le', 'linux/riscv64', 'linux/386'].slice(
      0,
      Math.max(1, TOTAL_GIB),
    );
    await pushTestImage(source.url, 'bench/big', '1.0', { platforms, layerBytes: GIB });
    const env = { ...process.env, SIGNET_HOME: join(work, 'home') };
    const archive = join(work, 'big.tar');
    const exported = await measured(['offline', 'export', `${source.host}/bench/big:1.0`, '--out', archive], env);
    const bytes = statSync(archive).size;
    const cpStart = process.hrtime.bigint();
    execFileSync('cp', [archive, join(work, 'copy.tar')]);
    const cpMs = Number(process.hrtime.bigint() - cpStart) / 1e6;
    rmSync(join(work, 'copy.tar'));
    const imported = await measured(['offline', 'import', archive, '--registry', target.host], env);
    const mb = bytes / 1e6;
    const mbps = (ms) => mb / (ms / 1000);
    const met = exported.peak <= GOAL_RSS && imported.peak <= GOAL_RSS;
    return {
      bytes,
      exportPeakRss: exported.peak,
      importPeakRss: imported.peak,
      exportMBps: mbps(exported.ms),
      importMBps: mbps(imported.ms),
      cpMBps: mbps(cpMs),
      summary: `${(bytes / GIB).toFixed(2)} GiB: export ${mbps(exported.ms).toFixed(0)} MB/s at ${(exported.peak / 1e6).toFixed(0)} MB RSS, import ${mbps(imported.ms).toFixed(0)} MB/s at ${(imported.peak / 1e6).toFixed(0)} MB RSS (cp of the archive: ${mbps(cpMs).toFixed(0)} MB/s)`,
      goal: '≤ 300 MB RSS for export and import',
      met,
    };
  } finally {
    await source.stop();
    await target.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
