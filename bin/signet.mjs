#!/usr/bin/env node
// The `signet` command. `--version` answers from package.json without loading anything else;
// every other command runs the CLI host: the built bundle in a package, the TypeScript sources
// (through tsx) in a checkout.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // Exit once the line is written (a pipe may take it later than the call returns).
  await new Promise((resolve) => process.stdout.write(`signet ${version}\n`, resolve));
  process.exit(0);
}

const source = join(root, 'electron', 'hosts', 'cli', 'entry.ts');
const built = join(root, 'out', 'main', 'cli.js');
if (existsSync(source) && process.env.SIGNET_CLI_BUILT !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write('signet: the CLI is not built; run `npm run build`.\n');
  process.exit(1);
}
