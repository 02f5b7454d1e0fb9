import { z } from 'zod';
import { AppInfo, DoctorReport, Settings } from '../model';
import { call, JobId, NoInput } from './define';

/** Calls about the app itself: identity, environment check, settings. */
export const appCalls = {
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
  'settings.set': call({
    summary: 'Change settings (for example offline mode); returns the settings now in force',
    effect: 'local-write',
    request: Settings.partial().strict(),
    response: Settings,
  }),
} as const;
