import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hashOf, makeKey, signDigest, type DigestAlgorithm, type HarnessKey, type HarnessKeyType, type Misbehaviour } from './crypto';
import { header, startFakeServer, type FakeServer, type Reply, type SeenRequest } from './server';

/**
 * A fake Huawei Cloud KMS (DEW API v1.0): list-keys, describe-key, get-publickey and sign under
 * /v1.0/{project_id}/kms/, with Huawei's error shape and codes (KMS.0205 invalid key id,
 * KMS.0209 disabled, KMS.0210 pending deletion, APIGW.0301 authentication, APIGW.0308
 * throttling). Every request's AK/SK signature (SDK-HMAC-SHA256) is recomputed here, written
 * separately from Signet's signer after Huawei's published algorithm and SDK code.
 */
export interface HuaweiKeySpec {
  type: Extract<HarnessKeyType, 'rsa-2048' | 'rsa-3072' | 'ec-p256' | 'ec-p384' | 'sm2'>;
  alias?: string;
  state?: '2' | '3' | '4';
  usage?: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';
  misbehave?: Misbehaviour;
}

export interface FakeHuaweiKms extends FakeServer {
  region: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  keyIds: string[];
  throttleNext(n: number): void;
}

const SPEC: Record<string, string> = {
  'rsa-2048': 'RSA_2048',
  'rsa-3072': 'RSA_3072',
  'ec-p256': 'EC_P256',
  'ec-p384': 'EC_P384',
  sm2: 'SM2',
};
const ALGS: Record<string, DigestAlgorithm> = {
  RSASSA_PSS_SHA_256: 'rsa-pss-sha256',
  RSASSA_PSS_SHA_384: 'rsa-pss-sha384',
  RSASSA_PSS_SHA_512: 'rsa-pss-sha512',
  RSASSA_PKCS1_V1_5_SHA_256: 'rsa-pkcs1v15-sha256',
  RSASSA_PKCS1_V1_5_SHA_384: 'rsa-pkcs1v15-sha384',
  RSASSA_PKCS1_V1_5_SHA_512: 'rsa-pkcs1v15-sha512',
  ECDSA_SHA_256: 'ecdsa-p256-sha256',
  ECDSA_SHA_384: 'ecdsa-p384-sha384',
  SM2DSA_SM3: 'sm2-sm3',
};

