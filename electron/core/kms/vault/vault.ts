import path from 'node:path';
import type { KmsAlgorithm, KmsKey, KmsKeyVersion } from '../../../../shared/models/kms';
import { toSpkiPem } from '../algorithms';
import { isNetworkFailure, kmsError, rethrowKnown, withBackoff } from '../errors';
import { httpRequest, jsonBody, type HttpResponse } from '../http';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from '../provider';
import type { KmsKeyRef } from '../uri';
import { readRegularFileSync, SMALL_FILE_MAX } from '../../storage/bounded-read';

/**
 * HashiCorp Vault's transit engine over its REST API (token auth, `X-Vault-Token`). Signs
 * prehashed digests with `marshaling_algorithm: asn1` and, for PSS, `salt_length: hash` —
 * Vault's default PSS salt is the maximum, which most verifiers (and Signet) do not accept.
 */
const HASH_PATH: Readonly<Record<string, string>> = { sha256: 'sha2-256', sha384: 'sha2-384', sha512: 'sha2-512' };

const ALGORITHMS_BY_TYPE: Readonly<Record<string, KmsAlgorithm[]>> = {
  'ecdsa-p256': ['ecdsa-p256-sha256'],
  'ecdsa-p384': ['ecdsa-p384-sha384'],
  'ecdsa-p521': ['ecdsa-p521-sha512'],
  'rsa-2048': ['rsa-pkcs1v15-sha256', 'rsa-pkcs1v15-sha384', 'rsa-pkcs1v15-sha512', 'rsa-pss-sha256', 'rsa-pss-sha384', 'rsa-pss-sha512'],
  'rsa-3072': ['rsa-pkcs1v15-sha256', 'rsa-pkcs1v15-sha384', 'rsa-pkcs1v15-sha512', 'rsa-pss-sha256', 'rsa-pss-sha384', 'rsa-pss-sha512'],
  'rsa-4096': ['rsa-pkcs1v15-sha256', 'rsa-pkcs1v15-sha384', 'rsa-pkcs1v15-sha512', 'rsa-pss-sha256', 'rsa-pss-sha384', 'rsa-pss-sha512'],
};

interface VaultKey {
  type: string;
  keys: Record<string, { public_key?: string; creation_time?: string } | number>;
  latest_version: number;
  min_available_version?: number;
  min_encryption_version?: number;
  supports_signing?: boolean;
}

