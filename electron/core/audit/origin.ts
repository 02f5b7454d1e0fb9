import os from 'node:os';
import type { HostMode } from '../../../shared/model';
import type { AuditHost, AuditOrigin } from '../../../shared/models/audit';

const HOST_OF_MODE: Record<HostMode, AuditHost> = { electron: 'desktop', web: 'browser', cli: 'cli' };

/** The operating-system user this process runs as (not a name anyone typed in). */
function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid is still a fact about who ran it.
    return env.USER ?? env.USERNAME ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Who is making changes through this process: its host and the OS user. */
export function auditOrigin(mode: HostMode, host?: AuditHost, env: NodeJS.ProcessEnv = process.env): AuditOrigin {
  return { host: host ?? HOST_OF_MODE[mode], user: osUser(env).slice(0, 256) };
}
