import path from 'node:path';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import type { KmsAlgorithm, KmsKey, KmsKeyState } from '../../../../shared/models/kms';
import { toSpkiPem } from '../algorithms';
import { isNetworkFailure, kmsError, rethrowKnown, withBackoff } from '../errors';
import { parseIni } from '../ini';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from '../provider';
import type { KmsKeyRef } from '../uri';
import { readRegularFileSync, SMALL_FILE_MAX } from '../../storage/bounded-read';

/**
 * Tencent Cloud KMS (API 2019-01-18) through Tencent's common client, which signs every request
 * with TC3-HMAC-SHA256. Tencent keys have no versions: the key id is what Signet records.
 * Digests are sent with MessageType DIGEST, which Tencent takes for 32-byte digests only
 * (SHA-256, and SM3(Z_A ‖ M) for SM2).
 */
const API_VERSION = '2019-01-18';

const BY_USAGE: Readonly<Record<string, KmsAlgorithm[]>> = {
  ASYMMETRIC_SIGN_VERIFY_SM2: ['sm2-sm3'],
  ASYMMETRIC_SIGN_VERIFY_ECC: ['ecdsa-p256-sha256'],
  ASYMMETRIC_SIGN_VERIFY_RSA_2048: ['rsa-pkcs1v15-sha256', 'rsa-pss-sha256'],
};

const TO_TENCENT: Readonly<Partial<Record<KmsAlgorithm, string>>> = {
  'sm2-sm3': 'SM2DSA',
  'ecdsa-p256-sha256': 'ECC_P256_R1',
  'rsa-pkcs1v15-sha256': 'RSA_PKCS1_SHA_256',
  'rsa-pss-sha256': 'RSA_PSS_SHA_256',
};

const STATES: Readonly<Record<string, KmsKeyState>> = {
  Enabled: 'enabled',
  Disabled: 'disabled',
  PendingDelete: 'pending-deletion',
  PendingImport: 'pending-import',
  Archived: 'disabled',
};

