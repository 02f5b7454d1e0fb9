import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { parseStrictJson } from '../../json/strict';
import type { RegistrySource } from '../../registry/source';
import { decodeStdBase64, verifySha256 } from './attachment';
import { entryLabel } from '../trusted';

/**
 * Sigstore bundles (v0.1–v0.3) as cosign ≥2.6 / v3 attach them to images through the referrers
 * API: a `dsseEnvelope` holding an in-toto Statement whose subject is the image digest, or a
 * `messageSignature` over the manifest. Verified here against trusted public keys only; no
 * transparency log is required (its presence is reported, not used), and keyless (Fulcio)
 * bundles verify their signature but are never "trusted" without the Sigstore root.
 */

export const BUNDLE_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
] as const;
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;
const MAX_REFERRERS = 1000;

export interface TrustedKey {
  name: string;
  key: KeyObject;
  fingerprint: string;
}

type Status = 'passed' | 'failed' | 'not-checked';
export interface BundleCheck {
  name: 'digest binding' | 'signature' | 'key trust' | 'transparency log';
  status: Status;
  reason: string;
}

export interface BundleVerdict {
  ok: boolean;
  content?: 'dsse' | 'message-signature';
  mediaType?: string;
  signer?: TrustedKey;
  predicateType?: string;
  annotations: Record<string, string>;
  /** Integrated time of the first tlog entry, as the bundle claims it (not verified). */
  claimedTime?: number;
  checks: BundleCheck[];
  reason: string;
}

export interface BundleOptions {
  /** The manifest digest the bundle must be bound to. */
  digest: string;
  /** The manifest bytes, needed for messageSignature bundles over Ed25519 keys. */
  manifest?: Uint8Array;
  keys: readonly TrustedKey[];
  /** When set, the in-toto predicateType must be exactly this. */
  predicateType?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(reason: string, checks: BundleCheck[] = [], extra: Partial<BundleVerdict> = {}): BundleVerdict {
  return { ok: false, reason, annotations: {}, checks, ...extra };
}

/** DSSE pre-authentication encoding. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), Buffer.from(payload)]);
}

/** ECDSA over a precomputed digest (messageSignature carries the digest, not always the bytes). */
function verifyPrehashed(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  if (key.asymmetricKeyType !== 'ec') return false;
  const jwk = key.export({ format: 'jwk' });
  const curve = jwk.crv === 'P-256' ? p256 : jwk.crv === 'P-384' ? p384 : jwk.crv === 'P-521' ? p521 : undefined;
  if (!curve || !jwk.x || !jwk.y) return false;
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  try {
    return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}

export function verifyBundle(bytes: Uint8Array, options: BundleOptions): BundleVerdict {
  if (bytes.length > MAX_BUNDLE_BYTES) return fail('The bundle is larger than 4 MiB.');
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, 'The Sigstore bundle');
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!isObj(doc)) return fail('The Sigstore bundle is not a JSON object.');
  const mediaType = doc.mediaType;
  if (typeof mediaType !== 'string' || !(BUNDLE_MEDIA_TYPES as readonly string[]).includes(mediaType))
    return fail(`Unknown bundle media type ${JSON.stringify(String(mediaType).slice(0, 80))}.`);
  const unknownTop = Object.keys(doc).filter((k) => !['mediaType', 'verificationMaterial', 'dsseEnvelope', 'messageSignature'].includes(k));
  if (unknownTop.length) return fail(`The bundle has unknown members: ${unknownTop.join(', ')}.`);
  const hasDsse = 'dsseEnvelope' in doc;
  const hasMessage = 'messageSignature' in doc;
  if (hasDsse === hasMessage) return fail('A bundle holds exactly one of dsseEnvelope and messageSignature.');
  const material = doc.verificationMaterial;
  if (!isObj(material)) return fail('The bundle has no verificationMaterial.');

  const keyless = isObj(material.certificate) || isObj(material.x509CertificateChain);
  let certKey: KeyObject | undefined;
  if (keyless) {
    const raw = isObj(material.certificate)
      ? material.certificate.rawBytes
      : Array.isArray((material.x509CertificateChain as Obj).certificates)
        ? ((material.x509CertificateChain as Obj).certificates as Obj[])[0]?.rawBytes
        : undefined;
    const der = typeof raw === 'string' ? decodeStdBase64(raw) : undefined;
    try {
      certKey = der ? new X509Certificate(der).publicKey : undefined;
    } catch {
      certKey = undefined;
    }
    if (!certKey) return fail('The bundle’s certificate cannot be read.');
  } else if (!isObj(material.publicKey)) return fail('The bundle names neither a public key nor a certificate.');

