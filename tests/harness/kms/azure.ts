import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { keyAllows, makeKey, signDigest, type DigestAlgorithm, type HarnessKey, type HarnessKeyType, type Misbehaviour } from './crypto';
import { header, startFakeServer, type FakeServer, type Reply, type SeenRequest } from './server';
import { selfSignedCertificate } from './tls';

/**
 * A fake Entra ID (Azure AD) and Key Vault on one HTTPS server on 127.0.0.1 with a self-signed
 * certificate made at test time.
 * Entra ID: OpenID metadata and the v2.0 token endpoint (client credentials; checks client id
 * and secret; issues RS256 JWTs for the requested resource).
 * Key Vault (api-version 7.x): the challenge flow (an unauthenticated request gets 401 with
 * `WWW-Authenticate: Bearer authorization=…, resource=…`), then every request's bearer token is
 * verified (signature, issuer, audience https://vault.azure.net, expiry); keys, versions,
 * get key (JWK), and sign (ES*: raw r‖s, RS*, PS*). Errors in Key Vault's JSON shape.
 */
export interface AzureKeySpec {
  name: string;
  type: HarnessKeyType;
  /** Versions, oldest first; each may be disabled. */
  versions?: Array<{ enabled?: boolean; misbehave?: Misbehaviour }>;
  keyOps?: string[];
}

export interface FakeAzure extends FakeServer {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The CA to trust (the self-signed certificate itself). */
  ca: string;
  versionsOf(name: string): string[];
  throttleNext(n: number): void;
  tokensIssued(): number;
}

const JWS: Record<string, DigestAlgorithm> = {
  ES256: 'ecdsa-p256-sha256',
  ES384: 'ecdsa-p384-sha384',
  ES512: 'ecdsa-p521-sha512',
  RS256: 'rsa-pkcs1v15-sha256',
  RS384: 'rsa-pkcs1v15-sha384',
  RS512: 'rsa-pkcs1v15-sha512',
  PS256: 'rsa-pss-sha256',
  PS384: 'rsa-pss-sha384',
  PS512: 'rsa-pss-sha512',
};