class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(`HTTP ${status}: ${errors.join('; ')}`);
  }
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection, env, home, secret } = resolved;
  const address = connection.endpoint ?? env.VAULT_ADDR;
  const [scopeMount, scopeNamespace] = (connection.scope ?? '').split('|');
  const mount = (scopeMount || env.TRANSIT_SECRET_ENGINE_PATH || 'transit').replace(/^\/+|\/+$/g, '');
  const namespace = scopeNamespace || env.VAULT_NAMESPACE;
  const ca = connection.caCertificates ?? (env.VAULT_CACERT ? readCa(env.VAULT_CACERT) : undefined);

  const token = (): string => {
    const value = secret.token ?? env.VAULT_TOKEN ?? readToken(path.join(home, '.vault-token'));
    if (!value)
      throw kmsError('hashivault', 'credentials-missing', {
        hint: 'Set VAULT_TOKEN (or log in with `vault login`, which writes ~/.vault-token), or store a token with the connection.',
      });
    return value;
  };

  const request = async (method: 'GET' | 'POST', apiPath: string, body?: unknown, key?: string): Promise<unknown> => {
    if (!address)
      throw kmsError('hashivault', 'credentials-missing', {
        vendor: 'no Vault address',
        hint: 'Set VAULT_ADDR or the connection’s address.',
      });
    const url = new URL(`${address.replace(/\/+$/, '')}/v1/${apiPath}`);
    const headers: Record<string, string> = { 'x-vault-token': token(), 'x-vault-request': 'true', accept: 'application/json' };
    if (namespace) headers['x-vault-namespace'] = namespace;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: HttpResponse;
    try {
      response = await withBackoff(
        async () => {
          const r = await httpRequest({
            method,
            url,
            headers,
            ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}),
            ...(ca ? { ca } : {}),
          });
          if (r.status === 429) throw new VaultHttpError(429, errorsOf(r));
          return r;
        },
        (e) => e instanceof VaultHttpError && e.status === 429,
      );
    } catch (error) {
      rethrowKnown(error);
      if (error instanceof VaultHttpError) throw kmsError('hashivault', 'throttled', { vendor: error.errors.join('; ') });
      const network = isNetworkFailure(error);
      throw kmsError('hashivault', 'unreachable', { endpoint: address, vendor: network ?? (error as Error).message });
    }
    if (response.status >= 200 && response.status < 300) return jsonBody(response, 'Vault’s answer');
    throw await mapStatus(response, key);
  };

  const mapStatus = async (response: HttpResponse, key?: string) => {
    const errors = errorsOf(response).join('; ');
    const k = key ? { key } : {};
    if (response.status === 403) {
      // Vault says "permission denied" for a bad token and for a missing policy alike; ask which.
      const self = await httpRequest({
        method: 'GET',
        url: new URL(`${(address as string).replace(/\/+$/, '')}/v1/auth/token/lookup-self`),
        headers: { 'x-vault-token': token(), ...(namespace ? { 'x-vault-namespace': namespace } : {}) },
        ...(ca ? { ca } : {}),
      }).catch(() => undefined);
      if (!self || self.status === 403)
        return kmsError('hashivault', 'credentials-expired', {
          vendor: errors,
          hint: 'The Vault token is expired, revoked or wrong: `vault login` again or store a new token.',
        });
      return kmsError('hashivault', 'access-denied', {
        ...k,
        vendor: errors,
        hint: `The token’s policy needs "update" on ${mount}/sign/KEY and "read" on ${mount}/keys/KEY.`,
      });
    }
    if (response.status === 404)
      return kmsError('hashivault', 'not-found', {
        ...k,
        vendor: errors || `nothing at ${mount}/`,
        hint: `Keys are looked up in the transit mount "${mount}"${namespace ? ` of namespace ${namespace}` : ''}.`,
      });
    if (response.status === 503)
      return kmsError('hashivault', 'unreachable', { endpoint: address, vendor: errors || 'Vault is sealed or in standby' });
    if (response.status === 400 && /signing not supported|does not support signing/i.test(errors))
      return kmsError('hashivault', 'wrong-usage', { ...k, vendor: errors });
    if (response.status === 400 && /hash algorithm|signature algorithm|not supported/i.test(errors))
      return kmsError('hashivault', 'algorithm-not-allowed', { ...k, vendor: errors });
    if (response.status === 400 && /min_encryption_version|requested version|key version/i.test(errors))
      return kmsError('hashivault', 'disabled', { ...k, vendor: errors });
    return kmsError('hashivault', 'invalid-request', { ...k, vendor: `HTTP ${response.status} ${errors}` });
  };

  const readKey = async (name: string, uri: string): Promise<{ key: KmsKey; raw: VaultKey }> => {
    const body = (await request('GET', `${mount}/keys/${encodeURIComponent(name)}`, undefined, uri)) as { data?: VaultKey };
    const raw = body?.data;
    if (!raw || typeof raw.type !== 'string') throw kmsError('hashivault', 'other', { key: uri, vendor: 'the key has no type' });
    const algorithms = ALGORITHMS_BY_TYPE[raw.type] ?? [];
    const minimum = Math.max(raw.min_encryption_version ?? 0, raw.min_available_version ?? 0);
    const versions: KmsKeyVersion[] = Object.entries(raw.keys)
      .map(([v, entry]) => {
        const n = Number(v);
        const created = typeof entry === 'object' ? entry.creation_time : undefined;
        return {
          version: v,
          state: n >= minimum ? ('enabled' as const) : ('disabled' as const),
          algorithms,
          current: n === raw.latest_version,
          ...(created ? { created } : {}),
        };
      })
      .sort((a, b) => Number(a.version) - Number(b.version));
    const canSign = raw.supports_signing !== false && algorithms.length > 0;
    return {
      raw,
      key: {
        uri,
        provider: 'hashivault',
        name,
        state: 'enabled',
        canSign,
        usage: canSign ? 'sign' : raw.supports_signing ? `sign (${raw.type}: no algorithm Signet can verify)` : 'encrypt',
        keySpec: raw.type,
        algorithms,
        versions,
      },
    };
  };

  const vaultName = (ref: KmsKeyRef) => {
    if (ref.provider !== 'hashivault') throw new Error(`not a Vault key reference: ${ref.uri}`);
    return ref.key;
  };

  return {
    provider: 'hashivault',
    async listKeys() {
      // GET ?list=true is Vault's documented equivalent of the LIST verb, which some proxies refuse.
      const body = (await request('GET', `${mount}/keys?list=true`)) as { data?: { keys?: string[] } } | undefined;
      const names = body?.data?.keys ?? [];
      const keys: KmsKey[] = [];
      for (const name of names.slice(0, 500)) keys.push((await readKey(name, `hashivault://${name}`)).key);
      return keys;
    },
    describeKey: async (ref) => (await readKey(vaultName(ref), ref.uri)).key,
    async getPublicKey(ref, version) {
      const { raw } = await readKey(vaultName(ref), ref.uri);
      const entry = raw.keys[version];
      if (typeof entry !== 'object' || !entry.public_key)
        throw kmsError('hashivault', 'not-found', { key: `${ref.uri} version ${version}`, vendor: 'no public key for that version' });
      return toSpkiPem(entry.public_key);
    },
    async signDigest(ref, req) {
      const hash = req.algorithm.slice(-6);
      const body = {
        input: Buffer.from(req.digest).toString('base64'),
        prehashed: true,
        key_version: Number(req.version),
        marshaling_algorithm: 'asn1',
        ...(req.algorithm.startsWith('rsa-') ? { signature_algorithm: req.algorithm.startsWith('rsa-pss') ? 'pss' : 'pkcs1v15' } : {}),
        ...(req.algorithm.startsWith('rsa-pss') ? { salt_length: 'hash' } : {}),
      };
      const out = (await request('POST', `${mount}/sign/${encodeURIComponent(vaultName(ref))}/${HASH_PATH[hash]}`, body, ref.uri)) as
        { data?: { signature?: string; key_version?: number } } | undefined;
      const signature = out?.data?.signature;
      const match = /^vault:v(\d+):([A-Za-z0-9+/=]+)$/.exec(signature ?? '');
      if (!match) throw kmsError('hashivault', 'other', { key: ref.uri, vendor: 'the signature is not of the form vault:vN:BASE64' });
      return { signature: Buffer.from(match[2] as string, 'base64'), version: match[1] as string };
    },
  };
}

function errorsOf(response: HttpResponse): string[] {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { errors?: unknown };
    return Array.isArray(body.errors) ? body.errors.map(String) : [];
  } catch {
    return [response.body.toString('utf8').slice(0, 200)];
  }
}

function readToken(file: string): string | undefined {
  try {
    return readRegularFileSync(file, { maxBytes: SMALL_FILE_MAX }).toString('utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readCa(file: string): string | undefined {
  try {
    return readRegularFileSync(file, { maxBytes: SMALL_FILE_MAX }).toString('utf8');
  } catch {
    throw kmsError('hashivault', 'invalid-request', { vendor: `VAULT_CACERT names ${file}, which cannot be read` });
  }
}

export const provider: KmsProviderModule = { createClient };
