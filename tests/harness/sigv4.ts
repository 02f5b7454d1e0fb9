import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-side AWS Signature Version 4 check, written from AWS's specification for the S3 test
 * server (s3rver parses SigV4 headers but does not verify them). Supports a hex payload hash
 * and UNSIGNED-PAYLOAD (what Huawei OBS requires).
 */
export interface SigV4Request {
  method: string;
  /** Raw path and query as received, e.g. `/bucket/a%20b.txt?list-type=2`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type SigV4Verdict = { ok: true; accessKeyId: string } | { ok: false; code: string; message: string };

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export function verifySigV4(request: SigV4Request, secrets: ReadonlyMap<string, string>, now = new Date()): SigV4Verdict {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const authorization = header('authorization');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization ?? '',
    );
  if (!match) return { ok: false, code: 'AccessDenied', message: 'Missing or malformed AWS4-HMAC-SHA256 Authorization header.' };
  const [, accessKeyId, date, region, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string];
  const secret = secrets.get(accessKeyId);
  if (!secret) return { ok: false, code: 'InvalidAccessKeyId', message: 'Unknown access key.' };
  const amzDate = header('x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date)
    return { ok: false, code: 'AccessDenied', message: 'Bad x-amz-date.' };
  const when = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs(now.getTime() - when) > 15 * 60 * 1000)
    return { ok: false, code: 'RequestTimeTooSkewed', message: 'Request time too skewed.' };
  const payloadHash = header('x-amz-content-sha256');
  if (payloadHash === undefined) return { ok: false, code: 'AccessDenied', message: 'Missing x-amz-content-sha256.' };
  if (payloadHash !== 'UNSIGNED-PAYLOAD') {
    if (!/^[0-9a-f]{64}$/.test(payloadHash))
      return { ok: false, code: 'NotImplemented', message: `Unsupported payload hash mode ${payloadHash}.` };
    if (payloadHash !== sha256(request.body))
      return { ok: false, code: 'XAmzContentSHA256Mismatch', message: 'The body does not match x-amz-content-sha256.' };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return { ok: false, code: 'AccessDenied', message: 'host and x-amz-date must be signed.' };
  const [rawPath = '/', rawQuery = ''] = request.url.split('?', 2) as [string, string?];
  const canonicalUri = rawPath
    .split('/')
    .map((segment) => encodeRfc3986(decodeURIComponent(segment)))
    .join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k = '', v = ''] = pair.split('=', 2) as [string, string?];
      return [encodeRfc3986(decodeURIComponent(k.replace(/\+/g, ' '))), encodeRfc3986(decodeURIComponent(v.replace(/\+/g, ' ')))] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(header(h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [request.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature does not match.' };
  return { ok: true, accessKeyId };
}

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
