import { z } from 'zod';

/**
 * What a call may do. The read-only reviewer host refuses every call whose effect is not in
 * READ_ONLY_EFFECTS.
 */
export type Effect = 'read' | 'write' | 'sign' | 'delete' | 'export-secret' | 'trust';

export const READ_ONLY_EFFECTS: ReadonlySet<Effect> = new Set<Effect>(['read', 'write']);

export interface CallDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly summary: string;
  readonly effect: Effect;
  readonly request: Req;
  readonly response: Res;
}

export type CallTable = Readonly<Record<string, CallDef>>;

export function call<Req extends z.ZodType, Res extends z.ZodType>(def: CallDef<Req, Res>): CallDef<Req, Res> {
  return def;
}

/** A client-chosen id that ties progress events to the call that caused them. */
export const JobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a job id is 1-64 letters, digits, _ or -');

export const NoInput = z.object({}).strict();
