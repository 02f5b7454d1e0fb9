import { describeSystemError } from '../../../../shared/system-errors';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { JWT } from 'google-auth-library';
import type { KmsAlgorithm, KmsKey, KmsKeyState, KmsKeyVersion } from '../../../../shared/models/kms';
import { toSpkiPem } from '../algorithms';
import { isNetworkFailure, kmsError, rethrowKnown, withBackoff } from '../errors';
import type { KmsClient, KmsProviderModule, ResolvedConnection } from '../provider';
import type { KmsKeyRef } from '../uri';
import { crc32c } from './crc32c';
import { readRegularFileSync, SMALL_FILE_MAX } from '../../storage/bounded-read';

/**
 * Google Cloud KMS through @google-cloud/kms in REST mode (`fallback: 'rest'`: HTTP/1.1 and
 * JSON, no gRPC). Each key version has exactly one algorithm; the "current" version of an
 * asymmetric key is its newest enabled one (asymmetric keys have no primary). CRC32C checksums
 * are checked both ways, as Google asks clients to.
 */
const ALGORITHMS: Readonly<Record<string, KmsAlgorithm>> = {
  EC_SIGN_P256_SHA256: 'ecdsa-p256-sha256',
  EC_SIGN_P384_SHA384: 'ecdsa-p384-sha384',
  RSA_SIGN_PSS_2048_SHA256: 'rsa-pss-sha256',
  RSA_SIGN_PSS_3072_SHA256: 'rsa-pss-sha256',
  RSA_SIGN_PSS_4096_SHA256: 'rsa-pss-sha256',
  RSA_SIGN_PSS_4096_SHA512: 'rsa-pss-sha512',
  RSA_SIGN_PKCS1_2048_SHA256: 'rsa-pkcs1v15-sha256',
  RSA_SIGN_PKCS1_3072_SHA256: 'rsa-pkcs1v15-sha256',
  RSA_SIGN_PKCS1_4096_SHA256: 'rsa-pkcs1v15-sha256',
  RSA_SIGN_PKCS1_4096_SHA512: 'rsa-pkcs1v15-sha512',
};

const STATES: Readonly<Record<string, KmsKeyState>> = {
  ENABLED: 'enabled',
  DISABLED: 'disabled',
  DESTROYED: 'destroyed',
  DESTROY_SCHEDULED: 'pending-deletion',
  PENDING_EXTERNAL_DESTRUCTION: 'pending-deletion',
  PENDING_GENERATION: 'unavailable',
  PENDING_IMPORT: 'pending-import',
};

interface GcpVersion {
  name?: string | null;
  state?: unknown;
  algorithm?: unknown;
  createTime?: { seconds?: unknown } | null;
}