  const tlog = Array.isArray(material.tlogEntries) ? material.tlogEntries : [];
  const first = tlog[0];
  const claimedTime =
    isObj(first) && typeof first.integratedTime === 'string' && /^\d{1,12}$/.test(first.integratedTime)
      ? Number(first.integratedTime)
      : undefined;
  const tlogCheck: BundleCheck = {
    name: 'transparency log',
    status: 'not-checked',
    reason: tlog.length
      ? `${tlog.length} log entr${tlog.length === 1 ? 'y' : 'ies'} present; not required and not used for trust.`
      : 'No log entry; none is required.',
  };
  const candidates: Array<{ key: KeyObject; trusted?: TrustedKey }> = certKey
    ? [{ key: certKey, ...matchTrusted(certKey, options.keys) }]
    : options.keys.map((k) => ({ key: k.key, trusted: k }));
  const hex = /^sha256:([0-9a-f]{64})$/.exec(options.digest)?.[1];
  if (!hex) return fail('Only sha256 image digests can be bound to a bundle.');

  const base = { mediaType, ...(claimedTime !== undefined ? { claimedTime } : {}) };
  if (hasDsse) {
    const env = doc.dsseEnvelope;
    if (!isObj(env) || typeof env.payload !== 'string' || typeof env.payloadType !== 'string' || !Array.isArray(env.signatures))
      return fail('The DSSE envelope is malformed.', [], base);
    if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      return fail(`The DSSE payload type is ${JSON.stringify(env.payloadType.slice(0, 80))}, not ${IN_TOTO_PAYLOAD_TYPE}.`, [], base);
    const payload = decodeStdBase64(env.payload);
    if (!payload) return fail('The DSSE payload is not base64.', [], base);
    const signed = pae(env.payloadType, payload);
    let match: { key: KeyObject; trusted?: TrustedKey } | undefined;
    for (const s of env.signatures as unknown[]) {
      const sig = isObj(s) && typeof s.sig === 'string' ? decodeStdBase64(s.sig) : undefined;
      if (!sig) continue;
      match = candidates.find((c) => verifySha256(c.key, signed, sig));
      if (match) break;
    }
    const sigCheck: BundleCheck = match
      ? {
          name: 'signature',
          status: 'passed',
          reason: `The DSSE signature verifies with ${match.trusted ? match.trusted.name : 'the certificate’s key'}.`,
        }
      : {
          name: 'signature',
          status: 'failed',
          reason: candidates.length
            ? 'The DSSE signature does not verify with any trusted key (unknown key, or altered).'
            : 'No trusted key to check it with.',
        };
    if (!match) return fail(sigCheck.reason, [sigCheck, tlogCheck], base);
    // The statement is read only after its signature verified.
    let statement: unknown;
    try {
      statement = parseStrictJson(payload, 'The in-toto statement');
    } catch (error) {
      return fail(
        (error as Error).message,
        [sigCheck, { name: 'digest binding', status: 'failed', reason: (error as Error).message }, tlogCheck],
        base,
      );
    }
    const binding = checkStatement(statement, hex, options.predicateType);
    const bindCheck: BundleCheck = { name: 'digest binding', status: binding.ok ? 'passed' : 'failed', reason: binding.reason };
    const trustCheck: BundleCheck = match.trusted
      ? { name: 'key trust', status: 'passed', reason: `${entryLabel(match.trusted.name)} is in the trust store for this image.` }
      : {
          name: 'key trust',
          status: 'not-checked',
          reason: 'Keyless (Fulcio) certificate: Signet does not verify the Sigstore certificate chain.',
        };
    const checks = [bindCheck, sigCheck, trustCheck, tlogCheck];
    const ok = binding.ok && Boolean(match.trusted);
    // The predicate type tells a signature (cosign/sign/v1) from an attestation even when the subject does not bind.
    const predicateType =
      binding.predicateType ?? (isObj(statement) && typeof statement.predicateType === 'string' ? statement.predicateType : undefined);
    return {
      ok,
      content: 'dsse',
      ...base,
      ...(match.trusted ? { signer: match.trusted } : {}),
      ...(predicateType ? { predicateType } : {}),
      annotations: binding.annotations,
      checks,
      reason: !binding.ok ? binding.reason : ok ? `Verified with ${match.trusted!.name}.` : trustCheck.reason,
    };
  }

