import path from 'node:path';
import type { KmsAlgorithm, KmsKey, KmsKeyState } from '../../../../shared/models/kms';
import { toSpkiPem } from '../algorithms';
import { isNetworkFailure, kmsError, rethrowKnown, withBackoff } from '../errors';
import { httpRequest, type HttpResponse } from '../http';
import { parseIni } from '../ini';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from '../provider';
import type { KmsKeyRef } from '../uri';
import { signAkSk } from './aksk';
import { readRegularFileSync, SMALL_FILE_MAX } from '../../storage/bounded-read';

/**
 * Huawei Cloud KMS (DEW, API v1.0) over its REST API with AK/SK request signing. Keys have no
 * versions: the key id is what Signet records. SM2 keys sign digests only; Signet sends
 * e = SM3(Z_A ‖ M) with the standard signer ID, the SM2 definition of the signed digest
 * (Huawei does not say more; the local self-check would refuse anything else).
 */
const RSA: KmsAlgorithm[] = [
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
];
const BY_SPEC: Readonly<Record<string, KmsAlgorithm[]>> = {
  RSA_2048: RSA,
  RSA_3072: RSA,
  RSA_4096: RSA,
  EC_P256: ['ecdsa-p256-sha256'],
  EC_P384: ['ecdsa-p384-sha384'],
  SM2: ['sm2-sm3'],
};
const TO_HUAWEI: Readonly<Partial<Record<KmsAlgorithm, string>>> = {
  'rsa-pss-sha256': 'RSASSA_PSS_SHA_256',
  'rsa-pss-sha384': 'RSASSA_PSS_SHA_384',
  'rsa-pss-sha512': 'RSASSA_PSS_SHA_512',
  'rsa-pkcs1v15-sha256': 'RSASSA_PKCS1_V1_5_SHA_256',
  'rsa-pkcs1v15-sha384': 'RSASSA_PKCS1_V1_5_SHA_384',
  'rsa-pkcs1v15-sha512': 'RSASSA_PKCS1_V1_5_SHA_512',
  'ecdsa-p256-sha256': 'ECDSA_SHA_256',
  'ecdsa-p384-sha384': 'ECDSA_SHA_384',
  'ecdsa-p521-sha512': 'ECDSA_SHA_512',
  'sm2-sm3': 'SM2DSA_SM3',
};
/** key_state: 1 pending activation, 2 enabled, 3 disabled, 4 pending deletion, 5 pending import. */
const STATES: Readonly<Record<string, KmsKeyState>> = {
  '1': 'unavailable',
  '2': 'enabled',
  '3': 'disabled',
  '4': 'pending-deletion',
  '5': 'pending-import',
};

interface KeyInfo {
  key_id: string;
  key_alias?: string;
  key_spec?: string;
  key_usage?: string;
  key_state?: string;
  key_description?: string;
  creation_date?: string;
}

class HuaweiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`HTTP ${status} ${code}: ${detail}`);
  }
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection } = resolved;
  const ca = connection.caCertificates;

  const endpointFor = (region: string): string => connection.endpoint ?? `https://kms.${region}.myhuaweicloud.com`;
  const target = (ref?: KmsKeyRef): { region: string; projectId: string } => {
    if (ref?.provider === 'huaweikms') return { region: ref.region, projectId: ref.projectId };
    const region = connection.region;
    const projectId = connection.scope ?? credentials(resolved).projectId;
    if (!region || !projectId)
      throw kmsError('huaweikms', 'invalid-request', {
        vendor: 'no region or project',
        hint: 'Set the connection’s region and its scope to the project id.',
      });
    return { region, projectId };
  };

  const post = async <T>(ref: KmsKeyRef | undefined, action: string, body: Record<string, unknown>): Promise<T> => {
    const { region, projectId } = target(ref);
    const credential = credentials(resolved);
    const url = new URL(`${endpointFor(region).replace(/\/+$/, '')}/v1.0/${projectId}/kms/${action}`);
    const payload = Buffer.from(JSON.stringify(body));
    const send = async (): Promise<HttpResponse> => {
      const headers = signAkSk(
        {
          method: 'POST',
          url,
          body: payload,
          headers: {
            'Content-Type': 'application/json;charset=UTF-8',
            'X-Project-Id': projectId,
            ...(credential.securityToken ? { 'X-Security-Token': credential.securityToken } : {}),
          },
        },
        credential.accessKey,
        credential.secretKey,
      );
      const response = await httpRequest({ method: 'POST', url, headers, body: payload, ...(ca ? { ca } : {}) });
      if (response.status === 429) throw new HuaweiHttpError(429, ...errorOf(response));
      return response;
    };
    let response: HttpResponse;
    try {
      response = await withBackoff(send, (e) => e instanceof HuaweiHttpError && e.status === 429);
    } catch (error) {
      rethrowKnown(error);
      if (error instanceof HuaweiHttpError) throw kmsError('huaweikms', 'throttled', { vendor: `${error.code} ${error.detail}` });
      throw kmsError('huaweikms', 'unreachable', { endpoint: url.origin, vendor: isNetworkFailure(error) ?? (error as Error).message });
    }
    if (response.status >= 200 && response.status < 300) return JSON.parse(response.body.toString('utf8')) as T;
    const [code, detail] = errorOf(response);
    throw mapError(response.status, code, detail, ref?.uri);
  };

  const toKey = (info: KeyInfo, uri: string): KmsKey => {
    const signing = info.key_usage === 'SIGN_VERIFY';
    const algorithms = signing ? (BY_SPEC[info.key_spec ?? ''] ?? []) : [];
    const state = STATES[info.key_state ?? ''] ?? 'unavailable';
    const created = Number(info.creation_date);
    return {
      uri,
      provider: 'huaweikms',
      name: info.key_id,
      ...(info.key_alias ? { label: info.key_alias } : {}),
      state,
      canSign: signing && algorithms.length > 0,
      ...(info.key_usage ? { usage: info.key_usage } : {}),
      ...(info.key_spec ? { keySpec: info.key_spec } : {}),
      algorithms,
      versions: [
        { version: info.key_id, state, algorithms, current: true, ...(created ? { created: new Date(created).toISOString() } : {}) },
      ],
    };
  };

  const keyIdOf = (ref: KmsKeyRef): string => {
    if (ref.provider !== 'huaweikms') throw new Error(`not a Huawei key reference: ${ref.uri}`);
    return ref.keyId;
  };

  return {
    provider: 'huaweikms',
    async listKeys() {
      const { region, projectId } = target();
      const keys: KmsKey[] = [];
      let marker = '';
      for (let page = 0; page < 10; page += 1) {
        const out = await post<{ key_details?: KeyInfo[]; next_marker?: string; truncated?: string }>(undefined, 'list-keys', {
          limit: '100',
          ...(marker ? { marker } : {}),
        });
        for (const info of out.key_details ?? []) keys.push(toKey(info, `huaweikms://${region}/${projectId}/${info.key_id}`));
        if (out.truncated !== 'true' || !out.next_marker) break;
        marker = out.next_marker;
      }
      return keys;
    },
    async describeKey(ref) {
      const out = await post<{ key_info?: KeyInfo }>(ref, 'describe-key', { key_id: keyIdOf(ref) });
      if (!out.key_info) throw kmsError('huaweikms', 'not-found', { key: ref.uri });
      return toKey(out.key_info, ref.uri);
    },
    async getPublicKey(ref) {
      const out = await post<{ public_key?: string }>(ref, 'get-publickey', { key_id: keyIdOf(ref) });
      if (!out.public_key) throw kmsError('huaweikms', 'other', { key: ref.uri, vendor: 'no public key returned' });
      return toSpkiPem(out.public_key);
    },
    async signDigest(ref, request) {
      const out = await post<{ key_id?: string; signature?: string }>(ref, 'sign', {
        key_id: keyIdOf(ref),
        message: Buffer.from(request.digest).toString('base64'),
        signing_algorithm: TO_HUAWEI[request.algorithm],
        message_type: 'DIGEST',
      });
      if (!out.signature) throw kmsError('huaweikms', 'other', { key: ref.uri, vendor: 'no signature returned' });
      if (out.key_id && out.key_id !== keyIdOf(ref))
        throw kmsError('huaweikms', 'other', { key: ref.uri, vendor: `the KMS signed with key ${out.key_id}` });
      return { signature: Buffer.from(out.signature, 'base64'), version: keyIdOf(ref) };
    },
  };
}