export async function startFakeHuaweiKms(specs: HuaweiKeySpec[], options: { region?: string } = {}): Promise<FakeHuaweiKms> {
  const region = options.region ?? 'cn-north-4';
  const projectId = randomBytes(16).toString('hex');
  const accessKey = randomBytes(10).toString('hex').toUpperCase();
  const secretKey = randomBytes(20).toString('base64url');
  const keys = new Map<string, { spec: HuaweiKeySpec; key: HarnessKey }>();
  for (const spec of specs) keys.set(randomUUID(), { spec, key: makeKey(spec.type) });
  let throttle = 0;

  const fail = (status: number, code: string, message: string): Reply => ({
    status,
    body: { error: { error_code: code, error_msg: message } },
  });
  const info = (id: string) => {
    const k = keys.get(id)!;
    return {
      key_id: id,
      domain_id: 'b168fe00ff56492495a7d22974df2d0b',
      key_alias: k.spec.alias ?? '',
      realm: region,
      key_spec: SPEC[k.spec.type],
      key_usage: k.spec.usage ?? 'SIGN_VERIFY',
      key_description: '',
      creation_date: '1767225600000',
      scheduled_deletion_date: '',
      key_state: k.spec.state ?? '2',
      default_key_flag: '0',
      key_type: '1',
      expiration_time: '',
      origin: 'kms',
      key_rotation_enabled: 'false',
      sys_enterprise_project_id: '0',
      keystore_id: '0',
      key_label: '',
      partition_type: '1',
    };
  };

  const handle = (request: SeenRequest): Reply => {
    const auth = checkAkSk(request, accessKey, secretKey);
    if (auth) return fail(401, 'APIGW.0301', `Incorrect IAM authentication information: ${auth}`);
    if (throttle > 0) {
      throttle -= 1;
      return fail(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 second');
    }
    const m = /^\/v1\.0\/([0-9a-f]{32})\/kms\/([a-z-]+)$/.exec(request.url);
    if (!m || request.method !== 'POST')
      return fail(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
    if (m[1] !== projectId || header(request, 'x-project-id') !== projectId)
      return fail(403, 'KMS.0303', `The project ${m[1]} is not in region ${region} or not the token's project.`);
    const body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, string>;
    const action = m[2];
    if (action === 'list-keys') {
      const all = [...keys.keys()];
      return { status: 200, body: { keys: all, key_details: all.map(info), next_marker: '', truncated: 'false', total: all.length } };
    }
    const k = keys.get(body.key_id ?? '');
    if (!k) return fail(400, 'KMS.0205', 'Invalid key ID.');
    if (action === 'describe-key') return { status: 200, body: { key_info: info(body.key_id as string) } };
    if (action === 'get-publickey') return { status: 200, body: { key_id: body.key_id, public_key: k.key.publicPem } };
    if (action === 'sign') {
      if (k.spec.state === '3') return fail(400, 'KMS.0209', 'The key has been disabled.');
      if (k.spec.state === '4') return fail(400, 'KMS.0210', 'The key is in Scheduled deletion state and cannot be used.');
      if ((k.spec.usage ?? 'SIGN_VERIFY') !== 'SIGN_VERIFY') return fail(400, 'KMS.0237', 'The key usage does not support SIGN_VERIFY.');
      const algorithm = ALGS[body.signing_algorithm ?? ''];
      const spec = SPEC[k.spec.type] as string;
      const fits =
        algorithm &&
        ((spec.startsWith('RSA') && algorithm.startsWith('rsa')) ||
          (spec === 'EC_P256' && algorithm === 'ecdsa-p256-sha256') ||
          (spec === 'EC_P384' && algorithm === 'ecdsa-p384-sha384') ||
          (spec === 'SM2' && algorithm === 'sm2-sm3'));
      if (!fits) return fail(400, 'KMS.0236', `The signing algorithm ${body.signing_algorithm} does not match the key spec ${spec}.`);
      if ((body.message_type ?? 'DIGEST') !== 'DIGEST') return fail(400, 'KMS.0204', 'this fake takes DIGEST only');
      const digest = Buffer.from(body.message ?? '', 'base64');
      const expected = hashOf(algorithm) === 'sha384' ? 48 : hashOf(algorithm) === 'sha512' ? 64 : 32;
      if (digest.length !== expected) return fail(400, 'KMS.0204', 'The digest length does not match the algorithm.');
      return {
        status: 200,
        body: { key_id: body.key_id, signature: signDigest(k.key, algorithm, digest, k.spec.misbehave).toString('base64') },
      };
    }
    return fail(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
  };

  const server = await startFakeServer(handle);
  return { ...server, region, projectId, accessKey, secretKey, keyIds: [...keys.keys()], throttleNext: (n) => (throttle = n) };
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Recomputes an SDK-HMAC-SHA256 signature from the raw request; undefined when it matches. */
function checkAkSk(request: SeenRequest, accessKey: string, secretKey: string): string | undefined {
  const m = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
    header(request, 'authorization') ?? '',
  );
  if (!m) return 'missing or malformed Authorization';
  if (m[1] !== accessKey) return 'unknown access key';
  const date = header(request, 'x-sdk-date') ?? '';
  const when = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!Number.isFinite(when) || Math.abs(Date.now() - when) > 15 * 60 * 1000) return 'X-Sdk-Date missing or more than 15 minutes off';
  const signed = (m[2] as string).split(';');
  if (!signed.includes('x-sdk-date')) return 'x-sdk-date must be signed';
  const [rawPath = '/', rawQuery = ''] = request.url.split('?', 2) as [string, string?];
  let uri = rawPath
    .split('/')
    .map((s) => enc(decodeURIComponent(s)))
    .join('/');
  if (!uri.endsWith('/')) uri += '/';
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) =>
      p
        .split('=', 2)
        .map((x) => enc(decodeURIComponent(x ?? '')))
        .join('='),
    )
    .sort()
    .join('&');
  const headers = signed.map((h) => `${h}:${(header(request, h) ?? '').trim()}`).join('\n');
  const canonical = `${request.method}\n${uri}\n${query}\n${headers}\n\n${signed.join(';')}\n${createHash('sha256').update(request.body).digest('hex')}`;
  const toSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', secretKey).update(toSign).digest();
  return timingSafeEqual(expected, Buffer.from(m[3] as string, 'hex')) ? undefined : 'signature mismatch';
}