  const message = doc.messageSignature;
  if (!isObj(message) || !isObj(message.messageDigest) || typeof message.signature !== 'string')
    return fail('The messageSignature is malformed.', [], base);
  const md = message.messageDigest;
  if (md.algorithm !== 'SHA2_256' || typeof md.digest !== 'string')
    return fail(`The message digest algorithm ${JSON.stringify(md.algorithm)} is not SHA2_256.`, [], base);
  const digestBytes = decodeStdBase64(md.digest);
  const sig = decodeStdBase64(message.signature);
  if (!digestBytes || !sig) return fail('The messageSignature is not base64.', [], base);
  if (options.manifest && createHash('sha256').update(options.manifest).digest('hex') !== hex)
    return fail('The manifest bytes do not match the digest being verified.', [], base);
  const match = candidates.find((c) =>
    options.manifest ? verifySha256(c.key, options.manifest, sig) : verifyPrehashed(c.key, digestBytes, sig),
  );
  const sigCheck: BundleCheck = match
    ? {
        name: 'signature',
        status: 'passed',
        reason: `The signature verifies with ${match.trusted ? match.trusted.name : 'the certificate’s key'}.`,
      }
    : { name: 'signature', status: 'failed', reason: 'The signature does not verify with any trusted key.' };
  const bound = digestBytes.toString('hex') === hex;
  const bindCheck: BundleCheck = {
    name: 'digest binding',
    status: bound ? 'passed' : 'failed',
    reason: bound
      ? `The bundle signs ${options.digest}.`
      : `The bundle signs sha256:${digestBytes.toString('hex')}, not this image's ${options.digest}.`,
  };
  const trustCheck: BundleCheck = match?.trusted
    ? { name: 'key trust', status: 'passed', reason: `${entryLabel(match.trusted.name)} is in the trust store for this image.` }
    : {
        name: 'key trust',
        status: 'not-checked',
        reason: match ? 'Keyless certificate: not trusted without the Sigstore root.' : 'No trusted key matched.',
      };
  const ok = Boolean(match?.trusted) && bound;
  return {
    ok,
    content: 'message-signature',
    ...base,
    ...(match?.trusted ? { signer: match.trusted } : {}),
    annotations: {},
    checks: [bindCheck, sigCheck, trustCheck, tlogCheck],
    reason: !bound ? bindCheck.reason : !match ? sigCheck.reason : ok ? `Verified with ${match.trusted!.name}.` : trustCheck.reason,
  };
}

function matchTrusted(key: KeyObject, keys: readonly TrustedKey[]): { trusted?: TrustedKey } {
  const der = key.export({ type: 'spki', format: 'der' });
  const found = keys.find((k) => k.key.export({ type: 'spki', format: 'der' }).equals(der));
  return found ? { trusted: found } : {};
}

function checkStatement(
  statement: unknown,
  hex: string,
  wanted?: string,
): { ok: boolean; reason: string; predicateType?: string; annotations: Record<string, string> } {
  const no = (reason: string) => ({ ok: false, reason, annotations: {} });
  if (!isObj(statement)) return no('The in-toto statement is not a JSON object.');
  if (statement._type !== 'https://in-toto.io/Statement/v1' && statement._type !== 'https://in-toto.io/Statement/v0.1')
    return no(`Unknown in-toto statement type ${JSON.stringify(String(statement._type).slice(0, 80))}.`);
  if (typeof statement.predicateType !== 'string') return no('The in-toto statement has no predicateType.');
  if (wanted !== undefined && statement.predicateType !== wanted)
    return no(`The statement is a ${statement.predicateType}, not a ${wanted}.`);
  if (!Array.isArray(statement.subject) || statement.subject.length === 0) return no('The in-toto statement has no subject.');
  if (statement.subject.length > 1000) return no('The in-toto statement has too many subjects.');
  const subject = (statement.subject as unknown[]).find((s) => isObj(s) && isObj(s.digest) && s.digest.sha256 === hex) as Obj | undefined;
  if (!subject) {
    const named = (statement.subject as unknown[])
      .map((s) => (isObj(s) && isObj(s.digest) && typeof s.digest.sha256 === 'string' ? `sha256:${s.digest.sha256}` : '?'))
      .slice(0, 3);
    return no(`The statement's subject is ${named.join(', ')}, not this image's sha256:${hex}.`);
  }
  const annotations: Record<string, string> = {};
  if (isObj(subject.annotations)) for (const [k, v] of Object.entries(subject.annotations)) if (typeof v === 'string') annotations[k] = v;
  return { ok: true, reason: `The statement's subject is sha256:${hex}.`, predicateType: statement.predicateType, annotations };
}

