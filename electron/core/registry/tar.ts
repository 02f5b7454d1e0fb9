import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';

const BLOCK = 512;
const MAX_ENTRIES = 200_000;

/**
 * Extracts a tar archive (ustar, pax and GNU long names) into `dest`, refusing anything that
 * could escape it or surprise a reader: absolute paths, `..`, links, devices, duplicate names.
 * Only regular files and directories are written.
 */
export async function extractTar(archive: Buffer, dest: string): Promise<number> {
  const root = path.resolve(dest);
  const seen = new Set<string>();
  let offset = 0;
  let files = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new SignetError('MALFORMED', `The archive has a damaged header at byte ${offset}.`);
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 0x30);
    const body = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    if (body.length < size) throw new SignetError('MALFORMED', 'The archive is cut short.');
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      continue;
    }
    if (type === 'g') continue;
    const prefix = cString(header.subarray(345, 500));
    const name = paxPath ?? longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = undefined;
    paxPath = undefined;
    if (++files > MAX_ENTRIES) throw new SignetError('TOO_LARGE', 'The archive has more than 200,000 entries.');
    if (type === '5' && /^(\.\/?)*$/.test(name)) continue;
    const target = safeTarget(root, name);
    if (type === '5') {
      await fs.mkdir(target, { recursive: true });
      continue;
    }
    if (type !== '0' && type !== '\0' && type !== '7') throw new SignetError('MALFORMED', `The archive holds ${describeType(type)} "${name.slice(0, 120)}"; Signet extracts only files and directories.`);
    if (seen.has(target)) throw new SignetError('MALFORMED', `The archive holds "${name.slice(0, 120)}" twice.`);
    seen.add(target);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, body, { flag: 'wx' });
  }
  return files;
}

function safeTarget(root: string, name: string): string {
  const clean = name.replace(/^(\.\/+)+/, '').replace(/\/+$/, '');
  if (!clean || clean.includes('\0') || path.isAbsolute(clean) || clean.split(/[\\/]/).includes('..')) {
    throw new SignetError('MALFORMED', `The archive holds a path that escapes its folder: "${name.slice(0, 120)}".`);
  }
  const target = path.resolve(root, clean);
  if (target !== root && !target.startsWith(root + path.sep)) throw new SignetError('MALFORMED', `The archive holds a path that escapes its folder: "${name.slice(0, 120)}".`);
  return target;
}

function describeType(type: string): string {
  return ({ '1': 'a hard link', '2': 'a symbolic link', '3': 'a character device', '4': 'a block device', '6': 'a FIFO' } as Record<string, string>)[type] ?? `an entry of type ${JSON.stringify(type)}`;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseOctal(bytes: Buffer): number {
  const text = cString(bytes).trim();
  if (!/^[0-7]*$/.test(text)) throw new SignetError('MALFORMED', 'The archive has a damaged size field.');
  return text ? parseInt(text, 8) : 0;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
  return sum === parseOctal(header.subarray(148, 156));
}
