import https from 'node:https';
import path from 'node:path';
import {
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  SignCommand,
  type KeyMetadata,
  type KMSClientConfig,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { KmsAlgorithm, KmsKey, KmsKeyState } from '../../../../shared/models/kms';
import { toSpkiPem } from '../algorithms';
import { isNetworkFailure, kmsError, rethrowKnown } from '../errors';
import type { KmsClient, KmsProviderModule, ResolvedConnection, SignDigestRequest } from '../provider';
import type { KmsKeyRef } from '../uri';

/**
 * AWS KMS through the AWS SDK v3. AWS asymmetric keys have no versions: the "version" Signet
 * records is the key ARN, which also pins an alias to the key it resolved to when the signer
 * was opened (an alias moved mid-signing cannot swap keys).
 */
const TO_AWS: Readonly<Partial<Record<KmsAlgorithm, SigningAlgorithmSpec>>> = {
  'ecdsa-p256-sha256': 'ECDSA_SHA_256',
  'ecdsa-p384-sha384': 'ECDSA_SHA_384',
  'ecdsa-p521-sha512': 'ECDSA_SHA_512',
  'rsa-pkcs1v15-sha256': 'RSASSA_PKCS1_V1_5_SHA_256',
  'rsa-pkcs1v15-sha384': 'RSASSA_PKCS1_V1_5_SHA_384',
  'rsa-pkcs1v15-sha512': 'RSASSA_PKCS1_V1_5_SHA_512',
  'rsa-pss-sha256': 'RSASSA_PSS_SHA_256',
  'rsa-pss-sha384': 'RSASSA_PSS_SHA_384',
  'rsa-pss-sha512': 'RSASSA_PSS_SHA_512',
  'sm2-sm3': 'SM2DSA',
};

function fromAws(spec: string | undefined, keySpec: string | undefined): KmsAlgorithm | undefined {
  switch (spec) {
    case 'ECDSA_SHA_256':
      return keySpec === 'ECC_NIST_P256' ? 'ecdsa-p256-sha256' : undefined;
    case 'ECDSA_SHA_384':
      return keySpec === 'ECC_NIST_P384' ? 'ecdsa-p384-sha384' : undefined;
    case 'ECDSA_SHA_512':
      return keySpec === 'ECC_NIST_P521' ? 'ecdsa-p521-sha512' : undefined;
    case 'SM2DSA':
      return 'sm2-sm3';
    default:
      return (Object.entries(TO_AWS).find(([, v]) => v === spec)?.[0] as KmsAlgorithm | undefined) ?? undefined;
  }
}

function state(meta: KeyMetadata): KmsKeyState {
  switch (meta.KeyState) {
    case 'Enabled':
      return 'enabled';
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      return 'pending-deletion';
    case 'PendingImport':
      return 'pending-import';
    case 'Unavailable':
    case 'Creating':
    case 'Updating':
      return 'unavailable';
    default:
      return 'disabled';
  }
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection } = resolved;
  const clients = new Map<string, KMSClient>();

  const clientFor = (ref?: KmsKeyRef): KMSClient => {
    const region =
      (ref?.provider === 'awskms' ? ref.region : undefined) ??
      connection.region ??
      resolved.env.AWS_REGION ??
      resolved.env.AWS_DEFAULT_REGION;
    const endpoint = connection.endpoint ?? (ref?.provider === 'awskms' && ref.endpoint ? `https://${ref.endpoint}` : undefined);
    const cacheKey = `${region ?? ''}|${endpoint ?? ''}`;
    let client = clients.get(cacheKey);
    if (client) return client;
    const config: KMSClientConfig = {
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      credentials: credentials(resolved),
      maxAttempts: 4,
      ...(connection.credential.source === 'profile' && connection.credential.profile ? { profile: connection.credential.profile } : {}),
      ...(connection.caCertificates
        ? { requestHandler: { httpsAgent: new https.Agent({ ca: connection.caCertificates, keepAlive: true }) } }
        : {}),
    };
    client = new KMSClient(config);
    clients.set(cacheKey, client);
    return client;
  };

  const call = async <T>(ref: KmsKeyRef | undefined, run: (client: KMSClient) => Promise<T>): Promise<T> => {
    try {
      return await run(clientFor(ref));
    } catch (error) {
      throw mapError(error, ref?.uri, connection.endpoint);
    }
  };

  const describe = async (ref: KmsKeyRef | undefined, keyId: string): Promise<KmsKey> => {
    const { KeyMetadata: meta } = await call(ref, (c) => c.send(new DescribeKeyCommand({ KeyId: keyId })));
    if (!meta?.Arn) throw kmsError('awskms', 'other', { key: keyId, vendor: 'DescribeKey returned no key' });
    const algorithms = (meta.SigningAlgorithms ?? [])
      .map((a) => fromAws(a, meta.KeySpec))
      .filter((a): a is KmsAlgorithm => a !== undefined);
    const keyState = state(meta);
    return {
      uri: ref?.uri ?? `awskms:///${meta.Arn}`,
      provider: 'awskms',
      name: meta.Arn,
      ...(meta.Description ? { label: meta.Description } : {}),
      state: keyState,
      canSign: meta.KeyUsage === 'SIGN_VERIFY',
      ...(meta.KeyUsage ? { usage: meta.KeyUsage } : {}),
      ...(meta.KeySpec ? { keySpec: meta.KeySpec } : {}),
      algorithms,
      versions: [
        {
          version: meta.Arn,
          state: keyState,
          algorithms,
          current: true,
          ...(meta.CreationDate ? { created: meta.CreationDate.toISOString() } : {}),
        },
      ],
    };
  };

  return {
    provider: 'awskms',
    async listKeys() {
      const aliases = new Map<string, string[]>();
      let marker: string | undefined;
      do {
        const page = await call(undefined, (c) => c.send(new ListAliasesCommand({ Limit: 100, ...(marker ? { Marker: marker } : {}) })));
        for (const alias of page.Aliases ?? []) {
          if (alias.TargetKeyId && alias.AliasName)
            aliases.set(alias.TargetKeyId, [...(aliases.get(alias.TargetKeyId) ?? []), alias.AliasName]);
        }
        marker = page.Truncated ? page.NextMarker : undefined;
      } while (marker);
      const keys: KmsKey[] = [];
      marker = undefined;
      do {
        const page = await call(undefined, (c) => c.send(new ListKeysCommand({ Limit: 100, ...(marker ? { Marker: marker } : {}) })));
        for (const entry of page.Keys ?? []) {
          if (!entry.KeyId || keys.length >= 500) continue;
          const key = await describe(undefined, entry.KeyArn ?? entry.KeyId);
          const names = aliases.get(entry.KeyId);
          keys.push({ ...key, uri: `awskms:///${key.name}`, ...(names ? { label: names.join(', ') } : {}) });
        }
        marker = page.Truncated ? page.NextMarker : undefined;
      } while (marker);
      return keys;
    },
    describeKey: (ref) => describe(ref, awsRef(ref).keyId),
    async getPublicKey(ref, version) {
      const out = await call(ref, (c) => c.send(new GetPublicKeyCommand({ KeyId: version })));
      if (!out.PublicKey) throw kmsError('awskms', 'other', { key: ref.uri, vendor: 'GetPublicKey returned no public key' });
      return toSpkiPem(out.PublicKey);
    },
    async signDigest(ref, request: SignDigestRequest) {
      const out = await call(ref, (c) =>
        c.send(
          new SignCommand({
            KeyId: request.version,
            Message: request.digest,
            MessageType: 'DIGEST',
            SigningAlgorithm: TO_AWS[request.algorithm],
          }),
        ),
      );
      if (!out.Signature) throw kmsError('awskms', 'other', { key: ref.uri, vendor: 'Sign returned no signature' });
      if (out.SigningAlgorithm && out.SigningAlgorithm !== TO_AWS[request.algorithm]) {
        throw kmsError('awskms', 'answer-refused', {
          key: ref.uri,
          hint: `AWS KMS answered with ${out.SigningAlgorithm} where ${TO_AWS[request.algorithm]} was asked; Signet refused the signature.`,
        });
      }
      return { signature: out.Signature, version: out.KeyId ?? request.version };
    },
  };
}

