import { createPublicKey, randomBytes } from 'node:crypto';
import type { FakeOciVault } from './oci';
import { checkOciSignature } from './oci';
import { startFakeServer, header, type FakeServer, type Reply, type SeenRequest } from './server';

/**
 * A fake OCI Artifacts service (API 20160918, container images and image signatures) on
 * 127.0.0.1, for the same tenancy, user and API key as a fake OCI Vault, so one OCI config file
 * signs in to both. Every request must carry a valid OCI request signature (checked as the vault
 * fake checks it). It keeps state: images, signatures with etags (If-Match honoured on update and
 * delete), pages of `pageSize` with opc-next-page.
 */
export interface StoredSignature {
  id: string;
  compartmentId: string;
  createdBy: string;
  displayName: string;
  imageId: string;
  kmsKeyId: string;
  kmsKeyVersionId: string;
  message: string;
  signature: string;
  signingAlgorithm: string;
  timeCreated: string;
  lifecycleState: 'AVAILABLE' | 'DELETED';
  freeformTags: Record<string, string>;
  definedTags: Record<string, Record<string, unknown>>;
  systemTags: Record<string, Record<string, unknown>>;
  etag: string;
}

export interface FakeOcir extends FakeServer {
  /** Adds an image to the registry; its OCID. */
  addImage(repositoryName: string, digest: string): string;
  /** Stores a signature as it is, as if someone had created it (no checks). */
  insert(
    signature: Omit<
      StoredSignature,
      'id' | 'etag' | 'displayName' | 'createdBy' | 'timeCreated' | 'lifecycleState' | 'compartmentId' | 'systemTags'
    > &
      Partial<StoredSignature>,
  ): StoredSignature;
  /** The OCID of an image added with addImage. */
  imageId(repositoryName: string, digest: string): string;
  signatures: Map<string, StoredSignature>;
}

const ALGORITHMS = ['SHA_224_RSA_PKCS_PSS', 'SHA_256_RSA_PKCS_PSS', 'SHA_384_RSA_PKCS_PSS', 'SHA_512_RSA_PKCS_PSS'];
const id = (kind: string) => `ocid1.${kind}.oc1.iad.${randomBytes(20).toString('hex').slice(0, 30)}`;
const etag = () => randomBytes(16).toString('hex');

