import { runCli } from './main';

/** Process entry of the `signet` command. */
const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  stdin: process.stdin,
  interrupted: () => interrupted,
});
// Native modules (keytar's D-Bus connection) may keep the loop alive; the command is done.
process.exit(code);