function awsRef(ref: KmsKeyRef): Extract<KmsKeyRef, { provider: 'awskms' }> {
  if (ref.provider !== 'awskms') throw new Error(`not an AWS key reference: ${ref.uri}`);
  return ref;
}

function credentials(resolved: ResolvedConnection): KMSClientConfig['credentials'] {
  const { credential } = resolved.connection;
  const { secret, home, env } = resolved;
  if (credential.source === 'keychain') {
    return {
      accessKeyId: secret.accessKeyId ?? '',
      secretAccessKey: secret.secretAccessKey ?? '',
      ...(secret.sessionToken ? { sessionToken: secret.sessionToken } : {}),
    };
  }
  const files = {
    filepath: env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
    configFilepath: env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
  };
  if (credential.source === 'profile') return fromIni({ profile: credential.profile, ...files });
  return fromNodeProviderChain({ ...files });
}

function mapError(error: unknown, key: string | undefined, endpoint: string | undefined): Error {
  rethrowKnown(error);
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? '';
  const vendor = `${name}: ${e.message ?? ''}`;
  const k = key ? { key } : {};
  if (/Throttling|TooManyRequests|LimitExceeded|RequestLimitExceeded/.test(name)) return kmsError('awskms', 'throttled', { vendor });
  if (name === 'DisabledException') return kmsError('awskms', 'disabled', { ...k, vendor });
  if (name === 'KMSInvalidStateException')
    return kmsError('awskms', /pending ?deletion/i.test(e.message ?? '') ? 'pending-deletion' : 'disabled', { ...k, vendor });
  if (name === 'InvalidKeyUsageException')
    return kmsError('awskms', /algorithm/i.test(e.message ?? '') ? 'algorithm-not-allowed' : 'wrong-usage', { ...k, vendor });
  if (name === 'NotFoundException')
    return kmsError('awskms', 'not-found', {
      ...k,
      vendor,
      hint: 'A key id or alias is looked up in the connection’s region; a key ARN names its own.',
    });
  if (name === 'AccessDeniedException')
    return kmsError('awskms', 'access-denied', {
      ...k,
      vendor,
      hint: 'The IAM policy needs kms:Sign, kms:GetPublicKey and kms:DescribeKey.',
    });
  if (/scoped to (?:a )?(?:valid|correct) region/i.test(e.message ?? '')) {
    return kmsError('awskms', 'region-mismatch', {
      ...k,
      vendor,
      hint: 'A key ARN names its region; use an endpoint (or connection) for that region, or leave the endpoint unset.',
    });
  }
  if (
    /UnrecognizedClient|InvalidSignature|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|IncompleteSignature|InvalidAccessKeyId/.test(
      name,
    )
  ) {
    return kmsError('awskms', 'credentials-expired', { vendor, hint: 'For SSO profiles run `aws sso login`.' });
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return kmsError('awskms', 'credentials-missing', {
      hint: 'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login`, or store credentials with the connection.',
    });
  }
  if (/Region is missing/i.test(e.message ?? ''))
    return kmsError('awskms', 'invalid-request', {
      vendor: 'no region',
      hint: 'Set the connection’s region, AWS_REGION, or a region in the AWS profile, or use the key’s ARN.',
    });
  const network = isNetworkFailure(error);
  if (network) return kmsError('awskms', 'unreachable', { vendor: network, ...(endpoint ? { endpoint } : {}) });
  if (name === 'ValidationException' || name === 'InvalidKeyIdException' || name === 'InvalidArnException')
    return kmsError('awskms', 'invalid-request', { ...k, vendor });
  return kmsError('awskms', 'other', { ...k, vendor: vendor.length > 2 ? vendor : String(error) });
}

export const provider: KmsProviderModule = { createClient };
