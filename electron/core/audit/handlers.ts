import type { auditCalls } from '../../../shared/contract/audit';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';

export function createAuditHandlers(services: CoreServices): AreaHandlers<typeof auditCalls> {
  return {
    'audit.list': async (input) => services.audit.list(input),
    'audit.verify': async () => services.audit.verify(),
  };
}
