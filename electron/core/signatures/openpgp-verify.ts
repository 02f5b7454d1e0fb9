import * as openpgp from 'openpgp';
import type { ReasonCode } from '../../../shared/models/verdict';

/** A key an OpenPGP signature may be checked against: armored text or binary transferable key. */
export interface PgpCandidate {
  name: string;
  key: string | Uint8Array;
}

export type PgpVerification =
  | {
      ok: true;
      data: Uint8Array;
      signer: string;
      index: number;
      keyId: string;
      fingerprint: string;
      signingSubkey?: string;
      created?: Date;
    }
  | { ok: false; code: ReasonCode; reason: string; signer?: string; index?: number; keyId?: string; fingerprint?: string; created?: Date };

const REVOCATION_REASONS: Record<number, string> = {
  0: 'no reason given',
  1: 'key superseded',
  2: 'key compromised',
  3: 'key retired',
  32: 'user id no longer valid',
};

/** Packet tags a binary signed message may start with (old and new formats): compressed, one-pass signature, signature. */
function looksLikeSignedMessage(first: number): boolean {
  return (
    (first >= 0xa0 && first <= 0xa3) ||
    first === 0xc8 ||
    (first >= 0x90 && first <= 0x92) ||
    first === 0xc4 ||
    (first >= 0x88 && first <= 0x8b) ||
    first === 0xc2
  );
}

/** Armored trusted keys already read: the tag list checks every tag's signatures with the same few keys. Emptied at 256. */
const readKeys = new Map<string, Promise<openpgp.Key | undefined>>();

function readCandidate(entry: PgpCandidate): Promise<openpgp.Key | undefined> {
  if (typeof entry.key !== 'string') return readCandidateNow(entry);
  let key = readKeys.get(entry.key);
  if (!key) {
    key = readCandidateNow(entry);
    if (readKeys.size >= 256) readKeys.clear();
    readKeys.set(entry.key, key);
  }
  return key;
}

async function readCandidateNow(entry: PgpCandidate): Promise<openpgp.Key | undefined> {
  try {
    if (typeof entry.key === 'string') return await openpgp.readKey({ armoredKey: entry.key });
    const head = Buffer.from(entry.key.subarray(0, 10)).toString('latin1');
    if (head === '-----BEGIN') return await openpgp.readKey({ armoredKey: Buffer.from(entry.key).toString('utf8') });
    return await openpgp.readKey({ binaryKey: entry.key });
  } catch {
    return undefined;
  }
}

/** A signed message may not expand past this when decompressed: a few KiB of compressed data can otherwise claim gigabytes. */
const MAX_DECOMPRESSED = 4 * 1024 * 1024;
const CONFIG = { maxDecompressedMessageSize: MAX_DECOMPRESSED };

type SigFields = {
  issuerKeyID: openpgp.KeyID;
  signatureType: number | null;
  hashAlgorithm: number | null;
  publicKeyAlgorithm: number | null;
};

/**
 * Counts the message's signatures and names the key its one-pass (or leading signature) packet
 * claims. The one-pass packet is not covered by the signature, so this only chooses which trusted
 * key to try; the key that is judged is the one the verified signature packet names, and the two
 * must agree (see verifyPgpMessage).
 */
async function claimedSignature(message: openpgp.Message<Uint8Array>): Promise<{ issuer?: openpgp.KeyID; count: number }> {
  const unwrapped = await message.unwrapCompressed();
  const onePass = unwrapped.packets.filterByTag(openpgp.enums.packet.onePassSignature) as unknown as SigFields[];
  const full = unwrapped.packets.filterByTag(openpgp.enums.packet.signature) as unknown as SigFields[];
  // A one-pass signature packet is followed by its signature packet (parsed with the data): one signature is one of either.
  const count = Math.max(onePass.length, full.length);
  const first = onePass[0] ?? full[0];
  return { ...(first ? { issuer: first.issuerKeyID } : {}), count };
}

type Staleness = { code: ReasonCode; reason: string } | undefined;

/**
 * invalidNow's answers by key (a parsed trusted key, kept while readKeys holds it), signing key id and moment: the tag list judges every
 * tag's signature at the same `now` with the same few keys, and the answer depends on nothing else. At most 64 answers per key.
 */
const staleness = new WeakMap<openpgp.Key, Map<string, Promise<Staleness>>>();

