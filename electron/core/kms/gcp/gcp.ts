import { SignetError } from '../../../../shared/errors';
import type { KmsClient, ResolvedConnection } from '../provider';

export function createClient(_resolved: ResolvedConnection): KmsClient {
  throw new SignetError('UNSUPPORTED', 'This KMS provider is not implemented yet.');
}
