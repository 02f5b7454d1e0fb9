import { describeSystemError } from '../../../shared/system-errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import { writeFileAtomic } from '../storage/atomic';
import type { KeySecretStore } from './secrets';
import { createVaultKey, openVault, sealVault, wipeVaultKey, type VaultKey } from './vault-file';
import { publicMacKey, VaultPublicParts, type VaultPublicPart } from './vault-public';

/** How long an unlocked vault keeps its key in memory without use. */
export const VAULT_IDLE_MS = 15 * 60 * 1000;

export interface VaultStatus {
  exists: boolean;
  unlocked: boolean;
  file: string;
  /** When an unlocked vault locks itself, ISO time. */
  locksAt?: string;
  entries?: number;
}

/**
 * Private keys in `<dataDir>/vault.signet`, encrypted under a passphrase (see vault-file.ts). The
 * derived key stays in this process's memory while the vault is unlocked, and is zeroed when it
 * locks (on request, or after VAULT_IDLE_MS without use). Every change rewrites the whole file
 * atomically: a failed write leaves the previous file as it was.
 */
export class VaultSecretStore implements KeySecretStore {
  readonly name = 'vault' as const;
  readonly file: string;
  private key?: VaultKey;
  private entries?: Record<string, string>;
  private timer?: NodeJS.Timeout;
  private locksAt?: number;
  private queue: Promise<unknown> = Promise.resolve();

  /** The public halves of the vault's keys, readable while it is locked (vault-public.ts). */
  private readonly publics: VaultPublicParts;

  constructor(
    dataDir: string,
    private readonly idleMs = VAULT_IDLE_MS,
  ) {
    this.file = path.join(dataDir, 'vault.signet');
    this.publics = new VaultPublicParts(path.join(dataDir, 'vault.public.json'));
  }

  get unlocked(): boolean {
    return Boolean(this.key);
  }

  /** A key's public half as kept beside the vault: unverified here, the key list checks it against the key's fingerprint. */
  publicPart(id: string): Promise<VaultPublicPart | undefined> {
    return this.publics.get(id);
  }

  /** Records a key's public half (the vault is unlocked: a key was just put in it). */
  async putPublic(id: string, part: VaultPublicPart): Promise<void> {
    await this.serial(async () => {
      this.assertUnlocked();
      const mac = this.macKey();
      await this.publics.write(mac, { ...(await this.publics.trusted(mac)), [id]: part });
    });
  }

  /**
   * Rewrites the public halves from the private keys (`truth`, computed by the key list at unlock)
   * and says which stored halves differed from them, or whether the file's MAC failed: a part
   * swapped on disk while the vault was locked.
   */
  async resealPublic(truth: Record<string, VaultPublicPart>): Promise<{ altered: string[]; macFailed: boolean }> {
    return this.serial(async () => {
      this.assertUnlocked();
      const mac = this.macKey();
      const stored = await Promise.all(Object.keys(truth).map(async (id) => [id, await this.publics.get(id)] as const));
      const altered = stored.filter(([id, part]) => part && (part.pem !== truth[id]?.pem || part.pgp !== truth[id]?.pgp)).map(([id]) => id);
      const hadFile = stored.some(([, part]) => part);
      const macFailed = hadFile && !(await this.publics.intact(mac));
      await this.publics.write(mac, truth);
      return { altered, macFailed };
    });
  }

  private macKey(): Buffer {
    return publicMacKey((this.key as VaultKey).key);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const work = this.queue.then(run);
    this.queue = work.catch(() => undefined);
    return work;
  }

  async status(): Promise<VaultStatus> {
    const exists = await fs.stat(this.file).then(
      () => true,
      () => false,
    );
    return {
      exists,
      unlocked: Boolean(this.key),
      file: this.file,
      ...(this.key && this.locksAt ? { locksAt: new Date(this.locksAt).toISOString() } : {}),
      ...(this.entries ? { entries: Object.keys(this.entries).length } : {}),
    };
  }

  /** Opens the vault with its passphrase, or creates it (empty) when there is none yet. */
  async unlock(passphrase: Uint8Array): Promise<VaultStatus> {
    let bytes: Buffer | undefined;
    try {
      bytes = await fs.readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${describeSystemError(error)}.`);
    }
    this.lock();
    if (bytes) {
      const opened = openVault(bytes, passphrase);
      this.key = opened.vault;
      this.entries = opened.entries;
    } else {
      this.key = createVaultKey(passphrase);
      this.entries = {};
      await writeFileAtomic(this.file, sealVault(this.key, this.entries), 0o600);
    }
    this.touch();
    return this.status();
  }

  lock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.key) wipeVaultKey(this.key);
    this.key = undefined;
    this.entries = undefined;
    this.locksAt = undefined;
  }

  async put(id: string, secret: string): Promise<void> {
    await this.change((entries) => ({ ...entries, [id]: secret }));
  }

  async get(id: string): Promise<string | undefined> {
    this.assertUnlocked();
    this.touch();
    return this.entries?.[id];
  }

  async delete(id: string): Promise<void> {
    if (!this.key) return;
    await this.change((entries) => Object.fromEntries(Object.entries(entries).filter(([k]) => k !== id)));
    await this.serial(async () => {
      const mac = this.macKey();
      const { [id]: _gone, ...rest } = await this.publics.trusted(mac);
      await this.publics.write(mac, rest);
    });
  }

  private change(next: (entries: Record<string, string>) => Record<string, string>): Promise<void> {
    const work = this.queue.then(async () => {
      this.assertUnlocked();
      const updated = next(this.entries ?? {});
      await writeFileAtomic(this.file, sealVault(this.key as VaultKey, updated), 0o600);
      this.entries = updated;
      this.touch();
    });
    this.queue = work.catch(() => undefined);
    return work;
  }

  private assertUnlocked(): void {
    if (!this.key)
      throw new SignetError(
        'KEY_LOCKED',
        'The vault is locked: unlock it with its passphrase (Keys → Vault, or --vault-password-env VAR).',
        { reason: 'vault-locked' },
      );
  }

  private touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.locksAt = Date.now() + this.idleMs;
    this.timer = setTimeout(() => this.lock(), this.idleMs);
    this.timer.unref();
  }
}
