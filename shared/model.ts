import { z } from 'zod';

/** Domain types that cross the contract. Only ids, public data and states: never secrets. */

export const HostMode = z.enum(['electron', 'web', 'cli']);
export type HostMode = z.infer<typeof HostMode>;

export const AppInfo = z
  .object({
    name: z.string(),
    version: z.string(),
    host: HostMode,
    readOnly: z.boolean(),
    platform: z.string(),
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfo>;

export const DataDirState = z
  .object({
    path: z.string(),
    exists: z.boolean(),
    writable: z.boolean(),
    reason: z.string().optional(),
  })
  .strict();

export const KeychainState = z
  .object({
    backend: z.string(),
    reachable: z.boolean(),
    reason: z.string().optional(),
  })
  .strict();
export type KeychainState = z.infer<typeof KeychainState>;

export const Pkcs11Module = z
  .object({
    path: z.string(),
    name: z.string(),
    source: z.enum(['known-path', 'p11-kit']),
  })
  .strict();
export type Pkcs11Module = z.infer<typeof Pkcs11Module>;

export const ToolState = z
  .object({
    name: z.string(),
    present: z.boolean(),
    path: z.string().optional(),
    version: z.string().optional(),
    reason: z.string().optional(),
  })
  .strict();
export type ToolState = z.infer<typeof ToolState>;

export const DoctorReport = z
  .object({
    appVersion: z.string(),
    platform: z.string(),
    nodeVersion: z.string(),
    dataDir: DataDirState,
    keychain: KeychainState,
    pkcs11Modules: z.array(Pkcs11Module),
    tools: z.array(ToolState),
    offlineMode: z.boolean(),
    checkedAt: z.string(),
  })
  .strict();
export type DoctorReport = z.infer<typeof DoctorReport>;

export const Settings = z
  .object({
    offlineMode: z.boolean(),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

export const JobProgress = z
  .object({
    jobId: z.string(),
    call: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    message: z.string(),
  })
  .strict();
export type JobProgress = z.infer<typeof JobProgress>;
