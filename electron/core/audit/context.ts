import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallName } from '../../../shared/api';

export type AuditFields = Record<string, string | number | boolean>;

/** The call being answered, so that every entry its handler writes names the call and what was asked. */
const current = new AsyncLocalStorage<{ call: CallName; fields: AuditFields }>();

export function withCall<T>(call: CallName, fields: AuditFields, run: () => Promise<T>): Promise<T> {
  return current.run({ call, fields }, run);
}

/** The fields of the call being answered (none outside a call, such as the trust migration at start). */
export function callFields(): AuditFields {
  const here = current.getStore();
  return here ? { call: here.call, ...here.fields } : {};
}