interface KeyMetadata {
  KeyId: string;
  Alias?: string;
  Description?: string;
  KeyState?: string;
  KeyUsage?: string;
  CreateTime?: number;
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection } = resolved;
  const endpoint = connection.endpoint ? new URL(connection.endpoint) : undefined;
  const clients = new Map<string, CommonClient>();
  const clientFor = (region: string): CommonClient => {
    let client = clients.get(region);
    if (client) return client;
    const credential = credentials(resolved);
    client = new CommonClient(endpoint?.host ?? 'kms.tencentcloudapi.com', API_VERSION, {
      credential: {
        secretId: credential.secretId,
        secretKey: credential.secretKey,
        ...(credential.token ? { token: credential.token } : {}),
      },
      region,
      profile: {
        httpProfile: { ...(endpoint ? { protocol: `${endpoint.protocol}//` } : {}), reqTimeout: 30 },
        signMethod: 'TC3-HMAC-SHA256',
      },
    });
    clients.set(region, client);
    return client;
  };

  const regionOf = (ref?: KmsKeyRef): string => {
    const region = (ref?.provider === 'tencentkms' ? ref.region : undefined) ?? connection.region;
    if (!region)
      throw kmsError('tencentkms', 'invalid-request', { vendor: 'no region', hint: 'Set the connection’s region, e.g. ap-guangzhou.' });
    return region;
  };

  const call = async <T>(ref: KmsKeyRef | undefined, action: string, params: Record<string, unknown>): Promise<T> => {
    try {
      return (await withBackoff(
        () => clientFor(regionOf(ref)).request(action, params),
        (e) => /RequestLimitExceeded/.test(String((e as { code?: unknown }).code)),
      )) as T;
    } catch (error) {
      throw mapError(error, ref?.uri, endpoint?.origin);
    }
  };

  const toKey = (meta: KeyMetadata, uri: string): KmsKey => {
    const algorithms = BY_USAGE[meta.KeyUsage ?? ''] ?? [];
    const state = STATES[meta.KeyState ?? ''] ?? 'unavailable';
    return {
      uri,
      provider: 'tencentkms',
      name: meta.KeyId,
      ...(meta.Alias ? { label: meta.Alias } : {}),
      state,
      canSign: algorithms.length > 0,
      ...(meta.KeyUsage
        ? { usage: meta.KeyUsage, keySpec: meta.KeyUsage.replace(/^ASYMMETRIC_SIGN_VERIFY_|^ASYMMETRIC_DECRYPT_/, '') }
        : {}),
      algorithms,
      versions: [
        {
          version: meta.KeyId,
          state,
          algorithms,
          current: true,
          ...(meta.CreateTime ? { created: new Date(meta.CreateTime * 1000).toISOString() } : {}),
        },
      ],
    };
  };

  const keyIdOf = (ref: KmsKeyRef): string => {
    if (ref.provider !== 'tencentkms') throw new Error(`not a Tencent key reference: ${ref.uri}`);
    return ref.keyId;
  };

  return {
    provider: 'tencentkms',
    async listKeys() {
      const region = regionOf();
      const keys: KmsKey[] = [];
      for (let offset = 0; offset < 1000; offset += 100) {
        const page = await call<{ KeyMetadatas?: KeyMetadata[]; TotalCount?: number }>(undefined, 'ListKeyDetail', {
          Offset: offset,
          Limit: 100,
          Role: 0,
        });
        for (const meta of page.KeyMetadatas ?? []) keys.push(toKey(meta, `tencentkms://${region}/${meta.KeyId}`));
        if (!page.KeyMetadatas?.length || keys.length >= (page.TotalCount ?? 0)) break;
      }
      return keys;
    },
    async describeKey(ref) {
      const out = await call<{ KeyMetadata?: KeyMetadata }>(ref, 'DescribeKey', { KeyId: keyIdOf(ref) });
      if (!out.KeyMetadata) throw kmsError('tencentkms', 'not-found', { key: ref.uri });
      return toKey(out.KeyMetadata, ref.uri);
    },
    async getPublicKey(ref) {
      const out = await call<{ PublicKey?: string; PublicKeyPem?: string }>(ref, 'GetPublicKey', { KeyId: keyIdOf(ref) });
      if (out.PublicKey) return toSpkiPem(out.PublicKey);
      if (out.PublicKeyPem) return toSpkiPem(out.PublicKeyPem);
      throw kmsError('tencentkms', 'other', { key: ref.uri, vendor: 'no public key returned' });
    },
    async signDigest(ref, request) {
      const algorithm = TO_TENCENT[request.algorithm];
      if (!algorithm)
        throw kmsError('tencentkms', 'algorithm-not-allowed', {
          key: ref.uri,
          hint: `Tencent Cloud KMS signs digests with ${Object.keys(TO_TENCENT).join(', ')} only.`,
        });
      const out = await call<{ Signature?: string }>(ref, 'SignByAsymmetricKey', {
        KeyId: keyIdOf(ref),
        Algorithm: algorithm,
        Message: Buffer.from(request.digest).toString('base64'),
        MessageType: 'DIGEST',
      });
      if (!out.Signature) throw kmsError('tencentkms', 'other', { key: ref.uri, vendor: 'no signature returned' });
      return { signature: Buffer.from(out.Signature, 'base64'), version: keyIdOf(ref) };
    },
  };
}

interface TencentCredential {
  secretId: string;
  secretKey: string;
  token?: string;
}

function credentials(resolved: ResolvedConnection): TencentCredential {
  const { connection, secret, env, home } = resolved;
  if (connection.credential.source === 'keychain')
    return {
      secretId: secret.secretId ?? '',
      secretKey: secret.secretKey ?? '',
      ...(secret.sessionToken ? { token: secret.sessionToken } : {}),
    };
  if (connection.credential.source === 'default' && env.TENCENTCLOUD_SECRET_ID && env.TENCENTCLOUD_SECRET_KEY) {
    return {
      secretId: env.TENCENTCLOUD_SECRET_ID,
      secretKey: env.TENCENTCLOUD_SECRET_KEY,
      ...(env.TENCENTCLOUD_SESSION_TOKEN ? { token: env.TENCENTCLOUD_SESSION_TOKEN } : {}),
    };
  }
  const profile = connection.credential.profile ?? 'default';
  if (!/^[A-Za-z0-9_.-]+$/.test(profile)) throw kmsError('tencentkms', 'invalid-request', { vendor: `profile name "${profile}"` });
  // The SDK's own profile file first (~/.tencentcloud/credentials, INI), then tccli's (~/.tccli/NAME.credential, JSON).
  const sdkFile = path.join(home, '.tencentcloud', 'credentials');
  const section = readText(sdkFile) === undefined ? undefined : parseIni(readText(sdkFile) as string).get(profile);
  if (section?.get('secret_id') && section.get('secret_key')) {
    const token = section.get('token');
    return { secretId: section.get('secret_id') as string, secretKey: section.get('secret_key') as string, ...(token ? { token } : {}) };
  }
  const cliFile = path.join(home, '.tccli', `${profile}.credential`);
  const text = readText(cliFile);
  let parsed: { secretId?: unknown; secretKey?: unknown; token?: unknown } = {};
  try {
    parsed = text === undefined ? {} : (JSON.parse(text) as typeof parsed);
  } catch {
    parsed = {};
  }
  if (typeof parsed.secretId !== 'string' || typeof parsed.secretKey !== 'string') {
    throw kmsError('tencentkms', 'credentials-missing', {
      vendor: `${connection.credential.source === 'default' ? 'neither TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY nor ' : ''}profile "${profile}" in ${sdkFile} or ${cliFile}`,
      hint: 'Run `tccli configure`, set the environment variables, or store a SecretId and SecretKey with the connection.',
    });
  }
  return {
    secretId: parsed.secretId,
    secretKey: parsed.secretKey,
    ...(typeof parsed.token === 'string' && parsed.token ? { token: parsed.token } : {}),
  };
}

