import { SignetError } from '../../../shared/errors';
import { readRegularFileSync, SMALL_FILE_MAX } from '../../core/storage/bounded-read';
import { UsageError } from './args';

/**
 * Reads a file named on the command line (a key, a certificate, a policy, a signing request or
 * bundle) through the core's bounded reader: a regular file of at most `maxBytes`. A FIFO, a
 * device or a file over the cap is a SignetError (INVALID_INPUT, TOO_LARGE: exit 1, the code in
 * --json); a file that is missing or unreadable is a usage error, as before.
 */
export function readInputFile(file: string, what: string, maxBytes = SMALL_FILE_MAX): Buffer {
  try {
    return readRegularFileSync(file, { maxBytes, what });
  } catch (error) {
    if (error instanceof SignetError && (error.code === 'INVALID_INPUT' || error.code === 'TOO_LARGE')) throw error;
    throw new UsageError(error instanceof Error ? error.message : `Cannot read ${file}.`);
  }
}
