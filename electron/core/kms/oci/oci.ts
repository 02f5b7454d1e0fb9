import path from 'node:path';
import * as common from 'oci-common';
import { KmsCryptoClient, KmsManagementClient, models } from 'oci-keymanagement';
import type { KmsAlgorithm, KmsKey, KmsKeyState, KmsKeyVersion } from '../../../../shared/models/kms';
import { toSpkiPem } from '../algorithms';
import { isNetworkFailure, kmsError, rethrowKnown, withBackoff } from '../errors';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from '../provider';
import type { KmsKeyRef } from '../uri';

/**
 * OCI Vault through oci-keymanagement (KmsManagementClient for keys and versions,
 * KmsCryptoClient for signing) with oci-common's request signing (draft-cavage HTTP signatures,
 * rsa-sha256, key id TENANCY/USER/FINGERPRINT). The crypto endpoint comes from the key URI; the
 * management endpoint is its `-management` sibling unless the connection names one.
 * Retries are Signet's own (the SDK's circuit breaker would turn throttling into a different
 * error); OCI's PSS salt length was not documented — the self-check insists on hash length.
 */
const TO_OCI: Readonly<Record<KmsAlgorithm, models.SignDataDetails.SigningAlgorithm | undefined>> = {
  'rsa-pss-sha224': models.SignDataDetails.SigningAlgorithm.Sha224RsaPkcsPss,
  'rsa-pss-sha256': models.SignDataDetails.SigningAlgorithm.Sha256RsaPkcsPss,
  'rsa-pss-sha384': models.SignDataDetails.SigningAlgorithm.Sha384RsaPkcsPss,
  'rsa-pss-sha512': models.SignDataDetails.SigningAlgorithm.Sha512RsaPkcsPss,
  'rsa-pkcs1v15-sha256': models.SignDataDetails.SigningAlgorithm.Sha256RsaPkcs1V15,
  'rsa-pkcs1v15-sha384': models.SignDataDetails.SigningAlgorithm.Sha384RsaPkcs1V15,
  'rsa-pkcs1v15-sha512': models.SignDataDetails.SigningAlgorithm.Sha512RsaPkcs1V15,
  'ecdsa-p256-sha256': models.SignDataDetails.SigningAlgorithm.EcdsaSha256,
  'ecdsa-p384-sha384': models.SignDataDetails.SigningAlgorithm.EcdsaSha384,
  'ecdsa-p521-sha512': models.SignDataDetails.SigningAlgorithm.EcdsaSha512,
  'sm2-sm3': undefined,
};

// OCIR accepts SHA-224/256/384/512 with PSS; SHA-224 PKCS#1 v1.5 is left out (no cosign or OCIR use).
const RSA: KmsAlgorithm[] = [
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha224',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
];
const CURVES: Readonly<Record<string, KmsAlgorithm>> = {
  NIST_P256: 'ecdsa-p256-sha256',
  NIST_P384: 'ecdsa-p384-sha384',
  NIST_P521: 'ecdsa-p521-sha512',
};

function state(value: string | undefined): KmsKeyState {
  switch (value) {
    case 'ENABLED':
      return 'enabled';
    case 'PENDING_DELETION':
    case 'SCHEDULING_DELETION':
    case 'DELETING':
      return 'pending-deletion';
    case 'DELETED':
      return 'destroyed';
    case 'CREATING':
    case 'ENABLING':
    case 'UPDATING':
    case 'RESTORING':
    case 'BACKUP_IN_PROGRESS':
      return 'unavailable';
    default:
      return 'disabled';
  }
}

