import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { makeKey, signDigest, type DigestAlgorithm, type HarnessKey, type HarnessKeyType, type Misbehaviour } from './crypto';
import { header, startFakeServer, type FakeServer, type Reply, type SeenRequest } from './server';

/**
 * A fake Tencent Cloud KMS (API 2019-01-18): ListKeyDetail, DescribeKey, GetPublicKey and
 * SignByAsymmetricKey, answering `{"Response": …}` with Tencent's error codes. Every request's
 * TC3-HMAC-SHA256 Authorization is recomputed (canonical request over content-type and host,
 * credential scope DATE/kms/tc3_request, five-minute clock window). It also answers as an HTTP
 * CONNECT proxy so the SDK can use the real host name kms.tencentcloudapi.com (the SDK derives
 * the signing service from the endpoint's first label).
 */
export interface TencentKeySpec {
  type: Extract<HarnessKeyType, 'rsa-2048' | 'ec-p256' | 'sm2'>;
  alias?: string;
  state?: 'Enabled' | 'Disabled' | 'PendingDelete';
  usage?: string;
  misbehave?: Misbehaviour;
}

export interface FakeTencentKms extends FakeServer {
  region: string;
  secretId: string;
  secretKey: string;
  keyIds: string[];
  throttleNext(n: number): void;
}

const USAGE: Record<string, string> = {
  'rsa-2048': 'ASYMMETRIC_SIGN_VERIFY_RSA_2048',
  'ec-p256': 'ASYMMETRIC_SIGN_VERIFY_ECC',
  sm2: 'ASYMMETRIC_SIGN_VERIFY_SM2',
};
const ALGORITHMS: Record<string, { type: string; algorithm: DigestAlgorithm }> = {
  RSA_PSS_SHA_256: { type: 'rsa-2048', algorithm: 'rsa-pss-sha256' },
  RSA_PKCS1_SHA_256: { type: 'rsa-2048', algorithm: 'rsa-pkcs1v15-sha256' },
  ECC_P256_R1: { type: 'ec-p256', algorithm: 'ecdsa-p256-sha256' },
  SM2DSA: { type: 'sm2', algorithm: 'sm2-sm3' },
};

