import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  hashOf,
  keyAllows,
  makeKey,
  signDigest,
  type DigestAlgorithm,
  type HarnessKey,
  type HarnessKeyType,
  type Misbehaviour,
} from './crypto';
import { header, startFakeServer, type FakeServer, type Reply, type SeenRequest } from './server';

/**
 * A fake AWS KMS on 127.0.0.1 speaking the AWS JSON 1.1 protocol (POST /, X-Amz-Target:
 * TrentService.<Operation>) for ListKeys, ListAliases, DescribeKey, GetPublicKey and Sign.
 * Every request's SigV4 signature (service "kms") is recomputed from the raw request and refused
 * with AWS's own error types when wrong. Keys are real; signing happens here.
 */
export interface AwsKeySpec {
  type: HarnessKeyType;
  alias?: string;
  state?: 'Enabled' | 'Disabled' | 'PendingDeletion';
  usage?: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';
  misbehave?: Misbehaviour;
  description?: string;
}

export interface FakeAwsKms extends FakeServer {
  region: string;
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  keys: Map<string, { id: string; arn: string; spec: AwsKeySpec; key: HarnessKey }>;
  arnOf(alias: string): string;
  /** The next N requests answer ThrottlingException. */
  throttleNext(n: number): void;
}

const SPEC: Record<HarnessKeyType, string> = {
  'rsa-2048': 'RSA_2048',
  'rsa-3072': 'RSA_3072',
  'rsa-4096': 'RSA_4096',
  'ec-p256': 'ECC_NIST_P256',
  'ec-p384': 'ECC_NIST_P384',
  'ec-p521': 'ECC_NIST_P521',
  sm2: 'SM2',
};

const ALGS: Record<string, DigestAlgorithm> = {
  RSASSA_PKCS1_V1_5_SHA_256: 'rsa-pkcs1v15-sha256',
  RSASSA_PKCS1_V1_5_SHA_384: 'rsa-pkcs1v15-sha384',
  RSASSA_PKCS1_V1_5_SHA_512: 'rsa-pkcs1v15-sha512',
  RSASSA_PSS_SHA_256: 'rsa-pss-sha256',
  RSASSA_PSS_SHA_384: 'rsa-pss-sha384',
  RSASSA_PSS_SHA_512: 'rsa-pss-sha512',
  ECDSA_SHA_256: 'ecdsa-p256-sha256',
  ECDSA_SHA_384: 'ecdsa-p384-sha384',
  ECDSA_SHA_512: 'ecdsa-p521-sha512',
  SM2DSA: 'sm2-sm3',
};

function signingAlgorithms(type: HarnessKeyType): string[] {
  return Object.entries(ALGS)
    .filter(([, a]) => keyAllows(type, a))
    .map(([name]) => name);
}

