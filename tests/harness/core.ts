import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../electron/core/core';
import { MemorySecretStore } from '../../electron/core/keys/secrets';

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface CoreHandle {
  core: Core;
  dataDir: string;
  /** Any call, its outcome as the contract returns it. */
  call<T>(name: string, input: unknown, on?: Core): Promise<Outcome<T>>;
  /** A call that must succeed: its value (a failure throws with its code and sentence). */
  ok<T>(name: string, input: unknown): Promise<T>;
  /** Another core on the same data directory (a reviewer host with `readOnly`, say). */
  another(options?: Partial<CoreOptions>): Core;
}

/**
 * A core on a fresh data directory with keys in memory and no registries.d, called through the
 * contract as every host calls it. `registriesD` is pointed at a folder that does not exist, so
 * nothing on the machine is read; `restore()` undoes that.
 */
export function startCore(options: Partial<CoreOptions> = {}): CoreHandle & { restore(): void } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-core-'));
  const previous = process.env.SIGNET_REGISTRIES_D;
  process.env.SIGNET_REGISTRIES_D = path.join(dataDir, 'none.d');
  const make = (extra: Partial<CoreOptions> = {}) => createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore(), ...options, ...extra });
  const core = make();
  const call = async <T,>(name: string, input: unknown, on: Core = core) => (await on.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  return {
    core,
    dataDir,
    call,
    ok: async <T,>(name: string, input: unknown) => {
      const r = await call<T>(name, input);
      if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
      return r.value;
    },
    another: (extra) => make(extra),
    restore: () => {
      if (previous === undefined) delete process.env.SIGNET_REGISTRIES_D;
      else process.env.SIGNET_REGISTRIES_D = previous;
    },
  };
}
