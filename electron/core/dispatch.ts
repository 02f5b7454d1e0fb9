import { describeSchemaIssues } from '../../shared/input-words';
import type { z } from 'zod';
import { contract, isCallName, READ_ONLY_EFFECTS, type CallName, type Contract, type ParsedRequestOf } from '../../shared/api';
import type { CallTable } from '../../shared/contract/define';
import { failure, ok, SignetError, type FailureReason, type Result } from '../../shared/errors';
import type { EventBus } from './events';

export interface CallContext {
  /** Reports progress of this call as a `job.progress` event. */
  progress(done: number, total: number, message: string): void;
}

export type Handler<K extends CallName> = (input: ParsedRequestOf<K>, ctx: CallContext) => Promise<z.input<Contract[K]['response']>>;

export type Handlers = { [K in CallName]: Handler<K> };

/** The handlers of one area's call table (`shared/contract/<area>.ts`). */
export type AreaHandlers<T extends CallTable> = {
  [K in keyof T]: (input: z.output<T[K]['request']>, ctx: CallContext) => Promise<z.input<T[K]['response']>>;
};

/** Records every call that is not a read (audit/recorder.ts); the dispatcher only says when. */
export interface CallRecorder {
  /** Before the handler runs: an audit log that cannot take an entry stops the action before it has any effect. */
  before(): Promise<void>;
  /** Runs the handler inside the call's record context (entries it writes name the call and what was asked). */
  within<T>(name: CallName, input: unknown, run: () => Promise<T>): Promise<T>;
  /** After the handler succeeded, before its answer is given: an entry that cannot be written fails the call. */
  succeeded(name: CallName, input: unknown, output: unknown): Promise<void>;
  /**
   * What was asked (undefined when the request did not pass its schema), and why it failed (its code, and its finer reason when there is
   * one).
   */
  failed(name: CallName, input: unknown, failed: { code: string; message: string; reason?: FailureReason }): Promise<void>;
}

export interface DispatchOptions {
  readOnly: boolean;
  log?: (line: string) => void;
  recorder?: CallRecorder;
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
      const refused = failure('READ_ONLY', `Signet is running in read-only reviewer mode, so "${name}" (${def.effect}) is not allowed.`);
      // The attempt is recorded, with what was asked when the request is well formed.
      const asked = def.request.safeParse(input ?? {});
      await options.recorder
        ?.failed(name, asked.success ? asked.data : undefined, refused)
        .catch((e: unknown) => options.log?.(`the audit log did not take the refusal of ${name}: ${String(e)}`));
      return refused;
    }
    const parsed = def.request.safeParse(input ?? {});
    if (!parsed.success) {
      const refused = failure('INVALID_INPUT', describeSchemaIssues(parsed.error.issues));
      // An attempt at a change that did not pass its schema is recorded too (what was asked cannot be: it is not known to be safe).
      if (def.effect !== 'read')
        await options.recorder
          ?.failed(name, undefined, refused)
          .catch((e: unknown) => options.log?.(`the audit log did not take the failure of ${name}: ${String(e)}`));
      return refused;
    }
    const request = parsed.data as { jobId?: string };
    const jobId = request.jobId ?? `job-${++jobCounter}`;
    const ctx: CallContext = {
      progress: (done, total, message) => events.emit({ type: 'job.progress', payload: { jobId, call: name, done, total, message } }),
    };
    const recorder = def.effect !== 'read' ? options.recorder : undefined;
    const run = () => (handlers[name] as (i: unknown, c: CallContext) => Promise<unknown>)(parsed.data, ctx);
    let answer: Result<unknown>;
    try {
      await recorder?.before();
      const output = recorder ? await recorder.within(name, parsed.data, run) : await run();
      const checked = def.response.safeParse(output);
      if (!checked.success) {
        options.log?.(`call ${name} returned a response that breaks its schema: ${describeSchemaIssues(checked.error.issues)}`);
        throw new SignetError('INVALID_OUTPUT', 'Signet produced an answer it could not vouch for; the details are in the log.');
      }
      answer = ok(checked.data);
      await recorder?.succeeded(name, parsed.data, checked.data);
    } catch (error) {
      const reason = error instanceof SignetError ? error.reason : undefined;
      const failed =
        error instanceof SignetError
          ? failure(error.code, error.message, reason)
          : failure('INTERNAL', 'Something unexpected went wrong; the details are in the log.');
      if (!(error instanceof SignetError))
        options.log?.(`call ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await recorder
        ?.failed(name, parsed.data, { code: failed.code, message: failed.message, ...(reason ? { reason } : {}) })
        .catch((e: unknown) => options.log?.(`the audit log did not take the failure of ${name}: ${String(e)}`));
      return failed;
    }
    return answer;
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