function readText(file: string): string | undefined {
  try {
    return readRegularFileSync(file, { maxBytes: SMALL_FILE_MAX }).toString('utf8');
  } catch {
    return undefined;
  }
}

function mapError(error: unknown, key: string | undefined, endpoint: string | undefined): Error {
  rethrowKnown(error);
  const e = error as { code?: unknown; message?: unknown; httpCode?: number };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const vendor = code ? `${code}: ${message}` : message;
  const k = key ? { key } : {};
  if (code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.')) return kmsError('tencentkms', 'throttled', { vendor });
  if (code === 'ResourceUnavailable.CmkDisabled') return kmsError('tencentkms', 'disabled', { ...k, vendor });
  if (code === 'ResourceUnavailable.CmkStateNotSupport' && /PendingDelete/i.test(message))
    return kmsError('tencentkms', 'pending-deletion', { ...k, vendor });
  if (code === 'ResourceUnavailable.CmkStateNotSupport') return kmsError('tencentkms', 'disabled', { ...k, vendor });
  if (code === 'ResourceUnavailable.CmkNotFound' || code === 'InvalidParameterValue.InvalidKeyId')
    return kmsError('tencentkms', 'not-found', { ...k, vendor, hint: 'A key is looked up in the region its URI names.' });
  if (code === 'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion' || code === 'InvalidParameterValue.InvalidKeyUsage')
    return kmsError('tencentkms', 'wrong-usage', { ...k, vendor });
  if (code === 'InvalidParameterValue.InvalidAlgorithm' || (code.startsWith('InvalidParameter') && /algorithm/i.test(message)))
    return kmsError('tencentkms', 'algorithm-not-allowed', { ...k, vendor });
  if (
    code === 'AuthFailure.SecretIdNotFound' ||
    code === 'AuthFailure.SignatureFailure' ||
    code === 'AuthFailure.SignatureExpire' ||
    code === 'AuthFailure.TokenFailure' ||
    code === 'AuthFailure.InvalidSecretId'
  ) {
    return kmsError('tencentkms', 'credentials-expired', {
      vendor,
      ...(code === 'AuthFailure.SignatureExpire'
        ? { hint: 'Check this computer’s clock: TC3 signatures are valid for five minutes.' }
        : {}),
    });
  }
  if (code === 'AuthFailure.UnauthorizedOperation' || code === 'UnauthorizedOperation')
    return kmsError('tencentkms', 'access-denied', {
      ...k,
      vendor,
      hint: 'The CAM policy needs kms:SignByAsymmetricKey, kms:GetPublicKey and kms:DescribeKey.',
    });
  if (code === 'InvalidParameterValue.InvalidRegion' || code === 'UnsupportedRegion' || code === 'UnsupportedOperation.UnsupportedRegion')
    return kmsError('tencentkms', 'region-mismatch', { ...k, vendor });
  const network =
    isNetworkFailure(error) ?? (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up|network timeout/i.test(message) ? message : undefined);
  if (network) return kmsError('tencentkms', 'unreachable', { vendor: network, ...(endpoint ? { endpoint } : {}) });
  return kmsError('tencentkms', 'other', { ...k, vendor });
}

export const provider: KmsProviderModule = { createClient };