export function createClient(resolved: ResolvedConnection): KmsClient {
  const { connection, secret } = resolved;
  let client: KeyManagementServiceClient | undefined;
  const kms = (): KeyManagementServiceClient => {
    if (client) return client;
    const endpoint = connection.endpoint ? new URL(connection.endpoint) : undefined;
    const credential = connection.credential;
    let auth: Record<string, unknown> = {};
    if (credential.source === 'file') {
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(readRegularFileSync(credential.path ?? '', { maxBytes: SMALL_FILE_MAX }).toString('utf8')) as Record<
          string,
          unknown
        >;
      } catch (error) {
        throw kmsError('gcpkms', 'credentials-missing', {
          vendor: `${credential.path} cannot be read as a JSON credentials file (${(error as NodeJS.ErrnoException).code ? describeSystemError(error) : 'not JSON'})`,
        });
      }
      // Service account keys are built explicitly; other file types go through the library's loader.
      auth = json.type === 'service_account' ? { authClient: serviceAccount(json) } : { keyFilename: credential.path };
    }
    if (credential.source === 'keychain') {
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(secret.credentialsJson ?? '') as Record<string, unknown>;
      } catch {
        throw kmsError('gcpkms', 'credentials-missing', {
          vendor: 'the stored credentials are not a JSON key file',
          hint: 'Add the connection again with the service account key file’s JSON.',
        });
      }
      if (json.type !== 'service_account')
        throw kmsError('gcpkms', 'credentials-missing', {
          vendor: `stored credentials of type "${String(json.type)}"`,
          hint: 'Only service account keys can be stored with a connection; use application-default credentials for user logins.',
        });
      auth = { authClient: serviceAccount(json) };
    }
    client = new KeyManagementServiceClient({
      fallback: 'rest',
      ...(endpoint
        ? {
            apiEndpoint: endpoint.hostname,
            port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
            protocol: endpoint.protocol.replace(':', ''),
          }
        : {}),
      ...auth,
    } as ConstructorParameters<typeof KeyManagementServiceClient>[0]);
    return client;
  };

  const call = async <T>(key: string | undefined, run: (c: KeyManagementServiceClient) => Promise<T>): Promise<T> => {
    try {
      return await withBackoff(
        () => run(kms()),
        (e) => (e as { code?: unknown }).code === 8,
      );
    } catch (error) {
      throw mapError(error, key, connection.endpoint);
    }
  };

  const versionsOf = async (keyName: string, uriOf: (version: string) => string): Promise<KmsKeyVersion[]> => {
    const [versions] = await call(uriOf(''), (c) => c.listCryptoKeyVersions({ parent: keyName, pageSize: 1000 }));
    const out = (versions as GcpVersion[]).map((v) => {
      const version =
        String(v.name ?? '')
          .split('/')
          .pop() ?? '';
      const algorithm = ALGORITHMS[String(v.algorithm)];
      const seconds = Number(v.createTime?.seconds ?? 0);
      return {
        version,
        state: STATES[String(v.state)] ?? 'unavailable',
        algorithms: algorithm ? [algorithm] : [],
        current: false,
        ...(seconds ? { created: new Date(seconds * 1000).toISOString() } : {}),
      };
    });
    out.sort((a, b) => Number(a.version) - Number(b.version));
    const current = [...out].reverse().find((v) => v.state === 'enabled');
    if (current) current.current = true;
    return out;
  };

  const describe = async (keyName: string, uri: string): Promise<KmsKey> => {
    const [key] = await call(uri, (c) => c.getCryptoKey({ name: keyName }));
    const purpose = String(key.purpose ?? '');
    const versions = purpose === 'ASYMMETRIC_SIGN' ? await versionsOf(keyName, () => uri) : [];
    const algorithms = [...new Set(versions.flatMap((v) => v.algorithms))];
    const template = String(key.versionTemplate?.algorithm ?? '');
    const current = versions.find((v) => v.current);
    return {
      uri,
      provider: 'gcpkms',
      name: keyName,
      ...(key.labels && Object.keys(key.labels).length
        ? {
            label: Object.entries(key.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          }
        : {}),
      state: current ? 'enabled' : (versions.at(-1)?.state ?? 'disabled'),
      canSign: purpose === 'ASYMMETRIC_SIGN',
      usage: purpose,
      ...(template ? { keySpec: template } : {}),
      algorithms,
      versions,
    };
  };

  const keyNameOf = (ref: KmsKeyRef) => {
    if (ref.provider !== 'gcpkms') throw new Error(`not a Google Cloud KMS key reference: ${ref.uri}`);
    return ref.keyName;
  };

  return {
    provider: 'gcpkms',
    async listKeys() {
      const scope = connection.scope;
      if (!scope)
        throw kmsError('gcpkms', 'invalid-request', {
          vendor: 'the connection has no scope',
          hint: 'Set the scope to projects/P/locations/L (or …/keyRings/R) to list keys.',
        });
      let rings: string[];
      if (/\/keyRings\/[^/]+$/.test(scope)) rings = [scope];
      else {
        const [list] = await call(undefined, (c) => c.listKeyRings({ parent: scope, pageSize: 1000 }));
        rings = list.map((r) => String(r.name));
      }
      const keys: KmsKey[] = [];
      for (const ring of rings) {
        const [list] = await call(undefined, (c) => c.listCryptoKeys({ parent: ring, pageSize: 1000 }));
        for (const key of list) {
          if (keys.length >= 500) break;
          const name = String(key.name);
          keys.push(await describe(name, `gcpkms://${name}`));
        }
      }
      return keys;
    },
    describeKey: (ref) => describe(keyNameOf(ref), ref.uri),
    async getPublicKey(ref, version) {
      const name = `${keyNameOf(ref)}/cryptoKeyVersions/${version}`;
      const [key] = await call(ref.uri, (c) => c.getPublicKey({ name }));
      const pem = key.pem ?? '';
      if (!pem) throw kmsError('gcpkms', 'other', { key: ref.uri, vendor: 'no public key returned' });
      if (
        key.pemCrc32c?.value !== undefined &&
        key.pemCrc32c?.value !== null &&
        Number(key.pemCrc32c.value) !== crc32c(Buffer.from(pem, 'utf8'))
      ) {
        throw kmsError('gcpkms', 'other', {
          key: ref.uri,
          vendor: 'the public key’s CRC32C does not match: it was damaged in transit',
          hint: 'Try again.',
        });
      }
      return toSpkiPem(pem);
    },
    async signDigest(ref, request) {
      const name = `${keyNameOf(ref)}/cryptoKeyVersions/${request.version}`;
      const hash = request.algorithm.slice(-6);
      const digestCrc = crc32c(request.digest);
      const [out] = await call(ref.uri, (c) =>
        c.asymmetricSign({ name, digest: { [hash]: request.digest }, digestCrc32c: { value: digestCrc } }),
      );
      const signature = out.signature ? Buffer.from(out.signature as Uint8Array) : Buffer.alloc(0);
      if (!out.verifiedDigestCrc32c)
        throw kmsError('gcpkms', 'other', {
          key: ref.uri,
          vendor: 'the KMS did not confirm the digest checksum: the request was damaged in transit',
          hint: 'Try again.',
        });
      if (out.name && out.name !== name)
        throw kmsError('gcpkms', 'other', { key: ref.uri, vendor: `the KMS signed with ${out.name}, not ${name}` });
      if (
        out.signatureCrc32c?.value === undefined ||
        out.signatureCrc32c?.value === null ||
        Number(out.signatureCrc32c.value) !== crc32c(signature)
      ) {
        throw kmsError('gcpkms', 'other', {
          key: ref.uri,
          vendor: 'the signature’s CRC32C does not match: it was damaged in transit',
          hint: 'Try again.',
        });
      }
      return { signature, version: request.version };
    },
  };
}

