import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse-error');
}

describe('architecture boundaries are enforced by lint', () => {
  const breaks: Array<[string, string, string]> = [
    ['electron/core/probe.ts', "import 'electron';\n", 'no-restricted-imports'],
    ['electron/core/probe.ts', "import type { App } from 'electron';\nexport type A = App;\n", 'no-restricted-imports'],
    ['electron/core/probe.ts', "import { bindContract } from '../main/ipc';\nexport const b = bindContract;\n", 'no-restricted-imports'],
    [
      'renderer/src/probe.ts',
      "import { createCore } from '../../electron/core/core';\nexport const c = createCore;\n",
      'no-restricted-imports',
    ],
    ['renderer/src/probe.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n", 'no-restricted-imports'],
    [
      'shared/probe.ts',
      "import { defaultDataDir } from '../electron/core/paths';\nexport const d = defaultDataDir;\n",
      'no-restricted-imports',
    ],
    ['shared/probe.ts', "import { create } from 'zustand';\nexport const c = create;\n", 'no-restricted-imports'],
    ['shared/contract/probe.ts', "import { x } from '../../electron/core/core';\nexport const y = x;\n", 'no-restricted-imports'],
    ['tests/probe.ts', "import { app } from 'electron';\nexport const a = app;\n", '@typescript-eslint/no-restricted-imports'],
    ['electron/hosts/cli/probe.ts', "import { app } from 'electron';\nexport const a = app;\n", '@typescript-eslint/no-restricted-imports'],
    // The arrows of build/layers.mjs: each of these passed lint before the table existed.
    ['electron/core/kms/probe.ts', "import { FORMATS } from '../signatures/formats';\nexport const f = FORMATS;\n", 'signet/layers'],
    ['electron/core/registry/probe.ts', "import { FORMATS } from '../signatures/formats';\nexport const f = FORMATS;\n", 'signet/layers'],
    ['electron/preload/probe.ts', "import { createCore } from '../core/core';\nexport const c = createCore;\n", 'signet/layers'],
    ['electron/hosts/web/probe.ts', "import { createWindow } from '../../main/window';\nexport const w = createWindow;\n", 'signet/layers'],
    [
      'electron/core/storage/probe.ts',
      "import { collectTrust } from '../signatures/trusted';\nexport const c = collectTrust;\n",
      'signet/layers',
    ],
    ['electron/core/kms/probe.ts', 'export const m = import(`../signatures/handlers`);\n', 'signet/layers'],
    ['electron/core/kms/probe.ts', "export type T = typeof import('../signatures/handlers');\n", 'signet/layers'],
    ['electron/core/kms/probe.ts', "const name = '../signatures/handlers';\nexport const m = import(name);\n", 'signet/layers'],
    ['electron/relay/probe.ts', "export * from '../core/signatures/handlers';\n", 'signet/layers'],
  ];
  it.each(breaks)('%s: %s is refused', async (file, code, rule) => {
    expect(await ruleIds(file, code)).toContain(rule);
  });

  const allowed: Array<[string, string]> = [
    ['electron/main/probe.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['electron/core/probe.ts', "import { contract } from '../../shared/api';\nexport const c = contract;\n"],
    ['renderer/src/probe.ts', "import { contract } from '../../shared/api';\nexport const c = contract;\n"],
    ['shared/probe.ts', "import { z } from 'zod';\nimport { contract } from './api';\nexport const c = [z, contract];\n"],
    ['shared/contract/probe.ts', "import { AppInfo } from '../model';\nexport const a = AppInfo;\n"],
    ['tests/probe.ts', "import type { App } from 'electron';\nexport type A = App;\n"],
    ['electron/core/signatures/probe.ts', "import { RegistryClient } from '../registry/client';\nexport const r = RegistryClient;\n"],
    ['electron/hosts/web/probe.ts', "import type { Core } from '../../core/core';\nexport type C = Core;\n"],
  ];
  it.each(allowed)('%s: %s is allowed', async (file, code) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });

  it('the eslint command itself exits non-zero on `import "electron"` in electron/core', async () => {
    const run = promisify(execFile);
    const child = run('npx', ['eslint', '--max-warnings=0', '--stdin', '--stdin-filename', 'electron/core/probe.ts'], { cwd: root });
    child.child.stdin?.end("import 'electron';\n");
    await expect(child).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('electron/core never imports electron') });
  });
});