function invalidNowCached(key: openpgp.Key, keyId: openpgp.KeyID, now: Date): Promise<Staleness> {
  let answers = staleness.get(key);
  if (!answers) staleness.set(key, (answers = new Map()));
  const id = `${keyId.toHex()}@${now.getTime()}`;
  let answer = answers.get(id);
  if (!answer) {
    answer = invalidNow(key, keyId, now);
    if (answers.size >= 64) answers.clear();
    answers.set(id, answer);
  }
  return answer;
}

/** Why a key that made a good signature cannot vouch for it now: revoked, expired (primary or subkey), or otherwise invalid. */
async function invalidNow(key: openpgp.Key, keyId: openpgp.KeyID, now: Date): Promise<Staleness> {
  try {
    await key.getSigningKey(keyId, now);
    return undefined;
  } catch {
    // classified below
  }
  const fpr = key.getFingerprint().toUpperCase();
  const revocation = async (revocations: openpgp.SignaturePacket[]) => {
    const r = revocations.find((s) => s.created && s.created <= now);
    return r ? (REVOCATION_REASONS[r.reasonForRevocationFlag ?? 0] ?? `reason ${r.reasonForRevocationFlag}`) : undefined;
  };
  if (await key.isRevoked(undefined, undefined, now).catch(() => false)) {
    const why = await revocation(key.revocationSignatures);
    return {
      code: 'KEY_REVOKED',
      reason: `The key ${fpr} was revoked (${why ?? 'revocation certificate present'}); its signatures are refused whatever date they claim.`,
    };
  }
  const subkey = key.subkeys.find((s) => s.getKeyID().equals(keyId));
  // openpgp.js's typings require a signature to match the revoker against; none means any revocation counts.
  if (
    subkey &&
    (await subkey.isRevoked(null as unknown as openpgp.SignaturePacket, null as unknown as openpgp.PublicKeyPacket, now).catch(() => false))
  ) {
    const why = await revocation(subkey.revocationSignatures);
    return {
      code: 'KEY_REVOKED',
      reason: `The signing subkey ${keyId.toHex().toUpperCase()} of ${fpr} was revoked (${why ?? 'revoked'}); its signatures are refused whatever date they claim.`,
    };
  }
  const expires = await key.getExpirationTime().catch(() => null);
  if (expires instanceof Date && expires <= now)
    return {
      code: 'KEY_EXPIRED',
      reason: `The key ${fpr} expired on ${expires.toISOString()}; its signatures are refused whatever date they claim.`,
    };
  if (subkey) {
    const subExpires = await subkey.getExpirationTime(now).catch(() => null);
    if (subExpires instanceof Date && subExpires <= now)
      return {
        code: 'KEY_EXPIRED',
        reason: `The signing subkey ${keyId.toHex().toUpperCase()} of ${fpr} expired on ${subExpires.toISOString()}; its signatures are refused whatever date they claim.`,
      };
  }
  return {
    code: 'KEY_NOT_VALID_NOW',
    reason: `The key ${fpr} is not valid for signing now (no valid self-signature or signing capability).`,
  };
}

/**
 * Verifies a binary OpenPGP signed message as containers/image does (exactly one signature, by a
 * trusted key), and returns the signed bytes. openpgp.js judges the key at the signature's own
 * creation time, which the signer chooses; so the key (and the subkey that signed) must also be
 * valid now: an expired or revoked key — "superseded" and "retired" included — verifies nothing,
 * whatever date the signature claims. Nothing inside the message is trusted unless this says ok.
 */