export interface DiscoveredBundle {
  /** The referrer manifest's digest: where the bundle is stored. */
  referrer: string;
  via: 'api' | 'tag-schema';
  bytes?: Buffer;
  /** Set when the referrer was not usable (wrong subject, no bundle layer, too large). */
  problem?: string;
}

/**
 * Bundles attached to a manifest through the referrers API (or its tag-schema fallback). A
 * referrer whose manifest does not name this digest as its subject is reported, never used.
 */
export async function discoverBundles(
  source: Pick<RegistrySource, 'referrers' | 'manifest' | 'blob'>,
  repository: string,
  digest: string,
): Promise<DiscoveredBundle[]> {
  const { descriptors, source: via } = await source.referrers(repository, digest);
  if (descriptors.length > MAX_REFERRERS)
    throw new Error(`The image has ${descriptors.length} referrers; Signet reads at most ${MAX_REFERRERS}.`);
  const out: DiscoveredBundle[] = [];
  for (const d of descriptors) {
    if (d.artifactType !== undefined && !(BUNDLE_MEDIA_TYPES as readonly string[]).includes(d.artifactType)) continue;
    const manifest = await source.manifest(repository, d.digest);
    const parsed = manifest.parsed;
    const isBundle =
      (BUNDLE_MEDIA_TYPES as readonly string[]).includes(parsed.artifactType ?? '') ||
      parsed.layers.some((l) => (BUNDLE_MEDIA_TYPES as readonly string[]).includes(l.mediaType));
    if (!isBundle) continue;
    if (parsed.subject?.digest !== digest) {
      out.push({
        referrer: d.digest,
        via,
        problem: `The referrer names ${parsed.subject?.digest ?? 'no subject'}, not ${digest}; ignored.`,
      });
      continue;
    }
    const layer = parsed.layers.find((l) => (BUNDLE_MEDIA_TYPES as readonly string[]).includes(l.mediaType));
    if (!layer) {
      out.push({ referrer: d.digest, via, problem: 'The referrer has no bundle layer.' });
      continue;
    }
    if (layer.size > MAX_BUNDLE_BYTES) {
      out.push({ referrer: d.digest, via, problem: 'The bundle is larger than 4 MiB.' });
      continue;
    }
    out.push({ referrer: d.digest, via, bytes: await source.blob(repository, layer.digest, MAX_BUNDLE_BYTES) });
  }
  return out;
}

/**
 * What a bundle claims to be, read without trusting it: a DSSE envelope and the predicate type of
 * its statement. It only sorts a bundle no known key verified into signatures or attestations
 * (neither is ever accepted on this claim): an unverified vulnerability scan is no signature.
 */
export function claimedContent(bytes: Uint8Array): { dsse: boolean; predicateType?: string } {
  try {
    const doc = parseStrictJson(bytes, 'The bundle') as { dsseEnvelope?: { payload?: unknown } };
    const payload = typeof doc?.dsseEnvelope?.payload === 'string' ? decodeStdBase64(doc.dsseEnvelope.payload) : undefined;
    if (!doc?.dsseEnvelope) return { dsse: false };
    const statement = payload ? (parseStrictJson(payload, 'The in-toto statement') as { predicateType?: unknown }) : undefined;
    return { dsse: true, ...(typeof statement?.predicateType === 'string' ? { predicateType: statement.predicateType } : {}) };
  } catch {
    return { dsse: false };
  }
}