export async function startFakeOcir(vault: FakeOciVault, options: { pageSize?: number } = {}): Promise<FakeOcir> {
  const pageSize = options.pageSize ?? 100;
  const images = new Map<string, { id: string; repositoryName: string; digest: string; compartmentId: string }>();
  const signatures = new Map<string, StoredSignature>();
  const apiKey = createPublicKey(vault.apiPrivateKey);
  const fail = (status: number, code: string, message: string): Reply => ({
    status,
    body: { code, message },
    headers: { 'opc-request-id': randomBytes(8).toString('hex') },
  });
  const notFound = () => fail(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
  const view = (s: StoredSignature) => {
    const { etag: _etag, ...rest } = s;
    return rest;
  };
  const page = <T>(items: T[], url: URL): Reply => {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? pageSize) || pageSize, pageSize);
    const start = Number(url.searchParams.get('page') ?? '0');
    const slice = items.slice(start, start + limit);
    const next = start + limit < items.length ? String(start + limit) : undefined;
    return {
      status: 200,
      body: { items: slice, remainingItemsCount: items.length - start - slice.length },
      headers: { 'opc-request-id': randomBytes(8).toString('hex'), ...(next ? { 'opc-next-page': next } : {}) },
    };
  };
  const insert: FakeOcir['insert'] = (s) => {
    const sigId = s.id ?? id('containerimagesignature');
    const stored: StoredSignature = {
      compartmentId: vault.compartmentId,
      createdBy: vault.user,
      timeCreated: new Date().toISOString(),
      lifecycleState: 'AVAILABLE',
      systemTags: {},
      ...s,
      id: sigId,
      displayName: `${s.kmsKeyId.slice(-10)}::${s.kmsKeyVersionId.slice(-10)}::${s.signingAlgorithm}::${sigId.slice(-10)}`,
      etag: etag(),
    };
    signatures.set(sigId, stored);
    return stored;
  };

  const handle = (request: SeenRequest): Reply => {
    const problem = checkOciSignature(request, `${vault.tenancy}/${vault.user}/${vault.fingerprint}`, apiKey);
    if (problem)
      return fail(
        401,
        'NotAuthenticated',
        `The required information to complete authentication was not provided or was incorrect. (${problem})`,
      );
    const url = new URL(request.url, 'http://artifacts');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== '20160918' || parts[1] !== 'container') return fail(404, 'NotFound', 'unknown API');
    const q = url.searchParams;
    if (parts[2] === 'images' && parts.length === 3 && request.method === 'GET') {
      if (q.get('compartmentId') !== vault.compartmentId) return notFound();
      const items = [...images.values()]
        .filter(
          (i) =>
            (!q.get('repositoryName') || i.repositoryName === q.get('repositoryName')) &&
            (!q.get('imageDigest') || i.digest === q.get('imageDigest')),
        )
        .map((i) => ({
          ...i,
          displayName: `${i.repositoryName}@${i.digest}`,
          lifecycleState: 'AVAILABLE',
          repositoryId: id('containerrepo'),
          timeCreated: '2026-01-01T00:00:00.000Z',
          freeformTags: {},
          definedTags: {},
          systemTags: {},
        }));
      return page(items, url);
    }
    if (parts[2] !== 'imageSignatures') return fail(404, 'NotFound', `${request.method} ${url.pathname} is not an operation`);
    if (parts.length === 3 && request.method === 'GET') {
      if (q.get('compartmentId') !== vault.compartmentId) return notFound();
      const items = [...signatures.values()]
        .filter((s) => s.lifecycleState === 'AVAILABLE')
        .filter((s) => {
          const image = images.get(s.imageId);
          return (
            (!q.get('imageId') || s.imageId === q.get('imageId')) &&
            (!q.get('repositoryName') || image?.repositoryName === q.get('repositoryName')) &&
            (!q.get('imageDigest') || image?.digest === q.get('imageDigest'))
          );
        })
        .map(view);
      return page(items, url);
    }
    if (parts.length === 3 && request.method === 'POST') {
      if (header(request, 'content-type')?.split(';')[0] !== 'application/json') return fail(400, 'InvalidParameter', 'JSON only');
      const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      for (const k of ['compartmentId', 'imageId', 'kmsKeyId', 'kmsKeyVersionId', 'message', 'signature', 'signingAlgorithm'])
        if (typeof body[k] !== 'string' || !body[k]) return fail(400, 'InvalidParameter', `${k} is required`);
      if (body.compartmentId !== vault.compartmentId || !images.has(body.imageId as string)) return notFound();
      if (!ALGORITHMS.includes(body.signingAlgorithm as string)) return fail(400, 'InvalidParameter', 'unsupported signingAlgorithm');
      if (Buffer.from(body.message as string, 'base64').length > 4096) return fail(400, 'InvalidParameter', 'message too long');
      const stored = insert({
        imageId: body.imageId as string,
        kmsKeyId: body.kmsKeyId as string,
        kmsKeyVersionId: body.kmsKeyVersionId as string,
        message: body.message as string,
        signature: body.signature as string,
        signingAlgorithm: body.signingAlgorithm as string,
        freeformTags: (body.freeformTags as Record<string, string>) ?? {},
        definedTags: (body.definedTags as Record<string, Record<string, unknown>>) ?? {},
      });
      return { status: 200, body: view(stored), headers: { etag: stored.etag } };
    }
    const s = parts[3] ? signatures.get(parts[3]) : undefined;
    if (!s || s.lifecycleState === 'DELETED' || parts.length !== 4) return notFound();
    const ifMatch = header(request, 'if-match');
    if ((request.method === 'PUT' || request.method === 'DELETE') && ifMatch && ifMatch !== s.etag)
      return fail(412, 'NoEtagMatch', 'The resource has changed since it was read (If-Match).');
    if (request.method === 'GET') return { status: 200, body: view(s), headers: { etag: s.etag } };
    if (request.method === 'PUT') {
      const body = JSON.parse(request.body.toString('utf8')) as {
        freeformTags?: Record<string, string>;
        definedTags?: Record<string, Record<string, unknown>>;
      };
      if (body.freeformTags) s.freeformTags = body.freeformTags;
      if (body.definedTags) s.definedTags = body.definedTags;
      s.etag = etag();
      return { status: 200, body: view(s), headers: { etag: s.etag } };
    }
    if (request.method === 'DELETE') {
      s.lifecycleState = 'DELETED';
      return { status: 204 };
    }
    return fail(404, 'NotFound', 'not an operation');
  };

  const server = await startFakeServer(handle);
  return {
    ...server,
    signatures,
    insert,
    imageId: (repositoryName, digest) =>
      [...images.values()].find((i) => i.repositoryName === repositoryName && i.digest === digest)?.id as string,
    addImage(repositoryName, digest) {
      const imageId = id('containerimage');
      images.set(imageId, { id: imageId, repositoryName, digest, compartmentId: vault.compartmentId });
      return imageId;
    },
  };
}
