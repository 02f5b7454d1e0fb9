import { constants, createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
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
 * A fake OCI Vault (KMS API 20180608) on 127.0.0.1 (plain HTTP, as Signet uses for loopback): management (keys, key versions with their
 * public
 * keys) and crypto (sign with messageType DIGEST). Every request must carry a valid OCI request
 * signature — draft-cavage HTTP Signatures, version 1, rsa-sha256, keyId TENANCY/USER/FINGERPRINT,
 * signing `date` (or `x-date`) `(request-target) host` plus `x-content-sha256 content-type content-length` for
 * bodies — verified with the user's API public key; the date must be within five minutes.
 */
export interface OciKeySpec {
  name: string;
  type: Extract<HarnessKeyType, 'rsa-2048' | 'rsa-3072' | 'ec-p256' | 'ec-p384' | 'ec-p521'> | 'aes';
  state?: 'ENABLED' | 'DISABLED' | 'PENDING_DELETION';
  versions?: number;
  misbehave?: Misbehaviour;
}

export interface FakeOciVault extends FakeServer {
  host: string;
  tenancy: string;
  user: string;
  fingerprint: string;
  apiPrivateKey: string;
  compartmentId: string;
  /** The OCI CLI config file (DEFAULT profile) for this fake. */
  configFile: string;
  keyId(name: string): string;
  versionIds(name: string): string[];
  throttleNext(n: number): void;
}

const OCI_ALGS: Record<string, DigestAlgorithm> = {
  SHA_224_RSA_PKCS_PSS: 'rsa-pss-sha224',
  SHA_256_RSA_PKCS_PSS: 'rsa-pss-sha256',
  SHA_384_RSA_PKCS_PSS: 'rsa-pss-sha384',
  SHA_512_RSA_PKCS_PSS: 'rsa-pss-sha512',
  SHA_256_RSA_PKCS1_V1_5: 'rsa-pkcs1v15-sha256',
  SHA_384_RSA_PKCS1_V1_5: 'rsa-pkcs1v15-sha384',
  SHA_512_RSA_PKCS1_V1_5: 'rsa-pkcs1v15-sha512',
  ECDSA_SHA_256: 'ecdsa-p256-sha256',
  ECDSA_SHA_384: 'ecdsa-p384-sha384',
  ECDSA_SHA_512: 'ecdsa-p521-sha512',
};

const id = (kind: string) => `ocid1.${kind}.oc1.iad.bbx3kj7oaaeyq.${randomBytes(20).toString('hex').slice(0, 30)}`;

export async function startFakeOciVault(specs: OciKeySpec[], options: { dir: string }): Promise<FakeOciVault> {
  const tenancy = `ocid1.tenancy.oc1..${randomBytes(15).toString('hex')}`;
  const user = `ocid1.user.oc1..${randomBytes(15).toString('hex')}`;
  const compartmentId = `ocid1.compartment.oc1..${randomBytes(15).toString('hex')}`;
  const api = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const apiPrivateKey = api.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const fingerprint = (
    createHash('md5')
      .update(api.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .match(/../g) as string[]
  ).join(':');
  const keyFile = path.join(options.dir, 'oci_api_key.pem');
  writeFileSync(keyFile, apiPrivateKey, { mode: 0o600 });
  const configFile = path.join(options.dir, 'oci-config');
  writeFileSync(
    configFile,
    `[DEFAULT]\nuser=${user}\nfingerprint=${fingerprint}\ntenancy=${tenancy}\nregion=us-ashburn-1\nkey_file=${keyFile}\n`,
    { mode: 0o600 },
  );

  const keys = new Map<string, { name: string; spec: OciKeySpec; versions: Array<{ id: string; key?: HarnessKey; created: string }> }>();
  for (const spec of specs) {
    const keyId = id('key');
    const versions = [...Array(spec.versions ?? 1).keys()].map((i) => ({
      id: id('keyversion').replace('keyversion.oc1.iad.bbx3kj7oaaeyq.', `keyversion.oc1.iad.bbx3kj7oaaeyq.${keyId.slice(-10)}.`),
      created: new Date(Date.UTC(2026, 0, i + 1)).toISOString(),
      ...(spec.type === 'aes' ? {} : { key: makeKey(spec.type) }),
    }));
    keys.set(keyId, { name: spec.name, spec, versions });
  }
  let throttle = 0;
  let host = '';
  const fail = (status: number, code: string, message: string): Reply => ({
    status,
    body: { code, message },
    headers: { 'opc-request-id': randomBytes(8).toString('hex') },
  });

  const shape = (spec: OciKeySpec) =>
    spec.type === 'aes'
      ? { algorithm: 'AES', length: 32 }
      : spec.type.startsWith('rsa')
        ? { algorithm: 'RSA', length: Number(spec.type.slice(4)) / 8 }
        : {
            algorithm: 'ECDSA',
            length: { 'ec-p256': 32, 'ec-p384': 48, 'ec-p521': 66 }[spec.type as 'ec-p256'],
            curveId: { 'ec-p256': 'NIST_P256', 'ec-p384': 'NIST_P384', 'ec-p521': 'NIST_P521' }[spec.type as 'ec-p256'],
          };
  const keyJson = (keyId: string) => {
    const k = keys.get(keyId)!;
    return {
      id: keyId,
      compartmentId,
      displayName: k.name,
      currentKeyVersion: k.versions.at(-1)!.id,
      keyShape: shape(k.spec),
      lifecycleState: k.spec.state ?? 'ENABLED',
      protectionMode: 'HSM',
      timeCreated: '2026-01-01T00:00:00.000Z',
      vaultId: 'ocid1.vault.oc1.iad.bbx3kj7oaaeyq.vault',
      definedTags: {},
      freeformTags: {},
    };
  };

  const handle = (request: SeenRequest): Reply => {
    const problem = checkOciSignature(request, `${tenancy}/${user}/${fingerprint}`, createPublicKey(api.privateKey));
    if (problem)
      return fail(
        401,
        'NotAuthenticated',
        `The required information to complete authentication was not provided or was incorrect. (${problem})`,
      );
    if (throttle > 0) {
      throttle -= 1;
      return fail(429, 'TooManyRequests', 'User-rate limit exceeded.');
    }
    const url = new URL(request.url, 'https://vault');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== '20180608') return fail(404, 'NotFound', 'unknown API version');
    if (parts[1] === 'keys' && parts.length === 2 && request.method === 'GET') {
      if (url.searchParams.get('compartmentId') !== compartmentId)
        return fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
      return {
        status: 200,
        body: [...keys.keys()].map((keyId) => ({ ...keyJson(keyId), algorithm: shape(keys.get(keyId)!.spec).algorithm })),
      };
    }
    if (parts[1] === 'keys' && parts[2]) {
      const k = keys.get(parts[2]);
      if (!k) return fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
      if (parts.length === 3 && request.method === 'GET') return { status: 200, body: keyJson(parts[2]) };
      if (parts[3] === 'keyVersions' && parts.length === 4)
        return {
          status: 200,
          body: k.versions.map((v) => ({
            id: v.id,
            keyId: parts[2],
            compartmentId,
            lifecycleState: 'ENABLED',
            origin: 'INTERNAL',
            timeCreated: v.created,
            vaultId: 'ocid1.vault.oc1.iad.bbx3kj7oaaeyq.vault',
          })),
        };
      if (parts[3] === 'keyVersions' && parts[4]) {
        const v = k.versions.find((x) => x.id === parts[4]);
        if (!v) return fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
        return {
          status: 200,
          body: {
            id: v.id,
            keyId: parts[2],
            compartmentId,
            lifecycleState: 'ENABLED',
            origin: 'INTERNAL',
            timeCreated: v.created,
            vaultId: 'ocid1.vault.oc1.iad.bbx3kj7oaaeyq.vault',
            ...(v.key ? { publicKey: v.key.publicPem } : {}),
          },
        };
      }
    }
    if (parts[1] === 'verify' && request.method === 'POST') {
      // RAW messages only (what OCIR's get-verify sends): the fake hashes the message and checks RSA-PSS with any salt length.
      const body = JSON.parse(request.body.toString('utf8')) as Record<string, string>;
      const k = keys.get(body.keyId ?? '');
      const version = k?.versions.find((v) => v.id === body.keyVersionId);
      if (!k || !version?.key) return fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
      const algorithm = OCI_ALGS[body.signingAlgorithm ?? ''];
      if (!algorithm?.startsWith('rsa-pss') || (body.messageType ?? 'RAW') !== 'RAW')
        return fail(400, 'InvalidParameter', 'this fake verifies RAW RSA-PSS messages only');
      const isSignatureValid = verify(
        `sha${algorithm.slice(-3)}`,
        Buffer.from(body.message ?? '', 'base64'),
        {
          key: createPublicKey(version.key.publicPem),
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        Buffer.from(body.signature ?? '', 'base64'),
      );
      return { status: 200, body: { isSignatureValid } };
    }
    if (parts[1] === 'sign' && request.method === 'POST') {
      const body = JSON.parse(request.body.toString('utf8')) as {
        message: string;
        keyId: string;
        keyVersionId?: string;
        signingAlgorithm: string;
        messageType?: string;
      };
      const k = keys.get(body.keyId);
      if (!k) return fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
      if (k.spec.state === 'DISABLED') return fail(409, 'IncorrectState', 'The key is in DISABLED state and cannot be used.');
      if (k.spec.state === 'PENDING_DELETION')
        return fail(409, 'IncorrectState', 'The key is in PENDING_DELETION state and cannot be used.');
      const version = body.keyVersionId ? k.versions.find((v) => v.id === body.keyVersionId) : k.versions.at(-1);
      if (!version?.key) return fail(400, 'InvalidParameter', 'The key version cannot sign.');
      const algorithm = OCI_ALGS[body.signingAlgorithm];
      if (!algorithm || !keyAllows(version.key.type, algorithm))
        return fail(400, 'InvalidParameter', `The signing algorithm ${body.signingAlgorithm} is not supported by the key shape.`);
      if (body.messageType !== 'DIGEST') return fail(400, 'InvalidParameter', 'this fake takes DIGEST only');
      const digest = Buffer.from(body.message, 'base64');
      if (digest.length !== createHash(hashOf(algorithm)).digest().length)
        return fail(400, 'InvalidParameter', 'The digest length does not match the signing algorithm.');
      return {
        status: 200,
        body: {
          keyId: body.keyId,
          keyVersionId: version.id,
          signingAlgorithm: body.signingAlgorithm,
          signature: signDigest(version.key, algorithm, digest, k.spec.misbehave).toString('base64'),
        },
      };
    }
    return fail(404, 'NotFound', `${request.method} ${url.pathname} is not an operation`);
  };

  const server = await startFakeServer(handle);
  host = `127.0.0.1:${server.port}`;
  const byName = (name: string) => [...keys.entries()].find(([, k]) => k.name === name);
  return {
    ...server,
    host,
    tenancy,
    user,
    fingerprint,
    apiPrivateKey,
    compartmentId,
    configFile,
    keyId: (name) => byName(name)?.[0] as string,
    versionIds: (name) => byName(name)?.[1].versions.map((v) => v.id) ?? [],
    throttleNext: (n) => (throttle = n),
  };
}

/** Checks an OCI (draft-cavage) request signature; undefined when valid. */
export function checkOciSignature(request: SeenRequest, keyId: string, publicKey: ReturnType<typeof createPublicKey>): string | undefined {
  const authorization = header(request, 'authorization') ?? '';
  const fields = new Map<string, string>();
  for (const m of authorization.replace(/^Signature /, '').matchAll(/([a-zA-Z]+)="([^"]*)"/g)) fields.set(m[1] as string, m[2] as string);
  if (!authorization.startsWith('Signature ') || fields.get('version') !== '1') return 'not an OCI request signature';
  if (fields.get('algorithm') !== 'rsa-sha256') return 'algorithm must be rsa-sha256';
  if (fields.get('keyId') !== keyId) return 'unknown key id';
  // Header names are case-insensitive; the signing string uses them lower-cased (the SDK lists Content-Type).
  const signed = (fields.get('headers') ?? '').split(' ').map((h) => h.toLowerCase());
  // OCI accepts x-date in place of date (browsers cannot set Date); the SDK signs x-date.
  const dateHeader = signed.includes('x-date') ? 'x-date' : 'date';
  const required = [
    dateHeader,
    '(request-target)',
    'host',
    ...(['POST', 'PUT'].includes(request.method) ? ['x-content-sha256', 'content-type', 'content-length'] : []),
  ];
  for (const h of required) if (!signed.includes(h)) return `${h} must be signed`;
  const date = Date.parse(header(request, dateHeader) ?? '');
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > 5 * 60 * 1000) return 'date outside the five-minute window';
  if (
    signed.includes('x-content-sha256') &&
    header(request, 'x-content-sha256') !== createHash('sha256').update(request.body).digest('base64')
  )
    return 'x-content-sha256 does not match the body';
  if (signed.includes('content-length') && Number(header(request, 'content-length')) !== request.body.length)
    return 'content-length does not match the body';
  const lines = signed.map((h) =>
    h === '(request-target)' ? `(request-target): ${request.method.toLowerCase()} ${request.url}` : `${h}: ${header(request, h) ?? ''}`,
  );
  if (!verify('sha256', Buffer.from(lines.join('\n')), publicKey, Buffer.from(fields.get('signature') ?? '', 'base64')))
    return 'signature does not verify';
  return undefined;
}
