import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../storage/atomic';

/** A vault key's public half: an SPKI PEM (software keys) or an armored OpenPGP public key. */
export const VaultPublicPart = z.object({ pem: z.string().max(20_000).optional(), pgp: z.string().max(200_000).optional() }).strict();
export type VaultPublicPart = z.infer<typeof VaultPublicPart>;

const File = z
  .object({ version: z.literal(1), entries: z.record(z.string(), VaultPublicPart), mac: z.string().regex(/^[0-9a-f]{64}$/) })
  .strict();

const MAC_LABEL = 'signet vault public parts v1';

/** The MAC key for the public parts, derived from the vault's own key: only the passphrase makes it. */
export function publicMacKey(vaultKey: Buffer): Buffer {
  return createHmac('sha256', vaultKey).update(MAC_LABEL).digest();
}

function macOf(key: Buffer, entries: Readonly<Record<string, VaultPublicPart>>): Buffer {
  const canonical = JSON.stringify(
    Object.keys(entries)
      .sort()
      .map((id) => [id, entries[id]?.pem ?? null, entries[id]?.pgp ?? null]),
  );
  return createHmac('sha256', key).update(canonical).digest();
}

/**
 * `<dataDir>/vault.public.json`: the public halves of the vault's keys, readable while the vault is
 * locked (showing or exporting a public key needs no passphrase), under an HMAC whose key only the
 * unlocked vault can derive. Read while locked, a part is checked against the fingerprint the key
 * list records (keys/key-ring.ts); at every unlock the MAC is checked and the file rewritten from the
 * private keys themselves, so a part swapped on disk is found and replaced, never signed over.
 */
export class VaultPublicParts {
  constructor(readonly file: string) {}

  /** The stored part of one key, unverified (the caller checks it against the key's fingerprint). */
  async get(id: string): Promise<VaultPublicPart | undefined> {
    const read = await this.read();
    return read?.entries[id];
  }

  /** Whether the file holds exactly what the MAC key vouches for. */
  async intact(macKey: Buffer): Promise<boolean> {
    const read = await this.read();
    if (!read) return false;
    const mac = Buffer.from(read.mac, 'hex');
    return timingSafeEqual(mac, macOf(macKey, read.entries));
  }

  /** The entries the MAC vouches for (none when it does not). */
  async trusted(macKey: Buffer): Promise<Record<string, VaultPublicPart>> {
    return (await this.intact(macKey)) ? ((await this.read())?.entries ?? {}) : {};
  }

  async write(macKey: Buffer, entries: Record<string, VaultPublicPart>): Promise<void> {
    const doc = { version: 1 as const, entries, mac: macOf(macKey, entries).toString('hex') };
    await writeFileAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`, 0o600);
  }

  private async read(): Promise<z.infer<typeof File> | undefined> {
    const raw = await readJsonFile(this.file).catch(() => undefined);
    const parsed = File.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }
}
