import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { SignetError } from '../../../shared/errors';

/** Entries get this time, so the same tree always gives the same archive bytes. */
const EPOCH = new Date(0);

/**
 * Writes a directory tree as a tar archive (files and directories only, sorted, mtime 0) to
 * `target`, streaming: memory stays flat whatever the size (a 3 GiB layout passes through 64 KiB
 * at a time). The archive is written beside the target, flushed, and linked into place only when
 * complete, so a failure leaves nothing half-written and an existing file is never overwritten.
 */
export async function writeTarFile(root: string, target: string): Promise<void> {
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}-${Date.now()}`);
  const archive = pack();
  const written = pipeline(archive, createWriteStream(partial, { flags: 'wx', mode: 0o644 }));
  try {
    await addTree(archive, root, '');
    archive.finalize();
    await written;
    const handle = await fs.open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.link(partial, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new SignetError('CONFLICT', `${target} exists already; Signet does not overwrite it.`);
      throw error;
    });
  } catch (error) {
    archive.destroy();
    await written.catch(() => undefined);
    throw error;
  } finally {
    await fs.rm(partial, { force: true });
  }
}

async function addTree(archive: Pack, dir: string, prefix: string): Promise<void> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await new Promise<void>((resolve, reject) =>
        archive.entry({ name: `${rel}/`, type: 'directory', mode: 0o755, mtime: EPOCH }, (error) => (error ? reject(error) : resolve())),
      );
      await addTree(archive, full, rel);
    } else if (entry.isFile()) {
      const { size } = await fs.stat(full);
      await pipeline(createReadStream(full), archive.entry({ name: rel, type: 'file', size, mode: 0o644, mtime: EPOCH }));
    }
  }
}
