import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exitedEarly, freePort, requireCommand, spawnService, tempDir, waitFor } from './tools';

export interface RegistryHandle {
  url: string;
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Debian's docker-registry (distribution 2.8) on 127.0.0.1, anonymous or with htpasswd basic auth. */
export async function startRegistry(options: { users?: Record<string, string>; deleteEnabled?: boolean } = {}): Promise<RegistryHandle> {
  const binary = requireCommand('/usr/bin/docker-registry', 'docker-registry');
  const dir = tempDir('registry');
  const port = await freePort();
  const lines = [
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
  ];
  if (options.users) {
    const htpasswd = requireCommand('htpasswd', 'apache2-utils');
    const file = path.join(dir.path, 'htpasswd');
    const entries = Object.entries(options.users).map(([user, password]) => {
      const made = spawnSync(htpasswd, ['-nbB', user, password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`htpasswd failed: ${made.stderr}`);
      return made.stdout.trim();
    });
    writeFileSync(file, `${entries.join('\n')}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: signet-test', `    path: ${file}`);
  }
  const config = path.join(dir.path, 'config.yml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const service = spawnService(binary, ['serve', config]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (exitedEarly(service)) throw new Error(`docker-registry exited: ${service.output()}`);
      const response = await fetch(`${url}/v2/`);
      return response.status === 200 || response.status === 401;
    }, 'docker-registry');
  } catch (error) {
    await service.stop();
    dir.remove();
    throw error;
  }
  let stopped = false;
  return {
    url,
    host: `127.0.0.1:${port}`,
    port,
    dir: dir.path,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await service.stop();
      dir.remove();
    },
  };
}
