import { ATOMIC_TYPE, COSIGN_TYPE } from '../../../shared/payloads/payloads';
import type { ReasonCode } from '../../../shared/models/verdict';
import { parseStrictJson } from '../json/strict';

/**
 * The one parser of signed image payloads, for simple signing (`atomic container signature`) and
 * cosign (`cosign container image signature`), as containers/image's untrustedSignature and
 * untrustedSigstorePayload accept them. Deliberately strict — strictness is the security feature
 * (containers-signature(5)): duplicate keys and trailing data refused, exactly `critical` and
 * `optional` at the top, exactly `type`, `image` and `identity` in `critical`, exactly
 * `docker-manifest-digest` and `docker-reference` inside those, strings where strings are due.
 * Unknown members of `optional` are tolerated. Every verify path (image report, policy evaluation,
 * offline bundles, tag badges) goes through here, so none accepts what another refuses.
 */
export interface SignedPayload {
  manifestDigest: string;
  dockerReference: string;
  optional: Record<string, unknown> | null;
  creator?: string;
  timestamp?: number;
}

export type PayloadParse = { ok: true; payload: SignedPayload } | { ok: false; code: ReasonCode; reason: string };

/**
 * `swr`: the payload Huawei SWR's `.asc` instructions sign — an atomic payload with only
 * `critical` (no `optional`) and an identity without the registry host. containers/image refuses
 * it (it requires `optional`), so only the `.asc` reader asks for it.
 */
export type PayloadKind = 'atomic' | 'cosign' | 'swr';

const fail = (reason: string): PayloadParse => ({ ok: false, code: 'PAYLOAD_INVALID', reason });

function exact(o: unknown, fields: readonly string[], what: string): Record<string, unknown> | string {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return `${what} is not a JSON object.`;
  const keys = Object.keys(o);
  const unknown = keys.filter((k) => !fields.includes(k));
  if (unknown.length) return `${what} has unknown members: ${unknown.slice(0, 5).join(', ')}.`;
  const missing = fields.filter((k) => !keys.includes(k));
  if (missing.length) return `${what} misses ${missing.join(', ')}.`;
  return o as Record<string, unknown>;
}

export function parseSignedPayload(bytes: Uint8Array, kind: PayloadKind): PayloadParse {
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, 'The signed payload');
  } catch (error) {
    return fail((error as Error).message);
  }
  const top = exact(doc, kind === 'swr' ? ['critical'] : ['critical', 'optional'], 'The payload');
  if (typeof top === 'string') return fail(top);
  const critical = exact(top.critical, ['type', 'image', 'identity'], 'The payload’s critical section');
  if (typeof critical === 'string') return fail(critical);
  const expectedType = kind === 'cosign' ? COSIGN_TYPE : ATOMIC_TYPE;
  if (typeof critical.type !== 'string') return fail('The payload’s critical.type is not a string.');
  if (critical.type !== expectedType)
    return fail(`The payload’s type is ${JSON.stringify(critical.type.slice(0, 80))}, not "${expectedType}".`);
  const image = exact(critical.image, ['docker-manifest-digest'], 'critical.image');
  if (typeof image === 'string') return fail(image);
  const identity = exact(critical.identity, ['docker-reference'], 'critical.identity');
  if (typeof identity === 'string') return fail(identity);
  const digest = image['docker-manifest-digest'];
  const reference = identity['docker-reference'];
  if (typeof digest !== 'string') return fail('critical.image.docker-manifest-digest is not a string.');
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest))
    return fail(`critical.image.docker-manifest-digest ${JSON.stringify(digest.slice(0, 80))} is not a digest.`);
  if (typeof reference !== 'string') return fail('critical.identity.docker-reference is not a string.');
  if (kind === 'swr') return { ok: true, payload: { manifestDigest: digest, dockerReference: reference, optional: null } };
  const optional = top.optional;
  // cosign writes "optional": null; the atomic format requires an object there.
  if (optional === null && kind === 'cosign')
    return { ok: true, payload: { manifestDigest: digest, dockerReference: reference, optional: null } };
  if (typeof optional !== 'object' || optional === null || Array.isArray(optional))
    return fail('The payload’s optional section is not an object.');
  const o = optional as Record<string, unknown>;
  const out: SignedPayload = { manifestDigest: digest, dockerReference: reference, optional: o };
  if (o.creator !== undefined) {
    if (typeof o.creator !== 'string') return fail('optional.creator is not a string.');
    out.creator = o.creator;
  }
  if (o.timestamp !== undefined) {
    // containers/image reads it as an int64; a date must also fit a JavaScript Date (±8.64e12 s).
    if (typeof o.timestamp !== 'number' || !Number.isSafeInteger(o.timestamp) || Math.abs(o.timestamp) > 8.64e12)
      return fail('optional.timestamp is not an integer number of seconds a date can hold.');
    out.timestamp = o.timestamp;
  }
  return { ok: true, payload: out };
}

/** String annotations a signer put in `optional` (cosign -a), for display. */
export function stringAnnotations(optional: Record<string, unknown> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(optional ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}
