import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Writes a directory tree as a plain ustar archive (files and directories only, sorted, mtime 0). */
export async function tarDirectory(root: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const walk = async (dir: string, prefix: string) => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        parts.push(header(`${rel}/`, 0, '5'));
        await walk(path.join(dir, entry.name), rel);
      } else if (entry.isFile()) {
        const body = await fs.readFile(path.join(dir, entry.name));
        parts.push(header(rel, body.length, '0'), body, Buffer.alloc((512 - (body.length % 512)) % 512));
      }
    }
  };
  await walk(root, '');
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function header(name: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  let short = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    short = name.slice(cut + 1);
    if (Buffer.byteLength(short) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`Path too long for ustar: ${name}`);
  }
  h.write(short, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}
