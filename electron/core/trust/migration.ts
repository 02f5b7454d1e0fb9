import { describeSystemError } from '../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TrustMigrationNote } from '../../../shared/contract/trust';
import { SignetError } from '../../../shared/errors';
import type { AuditLog } from '../audit/log';
import type { KeyRing } from '../keys/key-ring';
import { readJsonFile, writeFileAtomic } from '../storage/atomic';
import { entryForKey, expiryWindow, freeEntryName, trustMaterial } from './own-keys';
import { TrustStore } from './store';

export const MIGRATION_MESSAGE =
  'These keys were trusted implicitly by earlier versions; they are now explicit trust entries. Remove any you do not want to trust.';

const KeyRef = z.object({ keyId: z.string(), keyName: z.string(), reason: z.string() }).strict();
const Marker = z
  .object({
    version: z.literal(1),
    /** When the migration first ran in this data directory. */
    at: z.string(),
    /** The keys it made explicit trust entries for: the "migrated" list. */
    migrated: z.array(z.object({ keyId: z.string(), keyName: z.string(), entryId: z.string(), entryName: z.string() }).strict()),
    /** Keys in a locked vault: their public key could not be read yet; retried. */
    pending: z.array(KeyRef),
    /** Keys that got no entry, and why. */
    skipped: z.array(KeyRef),
    /** The note was dismissed (or there was nothing to say). */
    acknowledged: z.boolean(),
    acknowledgedAt: z.string().optional(),
  })
  .strict();
type Marker = z.infer<typeof Marker>;

export interface MigrationOptions {
  now?: () => Date;
  /** How long to wait for another process that holds the lock (default 15 s). */
  lockWaitMs?: number;
  /** A lock file older than this is left over from a crash and removed (default 60 s). */
  staleMs?: number;
}

/**
 * The one-time move from implicit to explicit trust. Earlier versions trusted every key in
 * Signet's key list for verification; this version trusts only the trust store. On the first
 * start in a data directory it adds an explicit trust entry for every Signet key that has a public
 * key and is not in the trust store yet, records them in `trust-migration.json` (the marker), writes
 * an audit entry, and keeps a note (Trust view, `signet trust list`) until it is dismissed.
 *
 * A directory without keys (a fresh one) is left alone; the marker is written before the first key
 * is made in it (keys handlers), so keys made by this version are never migrated.
 *
 * Idempotent: with the marker present nothing happens, except retrying keys whose public key could
 * not be read yet (a locked vault). Two processes starting at once: the work runs under a lock file
 * (`trust-migration.lock`, created exclusively, removed when older than `staleMs`) and the marker is
 * re-read under it.
 */
export class TrustMigration {
  private readonly marker: string;
  private readonly lock: string;
  private readonly now: () => Date;

