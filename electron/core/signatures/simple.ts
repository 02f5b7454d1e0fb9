import { constants, promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import type { ReasonCode } from '../../../shared/models/verdict';
import { buildAtomicPayload, PayloadInputError } from '../../../shared/payloads/payloads';
import type { PgpSigner } from '../signing/signer';
import { parseDigest } from '../registry/digest';
import { parseNormalizedNamed, refString, tagNameOnly } from '../trust/docker-reference';
import { identityMatches } from '../trust/identity';
import { verifyPgpMessage, type PgpCandidate } from './openpgp-verify';
import { parseSignedPayload, stringAnnotations } from './signed-payload';
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
  if (repositoryPath.split('/').some((c) => c === '..' || c === '.' || c === ''))
    throw new SignetError('INVALID_INPUT', 'The repository path is not valid for lookaside storage.');
  return path.join(base, `${repositoryPath}@${d.replace(':', '=')}`);
}

/**
 * Makes a binary signed OpenPGP message over the atomic payload, as skopeo/podman store it; `extra` are further string `optional` members
 * (annotations, description, metadata).
 */
export async function signSimple(
  pgp: PgpSigner,
  dockerReference: string,
  digest: string,
  creator: string,
  now: Date,
  extra?: Readonly<Record<string, string>>,
): Promise<{ payload: string; message: Uint8Array }> {
  let payload: string;
  try {
    payload = buildAtomicPayload({
      dockerReference,
      manifestDigest: parseDigest(digest),
      creator,
      timestamp: Math.floor(now.getTime() / 1000),
      ...(extra ? { extra } : {}),
    });
  } catch (error) {
    if (error instanceof PayloadInputError) throw new SignetError('INVALID_INPUT', `${error.message} Nothing was signed.`);
    throw error;
  }
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

/**
 * Removes the lookaside signature whose bytes have this SHA-256, then renumbers the ones after it
 * down by one so containers/image, which reads signature-1, -2, … until the first gap, still
 * finds every one. Never overwrites: each move is a hard link to the free name, then an unlink,
 * so a signer writing meanwhile (at the first free N, exclusively) keeps its file; the directory
 * is read again until no gap is left.
 */
export async function removeLookaside(
  base: string,
  repositoryPath: string,
  digest: string,
  sha256: string,
): Promise<{ removed: string; renumbered: Array<{ from: string; to: string }>; remaining: number }> {
  const dir = lookasideDir(base, repositoryPath, digest);
  const files = await readLookaside(base, repositoryPath, digest);
  const target = files.find((f) => createHash('sha256').update(f.bytes).digest('hex') === sha256);
  if (!target) throw new SignetError('NOT_FOUND', `${dir} no longer holds that signature; nothing was deleted.`);
  const file = path.join(dir, target.name);
  // Compare before write: the file must still hold exactly those bytes.
  const now = await readRegularFileIfPresent(file, { maxBytes: MAX_SIGNATURE_BYTES, what: 'The lookaside signature' });
  if (!now || createHash('sha256').update(now).digest('hex') !== sha256)
    throw new SignetError('CONFLICT', `${file} changed while it was being deleted; nothing was deleted. Look again.`);
  await fs.unlink(file);
  const renumbered: Array<{ from: string; to: string }> = [];
  for (let round = 0; round < 50; round += 1) {
    const numbers = (await fs.readdir(dir))
      .map((name) => /^signature-([1-9][0-9]{0,5})$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    let next = 1;
    let moved = false;
    let retry = false;
    for (const n of numbers) {
      if (n !== next) {
        const from = path.join(dir, `signature-${n}`);
        const to = path.join(dir, `signature-${next}`);
        try {
          await fs.link(from, to);
        } catch (error) {
          // A signer took that name meanwhile: read the directory again.
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
            retry = true;
            break;
          }
          throw error;
        }
        await fs.unlink(from);
        renumbered.push({ from: `signature-${n}`, to: `signature-${next}` });
        moved = true;
      }
      next += 1;
    }
    if (!moved && !retry) return { removed: target.name, renumbered, remaining: numbers.length };
  }
  throw new SignetError('CONFLICT', `${dir} kept changing while its signatures were renumbered; check it.`);
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

export type SimpleStage = 'signature' | 'key' | 'payload' | 'digest' | 'identity' | 'ok';

export interface SimpleVerdict {
  ok: boolean;
  /** The first check that failed, or `ok`. */
  stage: SimpleStage;
  code: ReasonCode;
  reason: string;
  /** The trusted key (by name and position in the list given) that made the signature. */
  signer?: string;
  index?: number;
  keyId?: string;
  fingerprint?: string;
  /** The subkey that signed, when it is not the primary key. */
  signingSubkey?: string;
  /** The signed payload's text, once the signature verified with a trusted key (shown as it was signed). */
  payload?: string;
  identity?: string;
  /** The payload's optional.timestamp: the signer's claim. */
  timestamp?: number;
  /** The payload's string `optional` members (creator, description, metadata, the signer's annotations). */
  annotations?: Record<string, string>;
  creator?: string;
  /** The OpenPGP signature's creation time: also the signer's claim. */
  created?: Date;
  identityChecked?: boolean;
  /** Which identity rule judged it: containers/image's matchRepoDigestOrExact, or SWR's namespace/repository. */
  identityRule?: 'swr';
}

export { verifyPgpMessage } from './openpgp-verify';

/**
 * Verifies a simple signature as containers/image does: the OpenPGP message must carry exactly one
 * signature, by a trusted key valid now, before its JSON is looked at; then the payload must pass
 * the one strict parser, name this digest, and — when the image's reference is given — name it
 * under podman's default rule, matchRepoDigestOrExact (by tag: that exact tag; by digest: the
 * same repository).
 */
export async function verifySimple(
  message: Uint8Array,
  digest: string,
  trusted: readonly PgpCandidate[],
  imageReference?: string,
  now = new Date(),
  options: { swrRepository?: string } = {},
): Promise<SimpleVerdict> {
  const verified = await verifyPgpMessage(message, trusted, now);
  const who = {
    ...(verified.signer !== undefined ? { signer: verified.signer } : {}),
    ...(verified.index !== undefined ? { index: verified.index } : {}),
    ...(verified.keyId ? { keyId: verified.keyId } : {}),
    ...(verified.fingerprint ? { fingerprint: verified.fingerprint } : {}),
    ...(verified.ok && verified.signingSubkey ? { signingSubkey: verified.signingSubkey } : {}),
    ...(verified.created ? { created: verified.created } : {}),
  };
  if (!verified.ok)
    return {
      ok: false,
      stage: verified.code.startsWith('KEY_') ? 'key' : 'signature',
      code: verified.code,
      reason: verified.reason,
      ...who,
    };
  // An .asc file may carry SWR's form (see signed-payload.ts); its identity rule is its own.
  const swr = options.swrRepository !== undefined ? parseSignedPayload(verified.data, 'swr') : undefined;
  const parsed = swr?.ok ? swr : parseSignedPayload(verified.data, 'atomic');
  const signed = { ...who, payload: Buffer.from(verified.data).toString('utf8').slice(0, 65_536) };
  if (!parsed.ok) return { ok: false, stage: 'payload', code: parsed.code, reason: parsed.reason, ...signed };
  const p = parsed.payload;
  const claims = {
    identity: p.dockerReference,
    annotations: stringAnnotations(p.optional),
    ...(p.timestamp !== undefined ? { timestamp: p.timestamp } : {}),
    ...(p.creator !== undefined ? { creator: p.creator } : {}),
  };
  if (p.manifestDigest !== digest)
    return {
      ok: false,
      stage: 'digest',
      code: 'DIGEST_MISMATCH',
      reason: `The payload signs ${p.manifestDigest.slice(0, 80)}, not this image's ${digest}.`,
      ...signed,
      ...claims,
    };
  if (swr?.ok) {
    const repository = options.swrRepository as string;
    if (imageReference && p.dockerReference !== repository)
      return {
        ok: false,
        stage: 'identity',
        code: 'IDENTITY_MISMATCH',
        reason: `The SWR-form payload is for ${p.dockerReference.slice(0, 120)}, not this image's repository ${repository} (SWR names namespace/repository, without the registry).`,
        ...signed,
        ...claims,
      };
    return {
      ok: true,
      stage: 'ok',
      code: 'SIG_VALID',
      reason: `Signed by ${verified.signer}.`,
      ...signed,
      ...claims,
      identityChecked: imageReference !== undefined,
      identityRule: 'swr',
    };
  }
  let signedRef;
  try {
    signedRef = parseNormalizedNamed(p.dockerReference);
  } catch {
    return {
      ok: false,
      stage: 'payload',
      code: 'PAYLOAD_INVALID',
      reason: `The payload's identity ${JSON.stringify(p.dockerReference.slice(0, 80))} is not a valid image reference.`,
      ...signed,
      ...claims,
    };
  }
  if (imageReference) {
    let image;
    try {
      image = tagNameOnly(parseNormalizedNamed(imageReference));
    } catch {
      throw new SignetError('INVALID_INPUT', `${imageReference.slice(0, 200)} is not an image reference.`);
    }
    const match = identityMatches({ type: 'matchRepoDigestOrExact' }, image, refString(signedRef));
    if (!match.ok)
      return {
        ok: false,
        stage: 'identity',
        code: 'IDENTITY_MISMATCH',
        reason: `The payload is for ${p.dockerReference.slice(0, 120)}, not ${refString(image)} (matchRepoDigestOrExact).`,
        ...signed,
        ...claims,
      };
  }
  return {
    ok: true,
    stage: 'ok',
    code: 'SIG_VALID',
    reason: `Signed by ${verified.signer}.`,
    ...signed,
    ...claims,
    identityChecked: imageReference !== undefined,
  };
}
