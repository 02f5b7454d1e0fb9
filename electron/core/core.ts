import os from 'node:os';
import type { HostMode } from '../../shared/model';
import { APP_NAME, APP_VERSION } from '../../shared/version';
import { createDispatcher, type Dispatch, type Handlers } from './dispatch';
import { runDoctor, type DoctorDeps } from './doctor/doctor';
import { EventBus } from './events';
import { SettingsStore } from './settings/store';

export interface CoreOptions {
  dataDir: string;
  host: HostMode;
  readOnly?: boolean;
  log?: (line: string) => void;
  /** Replaces environment probes in tests that must not touch the machine. */
  doctor?: Partial<Pick<DoctorDeps, 'probeKeychain' | 'findPkcs11Modules' | 'probeTools'>>;
}

export interface Core {
  readonly dataDir: string;
  readonly readOnly: boolean;
  readonly events: EventBus;
  readonly dispatch: Dispatch;
}

/** Builds the core services once per process; every host (Electron, web, CLI) calls `dispatch`. */
export function createCore(options: CoreOptions): Core {
  const events = new EventBus();
  const settings = new SettingsStore(options.dataDir);
  const readOnly = options.readOnly ?? false;

  const handlers: Handlers = {
    'app.info': async () => ({
      name: APP_NAME,
      version: APP_VERSION,
      host: options.host,
      readOnly,
      platform: `${os.platform()} ${os.arch()}`,
    }),
    'doctor.run': async (_input, ctx) =>
      runDoctor({ dataDir: options.dataDir, settings, progress: ctx.progress, ...options.doctor }),
    'settings.get': async () => settings.read(),
  };

  const dispatch = createDispatcher(handlers, events, { readOnly, ...(options.log ? { log: options.log } : {}) });
  return { dataDir: options.dataDir, readOnly, events, dispatch };
}