export async function verifyPgpMessage(message: Uint8Array, trusted: readonly PgpCandidate[], now = new Date()): Promise<PgpVerification> {
  const first = message[0] ?? 0;
  if (!looksLikeSignedMessage(first))
    return {
      ok: false,
      code: 'SIG_UNREADABLE',
      reason: `Not a binary OpenPGP signed message (it starts with 0x${first.toString(16).padStart(2, '0')}).`,
    };
  let issuer: openpgp.KeyID;
  // The message as read here serves the first key tried; any further key reads it afresh (see below).
  let parsed: openpgp.Message<Uint8Array> | undefined;
  try {
    parsed = await openpgp.readMessage({ binaryMessage: message, config: CONFIG });
    const found = await claimedSignature(parsed);
    if (found.count === 0 || (found.count === 1 && !found.issuer))
      return { ok: false, code: 'SIG_NOT_SIGNED', reason: 'The OpenPGP message is not signed (a bare literal message).' };
    if (found.count > 1)
      return {
        ok: false,
        code: 'SIG_MULTIPLE',
        reason: `The OpenPGP message carries ${found.count} signatures; containers/image accepts exactly one.`,
      };
    issuer = found.issuer as openpgp.KeyID;
  } catch (error) {
    const big = /decompress|too large|Maximum/i.test((error as Error).message ?? '');
    return {
      ok: false,
      code: 'SIG_UNREADABLE',
      reason: big
        ? 'The signature expands past 4 MiB when decompressed; Signet does not read it.'
        : 'The signature is not a readable OpenPGP message (corrupt or cut short).',
    };
  }
  const keyIdHex = issuer.toHex().toUpperCase();
  if (trusted.length === 0)
    return {
      ok: false,
      code: 'SIG_NO_TRUSTED_KEYS',
      reason: `Signed by key ${keyIdHex}; there is no trusted OpenPGP key to check it with.`,
      keyId: keyIdHex,
    };
  let failure: PgpVerification | undefined;
  for (const [index, entry] of trusted.entries()) {
    const key = await readCandidate(entry);
    if (!key || key.getKeys(issuer).length === 0) continue;
    const fingerprint = key.getFingerprint().toUpperCase();
    // A parsed message is consumed by one verification: the first key tried takes the one read above, every other key a fresh read.
    let created: Date | undefined;
    try {
      const fresh = parsed ?? (await openpgp.readMessage({ binaryMessage: message, config: CONFIG }));
      parsed = undefined;
      const result = await openpgp.verify({
        message: fresh,
        verificationKeys: key,
        expectSigned: true,
        format: 'binary',
        date: now,
        config: CONFIG,
      });
      const sig = result.signatures[0];
      const packet = sig ? ((await sig.signature).packets[0] as unknown as (SigFields & { created: Date | null }) | undefined) : undefined;
      created = packet?.created ?? undefined;
      // The signed packet, not the one-pass packet, names the key that signed: they must agree, and that key is judged.
      if (!packet || !packet.issuerKeyID.equals(issuer) || key.getKeys(packet.issuerKeyID).length === 0) {
        return {
          ok: false,
          code: 'SIG_INVALID',
          reason: `The OpenPGP message is inconsistent: its one-pass packet names key ${keyIdHex}, its signature packet ${packet?.issuerKeyID.toHex().toUpperCase() ?? 'none'}.`,
          signer: entry.name,
          index,
          keyId: keyIdHex,
          fingerprint,
        };
      }
      const stale = await invalidNowCached(key, packet.issuerKeyID, now);
      if (stale) return { ok: false, ...stale, signer: entry.name, index, keyId: keyIdHex, fingerprint, ...(created ? { created } : {}) };
      const signedWith = key.getKeys(packet.issuerKeyID)[0]!.getFingerprint().toUpperCase();
      return {
        ok: true,
        data: result.data as Uint8Array,
        signer: entry.name,
        index,
        keyId: keyIdHex,
        fingerprint,
        ...(signedWith !== fingerprint ? { signingSubkey: signedWith } : {}),
        ...(created ? { created } : {}),
      };
    } catch (error) {
      // The signature itself failed: that is the verdict, whatever the key's state (named as extra information).
      const stale = await invalidNowCached(key, issuer, now);
      // openpgp.js reports only in prose; these matches pick the reason code, and every branch is a failure.
      const text = (error as Error).message ?? '';
      const forged = /did not match|verification failed|Signature is expired|newer than the signature/i.test(text);
      if (stale && !forged) return { ok: false, ...stale, signer: entry.name, index, keyId: keyIdHex, fingerprint };
      failure = {
        ok: false,
        code: /Signature is expired/.test(text) ? 'SIG_EXPIRED' : 'SIG_INVALID',
        reason: `The signature by ${keyIdHex} does not verify with ${entry.name}: ${text.replace(/^Error: /, '').slice(0, 160)}.${stale ? ` Besides, ${stale.reason.charAt(0).toLowerCase()}${stale.reason.slice(1)}` : ''}`,
        signer: entry.name,
        index,
        keyId: keyIdHex,
        fingerprint,
      };
    }
  }
  return (
    failure ?? { ok: false, code: 'SIG_UNKNOWN_KEY', reason: `Signed by key ${keyIdHex}, which is not a trusted key.`, keyId: keyIdHex }
  );
}
