import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32c } from '../../../electron/core/kms/gcp/crc32c';
import { hashOf, makeKey, signDigest, type DigestAlgorithm, type HarnessKey, type HarnessKeyType, type Misbehaviour } from './crypto';
import { header, startFakeServer, type FakeServer, type Reply, type SeenRequest } from './server';

/**
 * A fake Cloud KMS speaking the v1 REST API the client library's REST transport uses:
 * keyRings / cryptoKeys / cryptoKeyVersions listing, getCryptoKey, getPublicKey and
 * asymmetricSign, with CRC32C checksums, `enum-encoding=int` answers and Google's error JSON.
 * Every request must carry a bearer token that is a self-signed service-account JWT (RS256,
 * kid = private_key_id, iss = sub = client_email, a Cloud KMS scope), checked with the
 * service account's public key: what Google's front end checks for such tokens.
 */
export type GcpAlgorithm =
  | 'EC_SIGN_P256_SHA256'
  | 'EC_SIGN_P384_SHA384'
  | 'RSA_SIGN_PSS_2048_SHA256'
  | 'RSA_SIGN_PSS_3072_SHA256'
  | 'RSA_SIGN_PSS_4096_SHA512'
  | 'RSA_SIGN_PKCS1_2048_SHA256'
  | 'RSA_SIGN_PKCS1_4096_SHA512'
  | 'GOOGLE_SYMMETRIC_ENCRYPTION';

export interface GcpKeySpec {
  ring: string;
  name: string;
  versions: Array<{ algorithm: GcpAlgorithm; state?: 'ENABLED' | 'DISABLED' | 'DESTROY_SCHEDULED'; misbehave?: Misbehaviour }>;
}

export interface FakeGcpKms extends FakeServer {
  project: string;
  location: string;
  /** A service account key file the fake trusts. */
  credentialsFile: string;
  credentialsJson: string;
  throttleNext(n: number): void;
}

const PROTOS = JSON.parse(readFileSync(path.join(process.cwd(), 'node_modules/@google-cloud/kms/build/protos/protos.json'), 'utf8')) as {
  nested: {
    google: {
      nested: {
        cloud: {
          nested: { kms: { nested: { v1: { nested: Record<string, { nested: Record<string, { values: Record<string, number> }> }> } } } };
        };
      };
    };
  };
};
const V1 = PROTOS.nested.google.nested.cloud.nested.kms.nested.v1.nested;
const ENUMS = {
  algorithm: V1.CryptoKeyVersion!.nested.CryptoKeyVersionAlgorithm!.values,
  state: V1.CryptoKeyVersion!.nested.CryptoKeyVersionState!.values,
  purpose: V1.CryptoKey!.nested.CryptoKeyPurpose!.values,
};

const HARNESS: Record<string, [HarnessKeyType, DigestAlgorithm] | undefined> = {
  EC_SIGN_P256_SHA256: ['ec-p256', 'ecdsa-p256-sha256'],
  EC_SIGN_P384_SHA384: ['ec-p384', 'ecdsa-p384-sha384'],
  RSA_SIGN_PSS_2048_SHA256: ['rsa-2048', 'rsa-pss-sha256'],
  RSA_SIGN_PSS_3072_SHA256: ['rsa-3072', 'rsa-pss-sha256'],
  RSA_SIGN_PSS_4096_SHA512: ['rsa-4096', 'rsa-pss-sha512'],
  RSA_SIGN_PKCS1_2048_SHA256: ['rsa-2048', 'rsa-pkcs1v15-sha256'],
  RSA_SIGN_PKCS1_4096_SHA512: ['rsa-4096', 'rsa-pkcs1v15-sha512'],
};

const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
};

