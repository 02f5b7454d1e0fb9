import { execFile } from 'node:child_process';
import { promises as fs, constants } from 'node:fs';
import path from 'node:path';
import type { ToolState } from '../../../shared/model';

/** The external tools Signet works with, and how each says its version. */
export const PEER_TOOLS: ReadonlyArray<{ name: string; args: string[]; pattern: RegExp }> = [
  { name: 'skopeo', args: ['--version'], pattern: /skopeo version\s+(\S+)/i },
  { name: 'gpg', args: ['--version'], pattern: /gpg \(GnuPG\)\s+(\S+)/i },
];

export async function findOnPath(name: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        await fs.access(candidate, constants.X_OK);
        if ((await fs.stat(candidate)).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export async function probeTool(tool: { name: string; args: string[]; pattern: RegExp }): Promise<ToolState> {
  const where = await findOnPath(tool.name);
  if (!where) return { name: tool.name, present: false, reason: `${tool.name} is not on PATH.` };
  return new Promise((resolve) => {
    execFile(where, tool.args, { timeout: 5000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) => {
      const version = tool.pattern.exec(String(stdout))?.[1];
      if (version) resolve({ name: tool.name, present: true, path: where, version });
      else
        resolve({
          name: tool.name,
          present: true,
          path: where,
          reason: error ? `${tool.name} ${tool.args.join(' ')} failed: ${error.message}` : 'Its version could not be read.',
        });
    });
  });
}
