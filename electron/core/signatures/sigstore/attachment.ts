import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { COSIGN_PAYLOAD_MEDIA_TYPE } from '../../../../shared/payloads/payloads';
import { parseSignedPayload } from '../signed-payload';
import { parseStrictJson } from '../../json/strict';

/**
 * A cosign-format ("sigstore attachment") signature verified the way containers/image verifies it
 * under a `sigstoreSigned` policy (signature/internal/sigstore_payload.go, rekor_set.go): the
 * signature over the exact payload bytes with SHA-256 for every key type, then a payload whose
 * `critical` has exactly `type`, `image.docker-manifest-digest` and `identity.docker-reference`.
 * No transparency log is consulted; a Rekor SET is checked only when Rekor keys are given.
 */

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const SET_ANNOTATION = 'dev.sigstore.cosign/bundle';
const MAX_PAYLOAD = 4 * 1024 * 1024;

export interface SigstoreAttachment {
  mimeType: string;
  payload: Uint8Array;
  annotations: Record<string, string>;
}

export interface AttachmentPayload {
  manifestDigest: string;
  dockerReference: string;
  optional: Record<string, unknown> | null;
}

export type AttachmentResult =
  | { ok: true; keyIndex: number; payload: AttachmentPayload; integratedTime?: number }
  | { ok: false; stage: 'signature' | 'rekor' | 'payload' | 'digest' | 'identity'; reason: string; keyIndex?: number };

