import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import { openRegularFile } from '../storage/bounded-read';

const BLOCK = 512;
const MAX_ENTRIES = 200_000;
/** A GNU long name or pax header is a few hundred bytes; a larger one is refused, not loaded. */
const MAX_META_BYTES = 1024 * 1024;
/** The largest archive Signet extracts (an OCI layout of several images). */
export const MAX_ARCHIVE_BYTES = 8 * 1024 * 1024 * 1024;
const COPY_CHUNK = 1024 * 1024;

/** Where the archive's bytes come from: an in-memory buffer or an open file, read by position. */
interface TarSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

/** Where the entries go: the disk by default; the fuzzing harness passes one that keeps nothing. */
export interface TarSink {
  mkdir(dir: string): Promise<void>;
  /** Writes `size` bytes delivered by `chunks` to a new file (never overwriting one). */
  writeFile(file: string, size: number, chunks: AsyncIterable<Buffer>): Promise<void>;
}

const diskSink: TarSink = {
  async mkdir(dir) {
    await fs.mkdir(dir, { recursive: true });
  },
  async writeFile(file, _size, chunks) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(file, 'wx');
    try {
      for await (const chunk of chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
  },
};

/**
 * Extracts a tar archive (ustar, pax and GNU long names) into `dest`, refusing anything that
 * could escape it or surprise a reader: absolute paths, `..`, links, devices, duplicate names.
 * Only regular files and directories are written. This reader is deliberately Signet's own and
 * strict (archives come from removable media and are untrusted; tar-stream accepts links, devices
 * and lenient headers), and it streams: the archive is read by position, 1 MiB at a time.
 * Archives are written with tar-stream (tar-write.ts).
 */
export async function extractTar(archive: Buffer, dest: string, sink: TarSink = diskSink): Promise<number> {
  const source: TarSource = { size: archive.length, read: async (offset, length) => archive.subarray(offset, offset + length) };
  return extract(source, dest, sink);
}

/**
 * Extracts a .tar file from outside: it must be a regular file (no device, FIFO or socket) of at
 * most `maxBytes`, and it is read piece by piece, never whole into memory.
 */
export async function extractTarFile(file: string, dest: string, maxBytes = MAX_ARCHIVE_BYTES): Promise<number> {
  const opened = await openRegularFile(file, { maxBytes, what: 'The archive' });
  if (!opened) throw new SignetError('NOT_FOUND', `There is nothing at ${file}.`);
  const { handle, stat } = opened;
  try {
    // The size is fixed at open: bytes appended later are not read, so the cap holds.
    const size = stat.size;
    const source: TarSource = {
      size,
      async read(offset, length) {
        const want = Math.max(0, Math.min(length, size - offset));
        const buffer = Buffer.alloc(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(buffer, got, want - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return buffer.subarray(0, got);
      },
    };
    return await extract(source, dest, diskSink);
  } finally {
    await handle.close();
  }
}

async function extract(archive: TarSource, dest: string, sink: TarSink): Promise<number> {
  const root = path.resolve(dest);
  const seen = new Set<string>();
  let offset = 0;
  let files = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + BLOCK <= archive.size) {
    const header = await archive.read(offset, BLOCK);
    if (header.length < BLOCK) throw new SignetError('MALFORMED', 'The archive is cut short.');
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new SignetError('MALFORMED', `The archive has a damaged header at byte ${offset}.`);
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 0x30);
    const bodyOffset = offset + BLOCK;
    if (bodyOffset + size > archive.size) throw new SignetError('MALFORMED', 'The archive is cut short.');
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x') {
      if (size > MAX_META_BYTES)
        throw new SignetError(
          'MALFORMED',
          `The archive has a ${type === 'L' ? 'long-name' : 'pax'} header of ${size} bytes; Signet accepts at most 1 MiB.`,
        );
      const body = await archive.read(bodyOffset, size);
      if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
      else paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
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
      await sink.mkdir(target);
      continue;
    }
    if (type !== '0' && type !== '\0' && type !== '7')
      throw new SignetError(
        'MALFORMED',
        `The archive holds ${describeType(type)} "${name.slice(0, 120)}"; Signet extracts only files and directories.`,
      );
    if (seen.has(target)) throw new SignetError('MALFORMED', `The archive holds "${name.slice(0, 120)}" twice.`);
    seen.add(target);
    await sink.writeFile(target, size, chunksOf(archive, bodyOffset, size));
  }
  return files;
}

async function* chunksOf(archive: TarSource, start: number, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < size; at += COPY_CHUNK) {
    const chunk = await archive.read(start + at, Math.min(COPY_CHUNK, size - at));
    if (chunk.length === 0) throw new SignetError('MALFORMED', 'The archive is cut short.');
    yield chunk;
  }
}

function safeTarget(root: string, name: string): string {
  const clean = name.replace(/^(\.\/+)+/, '').replace(/\/+$/, '');
  if (!clean || clean.includes('\0') || path.isAbsolute(clean) || clean.split(/[\\/]/).includes('..')) {
    throw new SignetError('MALFORMED', `The archive holds a path that escapes its folder: "${name.slice(0, 120)}".`);
  }
  const target = path.resolve(root, clean);
  if (target !== root && !target.startsWith(root + path.sep))
    throw new SignetError('MALFORMED', `The archive holds a path that escapes its folder: "${name.slice(0, 120)}".`);
  return target;
}

function describeType(type: string): string {
  return (
    (
      { '1': 'a hard link', '2': 'a symbolic link', '3': 'a character device', '4': 'a block device', '6': 'a FIFO' } as Record<
        string,
        string
      >
    )[type] ?? `an entry of type ${JSON.stringify(type)}`
  );
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
