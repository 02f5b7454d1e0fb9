import type { CallName } from '../../../shared/api';
import type { FailureReason } from '../../../shared/errors';
import type { CallRecorder } from '../dispatch';
import { CALL_AUDIT, type CallAudit, type CallAuditTable } from './calls';
import { withCall, type AuditFields } from './context';
import type { AuditLog } from './log';

type AnyAudit = {
  kind: CallAudit<CallName>['kind'];
  asked(input: unknown): { what: string; fields?: AuditFields };
  done: 'handler' | ((input: unknown, output: unknown) => string);
};

/** One place where a call's input meets its table line: the table is typed per call, the dispatcher is not. */
function ruleFor(table: CallAuditTable, name: CallName): AnyAudit | undefined {
  return table[name] as AnyAudit | undefined;
}

/**
 * The dispatcher's recorder: every call that is not a read leaves an entry — the handler's own, or
 * one from its table line — and a failed one leaves an entry of the same kind with its outcome
 * (`refused` when Signet refused a result it was handed, such as a signature failing the self-check).
 */
export function createCallRecorder(audit: AuditLog, table: CallAuditTable = CALL_AUDIT): CallRecorder {
  return {
    before: () => audit.ensureWritable(),
    within: (name, input, run) => {
      const fields = ruleFor(table, name)?.asked(input).fields ?? {};
      return withCall(name, fields, run);
    },
    async succeeded(name, input, output) {
      const rule = ruleFor(table, name);
      if (!rule || rule.done === 'handler') return;
      const { fields = {} } = rule.asked(input);
      await audit.append(rule.kind, rule.done(input, output), { call: name, ...fields });
    },
    async failed(name, input, failed: { code: string; message: string; reason?: FailureReason }) {
      const rule = ruleFor(table, name);
      const asked =
        input === undefined ? { what: `${name} (a request that did not pass its checks)` } : (rule?.asked(input) ?? { what: name });
      const outcome = failed.reason === 'self-check' ? 'refused' : 'failed';
      const verb = outcome === 'refused' ? 'refused' : 'failed';
      await audit.append(
        rule?.kind ?? 'call.failed',
        `${asked.what}: ${verb} (${failed.code}): ${failed.message}`,
        { call: name, ...asked.fields, code: failed.code, ...(failed.reason ? { reason: failed.reason } : {}) },
        { outcome },
      );
    },
  };
}