function mapError(error: unknown, key: string | undefined, endpoint: string | undefined): Error {
  rethrowKnown(error);
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' && e.message ? e.message : String(error);
  const k = key ? { key } : {};
  const vendor = message;
  if (/Could not load the default credentials|Unable to detect a Project Id|could not find default credentials/i.test(message)) {
    return kmsError('gcpkms', 'credentials-missing', {
      hint: 'Run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or store a service account key with the connection.',
    });
  }
  if (/invalid_grant|invalid_client|Invalid JWT|token has been expired|reauth/i.test(message))
    return kmsError('gcpkms', 'credentials-expired', { vendor, hint: 'Run `gcloud auth application-default login` again.' });
  switch (e.code) {
    case 8:
      return kmsError('gcpkms', 'throttled', { vendor });
    case 16:
      return kmsError('gcpkms', 'credentials-expired', {
        vendor,
        hint: 'Run `gcloud auth application-default login` again, or check the service account key.',
      });
    case 7:
      return kmsError('gcpkms', 'access-denied', {
        ...k,
        vendor,
        hint: 'The principal needs roles/cloudkms.signerVerifier (cloudkms.cryptoKeyVersions.useToSign and viewPublicKey) on the key.',
      });
    case 5:
      return kmsError('gcpkms', 'not-found', { ...k, vendor });
    case 9:
      if (/DESTROY_SCHEDULED|scheduled for destruction/i.test(message)) return kmsError('gcpkms', 'pending-deletion', { ...k, vendor });
      return kmsError('gcpkms', 'disabled', { ...k, vendor });
    case 3:
      if (/purpose|ASYMMETRIC_SIGN/i.test(message)) return kmsError('gcpkms', 'wrong-usage', { ...k, vendor });
      if (/algorithm|digest/i.test(message)) return kmsError('gcpkms', 'algorithm-not-allowed', { ...k, vendor });
      if (/location|region/i.test(message)) return kmsError('gcpkms', 'region-mismatch', { ...k, vendor });
      return kmsError('gcpkms', 'invalid-request', { ...k, vendor });
    default: {
      const network = isNetworkFailure(error);
      if (network) return kmsError('gcpkms', 'unreachable', { vendor: network, ...(endpoint ? { endpoint } : {}) });
      return kmsError('gcpkms', 'other', { ...k, vendor });
    }
  }
}

/** A service-account JWT client built from the key's fields (Google deprecates loading arbitrary JSON). */
function serviceAccount(json: Record<string, unknown>): JWT {
  if (typeof json.client_email !== 'string' || typeof json.private_key !== 'string') {
    throw kmsError('gcpkms', 'credentials-missing', { vendor: 'the service account key has no client_email or private_key' });
  }
  return new JWT({
    email: json.client_email,
    key: json.private_key,
    ...(typeof json.private_key_id === 'string' ? { keyId: json.private_key_id } : {}),
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
  });
}

export const provider: KmsProviderModule = { createClient };
