import { z } from 'zod';
import { AppInfo, DoctorReport, JobProgress, Settings } from './model';

/**
 * The one contract. Every call the renderer, the CLI or a script can make exists here once,
 * with its request and response schemas. The preload client, the IPC binding, the web host and
 * the CLI are all derived from this table.
 *
 * `effect` says what a call may do; the read-only reviewer host refuses every call whose effect
 * is not in READ_ONLY_EFFECTS.
 */
export type Effect = 'read' | 'write' | 'sign' | 'delete' | 'export-secret' | 'trust';

export const READ_ONLY_EFFECTS: ReadonlySet<Effect> = new Set<Effect>(['read', 'write']);

export interface CallDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly summary: string;
  readonly effect: Effect;
  readonly request: Req;
  readonly response: Res;
}

function call<Req extends z.ZodType, Res extends z.ZodType>(def: CallDef<Req, Res>): CallDef<Req, Res> {
  return def;
}

/** A client-chosen id that ties progress events to the call that caused them. */
const JobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a job id is 1-64 letters, digits, _ or -');

const NoInput = z.object({}).strict();

export const contract = {
  'app.info': call({
    summary: 'Name, version and host of the running app',
    effect: 'read',
    request: NoInput,
    response: AppInfo,
  }),
  'doctor.run': call({
    summary: 'Check the environment: data directory, keychain, PKCS#11 modules, tools, offline mode',
    effect: 'read',
    request: z.object({ jobId: JobId.optional() }).strict(),
    response: DoctorReport,
  }),
  'settings.get': call({
    summary: 'The current settings',
    effect: 'read',
    request: NoInput,
    response: Settings,
  }),
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