function algorithmsOf(shape: models.KeyShape | undefined): KmsAlgorithm[] {
  if (!shape) return [];
  if (shape.algorithm === models.KeyShape.Algorithm.Rsa) return RSA;
  if (shape.algorithm === models.KeyShape.Algorithm.Ecdsa) {
    const algorithm = CURVES[shape.curveId ?? ''];
    return algorithm ? [algorithm] : [];
  }
  return [];
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection } = resolved;
  const provider = authentication(resolved);
  if (connection.caCertificates) {
    throw kmsError('ocikms', 'invalid-request', {
      vendor: 'extra CA certificates',
      hint: 'The OCI SDK uses Node’s built-in fetch, which takes no per-connection CA: remove them from the connection and set NODE_EXTRA_CA_CERTS instead.',
    });
  }
  const configuration: common.ClientConfiguration = {
    retryConfiguration: common.NoRetryConfigurationDetails,
    // The circuit breaker is off: a throttled vault should read as throttled, not as an open circuit.
    circuitBreaker: { noCircuit: true } as unknown as common.CircuitBreaker,
  };
  const crypto = new Map<string, KmsCryptoClient>();
  const management = new Map<string, KmsManagementClient>();

  const cryptoClient = (ref: OciRef): KmsCryptoClient => {
    const endpoint = `${scheme(ref.cryptoHost)}://${ref.cryptoHost}`;
    let client = crypto.get(endpoint);
    if (!client) {
      client = new KmsCryptoClient({ authenticationDetailsProvider: provider }, configuration);
      client.endpoint = endpoint;
      crypto.set(endpoint, client);
    }
    return client;
  };
  const managementClient = (ref?: OciRef): KmsManagementClient => {
    const endpoint =
      connection.endpoint ?? (ref ? `${scheme(ref.cryptoHost)}://${ref.cryptoHost.replace(/-crypto\./, '-management.')}` : undefined);
    if (!endpoint)
      throw kmsError('ocikms', 'invalid-request', {
        vendor: 'no management endpoint',
        hint: 'Set the connection’s endpoint to the vault’s management endpoint (shown on the vault’s page in the console).',
      });
    let client = management.get(endpoint);
    if (!client) {
      client = new KmsManagementClient({ authenticationDetailsProvider: provider }, configuration);
      client.endpoint = endpoint;
      management.set(endpoint, client);
    }
    return client;
  };

  const call = async <T>(key: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await withBackoff(run, (e) => (e as { statusCode?: number }).statusCode === 429);
    } catch (error) {
      throw mapError(error, key, connection.endpoint);
    }
  };

  const describe = async (ref: OciRef | undefined, keyId: string, uri: string): Promise<KmsKey> => {
    const client = managementClient(ref);
    const { key } = await call(uri, () => client.getKey({ keyId }));
    const algorithms = algorithmsOf(key.keyShape);
    const summaries: models.KeyVersionSummary[] = [];
    let page: string | undefined;
    do {
      const out = await call(uri, () => client.listKeyVersions({ keyId, limit: 100, ...(page ? { page } : {}) }));
      summaries.push(...out.items);
      page = out.opcNextPage;
    } while (page && summaries.length < 1000);
    const versions: KmsKeyVersion[] = summaries
      .map((v) => ({
        version: v.id,
        state: state(v.lifecycleState),
        algorithms,
        current: v.id === key.currentKeyVersion,
        created: new Date(v.timeCreated).toISOString(),
      }))
      .sort((a, b) => a.created.localeCompare(b.created));
    return {
      uri,
      provider: 'ocikms',
      name: key.id,
      label: key.displayName,
      state: state(key.lifecycleState),
      canSign: algorithms.length > 0,
      usage: key.keyShape.algorithm === models.KeyShape.Algorithm.Aes ? 'encrypt (AES)' : 'sign',
      keySpec: `${key.keyShape.algorithm} ${key.keyShape.curveId ?? `${key.keyShape.length * 8}`}`,
      algorithms,
      versions,
    };
  };

  return {
    provider: 'ocikms',
    async listKeys() {
      const compartmentId = connection.scope;
      if (!compartmentId)
        throw kmsError('ocikms', 'invalid-request', {
          vendor: 'no compartment',
          hint: 'Set the connection’s scope to the compartment OCID whose keys to list.',
        });
      const client = managementClient();
      const host = new URL(client.endpoint).host.replace(/-management\./, '-crypto.');
      const summaries: models.KeySummary[] = [];
      let page: string | undefined;
      do {
        const out = await call(undefined, () => client.listKeys({ compartmentId, limit: 100, ...(page ? { page } : {}) }));
        summaries.push(...out.items);
        page = out.opcNextPage;
      } while (page && summaries.length < 500);
      const keys: KmsKey[] = [];
      for (const summary of summaries) keys.push(await describe(undefined, summary.id, `ocikms://${host}/${summary.id}`));
      return keys;
    },
    describeKey: (ref) => describe(ociRef(ref), ociRef(ref).keyId, ref.uri),
    async getPublicKey(ref, version) {
      const r = ociRef(ref);
      const { keyVersion } = await call(ref.uri, () => managementClient(r).getKeyVersion({ keyId: r.keyId, keyVersionId: version }));
      if (!keyVersion.publicKey) throw kmsError('ocikms', 'other', { key: ref.uri, vendor: 'the key version has no public key' });
      return toSpkiPem(keyVersion.publicKey);
    },
    async verifyMessage(ref, request) {
      const r = ociRef(ref);
      const signingAlgorithm = TO_OCI[request.algorithm];
      if (!signingAlgorithm)
        throw kmsError('ocikms', 'algorithm-not-allowed', { key: ref.uri, hint: `OCI Vault has no ${request.algorithm}.` });
      const { verifiedData } = await call(ref.uri, () =>
        cryptoClient(r).verify({
          verifyDataDetails: {
            keyId: r.keyId,
            keyVersionId: request.version,
            signingAlgorithm: signingAlgorithm as unknown as models.VerifyDataDetails.SigningAlgorithm,
            message: Buffer.from(request.message).toString('base64'),
            signature: Buffer.from(request.signature).toString('base64'),
            messageType: models.VerifyDataDetails.MessageType.Raw,
          },
        }),
      );
      return verifiedData.isSignatureValid === true;
    },
    async signDigest(ref, request) {
      const r = ociRef(ref);
      const signingAlgorithm = TO_OCI[request.algorithm];
      if (!signingAlgorithm)
        throw kmsError('ocikms', 'algorithm-not-allowed', { key: ref.uri, hint: `OCI Vault has no ${request.algorithm}.` });
      const { signedData } = await call(ref.uri, () =>
        cryptoClient(r).sign({
          signDataDetails: {
            message: Buffer.from(request.digest).toString('base64'),
            keyId: r.keyId,
            keyVersionId: request.version,
            signingAlgorithm,
            messageType: models.SignDataDetails.MessageType.Digest,
          },
        }),
      );
      if (signedData.signingAlgorithm && signedData.signingAlgorithm !== signingAlgorithm) {
        throw kmsError('ocikms', 'answer-refused', {
          key: ref.uri,
          hint: `OCI Vault answered with ${signedData.signingAlgorithm} where ${signingAlgorithm} was asked; Signet refused the signature.`,
        });
      }
      return { signature: Buffer.from(signedData.signature, 'base64'), version: signedData.keyVersionId ?? request.version };
    },
  };
}