export interface AttachmentRules {
  /** Returns a reason when the signed digest is not the image's. */
  checkDigest(signed: string): string | undefined;
  /** Returns a reason when the signed identity is not acceptable. */
  checkIdentity(signed: string): string | undefined;
  /** How a key checks the signature; default c/image's SHA-256 for every key type (verifySha256). */
  verifySignature?(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean;
}

/** A verifier with another digest, as policy-controller's `hashAlgorithm` and Kyverno's `signatureAlgorithm` choose it. */
export function verifyWithHash(hash: 'sha256' | 'sha384' | 'sha512'): (key: KeyObject, data: Uint8Array, signature: Uint8Array) => boolean {
  return (key, data, signature) => {
    try {
      if (key.asymmetricKeyType === 'ed25519') return verify(null, data, key, signature);
      if (key.asymmetricKeyType === 'ec') return verify(hash, data, { key, dsaEncoding: 'der' }, signature);
      if (key.asymmetricKeyType === 'rsa') return verify(hash, data, key, signature);
    } catch {
      return false;
    }
    return false;
  };
}

/** c/image's sigstore verifier loads keys with SHA-256 for all of ECDSA, RSA (PKCS#1 v1.5) and pure Ed25519. */
export function verifySha256(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return verify(null, data, key, signature);
    if (key.asymmetricKeyType === 'ec') return verify('sha256', data, { key, dsaEncoding: 'der' }, signature);
    if (key.asymmetricKeyType === 'rsa') return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
  return false;
}

/** Parses a key given as PEM (a public key, or the first key of a bundle of PEM blocks). */
export function publicKeysFromPem(text: string): KeyObject[] {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  return blocks.map((b) => createPublicKey(b));
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeStdBase64(text: string): Buffer | undefined {
  return STD_BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

export function verifyAttachment(
  sig: SigstoreAttachment,
  keys: readonly KeyObject[],
  rules: AttachmentRules,
  rekorKeys?: readonly KeyObject[],
): AttachmentResult {
  if (sig.mimeType !== COSIGN_PAYLOAD_MEDIA_TYPE)
    return { ok: false, stage: 'payload', reason: `The attachment is a ${sig.mimeType}, not a signature.` };
  const b64 = sig.annotations[SIGNATURE_ANNOTATION];
  if (b64 === undefined) return { ok: false, stage: 'signature', reason: `missing ${SIGNATURE_ANNOTATION} annotation` };
  if (sig.payload.length > MAX_PAYLOAD) return { ok: false, stage: 'payload', reason: 'The signed payload is larger than 4 MiB.' };
  const signature = decodeStdBase64(b64);
  if (!signature) return { ok: false, stage: 'signature', reason: 'The signature annotation is not valid base64.' };

  let candidates = keys.map((k, i) => ({ k, i }));
  let integratedTime: number | undefined;
  if (rekorKeys && rekorKeys.length) {
    const set = sig.annotations[SET_ANNOTATION];
    if (set === undefined) return { ok: false, stage: 'rekor', reason: `missing ${SET_ANNOTATION} annotation` };
    const failures: string[] = [];
    const matched = candidates.find(({ k }) => {
      const r = verifyRekorSet(rekorKeys, set, k, signature, sig.payload);
      if (typeof r === 'string') failures.push(r);
      else integratedTime = r.integratedTime;
      return typeof r !== 'string';
    });
    if (!matched) return { ok: false, stage: 'rekor', reason: `No public key verified against the Rekor SET: ${failures.join(', ')}` };
    candidates = [matched];
  }

  const check = rules.verifySignature ?? verifySha256;
  const match = candidates.find(({ k }) => check(k, sig.payload, signature));
  if (!match)
    return {
      ok: false,
      stage: 'signature',
      reason: 'cryptographic signature verification failed: the signature does not verify with any trusted key over the payload bytes',
    };

  const parsed = parseAttachmentPayload(sig.payload);
  if (typeof parsed === 'string') return { ok: false, stage: 'payload', reason: parsed, keyIndex: match.i };
  const digestProblem = rules.checkDigest(parsed.manifestDigest);
  if (digestProblem) return { ok: false, stage: 'digest', reason: digestProblem, keyIndex: match.i };
  const identityProblem = rules.checkIdentity(parsed.dockerReference);
  if (identityProblem) return { ok: false, stage: 'identity', reason: identityProblem, keyIndex: match.i };
  return { ok: true, keyIndex: match.i, payload: parsed, ...(integratedTime !== undefined ? { integratedTime } : {}) };
}

/** The payload exactly as c/image's untrustedSigstorePayload accepts it (the one strict parser); a string is the reason it does not. */
export function parseAttachmentPayload(bytes: Uint8Array): AttachmentPayload | string {
  const parsed = parseSignedPayload(bytes, 'cosign');
  if (!parsed.ok) return parsed.reason;
  const { manifestDigest, dockerReference, optional } = parsed.payload;
  return { manifestDigest, dockerReference, optional };
}

/** RFC 8785 canonical JSON for the plain values a Rekor SET payload holds. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** Checks a Rekor SET the way c/image's VerifyRekorSET does; a string is the reason it fails. */
export function verifyRekorSet(
  rekorKeys: readonly KeyObject[],
  setText: string,
  signerKey: KeyObject,
  signature: Uint8Array,
  payload: Uint8Array,
): { integratedTime: number } | string {
  let set: Record<string, unknown>;
  try {
    set = parseStrictJson(setText, 'The Rekor SET') as Record<string, unknown>;
  } catch (error) {
    return (error as Error).message;
  }
  if (typeof set !== 'object' || set === null || Object.keys(set).sort().join(',') !== 'Payload,SignedEntryTimestamp')
    return 'The Rekor SET must have exactly SignedEntryTimestamp and Payload';
  const setSig = typeof set.SignedEntryTimestamp === 'string' ? decodeStdBase64(set.SignedEntryTimestamp) : undefined;
  if (!setSig) return 'The Rekor SET signature is not base64';
  const p = set.Payload as Record<string, unknown>;
  if (typeof p !== 'object' || p === null || Object.keys(p).sort().join(',') !== 'body,integratedTime,logID,logIndex')
    return 'The Rekor SET payload must have exactly body, integratedTime, logIndex and logID';
  if (typeof p.body !== 'string' || !Number.isInteger(p.integratedTime) || !Number.isInteger(p.logIndex) || typeof p.logID !== 'string')
    return 'The Rekor SET payload has members of the wrong type';
  const canonical = Buffer.from(canonicalJson(p), 'utf8');
  const ok = rekorKeys.some((k) => {
    try {
      return k.asymmetricKeyType === 'ec' && verify('sha256', canonical, { key: k, dsaEncoding: 'der' }, setSig);
    } catch {
      return false;
    }
  });
  if (!ok) return 'cryptographic signature verification of Rekor SET failed';
  const bodyBytes = decodeStdBase64(p.body);
  if (!bodyBytes) return 'The Rekor SET body is not base64';
  let body: {
    apiVersion?: unknown;
    kind?: unknown;
    spec?: {
      data?: { hash?: { algorithm?: unknown; value?: unknown } };
      signature?: { content?: unknown; publicKey?: { content?: unknown } };
    };
  };
  try {
    body = JSON.parse(bodyBytes.toString('utf8')) as typeof body;
  } catch {
    return 'decoding the body of a Rekor SET payload failed';
  }
  if (body.apiVersion !== '0.0.1') return `unsupported Rekor SET Payload hashedrekord version ${JSON.stringify(body.apiVersion)}`;
  const spec = body.spec;
  if (!spec?.signature) return 'Missing "signature" field in hashedrekord';
  if (!spec.signature.publicKey) return 'Missing "signature.publicKey" field in hashedrekord';
  const keyPem =
    typeof spec.signature.publicKey.content === 'string' ? decodeStdBase64(spec.signature.publicKey.content)?.toString('utf8') : undefined;
  const der = keyPem ? pemBody(keyPem) : undefined;
  if (!der) return 'publicKey in Rekor SET is not in PEM format';
  if (!der.equals(signerKey.export({ type: 'spki', format: 'der' }))) return 'publicKey in Rekor SET does not match';
  const content = typeof spec.signature.content === 'string' ? decodeStdBase64(spec.signature.content) : undefined;
  if (!content || !content.equals(Buffer.from(signature))) return 'signature in Rekor SET does not match';
  if (spec.data?.hash?.algorithm !== 'sha256') return 'Unexpected "data.hash.algorithm" value in hashedrekord';
  if (typeof spec.data.hash.value !== 'string' || spec.data.hash.value !== createHash('sha256').update(payload).digest('hex'))
    return 'payload in Rekor SET does not match';
  return { integratedTime: p.integratedTime as number };
}

/** The DER of a single PEM block with nothing after it (as Go's pem.Decode with no rest). */
function pemBody(text: string): Buffer | undefined {
  const m = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----\r?\n?$/.exec(text);
  return m ? Buffer.from((m[2] as string).replace(/\s+/g, ''), 'base64') : undefined;
}
