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
}

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1, anonymous or, with `users`, htpasswd
 * basic auth (bcrypt entries made by apache2-utils' htpasswd). Deletion is enabled unless
 * `deleteEnabled: false`. No referrers API; tag pagination `n` is ignored.
 */
export async function startRegistry(options: { users?: Record<string, string>; deleteEnabled?: boolean } = {}): Promise<RegistryHandle> {
  const binary = requireCommand('/usr/bin/docker-registry', 'docker-registry');
  const dir = tempDir('registry');
  const auth: string[] = [];
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
  // freePort() can race with another process taking the port; then try another one.
  for (let attempt = 1; !service; attempt++) {
    port = await freePort();
    writeFileSync(config, `${lines(port).join('\n')}\n`);
    try {
      // Ready once our /v2/ answers: 200 anonymous, 401 with auth.
      service = await spawnService(binary, ['serve', config], {
        ready: async (self) => {
          const response = await fetch(`http://127.0.0.1:${port}/v2/`);
          await response.body?.cancel();
          return !self.exited() && response.headers.get('docker-distribution-api-version') === 'registry/2.0' && (response.status === 200 || response.status === 401);
        },
      });
    } catch (error) {
      if (attempt < 3 && error instanceof Error && error.message.includes('address already in use')) continue;
      dir.remove();
      throw error;
    }
  }
  const running = service;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    url,
    host: `127.0.0.1:${port}`,
    port,
    dir: dir.path,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await running.stop();
      dir.remove();
    },
  };
}
