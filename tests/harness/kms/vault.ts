import { randomUUID } from 'node:crypto';
import { keyAllows, makeKey, signDigest, type DigestAlgorithm, type HarnessKey, type HarnessKeyType, type Misbehaviour } from './crypto';
import { header, startFakeServer, type FakeServer, type Reply, type SeenRequest } from './server';

/**
 * A fake Vault with a transit engine: LIST/GET keys, POST sign/:name/:hash (prehashed,
 * marshaling asn1, pss/pkcs1v15, salt_length), and auth/token/lookup-self. Every request must
 * carry the right X-Vault-Token (and namespace, when one is set). As real Vault, PSS uses the
 * maximal salt unless `salt_length: hash` is sent.
 */
export interface VaultKeySpec {
  name: string;
  type: 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'aes256-gcm96';
  /** Number of versions to create (rotations); default 1. */
  versions?: number;
  minEncryptionVersion?: number;
  misbehave?: Misbehaviour;
}

export interface FakeVault extends FakeServer {
  token: string;
  mount: string;
  namespace?: string;
  /** Tokens the server knows but whose policy denies transit. */
  limitedToken: string;
  throttleNext(n: number): void;
}

const HARNESS_TYPE: Record<string, HarnessKeyType> = {
  'ecdsa-p256': 'ec-p256',
  'ecdsa-p384': 'ec-p384',
  'ecdsa-p521': 'ec-p521',
  'rsa-2048': 'rsa-2048',
  'rsa-3072': 'rsa-3072',
  'rsa-4096': 'rsa-4096',
};

export async function startFakeVault(specs: VaultKeySpec[], options: { mount?: string; namespace?: string } = {}): Promise<FakeVault> {
  const token = `hvs.${randomUUID().replace(/-/g, '')}`;
  const limitedToken = `hvs.${randomUUID().replace(/-/g, '')}`;
  const mount = options.mount ?? 'transit';
  const keys = new Map<string, { spec: VaultKeySpec; versions: Map<number, { key: HarnessKey; created: string }> }>();
  for (const spec of specs) {
    const versions = new Map<number, { key: HarnessKey; created: string }>();
    const harnessType = HARNESS_TYPE[spec.type];
    for (let v = 1; v <= (spec.versions ?? 1); v += 1)
      if (harnessType) versions.set(v, { key: makeKey(harnessType), created: new Date(Date.UTC(2026, 0, v)).toISOString() });
    keys.set(spec.name, { spec, versions });
  }
  let throttle = 0;
  const errors = (status: number, ...messages: string[]): Reply => ({ status, body: { errors: messages } });

  const handle = (request: SeenRequest): Reply => {
    const url = new URL(request.url, 'http://vault');
    const given = header(request, 'x-vault-token');
    if (given !== token && given !== limitedToken) return errors(403, 'permission denied');
    if (url.pathname === '/v1/auth/token/lookup-self' && request.method === 'GET')
      return { status: 200, body: { data: { id: 'redacted', policies: given === token ? ['signer'] : ['default'] } } };
    if (options.namespace && header(request, 'x-vault-namespace') !== options.namespace)
      return errors(404, `no handler for route "${url.pathname.slice(4)}". route entry not found.`);
    if (given === limitedToken) return errors(403, '1 error occurred:\n\t* permission denied\n\n');
    if (throttle > 0) {
      throttle -= 1;
      return errors(429, 'request path "transit/sign": rate limit quota exceeded');
    }
    const prefix = `/v1/${mount}/`;
    if (!url.pathname.startsWith(prefix)) return errors(404, `no handler for route "${url.pathname.slice(4)}". route entry not found.`);
    const rest = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
    const isList = request.method === 'LIST' || (request.method === 'GET' && url.searchParams.get('list') === 'true');
    if (rest[0] === 'keys' && rest.length === 1 && isList) return { status: 200, body: { data: { keys: [...keys.keys()] } } };
    if (rest[0] === 'keys' && rest.length === 2 && request.method === 'GET') {
      const k = keys.get(rest[1] as string);
      if (!k) return { status: 404, body: { errors: [] } };
      const signing = k.spec.type !== 'aes256-gcm96';
      const latest = k.spec.versions ?? 1;
      const versionEntries = Object.fromEntries(
        [...Array(latest).keys()].map((i) => {
          const v = i + 1;
          const version = k.versions.get(v);
          return [
            String(v),
            version
              ? {
                  creation_time: version.created,
                  name: k.spec.type.startsWith('ecdsa') ? `P-${k.spec.type.slice(7)}` : 'rsa',
                  public_key: version.key.publicPem,
                }
              : 1_700_000_000,
          ];
        }),
      );
      return {
        status: 200,
        body: {
          data: {
            type: k.spec.type,
            keys: versionEntries,
            latest_version: latest,
            min_available_version: 0,
            min_decryption_version: 1,
            min_encryption_version: k.spec.minEncryptionVersion ?? 0,
            supports_signing: signing,
            supports_encryption: !signing || k.spec.type.startsWith('rsa'),
            deletion_allowed: false,
            exportable: false,
            name: rest[1],
          },
        },
      };
    }
    if (rest[0] === 'sign' && (rest.length === 2 || rest.length === 3) && request.method === 'POST') {
      const k = keys.get(rest[1] as string);
      if (!k) return errors(400, 'signing key not found');
      if (k.spec.type === 'aes256-gcm96') return errors(400, 'key type aes256-gcm96 does not support signing');
      const input = JSON.parse(request.body.toString('utf8')) as {
        input: string;
        prehashed?: boolean;
        key_version?: number;
        signature_algorithm?: string;
        marshaling_algorithm?: string;
        salt_length?: string;
      };
      const hash = { 'sha2-256': 'sha256', 'sha2-384': 'sha384', 'sha2-512': 'sha512' }[rest[2] ?? 'sha2-256'];
      if (!hash) return errors(400, `unsupported hash algorithm ${rest[2]}`);
      if (!input.prehashed) return errors(400, 'this fake only takes prehashed input');
      const version = input.key_version || (k.spec.versions ?? 1);
      if (version < (k.spec.minEncryptionVersion ?? 0))
        return errors(400, 'requested version for signing is less than the minimum encryption key version');
      const entry = k.versions.get(version);
      if (!entry) return errors(400, 'invalid key version');
      let algorithm: DigestAlgorithm;
      if (entry.key.type.startsWith('rsa'))
        algorithm = `rsa-${input.signature_algorithm === 'pkcs1v15' ? 'pkcs1v15' : 'pss'}-${hash}` as DigestAlgorithm;
      else algorithm = `ecdsa-p${entry.key.type.slice(4)}-${hash}` as DigestAlgorithm;
      if (!keyAllows(entry.key.type, algorithm)) return errors(400, `unsupported hash algorithm ${rest[2]} for this key type`);
      const digest = Buffer.from(input.input, 'base64');
      const misbehave = k.spec.misbehave ?? (algorithm.includes('pss') && input.salt_length !== 'hash' ? 'pss-max-salt' : undefined);
      const signature = signDigest(entry.key, algorithm, digest, misbehave);
      return { status: 200, body: { data: { signature: `vault:v${version}:${signature.toString('base64')}`, key_version: version } } };
    }
    return errors(405, 'unsupported operation');
  };

  const server = await startFakeServer(handle);
  return {
    ...server,
    token,
    limitedToken,
    mount,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    throttleNext: (n) => (throttle = n),
  };
}
