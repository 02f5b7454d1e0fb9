// `npm run web [-- --port N --read-only]`: builds the app and serves browser mode on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './electron-runtime.mjs';

export function buildApp() {
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

export function serve(args) {
  const child = spawn(process.execPath, [join(root, 'bin', 'signet.mjs'), 'serve', ...args], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp();
  serve(process.argv.slice(2));
}
