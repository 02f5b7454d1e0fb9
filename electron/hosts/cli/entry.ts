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
// Output written to a pipe is queued when the reader is slower than we are: exiting now would cut
// it (at 64 KiB, the pipe's buffer) and still report success. Wait until both streams have handed
// everything to the OS, or failed (the reader went away: EPIPE).
const [outOk] = await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Native modules (keytar's D-Bus connection) may keep the loop alive; the command is done.
// Output that could not be delivered in full is not a success.
process.exit(code === 0 && !outOk ? 1 : code);

/** Resolves true once everything written so far has reached the OS, false if the stream failed. */
function flushed(stream: NodeJS.WriteStream): Promise<boolean> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve(!stream.errored);
      return;
    }
    stream.once('error', () => resolve(false));
    // Writes complete in order: this empty write's callback runs once all earlier ones are done.
    stream.write('', (error) => resolve(!error));
  });
}
