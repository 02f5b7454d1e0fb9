import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';
import { ATOMIC_TYPE, buildAtomicPayload } from '../../../shared/payloads/payloads';
import { parseStrictJson } from '../json/strict';
import type { PgpSigner } from '../kms/signer';
import { parseDigest } from '../registry/digest';
import { formatReference, parseReference } from '../registry/reference';
import { readRegularFileIfPresent } from '../storage/bounded-read';

const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
const MAX_SIGNATURES = 1000;

/**
 * containers/image lookaside layout: `<base>/<repository>@<alg>=<hex>/signature-N`, the
 * repository without its registry host (as containers/image does — two registries' signatures for
 * the same path share a folder).
 */
export function lookasideDir(base: string, repositoryPath: string, digest: string): string {
  const d = parseDigest(digest);
  if (repositoryPath.split('/').some((c) => c === '..' || c === '.' || c === '')) throw new SignetError('INVALID_INPUT', 'The repository path is not valid for lookaside storage.');
  return path.join(base, `${repositoryPath}@${d.replace(':', '=')}`);
}

/** Makes a binary signed OpenPGP message over the atomic payload, as skopeo/podman store it. */
export async function signSimple(pgp: PgpSigner, dockerReference: string, digest: string, creator: string, now: Date): Promise<{ payload: string; message: Uint8Array }> {
  const payload = buildAtomicPayload({ dockerReference, manifestDigest: parseDigest(digest), creator, timestamp: Math.floor(now.getTime() / 1000) });
  return { payload, message: await pgp.signMessage(Buffer.from(payload, 'utf8')) };
}

