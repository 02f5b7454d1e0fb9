import { createHash, createHmac } from 'node:crypto';

/**
 * Huawei Cloud AK/SK request signing ("SDK-HMAC-SHA256"), from Huawei's API Request Signing
 * Guide and its SDKs' signer: canonical request = METHOD, the path with each segment
 * percent-encoded and a trailing "/", the sorted query, `name:value` lines of the signed
 * (lower-case, sorted) headers, the signed header list, hex SHA-256 of the body; string to sign
 * = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex SHA-256 of the canonical request; signature =
 * hex HMAC-SHA256 keyed with the SK (no derived key, unlike AWS).
 */
export const ALGORITHM = 'SDK-HMAC-SHA256';

export interface AkSkRequest {
  method: string;
  url: URL;
  /** Headers to send and sign (Host is added from the URL). */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** RFC 3986 unreserved characters stay, everything else is %XX (upper-case hex). */
export function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sdkDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function canonicalRequest(request: AkSkRequest, signedHeaders: readonly string[]): string {
  let uri = request.url.pathname
    .split('/')
    .map((segment) => escape(decodeURIComponent(segment)))
    .join('/');
  if (!uri.endsWith('/')) uri += '/';
  const query = [...request.url.searchParams.entries()]
    .map(([k, v]) => [escape(k), escape(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const lower = new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const lines = signedHeaders.map((h) => `${h}:${(lower.get(h) ?? '').trim()}\n`).join('');
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  return [request.method.toUpperCase(), uri, query, lines, signedHeaders.join(';'), payloadHash].join('\n');
}

export function stringToSign(canonical: string, date: string): string {
  return `${ALGORITHM}\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
}

export function signature(secretKey: string, toSign: string): string {
  return createHmac('sha256', secretKey).update(toSign).digest('hex');
}

/** Returns the headers to send: the given ones plus Host, X-Sdk-Date and Authorization. */
export function signAkSk(request: AkSkRequest, accessKey: string, secretKey: string, now = new Date()): Record<string, string> {
  const date = sdkDate(now);
  const headers: Record<string, string> = { ...request.headers, Host: request.url.host, 'X-Sdk-Date': date };
  const signedHeaders = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const canonical = canonicalRequest({ ...request, headers }, signedHeaders);
  const sig = signature(secretKey, stringToSign(canonical, date));
  return { ...headers, Authorization: `${ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}` };
}
