import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, requireCommand, spawnService, tempDir } from '../../harness';

/** Running (a zombie waiting for its reaper counts as gone). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe('harness tools', () => {
  it('names the Debian package when a command is missing', () => {
    expect(() => requireCommand('signet-no-such-tool', 'signet-pkg')).toThrow('signet-no-such-tool is missing: apt-get install signet-pkg');
    expect(() => requireCommand('/usr/bin/signet-no-such-tool', 'signet-pkg')).toThrow('apt-get install signet-pkg');
    expect(requireCommand('sh', 'dash')).toMatch(/\/sh$/);
  });

  it('makes and removes temp dirs (remove is idempotent)', () => {
    const dir = tempDir('tools');
    expect(existsSync(dir.path)).toBe(true);
    dir.remove();
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });

  it('rejects with the captured output when a service exits before it is ready', async () => {
    await expect(spawnService('sh', ['-c', 'echo boom-on-stderr >&2; exit 3'], { ready: { line: /never/ } })).rejects.toThrow(
      /exited \(3\)[\s\S]*boom-on-stderr/,
    );
  });

  it('waits for a stdout line and kills the whole process group on stop', async () => {
    const service = await spawnService('sh', ['-c', 'sleep 300 & echo "ready $!"; wait'], { ready: { line: /^ready \d+$/ } });
    const grandchild = Number(service.readyLine()?.split(' ')[1]);
    expect(alive(grandchild)).toBe(true);
    await service.stop();
    await service.stop();
    expect(service.exited()).toBe(true);
    // SIGTERM reaches the sleep through the group; poll rather than assume a time.
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it('waits for a TCP port', async () => {
    const port = await freePort();
    const script = `require('net').createServer().listen(${port}, '127.0.0.1')`;
    const service = await spawnService(process.execPath, ['-e', script], { ready: { port } });
    try {
      const connected = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(connected).toBe(true);
    } finally {
      await service.stop();
    }
  });
});