export async function startFakeAwsKms(specs: AwsKeySpec[], options: { region?: string } = {}): Promise<FakeAwsKms> {
  const region = options.region ?? 'eu-central-1';
  const accountId = '111122223333';
  const accessKeyId = 'AKIAFAKEKMS0000000001';
  const secretAccessKey = `fake-secret-${randomUUID()}`;
  const keys = new Map<string, { id: string; arn: string; spec: AwsKeySpec; key: HarnessKey }>();
  const aliases = new Map<string, string>();
  for (const spec of specs) {
    const id = randomUUID();
    const arn = `arn:aws:kms:${region}:${accountId}:key/${id}`;
    keys.set(id, { id, arn, spec, key: makeKey(spec.type) });
    if (spec.alias) aliases.set(`alias/${spec.alias}`, id);
  }
  let throttle = 0;

  const fail = (status: number, type: string, message: string): Reply => ({
    status,
    body: { __type: type, message },
    headers: { 'x-amzn-errortype': type, 'content-type': 'application/x-amz-json-1.1' },
  });
  const ok = (body: unknown): Reply => ({
    status: 200,
    body,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
  });

  const resolve = (keyId: unknown) => {
    if (typeof keyId !== 'string') return undefined;
    const aliasMatch = /^(?:arn:aws:kms:([^:]+):\d{12}:)?(alias\/.+)$/.exec(keyId);
    if (aliasMatch) {
      if (aliasMatch[1] && aliasMatch[1] !== region) return undefined;
      const id = aliases.get(aliasMatch[2] as string);
      return id ? keys.get(id) : undefined;
    }
    const arn = /^arn:aws:kms:([^:]+):\d{12}:key\/(.+)$/.exec(keyId);
    if (arn) return arn[1] === region ? keys.get(arn[2] as string) : undefined;
    return keys.get(keyId);
  };

  const metadata = (k: { id: string; arn: string; spec: AwsKeySpec }) => ({
    AWSAccountId: accountId,
    KeyId: k.id,
    Arn: k.arn,
    CreationDate: 1_700_000_000,
    Enabled: (k.spec.state ?? 'Enabled') === 'Enabled',
    Description: k.spec.description ?? '',
    KeyUsage: k.spec.usage ?? 'SIGN_VERIFY',
    KeyState: k.spec.state ?? 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: SPEC[k.spec.type],
    KeySpec: SPEC[k.spec.type],
    ...((k.spec.usage ?? 'SIGN_VERIFY') === 'SIGN_VERIFY'
      ? { SigningAlgorithms: signingAlgorithms(k.spec.type) }
      : { EncryptionAlgorithms: ['RSAES_OAEP_SHA_256'] }),
    MultiRegion: false,
  });

  const handle = (request: SeenRequest): Reply => {
    const auth = checkSigV4(request, accessKeyId, secretAccessKey, region);
    if (auth) return fail(400, auth.type, auth.message);
    if (throttle > 0) {
      throttle -= 1;
      return fail(400, 'ThrottlingException', 'Rate exceeded');
    }
    const target = header(request, 'x-amz-target') ?? '';
    if (header(request, 'content-type') !== 'application/x-amz-json-1.1') return fail(400, 'SerializationException', 'bad content type');
    const input = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    switch (target) {
      case 'TrentService.ListKeys':
        return ok({ Keys: [...keys.values()].map((k) => ({ KeyId: k.id, KeyArn: k.arn })), Truncated: false });
      case 'TrentService.ListAliases':
        return ok({
          Aliases: [...aliases.entries()].map(([name, id]) => ({
            AliasName: name,
            AliasArn: `arn:aws:kms:${region}:${accountId}:${name}`,
            TargetKeyId: id,
          })),
          Truncated: false,
        });
      case 'TrentService.DescribeKey': {
        const k = resolve(input.KeyId);
        return k ? ok({ KeyMetadata: metadata(k) }) : fail(400, 'NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
      }
      case 'TrentService.GetPublicKey': {
        const k = resolve(input.KeyId);
        if (!k) return fail(400, 'NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
        if (k.spec.state === 'Disabled') return fail(400, 'DisabledException', `${k.arn} is disabled.`);
        return ok({
          KeyId: k.arn,
          PublicKey: k.key.publicDer.toString('base64'),
          KeySpec: SPEC[k.spec.type],
          KeyUsage: k.spec.usage ?? 'SIGN_VERIFY',
          ...(k.spec.usage === 'ENCRYPT_DECRYPT' ? {} : { SigningAlgorithms: signingAlgorithms(k.spec.type) }),
        });
      }
      case 'TrentService.Sign': {
        const k = resolve(input.KeyId);
        if (!k) return fail(400, 'NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
        if (k.spec.state === 'Disabled') return fail(400, 'DisabledException', `${k.arn} is disabled.`);
        if (k.spec.state === 'PendingDeletion') return fail(400, 'KMSInvalidStateException', `${k.arn} is pending deletion.`);
        if ((k.spec.usage ?? 'SIGN_VERIFY') !== 'SIGN_VERIFY')
          return fail(400, 'InvalidKeyUsageException', `You cannot perform this operation on a ENCRYPT_DECRYPT key ${k.arn}.`);
        const algorithm = ALGS[String(input.SigningAlgorithm)];
        if (!algorithm || !keyAllows(k.spec.type, algorithm))
          return fail(
            400,
            'InvalidKeyUsageException',
            `Signing algorithm ${String(input.SigningAlgorithm)} is not supported for key spec ${SPEC[k.spec.type]}.`,
          );
        if (input.MessageType !== 'DIGEST') return fail(400, 'ValidationException', 'this fake only takes MessageType DIGEST');
        const digest = Buffer.from(String(input.Message), 'base64');
        const expected = hashOf(algorithm) === 'sha384' ? 48 : hashOf(algorithm) === 'sha512' ? 64 : 32;
        if (digest.length !== expected)
          return fail(400, 'ValidationException', `Digest is invalid length for algorithm ${String(input.SigningAlgorithm)}.`);
        const signature = signDigest(k.key, algorithm, digest, k.spec.misbehave);
        return ok({ KeyId: k.arn, Signature: signature.toString('base64'), SigningAlgorithm: input.SigningAlgorithm });
      }
      default:
        return fail(400, 'UnknownOperationException', `unknown target ${target}`);
    }
  };

  const server = await startFakeServer(handle);
  return {
    ...server,
    region,
    accountId,
    accessKeyId,
    secretAccessKey,
    keys,
    arnOf: (alias) => keys.get(aliases.get(`alias/${alias}`) as string)?.arn as string,
    throttleNext: (n) => {
      throttle = n;
    },
  };
}

/** Server-side SigV4 check (service kms); undefined when the signature is right. */
function checkSigV4(
  request: SeenRequest,
  accessKeyId: string,
  secret: string,
  region: string,
): { type: string; message: string } | undefined {
  const authorization = header(request, 'authorization') ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, keyId, date, scopeRegion, service, signedList, signature] = match as unknown as string[];
  if (keyId !== accessKeyId)
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (service !== 'kms') return { type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: 'kms'.` };
  if (scopeRegion !== region)
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region, not '${scopeRegion}'.` };
  const amzDate = header(request, 'x-amz-date') ?? '';
  if (!amzDate.startsWith(date as string))
    return {
      type: 'InvalidSignatureException',
      message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP',
    };
  const signed = (signedList as string).split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date'))
    return { type: 'InvalidSignatureException', message: 'host and x-amz-date must be signed' };
  const [path = '/', query = ''] = request.url.split('?', 2) as [string, string?];
  const canonicalQuery = query.split('&').filter(Boolean).sort().join('&');
  const canonicalHeaders = signed.map((h) => `${h}:${(header(request, h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  const canonicalRequest = [request.method, path, canonicalQuery, canonicalHeaders, signedList, payloadHash].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date as string), scopeRegion as string), service as string), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature as string, 'hex'))) {
    return { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return undefined;
}
