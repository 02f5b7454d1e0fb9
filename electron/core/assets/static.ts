import { promises as fs } from 'node:fs';
import path from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Resolves a URL path inside the renderer directory. Anything that would leave the directory
 * (`..`, encoded slashes, NUL) is refused; unknown paths fall back to index.html for the app's routes.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, relative);
  if (file !== resolvedRoot && !file.startsWith(resolvedRoot + path.sep)) return undefined;
  const found = await tryRead(file);
  if (found) return found;
  if (path.extname(relative) === '') return tryRead(path.join(resolvedRoot, 'index.html'));
  return undefined;
}

async function tryRead(file: string): Promise<StaticFile | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return undefined;
    return { body: await fs.readFile(file), contentType: MIME[path.extname(file)] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}

/** The built renderer: `out/renderer` under the package root, found from this file's location. */
export async function findRendererDir(from: string): Promise<string | undefined> {
  let dir = path.dirname(from);
  for (let i = 0; i < 6; i += 1) {
    const candidate = path.join(dir, 'out', 'renderer', 'index.html');
    try {
      await fs.access(candidate);
      return path.dirname(candidate);
    } catch {
      // keep climbing
    }
    const sibling = path.join(dir, 'renderer', 'index.html');
    if (path.basename(dir) === 'out') {
      try {
        await fs.access(sibling);
        return path.dirname(sibling);
      } catch {
        // keep climbing
      }
    }
    dir = path.dirname(dir);
  }
  return undefined;
}