export async function startFakeAzure(specs: AzureKeySpec[], options: { dir: string }): Promise<FakeAzure> {
  const tls = selfSignedCertificate(options.dir);
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = randomBytes(24).toString('base64url');
  const issuerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  let base = '';
  let throttle = 0;
  let issued = 0;
  const keys = new Map<
    string,
    { spec: AzureKeySpec; versions: Array<{ id: string; key: HarnessKey; enabled: boolean; created: number; misbehave?: Misbehaviour }> }
  >();
  for (const spec of specs) {
    const list = (spec.versions ?? [{}]).map((v, i) => ({
      id: randomBytes(16).toString('hex'),
      key: makeKey(spec.type),
      enabled: v.enabled ?? true,
      created: 1_767_225_600 + i * 86_400,
      ...(v.misbehave ? { misbehave: v.misbehave } : {}),
    }));
    keys.set(spec.name, { spec, versions: list });
  }

  const kvError = (status: number, code: string, message: string, inner?: string): Reply => ({
    status,
    body: { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } },
  });

  const jwk = (name: string, v: { id: string; key: HarnessKey }, spec: AzureKeySpec) => {
    const exported = createPublicKey(v.key.publicPem).export({ format: 'jwk' });
    return { kid: `${base}/keys/${name}/${v.id}`, key_ops: spec.keyOps ?? ['sign', 'verify'], ...exported };
  };
  const attributes = (v: { enabled: boolean; created: number }) => ({
    enabled: v.enabled,
    created: v.created,
    updated: v.created,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
  });

  const token = (scope: string) => {
    const now = Math.floor(Date.now() / 1000);
    const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        aud: scope.replace(/\/\.default$/, ''),
        iss: `https://sts.windows.net/${tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        appid: clientId,
        tid: tenantId,
        oid: randomUUID(),
      }),
    ).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), issuerKey.privateKey).toString('base64url');
    return `${head}.${body}.${signature}`;
  };

  const checkToken = (authorization: string | undefined): string | undefined => {
    const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
    if (!m) return 'missing';
    if (!verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), issuerKey.publicKey as KeyObject, Buffer.from(m[3] as string, 'base64url')))
      return 'AKV10032: Invalid issuer. Invalid signature.';
    const claims = JSON.parse(Buffer.from(m[2] as string, 'base64url').toString()) as { aud?: string; iss?: string; exp?: number };
    if (claims.aud !== 'https://vault.azure.net')
      return `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${claims.aud}.`;
    if (claims.iss !== `https://sts.windows.net/${tenantId}/`) return 'AKV10032: Invalid issuer.';
    if (!claims.exp || claims.exp < Date.now() / 1000) return 'AKV10022: Token expired.';
    return undefined;
  };

  const handle = (request: SeenRequest): Reply => {
    const url = new URL(request.url, base);
    // Entra ID.
    if (url.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return {
        status: 200,
        body: {
          token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
          issuer: `${base}/${tenantId}/v2.0`,
          authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/${tenantId}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid'],
          token_endpoint_auth_methods_supported: ['client_secret_post'],
        },
      };
    }
    if (url.pathname === `/${tenantId}/oauth2/v2.0/token` && request.method === 'POST') {
      const form = new URLSearchParams(request.body.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials')
        return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'AADSTS70003: unsupported grant type' } };
      if (form.get('client_id') !== clientId)
        return {
          status: 400,
          body: {
            error: 'unauthorized_client',
            error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`,
          },
        };
      if (form.get('client_secret') !== clientSecret)
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description:
              'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
          },
        };
      const scope = form.get('scope') ?? '';
      issued += 1;
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: token(scope.split(' ').find((s) => s.endsWith('/.default')) ?? scope),
        },
      };
    }
    if (url.pathname.startsWith(`/${tenantId}/`) || url.pathname.startsWith('/common/'))
      return { status: 404, body: { error: 'not_found' } };

    // Key Vault.
    const problem = checkToken(header(request, 'authorization'));
    if (problem) {
      return {
        status: 401,
        headers: { 'www-authenticate': `Bearer authorization="${base}/${tenantId}", resource="https://vault.azure.net"` },
        body:
          problem === 'missing'
            ? { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }
            : { error: { code: 'Unauthorized', message: problem } },
      };
    }
    if (!url.searchParams.get('api-version')) return kvError(400, 'BadParameter', 'The api-version query parameter is required.');
    if (throttle > 0) {
      throttle -= 1;
      return {
        status: 429,
        headers: { 'retry-after': '0' },
        body: {
          error: { code: 'Throttled', message: 'Request was not allowed because the request rate exceeded the limit for this vault.' },
        },
      };
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'keys') return kvError(404, 'NotFound', 'Not found');
    if (parts.length === 1 && request.method === 'GET') {
      return {
        status: 200,
        body: {
          value: [...keys.entries()].map(([name, k]) => ({
            kid: `${base}/keys/${name}`,
            attributes: attributes(k.versions.at(-1)!),
            tags: { team: 'release' },
          })),
          nextLink: null,
        },
      };
    }
    const k = keys.get(parts[1] as string);
    if (!k)
      return kvError(
        404,
        'KeyNotFound',
        `A key with (name/id) ${parts[1]} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
      );
    if (parts[2] === 'versions' && request.method === 'GET') {
      return {
        status: 200,
        body: { value: k.versions.map((v) => ({ kid: `${base}/keys/${parts[1]}/${v.id}`, attributes: attributes(v) })), nextLink: null },
      };
    }
    const version = parts[2] ? k.versions.find((v) => v.id === parts[2]) : k.versions.at(-1);
    if (!version) return kvError(404, 'KeyNotFound', `A key with (name/id) ${parts[1]}/${parts[2]} was not found in this key vault.`);
    if (parts.length <= 3 && request.method === 'GET')
      return {
        status: 200,
        body: { key: jwk(parts[1] as string, version, k.spec), attributes: attributes(version), tags: { team: 'release' } },
      };
    if (parts[3] === 'sign' && request.method === 'POST') {
      if (!version.enabled) return kvError(403, 'Forbidden', 'Operation sign is not allowed on a disabled key.', 'KeyDisabled');
      if (!(k.spec.keyOps ?? ['sign']).includes('sign'))
        return kvError(403, 'Forbidden', 'Operation sign is not permitted on this key.', 'KeyOperationForbidden');
      const body = JSON.parse(request.body.toString('utf8')) as { alg?: string; value?: string };
      const algorithm = JWS[body.alg ?? ''];
      if (!algorithm || !keyAllows(version.key.type, algorithm))
        return kvError(400, 'BadParameter', `Invalid algorithm ${body.alg} for key type.`);
      const digest = Buffer.from(body.value ?? '', 'base64url');
      let signature = signDigest(
        version.key,
        algorithm,
        digest,
        version.misbehave ?? (algorithm.startsWith('ecdsa') ? 'raw-ecdsa' : undefined),
      );
      if (version.misbehave === 'other-key')
        signature = signDigest(makeKey(version.key.type), algorithm, digest, algorithm.startsWith('ecdsa') ? 'raw-ecdsa' : undefined);
      return { status: 200, body: { kid: `${base}/keys/${parts[1]}/${version.id}`, value: signature.toString('base64url') } };
    }
    return kvError(405, 'MethodNotAllowed', 'unsupported');
  };

  const server = await startFakeServer(handle, tls);
  base = server.url;
  return {
    ...server,
    tenantId,
    clientId,
    clientSecret,
    ca: tls.cert,
    versionsOf: (name) => keys.get(name)?.versions.map((v) => v.id) ?? [],
    throttleNext: (n) => (throttle = n),
    tokensIssued: () => issued,
  };
}
