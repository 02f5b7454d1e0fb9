import { SignetError } from '../../../shared/errors';
import { UsageError } from './args';
import type { CliIo } from './main';

/**
 * Secrets never come from argv: either from an environment variable the user names
 * (`--password-env VAR`), or from a prompt that does not echo, or from a piped stdin line.
 */
export async function readSecretFrom(io: CliIo, prompt: string, envVar?: string): Promise<string> {
  if (envVar !== undefined) {
    const value = io.env[envVar];
    if (value === undefined) throw new SignetError('INVALID_INPUT', `The environment variable ${envVar} is not set.`);
    return value;
  }
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode) {
    io.err(prompt);
    return readRawLine(stdin as NodeJS.ReadStream);
  }
  return readPipedLine(stdin);
}

/**
 * A confirmation typed at a terminal, echoed as it is typed (it is no secret), or a line piped in.
 * With neither there is nobody to ask: the caller names the flag that answers instead.
 */
export async function readConfirmation(io: CliIo, prompt: string, instead: string): Promise<string> {
  const stdin = io.stdin;
  // A script may pipe its answer; a pipe with none gets the flag to use instead, not a prompt to nobody.
  if (!stdin.isTTY) {
    return readPipedLine(stdin).catch(() => {
      throw new UsageError(`Standard input is not a terminal and gave no answer, so Signet cannot ask: ${instead}.`);
    });
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: stdin as NodeJS.ReadStream, output: process.stderr, terminal: true });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}

function readRawLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(value));
        if (char === '\u0003') return finish(() => reject(new SignetError('INVALID_INPUT', 'Cancelled.')));
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    };
    const finish = (done: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      done();
    };
    stdin.on('data', onData);
  });
}

function readPipedLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline !== -1) done(buffered.slice(0, newline).replace(/\r$/, ''));
    };
    const onEnd = () => (buffered ? done(buffered) : reject(new SignetError('INVALID_INPUT', 'No secret was given on standard input.')));
    const done = (value: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(value);
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', reject);
  });
}