  constructor(
    private readonly dataDir: string,
    private readonly keys: KeyRing,
    private readonly audit: AuditLog,
    private readonly options: MigrationOptions = {},
  ) {
    this.marker = path.join(dataDir, 'trust-migration.json');
    this.lock = path.join(dataDir, 'trust-migration.lock');
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Runs the migration if it has not run (or has keys pending). Returns the marker; `fresh` when the
   * directory has no keys yet (nothing is written); `busy` when another process held the lock too
   * long. `recordFresh`: write the marker even with no keys — done before Signet makes its first
   * key, so that a later start never takes a key made by this version for an implicitly trusted one.
   */
  async run(options: { recordFresh?: boolean } = {}): Promise<Marker | 'fresh' | 'busy'> {
    const before = await this.read();
    if (before && before.pending.length === 0) return before;
    if (!before && !options.recordFresh && (await this.keys.list()).length === 0) return 'fresh';
    const result = await this.locked(async () => {
      const marker = await this.read();
      if (marker && marker.pending.length === 0) return marker;
      return this.migrate(marker);
    });
    return result ?? 'busy';
  }

  /** The note to show, while it has something to say and is not dismissed. */
  async note(): Promise<TrustMigrationNote | undefined> {
    const marker = await this.read();
    if (!marker || marker.acknowledged) return undefined;
    if (!marker.migrated.length && !marker.pending.length && !marker.skipped.length) return undefined;
    return { at: marker.at, message: MIGRATION_MESSAGE, entries: marker.migrated, pending: marker.pending, skipped: marker.skipped };
  }

  /** Dismisses the note; false when there was no note to dismiss. */
  async acknowledge(): Promise<boolean> {
    const result = await this.locked(async () => {
      const marker = await this.read();
      if (!marker || marker.acknowledged) return false;
      await this.write({ ...marker, acknowledged: true, acknowledgedAt: this.now().toISOString() });
      return true;
    });
    if (result === undefined) throw new SignetError('CONFLICT', 'Another Signet process is updating the trust migration note; try again.');
    if (result) await this.audit.append('trust.changed', 'Dismissed the note on keys that earlier versions trusted implicitly', {});
    return result;
  }

  private async migrate(previous: Marker | undefined): Promise<Marker> {
    const store = new TrustStore(this.dataDir);
    const all = await this.keys.list();
    const todo = previous ? all.filter((k) => previous.pending.some((p) => p.keyId === k.id)) : all;
    const entries = await store.entries();
    const migrated: Marker['migrated'] = [];
    const pending: Marker['pending'] = [];
    const skipped: Marker['skipped'] = [];
    for (const info of todo) {
      if (entryForKey(entries, info)) continue; // trusted explicitly already: nothing changes
      let data: string;
      try {
        data = await trustMaterial(this.keys, info);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (error instanceof SignetError && error.code === 'KEY_LOCKED') pending.push({ keyId: info.id, keyName: info.name, reason });
        else skipped.push({ keyId: info.id, keyName: info.name, reason });
        continue;
      }
      const entry = await store.add({ name: freeEntryName(entries, info.name), data, ...expiryWindow(info) }, this.now());
      entries.push(entry);
      migrated.push({ keyId: info.id, keyName: info.name, entryId: entry.id, entryName: entry.name });
    }
    const changed = migrated.length > 0 || skipped.length > 0 || (!previous && pending.length > 0);
    const next: Marker = {
      version: 1,
      at: previous?.at ?? this.now().toISOString(),
      migrated: [...(previous?.migrated ?? []), ...migrated],
      pending,
      skipped: [...(previous?.skipped ?? []), ...skipped],
      // Nothing to say (a fresh or already explicit directory): no note. New entries: a note again.
      acknowledged: previous ? previous.acknowledged && !changed : !changed,
      ...(previous?.acknowledgedAt && !changed ? { acknowledgedAt: previous.acknowledgedAt } : {}),
    };
    if (migrated.length) {
      await this.audit.append(
        'trust.changed',
        `Made ${migrated.length} Signet key(s) that earlier versions trusted implicitly explicit trust entries: ${migrated.map((m) => `"${m.entryName}"`).join(', ')}`,
        {
          entries: migrated.map((m) => m.entryId).join(','),
          keys: migrated.map((m) => m.keyId).join(','),
          pending: pending.length,
          skipped: skipped.length,
          via: 'migration',
        },
      );
    }
    await this.write(next);
    return next;
  }

  private async read(): Promise<Marker | undefined> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.marker);
    } catch (error) {
      throw new SignetError('IO_ERROR', `Cannot read ${this.marker}: ${describeSystemError(error)}`);
    }
    if (raw === undefined) return undefined;
    const parsed = Marker.safeParse(raw);
    if (!parsed.success) throw new SignetError('IO_ERROR', `${this.marker} is not a valid trust migration record; fix or move it aside.`);
    return parsed.data;
  }

  private write(marker: Marker): Promise<void> {
    return writeFileAtomic(this.marker, `${JSON.stringify(marker, null, 2)}\n`);
  }

  /** Runs `work` holding the lock file; undefined when another process holds it past `lockWaitMs`. */
  private async locked<T>(work: () => Promise<T>): Promise<T | undefined> {
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const deadline = Date.now() + (this.options.lockWaitMs ?? 15_000);
    const staleMs = this.options.staleMs ?? 60_000;
    for (;;) {
      try {
        const handle = await fs.open(this.lock, 'wx', 0o600);
        try {
          await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
        } finally {
          await handle.close();
        }
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stat = await fs.stat(this.lock).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs > staleMs) {
          await fs.rm(this.lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 40 + Math.floor(Math.random() * 40)));
      }
    }
    try {
      return await work();
    } finally {
      await fs.rm(this.lock, { force: true });
    }
  }
}
