import type { z } from 'zod';
import {
  contract,
  isCallName,
  READ_ONLY_EFFECTS,
  type CallName,
  type Contract,
  type ParsedRequestOf,
} from '../../shared/api';
import type { CallTable } from '../../shared/contract/define';
import { failure, ok, SignetError, type Result } from '../../shared/errors';
import type { EventBus } from './events';

export interface CallContext {
  /** Reports progress of this call as a `job.progress` event. */
  progress(done: number, total: number, message: string): void;
}

export type Handler<K extends CallName> = (
  input: ParsedRequestOf<K>,
  ctx: CallContext,
) => Promise<z.input<Contract[K]['response']>>;

export type Handlers = { [K in CallName]: Handler<K> };

/** The handlers of one area's call table (`shared/contract/<area>.ts`). */
export type AreaHandlers<T extends CallTable> = {
  [K in keyof T]: (input: z.output<T[K]['request']>, ctx: CallContext) => Promise<z.input<T[K]['response']>>;
};

export interface DispatchOptions {
  readOnly: boolean;
  log?: (line: string) => void;
  /** Runs before any call that is not a read: an audit log that cannot take an entry stops the action before it has any effect. */
  beforeEffect?: () => Promise<void>;
  /** Records a call that is not a read and failed (what was asked, and why it failed). */
  onEffectFailed?: (name: string, effect: string, code: string, message: string) => Promise<void>;
}

/**
 * The single door into the core: checks the call name, the read-only rule and the request schema,
 * runs the handler, checks the response schema, and turns every outcome into a result envelope.
 * Unexpected errors are logged on this side and cross as a code and a sentence, never a stack.
 */
export function createDispatcher(handlers: Handlers, events: EventBus, options: DispatchOptions) {
  let jobCounter = 0;
  return async function dispatch(name: unknown, input: unknown): Promise<Result<unknown>> {
    if (!isCallName(name)) return failure('UNKNOWN_CALL', `There is no call named ${JSON.stringify(String(name)).slice(0, 80)}.`);
    const def = contract[name];
    if (options.readOnly && !READ_ONLY_EFFECTS.has(def.effect)) {
      return failure('READ_ONLY', `Signet is running in read-only reviewer mode, so "${name}" (${def.effect}) is not allowed.`);
    }
    const parsed = def.request.safeParse(input ?? {});
    if (!parsed.success) return failure('INVALID_INPUT', describeIssues(name, parsed.error.issues));
    const request = parsed.data as { jobId?: string };
    const jobId = request.jobId ?? `job-${++jobCounter}`;
    const ctx: CallContext = {
      progress: (done, total, message) =>
        events.emit({ type: 'job.progress', payload: { jobId, call: name, done, total, message } }),
    };
    const effectful = def.effect !== 'read';
    let output: unknown;
    try {
      if (effectful) await options.beforeEffect?.();
      output = await (handlers[name] as (i: unknown, c: CallContext) => Promise<unknown>)(parsed.data, ctx);
    } catch (error) {
      const failed = error instanceof SignetError ? failure(error.code, error.message) : failure('INTERNAL', 'Something unexpected went wrong; the details are in the log.');
      if (!(error instanceof SignetError)) options.log?.(`call ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (effectful) await options.onEffectFailed?.(name, def.effect, failed.code, failed.message).catch((e: unknown) => options.log?.(`the audit log did not take the failure of ${name}: ${String(e)}`));
      return failed;
    }
    const checked = def.response.safeParse(output);
    if (!checked.success) {
      options.log?.(`call ${name} returned a response that breaks its schema: ${describeIssues(name, checked.error.issues)}`);
      return failure('INVALID_OUTPUT', 'Signet produced an answer it could not vouch for; the details are in the log.');
    }
    return ok(checked.data);
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;

/** Says which fields are wrong and why, without echoing the values (they may be secrets). */
function describeIssues(name: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const parts = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : 'input'}: ${i.message}`);
  return `Invalid input for ${name}: ${parts.join('; ')}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}.`;
}
