import { createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  CryptographyClient,
  KeyClient,
  type KeyClientOptions,
  type KeyVaultKey,
  type SignatureAlgorithm as AzureAlgorithm,
} from '@azure/keyvault-keys';
import type { KmsAlgorithm, KmsKey, KmsKeyVersion } from '../../../../shared/models/kms';
import { isNetworkFailure, kmsError, rethrowKnown } from '../errors';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from '../provider';
import type { KmsKeyRef } from '../uri';
import { rawEcdsaToDer } from '../verify';

/**
 * Azure Key Vault (and Managed HSM) through @azure/keyvault-keys with @azure/identity. The
 * vault's challenge flow supplies the tenant and resource; the token comes from
 * DefaultAzureCredential (environment, workload/managed identity, Azure CLI …) or a client
 * secret kept in the keychain. ECDSA signatures come back as raw r‖s (JWS) and are turned into
 * ASN.1 DER here, which is what cosign and every X.509-style verifier expect.
 */
const TO_AZURE: Readonly<Partial<Record<KmsAlgorithm, AzureAlgorithm>>> = {
  'ecdsa-p256-sha256': 'ES256',
  'ecdsa-p384-sha384': 'ES384',
  'ecdsa-p521-sha512': 'ES512',
  'rsa-pkcs1v15-sha256': 'RS256',
  'rsa-pkcs1v15-sha384': 'RS384',
  'rsa-pkcs1v15-sha512': 'RS512',
  'rsa-pss-sha256': 'PS256',
  'rsa-pss-sha384': 'PS384',
  'rsa-pss-sha512': 'PS512',
};

const RSA: KmsAlgorithm[] = [
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
];
const EC: Readonly<Record<string, KmsAlgorithm>> = {
  'P-256': 'ecdsa-p256-sha256',
  'P-384': 'ecdsa-p384-sha384',
  'P-521': 'ecdsa-p521-sha512',
};

/** Entra ID hosts MSAL knows; any other authority host is used without instance discovery. */
const KNOWN_AUTHORITIES = ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.microsoftonline.de'];