type OciRef = Extract<KmsKeyRef, { provider: 'ocikms' }>;

/** Loopback endpoints (an emulator, a local tunnel) speak plain HTTP, as Signet's registry client does. */
function scheme(host: string): 'http' | 'https' {
  return /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?$/.test(host) ? 'http' : 'https';
}

function ociRef(ref: KmsKeyRef): OciRef {
  if (ref.provider !== 'ocikms') throw new Error(`not an OCI key reference: ${ref.uri}`);
  return ref;
}

function authentication(resolved: ResolvedConnection): common.AuthenticationDetailsProvider {
  const { connection, secret, env, home } = resolved;
  const credential = connection.credential;
  try {
    if (credential.source === 'keychain') {
      return new common.SimpleAuthenticationDetailsProvider(
        secret.tenancy ?? '',
        secret.user ?? '',
        secret.fingerprint ?? '',
        secret.privateKey ?? '',
        secret.passphrase ?? null,
      );
    }
    const file =
      credential.source === 'file' ? (credential.path as string) : (env.OCI_CLI_CONFIG_FILE ?? path.join(home, '.oci', 'config'));
    const profile = credential.source === 'profile' ? credential.profile : (env.OCI_CLI_PROFILE ?? 'DEFAULT');
    return new common.ConfigFileAuthenticationDetailsProvider(file, profile);
  } catch (error) {
    throw kmsError('ocikms', 'credentials-missing', {
      vendor: (error as Error).message,
      hint: 'Run `oci setup config`, name the config file or profile, or store the API key with the connection.',
    });
  }
}

function mapError(error: unknown, key: string | undefined, endpoint: string | undefined): Error {
  rethrowKnown(error);
  const e = error as { statusCode?: number; serviceCode?: string; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const vendor = e.serviceCode ? `${e.serviceCode}: ${message}` : message;
  const k = key ? { key } : {};
  switch (e.statusCode) {
    case 429:
      return kmsError('ocikms', 'throttled', { vendor });
    case 401:
      return kmsError('ocikms', 'credentials-expired', {
        vendor,
        hint: 'Check the API key, its fingerprint and the user and tenancy OCIDs (and this computer’s clock).',
      });
    case 404:
      return kmsError('ocikms', 'not-found', {
        ...k,
        vendor,
        hint: 'OCI says NotAuthorizedOrNotFound both for a missing key and for a missing policy: check both (use key-delegate / use keys).',
      });
    case 403:
      return kmsError('ocikms', 'access-denied', { ...k, vendor });
    case 409:
      if (/PENDING_DELETION|deletion/i.test(message)) return kmsError('ocikms', 'pending-deletion', { ...k, vendor });
      return kmsError('ocikms', 'disabled', { ...k, vendor });
    case 400:
      if (/algorithm/i.test(message)) return kmsError('ocikms', 'algorithm-not-allowed', { ...k, vendor });
      return kmsError('ocikms', 'invalid-request', { ...k, vendor });
    default: {
      const network =
        isNetworkFailure(error) ?? (/ECONNREFUSED|ENOTFOUND|certificate|self.signed|fetch failed/i.test(message) ? message : undefined);
      if (network) return kmsError('ocikms', 'unreachable', { vendor: network, ...(endpoint ? { endpoint } : {}) });
      return kmsError('ocikms', 'other', { ...k, vendor });
    }
  }
}

export const provider: KmsProviderModule = { createClient };
