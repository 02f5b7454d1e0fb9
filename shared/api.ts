import { type z } from 'zod';
import { appCalls } from './contract/app';
import { auditCalls } from './contract/audit';
import { keyCalls } from './contract/keys';
import { kmsCalls } from './contract/kms';
import { ocirCalls } from './contract/ocir';
import { offlineCalls } from './contract/offline';
import { payloadCalls } from './contract/payload';
import { registryCalls } from './contract/registry';
import { ruleCalls } from './contract/rules';
import { signatureCalls } from './contract/signatures';
import { storageCalls } from './contract/storage';
import { trustCalls } from './contract/trust';
import { tokenCalls } from './contract/tokens';
import { JobProgress } from './model';

export { READ_ONLY_EFFECTS, type CallDef, type Effect } from './contract/define';

/**
 * The one contract. Every call the renderer, the CLI or a script can make exists here once,
 * with its request and response schemas; the preload client, the IPC binding, the web host and
 * the CLI are all derived from this table. Each area keeps its calls in `shared/contract/<area>.ts`;
 * adding an area is that file plus one line here.
 */
export const contract = {
  ...appCalls,
  ...auditCalls,
  ...offlineCalls,
  ...registryCalls,
  ...keyCalls,
  ...kmsCalls,
  ...signatureCalls,
  ...payloadCalls,
  ...storageCalls,
  ...trustCalls,
  ...tokenCalls,
  ...ruleCalls,
  ...ocirCalls,
} as const;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type RequestOf<K extends CallName> = z.input<Contract[K]['request']>;
export type ParsedRequestOf<K extends CallName> = z.output<Contract[K]['request']>;
export type ResponseOf<K extends CallName> = z.output<Contract[K]['response']>;

export const CALL_NAMES = Object.keys(contract) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events pushed from the privileged side to every subscriber. */
export const eventSchemas = {
  'job.progress': JobProgress,
} as const;

export type EventName = keyof typeof eventSchemas;
export type EventOf<K extends EventName> = { type: K; payload: z.output<(typeof eventSchemas)[K]> };
export type SignetEvent = { [K in EventName]: EventOf<K> }[EventName];

export function parseEvent(raw: unknown): SignetEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { type, payload } = raw as { type?: unknown; payload?: unknown };
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(eventSchemas, type)) return undefined;
  const parsed = eventSchemas[type as EventName].safeParse(payload);
  return parsed.success ? ({ type, payload: parsed.data } as SignetEvent) : undefined;
}

/** The IPC channel of a call. Derived, so nobody writes a channel name twice. */
export function channelOf(name: CallName): string {
  return `signet:${name}`;
}
export const EVENT_CHANNEL = 'signet:event';