function algorithmsOf(key: KeyVaultKey): KmsAlgorithm[] {
  const ops = key.keyOperations ?? key.key?.keyOps ?? [];
  if (!ops.includes('sign')) return [];
  const kty = String(key.keyType ?? key.key?.kty ?? '');
  if (kty.startsWith('RSA')) return RSA;
  if (kty.startsWith('EC')) {
    const algorithm = EC[String(key.key?.crv ?? '')];
    return algorithm ? [algorithm] : [];
  }
  return [];
}

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection, secret } = resolved;
  const endpoint = connection.endpoint ? new URL(connection.endpoint) : undefined;
  const ca = connection.caCertificates;
  // A connection's own CA certificates are added to (not substituted for) the usual roots.
  const tlsPolicy = ca
    ? [
        {
          position: 'perRetry' as const,
          policy: {
            name: 'signetTlsSettings',
            sendRequest: (request: { tlsSettings?: unknown }, next: (r: never) => Promise<never>) => (
              (request.tlsSettings = { ca: [...rootCertificates, ca] }),
              next(request as never)
            ),
          },
        },
      ]
    : [];
  const authorityHost = connection.authorityHost;
  const identityOptions = {
    ...(authorityHost ? { authorityHost } : {}),
    ...(authorityHost && !KNOWN_AUTHORITIES.includes(new URL(authorityHost).hostname) ? { disableInstanceDiscovery: true } : {}),
    additionalPolicies: tlsPolicy,
  };
  let credential: TokenCredential | undefined;
  const tokenCredential = (): TokenCredential => {
    if (credential) return credential;
    if (connection.credential.source === 'keychain') {
      credential = new ClientSecretCredential(secret.tenantId ?? '', secret.clientId ?? '', secret.clientSecret ?? '', identityOptions);
    } else {
      credential = new DefaultAzureCredential(identityOptions);
    }
    return credential;
  };
  const clientOptions: KeyClientOptions = {
    additionalPolicies: tlsPolicy,
    retryOptions: { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 4000 },
    // The resource check pins tokens to *.vault.azure.net; a loopback endpoint (an emulator) cannot match it.
    ...(endpoint && isLoopback(endpoint) ? { disableChallengeResourceVerification: true } : {}),
  };
  const vaultUrl = (ref?: KmsKeyRef): string => {
    if (endpoint) return endpoint.origin;
    if (ref?.provider === 'azurekms') return `https://${ref.vaultHost}`;
    throw kmsError('azurekms', 'invalid-request', {
      vendor: 'no vault URL',
      hint: 'Set the connection’s endpoint to the vault URL, e.g. https://myvault.vault.azure.net.',
    });
  };
  const keyClients = new Map<string, KeyClient>();
  const keyClient = (ref?: KmsKeyRef): KeyClient => {
    const url = vaultUrl(ref);
    let client = keyClients.get(url);
    if (!client) {
      client = new KeyClient(url, tokenCredential(), clientOptions);
      keyClients.set(url, client);
    }
    return client;
  };

  const call = async <T>(key: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw mapError(error, key, endpoint?.origin);
    }
  };

  const describe = async (ref: KmsKeyRef | undefined, name: string, uri: string): Promise<KmsKey> => {
    const client = keyClient(ref);
    const latest = await call(uri, () => client.getKey(name));
    const versions: KmsKeyVersion[] = [];
    await call(uri, async () => {
      for await (const properties of client.listPropertiesOfKeyVersions(name)) {
        if (!properties.version) continue;
        const state =
          properties.enabled === false
            ? 'disabled'
            : properties.expiresOn && properties.expiresOn.getTime() < Date.now()
              ? 'disabled'
              : properties.notBefore && properties.notBefore.getTime() > Date.now()
                ? 'disabled'
                : 'enabled';
        versions.push({
          version: properties.version,
          state,
          algorithms: [],
          current: properties.version === latest.properties.version,
          ...(properties.createdOn ? { created: properties.createdOn.toISOString() } : {}),
        });
      }
    });
    // Algorithms follow the key type, which is the same for every version of a key.
    const algorithms = algorithmsOf(latest);
    for (const v of versions) v.algorithms = algorithms;
    versions.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? ''));
    const kty = String(latest.keyType ?? '');
    return {
      uri,
      provider: 'azurekms',
      name,
      ...(latest.properties.tags && Object.keys(latest.properties.tags).length
        ? {
            label: Object.entries(latest.properties.tags)
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          }
        : {}),
      state: latest.properties.enabled === false ? 'disabled' : 'enabled',
      canSign: algorithms.length > 0,
      usage: (latest.keyOperations ?? []).join(', '),
      keySpec: `${kty}${latest.key?.crv ? ` ${latest.key.crv}` : latest.key?.n ? ` ${latest.key.n.length * 8}` : ''}`,
      algorithms,
      versions,
    };
  };

  const keyName = (ref: KmsKeyRef): string => {
    if (ref.provider !== 'azurekms') throw new Error(`not an Azure key reference: ${ref.uri}`);
    return ref.key;
  };

  return {
    provider: 'azurekms',
    async listKeys() {
      const client = keyClient();
      const host = new URL(vaultUrl()).host;
      const names: string[] = [];
      await call(undefined, async () => {
        for await (const properties of client.listPropertiesOfKeys()) if (names.length < 500) names.push(properties.name);
      });
      const keys: KmsKey[] = [];
      for (const name of names) keys.push(await describe(undefined, name, `azurekms://${host}/${name}`));
      return keys;
    },
    describeKey: (ref) => describe(ref, keyName(ref), ref.uri),
    async getPublicKey(ref, version) {
      const key = await call(ref.uri, () => keyClient(ref).getKey(keyName(ref), { version }));
      const jwk = key.key;
      if (!jwk?.kty) throw kmsError('azurekms', 'other', { key: ref.uri, vendor: 'no public key returned' });
      const kty = String(jwk.kty).replace(/-HSM$/, '');
      const pub: NodeJwk =
        kty === 'RSA'
          ? {
              kty,
              n: Buffer.from(jwk.n ?? new Uint8Array()).toString('base64url'),
              e: Buffer.from(jwk.e ?? new Uint8Array()).toString('base64url'),
            }
          : {
              kty,
              crv: jwk.crv,
              x: Buffer.from(jwk.x ?? new Uint8Array()).toString('base64url'),
              y: Buffer.from(jwk.y ?? new Uint8Array()).toString('base64url'),
            };
      return createPublicKey({ key: pub, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    },
    async signDigest(ref, request) {
      const algorithm = TO_AZURE[request.algorithm];
      if (!algorithm)
        throw kmsError('azurekms', 'algorithm-not-allowed', { key: ref.uri, hint: `Azure Key Vault has no ${request.algorithm}.` });
      const keyId = `${vaultUrl(ref)}/keys/${keyName(ref)}/${request.version}`;
      const crypto = new CryptographyClient(keyId, tokenCredential(), clientOptions);
      const out = await call(ref.uri, () => crypto.sign(algorithm, request.digest));
      const signedVersion = out.keyID?.split('/').pop() ?? request.version;
      const signature = request.algorithm.startsWith('ecdsa') ? rawEcdsaToDer(out.result) : out.result;
      return { signature, version: signedVersion };
    },
  };
}

function mapError(error: unknown, key: string | undefined, endpoint: string | undefined): Error {
  rethrowKnown(error);
  const e = error as {
    name?: string;
    statusCode?: number;
    code?: string;
    message?: string;
    details?: { error?: { innererror?: { code?: string } } };
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const vendor = message.split('\n')[0];
  const k = key ? { key } : {};
  const inner = e.details?.error?.innererror?.code ?? '';
  if (e.name === 'CredentialUnavailableError' || e.name === 'AggregateAuthenticationError') {
    return kmsError('azurekms', 'credentials-missing', {
      hint: 'Run `az login`, set AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, use a managed identity, or store a client secret with the connection.',
    });
  }
  if (e.name === 'AuthenticationError' || /AADSTS|invalid_client|invalid_grant/i.test(message)) {
    return kmsError('azurekms', 'credentials-expired', {
      vendor,
      hint: 'Check the tenant, client id and secret (secrets expire), or run `az login` again.',
    });
  }
  if (e.statusCode === 429 || e.code === 'Throttled') return kmsError('azurekms', 'throttled', { vendor });
  if (e.statusCode === 401) return kmsError('azurekms', 'credentials-expired', { vendor });
  if (e.statusCode === 403 || e.code === 'Forbidden') {
    if (inner === 'KeyDisabled' || /disabled/i.test(message)) return kmsError('azurekms', 'disabled', { ...k, vendor });
    if (/not permitted|not allowed|KeyOperationForbidden/i.test(`${inner} ${message}`))
      return kmsError('azurekms', 'wrong-usage', { ...k, vendor, hint: 'The key’s permitted operations must include "sign".' });
    return kmsError('azurekms', 'access-denied', {
      ...k,
      vendor,
      hint: 'The identity needs the "Key Vault Crypto User" role (or an access policy with get and sign on keys).',
    });
  }
  if (e.statusCode === 404 || e.code === 'KeyNotFound') {
    // Key Vault words every 404 as "…if you recently deleted this key…"; a soft-deleted key is simply absent.
    return kmsError('azurekms', 'not-found', {
      ...k,
      vendor: 'KeyNotFound',
      hint: 'A key deleted recently can be recovered while the vault keeps it (soft delete).',
    });
  }
  if (e.statusCode === 400 && /algorithm/i.test(message)) return kmsError('azurekms', 'algorithm-not-allowed', { ...k, vendor });
  if (/challenge resource .* does not match/i.test(message))
    return kmsError('azurekms', 'region-mismatch', {
      ...k,
      vendor: 'the vault asked for a token for another cloud or domain than its URL',
      hint: 'Check the vault URL (sovereign clouds use vault.azure.cn, vault.usgovcloudapi.net …).',
    });
  const network = isNetworkFailure(error);
  if (network) return kmsError('azurekms', 'unreachable', { vendor: network, ...(endpoint ? { endpoint } : {}) });
  return kmsError('azurekms', 'other', { ...k, vendor });
}

export const provider: KmsProviderModule = { createClient };