export async function startFakeGcpKms(
  specs: GcpKeySpec[],
  options: { dir: string; project?: string; location?: string },
): Promise<FakeGcpKms> {
  const project = options.project ?? 'signet-test';
  const location = options.location ?? 'europe-west1';
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const credentials = {
    type: 'service_account',
    project_id: project,
    private_key_id: 'b2c5a1e0f4d3c2b1a0918273645546372819aabb',
    private_key: sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `signet-signer@${project}.iam.gserviceaccount.com`,
    client_id: '104242424242424242424',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
  const credentialsJson = JSON.stringify(credentials);
  const credentialsFile = path.join(options.dir, 'service-account.json');
  writeFileSync(credentialsFile, credentialsJson, { mode: 0o600 });
  const saPublic = createPublicKey(sa.privateKey);

  const parent = `projects/${project}/locations/${location}`;
  const rings = [...new Set(specs.map((s) => s.ring))];
  const keys = new Map<
    string,
    { spec: GcpKeySpec; versions: Array<{ key?: HarnessKey; algorithm: GcpAlgorithm; state: string; misbehave?: Misbehaviour }> }
  >();
  for (const spec of specs) {
    keys.set(`${parent}/keyRings/${spec.ring}/cryptoKeys/${spec.name}`, {
      spec,
      versions: spec.versions.map((v) => {
        const h = HARNESS[v.algorithm];
        return {
          algorithm: v.algorithm,
          state: v.state ?? 'ENABLED',
          ...(h ? { key: makeKey(h[0]) } : {}),
          ...(v.misbehave ? { misbehave: v.misbehave } : {}),
        };
      }),
    });
  }
  let throttle = 0;

  const fail = (status: number, message: string): Reply => ({
    status,
    body: { error: { code: status, message, status: GRPC_STATUS[status] ?? 'FAILED_PRECONDITION' } },
  });

  const handle = (request: SeenRequest): Reply => {
    const problem = checkBearer(header(request, 'authorization'), credentials, saPublic);
    if (problem) return fail(401, `Request had invalid authentication credentials. ${problem}`);
    if (throttle > 0) {
      throttle -= 1;
      return fail(429, "Quota exceeded for quota metric 'Cryptographic requests' and limit 'Cryptographic requests per minute'.");
    }
    const url = new URL(request.url, 'http://kms');
    const asInts = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    const e = (kind: keyof typeof ENUMS, name: string) => (asInts ? ENUMS[kind][name] : name);
    const resource = decodeURIComponent(url.pathname.replace(/^\/v1\//, ''));

    const versionJson = (keyName: string, i: number) => {
      const v = keys.get(keyName)!.versions[i]!;
      return {
        name: `${keyName}/cryptoKeyVersions/${i + 1}`,
        state: e('state', v.state),
        algorithm: e('algorithm', v.algorithm),
        protectionLevel: asInts ? 1 : 'SOFTWARE',
        createTime: new Date(Date.UTC(2026, 0, i + 1)).toISOString(),
      };
    };
    const keyJson = (keyName: string) => {
      const k = keys.get(keyName)!;
      const asymmetric = k.versions[0]?.algorithm !== 'GOOGLE_SYMMETRIC_ENCRYPTION';
      return {
        name: keyName,
        purpose: e('purpose', asymmetric ? 'ASYMMETRIC_SIGN' : 'ENCRYPT_DECRYPT'),
        createTime: '2026-01-01T00:00:00Z',
        versionTemplate: { algorithm: e('algorithm', k.versions.at(-1)!.algorithm), protectionLevel: asInts ? 1 : 'SOFTWARE' },
        labels: { team: 'release' },
      };
    };

    if (request.method === 'GET' && resource === `${parent}/keyRings`)
      return {
        status: 200,
        body: {
          keyRings: rings.map((r) => ({ name: `${parent}/keyRings/${r}`, createTime: '2026-01-01T00:00:00Z' })),
          totalSize: rings.length,
        },
      };
    const listKeys = /^(.+\/keyRings\/[^/]+)\/cryptoKeys$/.exec(resource);
    if (request.method === 'GET' && listKeys) {
      const names = [...keys.keys()].filter((n) => n.startsWith(`${listKeys[1]}/cryptoKeys/`));
      return { status: 200, body: { cryptoKeys: names.map(keyJson), totalSize: names.length } };
    }
    const listVersions = /^(.+\/cryptoKeys\/[^/]+)\/cryptoKeyVersions$/.exec(resource);
    if (request.method === 'GET' && listVersions) {
      const k = keys.get(listVersions[1] as string);
      if (!k) return fail(404, `CryptoKey ${listVersions[1]} not found.`);
      return {
        status: 200,
        body: { cryptoKeyVersions: k.versions.map((_, i) => versionJson(listVersions[1] as string, i)), totalSize: k.versions.length },
      };
    }
    if (request.method === 'GET' && keys.has(resource)) return { status: 200, body: keyJson(resource) };
    const versionMatch = /^(.+\/cryptoKeys\/[^/]+)\/cryptoKeyVersions\/(\d+)(\/publicKey|:asymmetricSign)$/.exec(resource);
    if (!versionMatch) return fail(404, `Resource ${resource} not found.`);
    const [, keyName, number, action] = versionMatch as unknown as [string, string, string, string];
    const k = keys.get(keyName);
    const v = k?.versions[Number(number) - 1];
    const versionName = `${keyName}/cryptoKeyVersions/${number}`;
    if (!k || !v) return fail(404, `CryptoKeyVersion ${versionName} not found.`);
    if (v.algorithm === 'GOOGLE_SYMMETRIC_ENCRYPTION')
      return fail(
        400,
        `${action === ':asymmetricSign' ? 'AsymmetricSign' : 'GetPublicKey'} is not supported for CryptoKey ${keyName} with purpose ENCRYPT_DECRYPT; the key purpose must be ASYMMETRIC_SIGN.`,
      );
    if (v.state !== 'ENABLED')
      return {
        status: 400,
        body: {
          error: { code: 400, message: `${versionName} is not enabled, current state is: ${v.state}.`, status: 'FAILED_PRECONDITION' },
        },
      };
    if (action === '/publicKey' && request.method === 'GET') {
      const pem = v.key!.publicPem;
      return {
        status: 200,
        body: {
          pem,
          algorithm: e('algorithm', v.algorithm),
          pemCrc32c: String(crc32c(Buffer.from(pem))),
          name: versionName,
          protectionLevel: asInts ? 1 : 'SOFTWARE',
        },
      };
    }
    if (action === ':asymmetricSign' && request.method === 'POST') {
      const body = JSON.parse(request.body.toString('utf8')) as { digest?: Record<string, string>; digestCrc32c?: string };
      const [, algorithm] = HARNESS[v.algorithm]!;
      const field = Object.keys(body.digest ?? {});
      if (field.length !== 1 || field[0] !== hashOf(algorithm))
        return fail(400, `The digest type ${field.join(',')} does not match the algorithm ${v.algorithm}; expected ${hashOf(algorithm)}.`);
      const digest = Buffer.from(body.digest![field[0]!]!, 'base64');
      if (body.digestCrc32c !== undefined && Number(body.digestCrc32c) !== crc32c(digest))
        return fail(400, 'The checksum in field digest_crc32c did not match the data in field digest.');
      const signature = signDigest(v.key!, algorithm, digest, v.misbehave);
      return {
        status: 200,
        body: {
          signature: signature.toString('base64'),
          signatureCrc32c: String(crc32c(signature)),
          verifiedDigestCrc32c: body.digestCrc32c !== undefined,
          name: versionName,
          protectionLevel: asInts ? 1 : 'SOFTWARE',
        },
      };
    }
    return fail(404, `Method not found for ${resource}.`);
  };

  const server = await startFakeServer(handle);
  return { ...server, project, location, credentialsFile, credentialsJson, throttleNext: (n) => (throttle = n) };
}

function checkBearer(
  authorization: string | undefined,
  credentials: { private_key_id: string; client_email: string },
  key: ReturnType<typeof createPublicKey>,
): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) return 'Expected OAuth 2 access token.';
  const [, h, p, s] = match as unknown as [string, string, string, string];
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; kid?: string };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as {
    iss?: string;
    sub?: string;
    scope?: string;
    aud?: string;
    exp?: number;
    iat?: number;
  };
  if (head.alg !== 'RS256' || head.kid !== credentials.private_key_id) return 'Unknown key id.';
  if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) return 'Invalid JWT signature.';
  if (claims.iss !== credentials.client_email || claims.sub !== credentials.client_email) return 'Wrong issuer.';
  const now = Date.now() / 1000;
  if (!claims.exp || claims.exp < now || !claims.iat || claims.iat > now + 300) return 'Token expired.';
  const scopes = (claims.scope ?? '').split(' ');
  if (
    !scopes.includes('https://www.googleapis.com/auth/cloudkms') &&
    !scopes.includes('https://www.googleapis.com/auth/cloud-platform') &&
    claims.aud !== 'https://cloudkms.googleapis.com/'
  )
    return 'Insufficient scopes.';
  return undefined;
}