export async function startFakeTencentKms(specs: TencentKeySpec[], options: { region?: string } = {}): Promise<FakeTencentKms> {
  const region = options.region ?? 'ap-guangzhou';
  const secretId = `AKID${randomUUID().replace(/-/g, '').slice(0, 28)}`;
  const secretKey = randomUUID().replace(/-/g, '');
  const keys = new Map<string, { spec: TencentKeySpec; key: HarnessKey; created: number }>();
  for (const spec of specs) keys.set(randomUUID(), { spec, key: makeKey(spec.type), created: 1_767_225_600 });
  let throttle = 0;

  const respond = (body: Record<string, unknown>): Reply => ({ status: 200, body: { Response: { ...body, RequestId: randomUUID() } } });
  const error = (code: string, message: string) => respond({ Error: { Code: code, Message: message } });
  const meta = (id: string) => {
    const k = keys.get(id)!;
    return {
      KeyId: id,
      Alias: k.spec.alias ?? '',
      CreateTime: k.created,
      Description: '',
      KeyState: k.spec.state ?? 'Enabled',
      KeyUsage: k.spec.usage ?? USAGE[k.spec.type],
      Type: 1,
      CreatorUin: 100000000001,
      KeyRotationEnabled: false,
      Owner: 'user',
      NextRotateTime: 0,
      Origin: 'TENCENT_KMS',
    };
  };

  const handle = (request: SeenRequest): Reply => {
    const auth = checkTc3(request, secretId, secretKey);
    if (auth) return error(auth.code, auth.message);
    if (header(request, 'x-tc-version') !== '2019-01-18') return error('InvalidParameter', 'wrong version');
    if (header(request, 'x-tc-region') !== region)
      return error('InvalidParameterValue.InvalidRegion', `The region ${header(request, 'x-tc-region')} is not where these keys are.`);
    if (throttle > 0) {
      throttle -= 1;
      return error(
        'RequestLimitExceeded',
        'Your current request times equals to `101` in a second, which exceeds the frequency limit `100` for a second. Please reduce the frequency of calls.',
      );
    }
    const input = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    const action = header(request, 'x-tc-action');
    const find = () => {
      const id = String(input.KeyId ?? '');
      return keys.has(id) ? id : undefined;
    };
    switch (action) {
      case 'ListKeyDetail': {
        const all = [...keys.keys()];
        const offset = Number(input.Offset ?? 0);
        const limit = Number(input.Limit ?? 10);
        return respond({ TotalCount: all.length, KeyMetadatas: all.slice(offset, offset + limit).map(meta) });
      }
      case 'DescribeKey': {
        const id = find();
        return id ? respond({ KeyMetadata: meta(id) }) : error('ResourceUnavailable.CmkNotFound', 'cmk not found');
      }
      case 'GetPublicKey': {
        const id = find();
        if (!id) return error('ResourceUnavailable.CmkNotFound', 'cmk not found');
        const k = keys.get(id)!;
        return respond({ KeyId: id, PublicKey: k.key.publicDer.toString('base64'), PublicKeyPem: k.key.publicPem });
      }
      case 'SignByAsymmetricKey': {
        const id = find();
        if (!id) return error('ResourceUnavailable.CmkNotFound', 'cmk not found');
        const k = keys.get(id)!;
        if (k.spec.state === 'Disabled') return error('ResourceUnavailable.CmkDisabled', 'cmk is disabled');
        if (k.spec.state === 'PendingDelete')
          return error('ResourceUnavailable.CmkStateNotSupport', 'cmk state PendingDelete does not support this operation');
        if (k.spec.usage && !k.spec.usage.startsWith('ASYMMETRIC_SIGN_VERIFY'))
          return error('UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion', 'key usage does not support signing');
        const algorithm = ALGORITHMS[String(input.Algorithm)];
        if (!algorithm || algorithm.type !== k.spec.type)
          return error('InvalidParameterValue.InvalidAlgorithm', `algorithm ${String(input.Algorithm)} does not match the key`);
        if (input.MessageType !== 'DIGEST') return error('InvalidParameter', 'this fake takes DIGEST only');
        const digest = Buffer.from(String(input.Message), 'base64');
        if (digest.length !== 32) return error('InvalidParameterValue.InvalidMessage', 'digest must be 32 bytes');
        return respond({ Signature: signDigest(k.key, algorithm.algorithm, digest, k.spec.misbehave).toString('base64') });
      }
      default:
        return error('InvalidAction', `unknown action ${action}`);
    }
  };

  const server = await startFakeServer(handle, undefined, { connectProxy: true });
  return { ...server, region, secretId, secretKey, keyIds: [...keys.keys()], throttleNext: (n) => (throttle = n) };
}

/** Server-side TC3-HMAC-SHA256 check; undefined when the request is signed right. */
function checkTc3(request: SeenRequest, secretId: string, secretKey: string): { code: string; message: string } | undefined {
  const authorization = header(request, 'authorization') ?? '';
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!m)
    return {
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated. Authorization header malformed.',
    };
  const [, id, date, service, signedList, signature] = m as unknown as string[];
  if (id !== secretId)
    return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found, please ensure that your SecretId is correct.' };
  if (service !== 'kms') return { code: 'AuthFailure.SignatureFailure', message: `credential scope service ${service} is not kms` };
  const timestamp = Number(header(request, 'x-tc-timestamp'));
  if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300)
    return { code: 'AuthFailure.SignatureExpire', message: 'Request has expired.' };
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return { code: 'AuthFailure.SignatureFailure', message: 'date mismatch' };
  const signed = (signedList as string).split(';');
  if (!signed.includes('host') || !signed.includes('content-type'))
    return { code: 'AuthFailure.SignatureFailure', message: 'host and content-type must be signed' };
  const hostName = (header(request, 'host') ?? '').replace(/:\d+$/, '');
  const headerLines = signed.map((h) => `${h}:${h === 'host' ? hostName : (header(request, h) ?? '').trim()}\n`).join('');
  const [path = '/', query = ''] = request.url.replace(/^https?:\/\/[^/]+/, '').split('?', 2) as [string, string?];
  const canonical = [request.method, path, query, headerLines, signedList, createHash('sha256').update(request.body).digest('hex')].join(
    '\n',
  );
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(timestamp),
    `${date}/${service}/tc3_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const kSigning = hmac(hmac(hmac(`TC3${secretKey}`, date as string), service as string), 'tc3_request');
  if (!timingSafeEqual(hmac(kSigning, stringToSign), Buffer.from(signature as string, 'hex')))
    return {
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated. Please check your signature is correct.',
    };
  return undefined;
}
