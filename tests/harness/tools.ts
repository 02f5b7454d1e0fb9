import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Returns the executable's path, or fails with the Debian package to install, e.g.
 * "docker-registry is missing: apt-get install docker-registry".
 */
export function requireCommand(command: string, debianPackage: string): string {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next PATH entry
    }
  }
  throw new Error(`${command} is missing: apt-get install ${debianPackage}`);
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Whatever a test forgets to stop is cleaned up when the test process exits.
const runningGroups = new Set<number>();
const liveDirs = new Set<string>();
process.once('exit', () => {
  for (const pid of runningGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

export interface TempDir {
  path: string;
  /** Idempotent. */
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), `signet-${prefix}-`));
  liveDirs.add(dir);
  return {
    path: dir,
    remove: () => {
      liveDirs.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 100 ms; a throw from `check` ends the wait with that error. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True when 127.0.0.1:port accepts a TCP connection. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last few kilobytes of stdout and stderr, for error messages. */
  output(): string;
  /** The stdout line that matched a `{ line }` readiness check. */
  readyLine(): string | undefined;
  exited(): boolean;
  /** Terminates the whole process group (SIGTERM, then SIGKILL after 3 s). Idempotent. */
  stop(): Promise<void>;
}

export type Readiness = { port: number } | { line: RegExp } | ((service: Service) => Promise<boolean> | boolean);

export interface ServiceOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed. */
  stdin?: string;
  ready?: Readiness;
  /** How long readiness may take. */
  timeoutMs?: number;
}

const OUTPUT_LIMIT = 16_000;

/**
 * Starts a long-running child in its own process group and resolves once it is ready. Rejects,
 * with the child's captured output, when it exits first or never gets ready (the child is then
 * stopped).
 */
export async function spawnService(command: string, args: string[], options: ServiceOptions = {}): Promise<Service> {
  const name = path.basename(command);
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let failure: Error | undefined;
  void spawnError.then((e) => (failure = e));
  const pid = child.pid;
  if (pid !== undefined) runningGroups.add(pid);
  let output = '';
  let matched: string | undefined;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const lineCheck = options.ready && 'line' in options.ready ? options.ready.line : undefined;
  if (lineCheck && child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (matched === undefined && lineCheck.test(line)) matched = line;
    });
  }
  child.stdin?.on('error', () => undefined); // the child may exit before reading its stdin
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  else child.stdin?.end();

  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  let stopping: Promise<void> | undefined;
  const service: Service = {
    name,
    child,
    output: () => output,
    readyLine: () => matched,
    exited: hasExited,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        const finish = () => {
          if (pid !== undefined) runningGroups.delete(pid);
          resolve();
        };
        if (pid === undefined || hasExited()) return finish();
        const signal = (sig: NodeJS.Signals) => {
          try {
            process.kill(-pid, sig);
          } catch {
            // the group is already gone
          }
        };
        const timer = setTimeout(() => signal('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          finish();
        });
        signal('SIGTERM');
      })),
  };

  const ready = options.ready;
  const isReady = async (): Promise<boolean> => {
    if (ready === undefined) return true;
    if (typeof ready === 'function') return ready(service);
    if ('port' in ready) return portOpen(ready.port);
    return matched !== undefined;
  };
  try {
    await waitFor(
      async () => {
        if (failure) throw new Error(`${name} could not be started: ${failure.message}`);
        if (hasExited())
          throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready. Its output:\n${output}`);
        return isReady().catch(() => false);
      },
      name,
      options.timeoutMs,
    );
  } catch (error) {
    await service.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.includes('Its output') ? message : `${message} Its output:\n${output}`);
  }
  return service;
}
