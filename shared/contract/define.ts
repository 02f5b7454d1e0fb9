import { z } from 'zod';

/**
 * What a call may do:
 * - `read`: reads only; changes nothing here or elsewhere (an audit entry aside);
 * - `local-write`: changes Signet's data or files on this machine (keys, registries, settings, exports);
 * - `remote-write`: changes something elsewhere (a registry, a bucket, a token);
 * - `sign`: makes a signature; `delete`: removes something; `trust`: changes who is trusted;
 * - `export-secret`: lets a secret leave Signet; `secret-use`: tries a secret (a passphrase oracle).
 * The read-only reviewer host allows `read` and nothing else; the renderer derives which actions
 * it offers from the same table.
 */
export type Effect = 'read' | 'local-write' | 'remote-write' | 'sign' | 'delete' | 'export-secret' | 'trust' | 'secret-use';

export const READ_ONLY_EFFECTS: ReadonlySet<Effect> = new Set<Effect>(['read']);

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
