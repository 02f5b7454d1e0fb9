import { CALL_NAMES, type CallName, type RequestOf, type ResponseOf, type SignetEvent } from './api';
import type { Result } from './errors';

type NamespaceOf<K> = K extends `${infer N}.${string}` ? N : never;
type MethodOf<K, N extends string> = K extends `${N}.${infer M}` ? M : never;
type Namespace = NamespaceOf<CallName>;

/** `window.signet`: one method per call, grouped by namespace, e.g. `signet.doctor.run({})`. */
export type SignetApi = {
  readonly [N in Namespace]: {
    readonly [M in MethodOf<CallName, N>]: (
      input: RequestOf<Extract<`${N}.${M}`, CallName>>,
    ) => Promise<Result<ResponseOf<Extract<`${N}.${M}`, CallName>>>>;
  };
} & {
  readonly events: { readonly subscribe: (listener: (event: SignetEvent) => void) => () => void };
};

export type Invoke = (name: CallName, input: unknown) => Promise<Result<unknown>>;
export type Subscribe = (listener: (event: SignetEvent) => void) => () => void;

/** Builds the frozen client from the contract's call names and one transport. */
export function buildClient(invoke: Invoke, subscribe: Subscribe): SignetApi {
  const namespaces: Record<string, Record<string, (input: unknown) => Promise<Result<unknown>>>> = {};
  for (const name of CALL_NAMES) {
    const [namespace, method] = name.split('.') as [string, string];
    const group = (namespaces[namespace] ??= {});
    group[method] = (input: unknown) => invoke(name, input ?? {});
  }
  const client: Record<string, unknown> = {};
  for (const [namespace, group] of Object.entries(namespaces)) client[namespace] = Object.freeze(group);
  client.events = Object.freeze({ subscribe });
  return Object.freeze(client) as unknown as SignetApi;
}