interface HuaweiCredential {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
  projectId?: string;
}

function credentials(resolved: ResolvedConnection): HuaweiCredential {
  const { connection, secret, env, home } = resolved;
  if (connection.credential.source === 'keychain')
    return {
      accessKey: secret.accessKey ?? '',
      secretKey: secret.secretKey ?? '',
      ...(secret.securityToken ? { securityToken: secret.securityToken } : {}),
    };
  if (connection.credential.source === 'default' && env.HUAWEICLOUD_SDK_AK && env.HUAWEICLOUD_SDK_SK) {
    return {
      accessKey: env.HUAWEICLOUD_SDK_AK,
      secretKey: env.HUAWEICLOUD_SDK_SK,
      ...(env.HUAWEICLOUD_SDK_SECURITY_TOKEN ? { securityToken: env.HUAWEICLOUD_SDK_SECURITY_TOKEN } : {}),
      ...(env.HUAWEICLOUD_SDK_PROJECT_ID ? { projectId: env.HUAWEICLOUD_SDK_PROJECT_ID } : {}),
    };
  }
  const file = env.HUAWEICLOUD_SDK_CREDENTIALS_FILE ?? path.join(home, '.huaweicloud', 'credentials');
  const section = connection.credential.profile ?? 'basic';
  let text: string | undefined;
  try {
    text = readRegularFileSync(file, { maxBytes: SMALL_FILE_MAX }).toString('utf8');
  } catch {
    text = undefined;
  }
  const values = text === undefined ? undefined : parseIni(text).get(section);
  const ak = values?.get('ak');
  const sk = values?.get('sk');
  if (!ak || !sk) {
    throw kmsError('huaweikms', 'credentials-missing', {
      vendor: `${connection.credential.source === 'default' ? 'neither HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK nor ' : ''}section [${section}] with ak and sk in ${file}`,
      hint: 'Set the environment variables, write the credentials file, or store an AK/SK with the connection.',
    });
  }
  const token = values?.get('security_token');
  const project = values?.get('project_id');
  return { accessKey: ak, secretKey: sk, ...(token ? { securityToken: token } : {}), ...(project ? { projectId: project } : {}) };
}

function errorOf(response: HttpResponse): [string, string] {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as {
      error?: { error_code?: string; error_msg?: string };
      error_code?: string;
      error_msg?: string;
    };
    const e = body.error ?? body;
    return [String(e.error_code ?? `HTTP ${response.status}`), String(e.error_msg ?? '')];
  } catch {
    return [`HTTP ${response.status}`, response.body.toString('utf8').slice(0, 200)];
  }
}

function mapError(status: number, code: string, detail: string, key: string | undefined): Error {
  const vendor = `${code}: ${detail}`;
  const k = key ? { key } : {};
  if (code === 'KMS.0209') return kmsError('huaweikms', 'disabled', { ...k, vendor });
  if (code === 'KMS.0210') return kmsError('huaweikms', 'pending-deletion', { ...k, vendor });
  if (code === 'KMS.0205' || status === 404 || /not exist|not found/i.test(detail))
    return kmsError('huaweikms', 'not-found', { ...k, vendor, hint: 'A key is looked up in the region and project its URI names.' });
  if (/^APIGW\.030[0-9]$/.test(code) || status === 401)
    return kmsError('huaweikms', 'credentials-expired', {
      vendor,
      hint: 'Check the AK/SK (and security token for temporary credentials) and this computer’s clock.',
    });
  if (status === 403)
    return kmsError('huaweikms', 'access-denied', {
      ...k,
      vendor,
      hint: 'The IAM policy needs kms:cmk:sign, kms:cmk:getPublicKey and kms:cmk:get.',
    });
  if (/algorithm/i.test(detail)) return kmsError('huaweikms', 'algorithm-not-allowed', { ...k, vendor });
  if (/usage|SIGN_VERIFY/i.test(detail)) return kmsError('huaweikms', 'wrong-usage', { ...k, vendor });
  if (/region|project/i.test(detail)) return kmsError('huaweikms', 'region-mismatch', { ...k, vendor });
  return kmsError('huaweikms', 'invalid-request', { ...k, vendor });
}

export const provider: KmsProviderModule = { createClient };