/** Stores at the first free signature-N; an existing file is never overwritten. */
export async function writeLookaside(base: string, repositoryPath: string, digest: string, message: Uint8Array): Promise<string> {
  const dir = lookasideDir(base, repositoryPath, digest);
  await fs.mkdir(dir, { recursive: true });
  for (let n = 1; n <= MAX_SIGNATURES; n += 1) {
    const file = path.join(dir, `signature-${n}`);
    try {
      const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await handle.writeFile(message);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new SignetError('TOO_LARGE', `${dir} already holds ${MAX_SIGNATURES} signatures.`);
}

/** Reads signature-1, -2, … until the first gap (as containers/image does). */
export async function readLookaside(base: string, repositoryPath: string, digest: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  const dir = lookasideDir(base, repositoryPath, digest);
  const out: Array<{ name: string; bytes: Buffer }> = [];
  for (let n = 1; n <= MAX_SIGNATURES; n += 1) {
    const file = path.join(dir, `signature-${n}`);
    const bytes = await readRegularFileIfPresent(file, { maxBytes: MAX_SIGNATURE_BYTES, what: 'The lookaside signature' });
    if (!bytes) break;
    out.push({ name: `signature-${n}`, bytes });
  }
  return out;
}

export interface SimpleVerdict {
  ok: boolean;
  reason: string;
  signer?: string;
  keyId?: string;
  identity?: string;
  timestamp?: number;
  creator?: string;
}

export type PgpVerification = { ok: true; data: Uint8Array; signer: string; keyId: string; fingerprint: string; created?: Date } | { ok: false; reason: string };

/**
 * Verifies a binary OpenPGP signed message against trusted keys (not expired, not revoked) and
 * returns the signed bytes. Nothing inside is trusted unless this says ok.
 */
export async function verifyPgpMessage(message: Uint8Array, trusted: ReadonlyArray<{ name: string; key: string | Uint8Array }>): Promise<PgpVerification> {
  const first = message[0] ?? 0;
  if (!((first >= 0xa0 && first <= 0xa3) || first === 0xc8 || (first >= 0x90 && first <= 0x92) || first === 0xc4 || (first >= 0x88 && first <= 0x8b) || first === 0xc2)) {
    return { ok: false, reason: `Not a binary OpenPGP signed message (it starts with 0x${first.toString(16).padStart(2, '0')}).` };
  }
  let parsed: openpgp.Message<Uint8Array>;
  try {
    parsed = await openpgp.readMessage({ binaryMessage: message });
  } catch {
    return { ok: false, reason: 'The signature is not a readable OpenPGP message (corrupt or cut short).' };
  }
  if (parsed.getSigningKeyIDs().length === 0) return { ok: false, reason: 'The OpenPGP message is not signed (a bare literal message).' };
  let lastReason = 'No trusted key made this signature.';
  for (const entry of trusted) {
    let key: openpgp.Key;
    try {
      const text = typeof entry.key === 'string' ? entry.key : Buffer.from(entry.key.subarray(0, 10)).toString('latin1') === '-----BEGIN' ? Buffer.from(entry.key).toString('utf8') : undefined;
      key = text !== undefined ? await openpgp.readKey({ armoredKey: text }) : await openpgp.readKey({ binaryKey: entry.key as Uint8Array });
    } catch {
      continue;
    }
    try {
      const result = await openpgp.verify({ message: parsed, verificationKeys: key, expectSigned: true, format: 'binary' });
      const sig = result.signatures[0];
      const created = sig ? await sig.signature.then((s) => s.packets[0]?.created ?? undefined).catch(() => undefined) : undefined;
      return { ok: true, data: result.data as Uint8Array, signer: entry.name, keyId: sig?.keyID.toHex().toUpperCase() ?? '', fingerprint: key.getFingerprint().toUpperCase(), ...(created ? { created } : {}) };
    } catch (error) {
      const text = (error as Error).message;
      if (/expired|revoked/i.test(text)) lastReason = `The signing key ${entry.name} is expired or revoked (${text.slice(0, 120)}).`;
      else if (/Could not find signing key|signing key/i.test(text)) continue;
      else lastReason = `The signature does not verify: ${text.slice(0, 160)}.`;
    }
  }
  return { ok: false, reason: lastReason };
}

/**
 * Verifies a simple signature: the OpenPGP message must be signed by one of the trusted keys (not
 * expired or revoked) before its JSON is looked at; then the payload must be strict, of the
 * atomic type with exactly its critical members, name this digest, and match the reference.
 */
export async function verifySimple(message: Uint8Array, digest: string, trusted: ReadonlyArray<{ name: string; key: string | Uint8Array }>, expectedReference?: string): Promise<SimpleVerdict> {
  const verified = await verifyPgpMessage(message, trusted);
  if (!verified.ok) return { ok: false, reason: verified.reason };
  const data = verified.data;
  const signer = { name: verified.signer, keyId: verified.keyId };
  let doc: { critical?: Record<string, unknown>; optional?: Record<string, unknown> };
  try {
    doc = parseStrictJson(data, 'The signed payload') as typeof doc;
  } catch (error) {
    return { ok: false, reason: (error as Error).message, signer: signer.name };
  }
  const critical = doc?.critical;
  if (!critical || typeof critical !== 'object') return { ok: false, reason: 'The payload has no critical section.', signer: signer.name };
  const unknown = Object.keys(critical).filter((k) => !['type', 'image', 'identity'].includes(k));
  if (unknown.length) return { ok: false, reason: `The payload's critical section has unknown members: ${unknown.join(', ')}.`, signer: signer.name };
  if (critical.type !== ATOMIC_TYPE) return { ok: false, reason: `The payload's type is ${JSON.stringify(critical.type)}, not "${ATOMIC_TYPE}".`, signer: signer.name };
  const named = (critical.image as Record<string, unknown> | undefined)?.['docker-manifest-digest'];
  if (named !== digest) return { ok: false, reason: `The payload signs ${String(named)}, not this image's ${digest}.`, signer: signer.name };
  const identity = (critical.identity as Record<string, unknown> | undefined)?.['docker-reference'];
  if (typeof identity !== 'string') return { ok: false, reason: 'The payload has no identity.', signer: signer.name };
  let normalized: string;
  try {
    normalized = formatReference(parseReference(identity));
  } catch {
    return { ok: false, reason: `The payload's identity ${JSON.stringify(identity.slice(0, 80))} is not a valid image reference.`, signer: signer.name };
  }
  if (expectedReference && normalized !== formatReference(parseReference(expectedReference))) return { ok: false, reason: `The payload is for ${identity}, not ${expectedReference} (matchExact).`, signer: signer.name };
  const optional = doc.optional ?? {};
  const timestamp = optional.timestamp;
  if (timestamp !== undefined && !Number.isInteger(timestamp)) return { ok: false, reason: 'The payload timestamp is not whole seconds.', signer: signer.name };
  return { ok: true, reason: `Signed by ${signer.name}.`, signer: signer.name, keyId: signer.keyId, identity, ...(typeof timestamp === 'number' ? { timestamp } : {}), ...(typeof optional.creator === 'string' ? { creator: optional.creator } : {}) };
}
