import { SignetError } from '../../../shared/errors';
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
