// `npm start`: the Electron app; where its runtime cannot be had, browser mode instead.
import { spawn } from 'node:child_process';
import { findElectronRuntime, root } from './electron-runtime.mjs';
import { buildApp, serve } from './web.mjs';

buildApp();
const runtime = findElectronRuntime();
if ('path' in runtime) {
  const child = spawn(runtime.path, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`The Electron runtime is unavailable: ${runtime.missing}. Serving browser mode instead.`);
  serve(process.argv.slice(2));
}
