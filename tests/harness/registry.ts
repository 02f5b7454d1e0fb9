import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, requireCommand, spawnService, tempDir, type Service } from './tools';

export interface RegistryHandle {
  url: string;
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** Kills the registry process, keeping its storage (a registry that dies mid-run). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same storage and configuration. */
  restart(): Promise<void>;
}

/** A `notifications: endpoints:` entry: the registry POSTs event envelopes to `url` with these headers. */
export interface NotificationEndpoint {
  url: string;
  headers?: Record<string, string>;
  /** Delivery timeout, e.g. 2s; retry backoff, e.g. 200ms; failures before backing off. */
  timeout?: string;
  backoff?: string;
  threshold?: number;
}

/** The YAML lines of a notifications section (the values are JSON strings, which YAML reads as they are). */
export function notificationLines(endpoints: readonly NotificationEndpoint[]): string[] {
  if (!endpoints.length) return [];
  return [
    'notifications:',
    '  endpoints:',
    ...endpoints.flatMap((e, i) => [
      `    - name: signet-${i}`,
      `      url: ${JSON.stringify(e.url)}`,
      ...(e.headers
        ? ['      headers:', ...Object.entries(e.headers).map(([k, v]) => `        ${JSON.stringify(k)}: [${JSON.stringify(v)}]`)]
        : []),
      `      timeout: ${e.timeout ?? '2s'}`,
      `      threshold: ${e.threshold ?? 5}`,
      `      backoff: ${e.backoff ?? '200ms'}`,
    ]),
  ];
}

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1, anonymous or, with `users`, htpasswd
 * basic auth (bcrypt entries made by apache2-utils' htpasswd). Deletion is enabled unless
 * `deleteEnabled: false`. No referrers API; tag pagination `n` is ignored.
 */
/** `notifications` may be a function of the registry's host (host:port), called once its port is chosen, before it starts. */
export async function startRegistry(
  options: {
    users?: Record<string, string>;
    deleteEnabled?: boolean;
    notifications?: NotificationEndpoint[] | ((host: string) => Promise<NotificationEndpoint[]> | NotificationEndpoint[]);
  } = {},
): Promise<RegistryHandle> {
  const binary = requireCommand('/usr/bin/docker-registry', 'docker-registry');
  const dir = tempDir('registry');
  const auth: string[] = [];
  let endpoints: NotificationEndpoint[] = [];
  const lines = (port: number) => [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir.path, 'data')}`,
    '  delete:',
    `    enabled: ${options.deleteEnabled ?? true}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...auth,
    ...notificationLines(endpoints),
  ];
  if (options.users) {
    const htpasswd = requireCommand('htpasswd', 'apache2-utils');
    const file = path.join(dir.path, 'htpasswd');
    const entries = Object.entries(options.users).map(([user, password]) => {
      // -i: the password comes on stdin, not on a command line other users can read.
      const made = spawnSync(htpasswd, ['-niB', user], { input: password, encoding: 'utf8' });
      if (made.status !== 0) {
        dir.remove();
        throw new Error(`htpasswd failed: ${made.stderr}`);
      }
      return made.stdout.trim();
    });
    writeFileSync(file, `${entries.join('\n')}\n`);
    auth.push('auth:', '  htpasswd:', '    realm: signet-test', `    path: ${file}`);
  }
  const config = path.join(dir.path, 'config.yml');
  let service: Service | undefined;
  let port = 0;
  // Ready once our /v2/ answers: 200 anonymous, 401 with auth.
  const launch = (at: number) =>
    spawnService(binary, ['serve', config], {
      ready: async (self) => {
        const response = await fetch(`http://127.0.0.1:${at}/v2/`);
        await response.body?.cancel();
        return (
          !self.exited() &&
          response.headers.get('docker-distribution-api-version') === 'registry/2.0' &&
          (response.status === 200 || response.status === 401)
        );
      },
    });
  // freePort() can race with another process taking the port; then try another one.
  for (let attempt = 1; !service; attempt++) {
    port = await freePort();
    endpoints =
      typeof options.notifications === 'function' ? await options.notifications(`127.0.0.1:${port}`) : (options.notifications ?? []);
    writeFileSync(config, `${lines(port).join('\n')}\n`);
    try {
      service = await launch(port);
    } catch (error) {
      if (attempt < 3 && error instanceof Error && error.message.includes('address already in use')) continue;
      dir.remove();
      throw error;
    }
  }
  let running: Service | undefined = service;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const at = port;
  return {
    url,
    host: `127.0.0.1:${port}`,
    port,
    dir: dir.path,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await running?.stop();
      dir.remove();
    },
    kill: async () => {
      if (running) process.kill(running.child.pid as number, 'SIGKILL');
      await running?.stop();
      running = undefined;
    },
    restart: async () => {
      if (stopped) throw new Error('the registry was stopped');
      await running?.stop();
      running = await launch(at);
    },
  };
}
