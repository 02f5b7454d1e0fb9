import type { auditCalls } from '../../../shared/contract/audit';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { checkRange, renderExport, verifyExport } from './export';

export function createAuditHandlers(services: CoreServices): AreaHandlers<typeof auditCalls> {
  return {
    'audit.list': async (input) => services.audit.list(input),
    'audit.verify': async () => services.audit.verify(),
    'audit.export': async (input) => {
      checkRange(input.since, input.until);
      const { text, header } = renderExport(await services.audit.chainOrder(), input.format, {
        ...(input.since ? { since: input.since } : {}),
        ...(input.until ? { until: input.until } : {}),
        now: new Date(),
      });
      return { text, entries: header.entries, first: header.first, last: header.last, head: header.head };
    },
    'audit.verifyExport': async (input) => verifyExport(input.text),
  };
}
