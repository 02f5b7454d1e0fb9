import { describeRegistryErrorCode, describeSystemError } from '../../../shared/system-errors';
import { SignetError } from '../../../shared/errors';
import { assertOnline, isOfflineError, OFFLINE_MESSAGE } from '../net/gate';
import { parseChallenge, TokenCache, type Credentials } from './auth';
import { inPiecesOf, verifiedChunks, type BlobStream } from './blob-stream';
import { checkDigest, digestOf, parseDigest, type Digest } from './digest';
import { MANIFEST_ACCEPT, MEDIA, parseManifest, type Descriptor, type ParsedManifest } from './media';
import type { RegistrySource } from './source';
import { apiHost, isLoopbackHost, isValidRepository, isValidTag } from './reference';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_LIST_BYTES = 32 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const MAX_RETRIES = 3;
const CHUNK_THRESHOLD = 16 * 1024 * 1024;

export interface RegistryClientOptions {
  /** host[:port] */
  registry: string;
  insecure?: boolean;
  credentials?: () => Promise<Credentials | undefined>;
  maxConcurrency?: number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export interface FetchedManifest {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface Capabilities {
  reachable: boolean;
  authScheme: 'none' | 'basic' | 'bearer' | 'other';
  catalog: boolean | 'unknown';
  referrersApi: boolean | 'unknown';
  deleteAllowed: boolean | 'unknown';
  rateLimitRemaining?: string;
}

/** How long a registry's missing referrers API is remembered before it is asked again. */
const NO_REFERRERS_API_MS = 5 * 60_000;

/**
 * An OCI distribution client on Node's fetch: auth (anonymous, basic, bearer tokens per scope),
 * pagination, manifests and blobs checked against their digests, bounded sizes and redirects,
 * retries on 429/5xx honouring Retry-After, and a concurrency limit per registry.
 */
export class RegistryClient implements RegistrySource {
  readonly registry: string;
  readonly label: string;
  private readonly base: string;
  private readonly tokens = new TokenCache();
  private readonly manifestCache = new Map<string, FetchedManifest>();
  /** Until when the registry is taken to have no referrers API (its route is unknown there): the tag schema is read directly. */
  private noReferrersApiUntil = 0;
  private basicAuth?: string;
  private scheme: 'unknown' | 'none' | 'basic' | 'bearer' = 'unknown';
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly maxConcurrency: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly doFetch: typeof fetch;
  lastRateLimitRemaining?: string;

  constructor(private readonly options: RegistryClientOptions) {
    this.registry = options.registry;
    this.label = options.registry;
    const host = apiHost(options.registry);
    const plain = options.insecure === true || isLoopbackHost(host);
    this.base = `${plain ? 'http' : 'https'}://${host}`;
    this.maxConcurrency = options.maxConcurrency ?? 8;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.doFetch = options.fetch ?? fetch;
  }

  async ping(): Promise<Response> {
    return this.request('GET', '/v2/', { scope: '' });
  }

  async capabilities(sampleRepository?: string): Promise<Capabilities> {
    const ping = await this.ping().catch((error: unknown) => {
      if (error instanceof SignetError) throw error;
      throw new SignetError('UNAVAILABLE', `${this.registry} does not answer: ${describeSystemError(error)}.`);
    });
    const caps: Capabilities = {
      reachable: ping.ok,
      authScheme: this.scheme === 'unknown' ? 'none' : this.scheme,
      catalog: 'unknown',
      referrersApi: 'unknown',
      deleteAllowed: 'unknown',
    };
    await ping.body?.cancel();
    const catalog = await this.request('GET', '/v2/_catalog?n=1', { scope: 'registry:catalog:*', allow: [401, 403, 404] });
    caps.catalog = catalog.ok;
    await catalog.body?.cancel();
    if (sampleRepository) {
      const probe = await this.request('GET', `/v2/${sampleRepository}/referrers/sha256:${'0'.repeat(64)}`, {
        scope: `repository:${sampleRepository}:pull`,
        allow: [400, 401, 403, 404, 405],
      });
      caps.referrersApi = probe.ok && (probe.headers.get('content-type') ?? '').includes(MEDIA.ociIndex);
      await probe.body?.cancel();
    }
    if (this.lastRateLimitRemaining) caps.rateLimitRemaining = this.lastRateLimitRemaining;
    return caps;
  }

  repositories(): Promise<{ repositories: string[]; complete: boolean }> {
    return this.catalog();
  }

  /** The catalog, following `Link` pages up to `limit` names. */
  async catalog(options: { pageSize?: number; limit?: number } = {}): Promise<{ repositories: string[]; complete: boolean }> {
    const names = await this.paginate(
      `/v2/_catalog?n=${options.pageSize ?? 1000}`,
      'registry:catalog:*',
      'repositories',
      options.limit ?? 100_000,
    );
    return { repositories: names.items.filter(isValidRepository), complete: names.complete };
  }

  async tags(repository: string, options: { pageSize?: number; limit?: number } = {}): Promise<{ tags: string[]; complete: boolean }> {
    this.checkRepository(repository);
    const result = await this.paginate(
      `/v2/${repository}/tags/list?n=${options.pageSize ?? 1000}`,
      `repository:${repository}:pull`,
      'tags',
      options.limit ?? 1_000_000,
    );
    return { tags: result.items.filter(isValidTag), complete: result.complete };
  }

  private async paginate(
    first: string,
    scope: string,
    field: 'tags' | 'repositories',
    limit: number,
  ): Promise<{ items: string[]; complete: boolean }> {
    const items: string[] = [];
    const seen = new Set<string>();
    let next: string | undefined = first;
    while (next && items.length < limit) {
      const response = await this.request('GET', next, { scope });
      const body = await readCapped(response, MAX_LIST_BYTES, 'The listing');
      const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const page = doc[field];
      if (page !== null && page !== undefined && !Array.isArray(page))
        throw new SignetError('MALFORMED', `The registry's ${field} listing is not a list.`);
      let added = 0;
      for (const name of (page ?? []) as unknown[]) {
        if (typeof name === 'string' && !seen.has(name)) {
          seen.add(name);
          items.push(name);
          added += 1;
        }
      }
      const link = parseLink(response.headers.get('link'));
      // A registry that ignores `n` returns everything at once and no Link: that is complete too.
      next = link && added > 0 ? link : undefined;
    }
    return { items: items.slice(0, limit), complete: next === undefined };
  }

  /** Resolves a tag (or digest) to its manifest, once; later steps use the digest. */
  async manifest(repository: string, reference: string): Promise<FetchedManifest> {
    this.checkRepository(repository);
    const isDigestRef = reference.includes(':');
    if (isDigestRef) parseDigest(reference);
    else if (!isValidTag(reference)) throw new SignetError('INVALID_INPUT', `"${reference.slice(0, 80)}" is not a valid tag.`);
    const cached = isDigestRef ? this.manifestCache.get(`${repository}@${reference}`) : undefined;
    if (cached) return cached;
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, {
      scope: `repository:${repository}:pull`,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    const bytes = await readCapped(response, MAX_MANIFEST_BYTES, 'The manifest');
    const headerDigest = response.headers.get('docker-content-digest');
    let digest: Digest;
    if (isDigestRef) {
      digest = reference as Digest;
      checkDigest(bytes, digest, `The manifest ${repository}@${reference}`);
    } else {
      digest = headerDigest ? parseDigest(headerDigest) : digestOf(bytes);
      checkDigest(bytes, digest, `The manifest ${repository}:${reference}`);
    }
    if (headerDigest && headerDigest !== digest)
      throw new SignetError(
        'DIGEST_MISMATCH',
        `The registry's Docker-Content-Digest ${headerDigest} differs from the manifest's digest ${digest}.`,
      );
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const parsed = parseManifest(bytes, contentType || undefined);
    const fetched: FetchedManifest = { digest, mediaType: parsed.mediaType, bytes, parsed };
    this.manifestCache.set(`${repository}@${digest}`, fetched);
    return fetched;
  }

  /** HEAD: the digest a tag points at now, or undefined when it is gone. */
  async resolve(repository: string, tag: string): Promise<{ digest: Digest; mediaType: string; size: number } | undefined> {
    this.checkRepository(repository);
    const response = await this.request('HEAD', `/v2/${repository}/manifests/${tag}`, {
      scope: `repository:${repository}:pull`,
      headers: { Accept: MANIFEST_ACCEPT },
      allow: [404],
    });
    if (response.status === 404) return undefined;
    const header = response.headers.get('docker-content-digest');
    if (!header) return { ...(await this.manifest(repository, tag)), size: 0 };
    return {
      digest: parseDigest(header),
      mediaType: (response.headers.get('content-type') ?? '').split(';')[0] ?? '',
      size: Number(response.headers.get('content-length') ?? 0),
    };
  }

  async blob(repository: string, digest: string, maxBytes: number): Promise<Buffer> {
    this.checkRepository(repository);
    const d = parseDigest(digest);
    const response = await this.request('GET', `/v2/${repository}/blobs/${d}`, { scope: `repository:${repository}:pull` });
    const bytes = await readCapped(response, maxBytes, `The blob ${d}`);
    checkDigest(bytes, d, `The blob ${repository}@${d}`);
    return bytes;
  }

  async openBlob(repository: string, digest: string, maxBytes: number): Promise<BlobStream> {
    this.checkRepository(repository);
    const d = parseDigest(digest);
    const response = await this.request('GET', `/v2/${repository}/blobs/${d}`, { scope: `repository:${repository}:pull` });
    const declared = Number(response.headers.get('content-length') ?? -1);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new SignetError('TOO_LARGE', `The blob ${d} is ${declared} bytes, more than the ${maxBytes} Signet accepts.`);
    }
    const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    return {
      digest: d,
      size: declared,
      chunks: verifiedChunks(body, d, maxBytes, `The blob ${repository}@${d}`),
      discard: async () => void (await body.cancel().catch(() => undefined)),
    };
  }

  /** Uploads a streamed blob unless present, in PATCH chunks of 16 MiB; the final PUT names the digest, so the registry checks it too. */
  async pushBlobStream(repository: string, blob: BlobStream): Promise<Digest> {
    this.checkRepository(repository);
    const digest = parseDigest(blob.digest);
    try {
      if (await this.blobExists(repository, digest)) return digest;
      const scope = `repository:${repository}:pull,push`;
      const started = await this.request('POST', `/v2/${repository}/blobs/uploads/`, { scope });
      await started.body?.cancel();
      let location = this.uploadLocation(started);
      let offset = 0;
      for await (const piece of inPiecesOf(blob.chunks, CHUNK_THRESHOLD)) {
        const patched = await this.request('PATCH', location, {
          scope,
          body: piece,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + piece.length - 1}` },
        });
        await patched.body?.cancel();
        location = this.uploadLocation(patched);
        offset += piece.length;
      }
      const done = await this.request('PUT', withQuery(location, 'digest', digest), {
        scope,
        body: new Uint8Array(0),
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      await done.body?.cancel();
      return digest;
    } finally {
      await blob.discard();
    }
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const d = parseDigest(digest);
    const response = await this.request('HEAD', `/v2/${repository}/blobs/${d}`, { scope: `repository:${repository}:pull`, allow: [404] });
    return response.ok;
  }

  /** Uploads a blob unless present: POST then PUT (monolithic), PATCH chunks above 16 MiB. */
  async pushBlob(repository: string, bytes: Uint8Array, mountFrom?: string): Promise<Digest> {
    this.checkRepository(repository);
    const digest = digestOf(bytes);
    if (await this.blobExists(repository, digest)) return digest;
    return this.upload(repository, bytes, digest, mountFrom);
  }

  /** Uploads a blob without asking first whether the registry has it: one request fewer for a blob just made (a new signature payload). */
  async uploadBlob(repository: string, bytes: Uint8Array): Promise<Digest> {
    this.checkRepository(repository);
    return this.upload(repository, bytes, digestOf(bytes));
  }

  private async upload(repository: string, bytes: Uint8Array, digest: Digest, mountFrom?: string): Promise<Digest> {
    const scope = `repository:${repository}:pull,push`;
    const mountQuery = mountFrom && isValidRepository(mountFrom) ? `?mount=${digest}&from=${mountFrom}` : '';
    const started = await this.request('POST', `/v2/${repository}/blobs/uploads/${mountQuery}`, {
      scope: mountFrom ? `${scope} repository:${mountFrom}:pull` : scope,
    });
    await started.body?.cancel();
    if (started.status === 201) return digest;
    let location = this.uploadLocation(started);
    if (bytes.length > CHUNK_THRESHOLD) {
      for (let offset = 0; offset < bytes.length; offset += CHUNK_THRESHOLD) {
        const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK_THRESHOLD));
        const patched = await this.request('PATCH', location, {
          scope,
          body: chunk,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
        });
        await patched.body?.cancel();
        location = this.uploadLocation(patched);
      }
      const done = await this.request('PUT', withQuery(location, 'digest', digest), {
        scope,
        body: new Uint8Array(0),
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      await done.body?.cancel();
    } else {
      const done = await this.request('PUT', withQuery(location, 'digest', digest), {
        scope,
        body: bytes,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      await done.body?.cancel();
    }
    return digest;
  }

  async pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    this.checkRepository(repository);
    if (reference.includes(':')) parseDigest(reference);
    else if (!isValidTag(reference)) throw new SignetError('INVALID_INPUT', `"${reference.slice(0, 80)}" is not a valid tag.`);
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      scope: `repository:${repository}:pull,push`,
      body: bytes,
      headers: { 'Content-Type': mediaType },
    });
    await response.body?.cancel();
    const digest = digestOf(bytes);
    const header = response.headers.get('docker-content-digest');
    if (header && header !== digest)
      throw new SignetError('DIGEST_MISMATCH', `The registry stored the manifest as ${header}, not ${digest}.`);
    this.manifestCache.delete(`${repository}@${digest}`);
    return digest;
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    const d = parseDigest(digest);
    const response = await this.request('DELETE', `/v2/${repository}/manifests/${d}`, {
      scope: `repository:${repository}:delete`,
      allow: [404, 405],
    });
    await response.body?.cancel();
    if (response.status === 405) throw new SignetError('UNSUPPORTED', `${this.registry} does not allow deleting manifests.`);
    this.manifestCache.delete(`${repository}@${d}`);
  }

  /** Referrers of a manifest: the API where the registry has it, else the `sha256-<hex>` tag schema. */
  async referrers(repository: string, digest: string): Promise<{ descriptors: Descriptor[]; source: 'api' | 'tag-schema' }> {
    const d = parseDigest(digest);
    // A registry that answered without the API a moment ago is asked again only after NO_REFERRERS_API_MS (it may be upgraded).
    if (this.noReferrersApiUntil < Date.now()) {
      const response = await this.request('GET', `/v2/${repository}/referrers/${d}`, {
        scope: `repository:${repository}:pull`,
        allow: [400, 404, 405],
        headers: { Accept: MEDIA.ociIndex },
      });
      if (response.ok && (response.headers.get('content-type') ?? '').includes(MEDIA.ociIndex)) {
        const parsed = parseManifest(await readCapped(response, MAX_MANIFEST_BYTES, 'The referrers index'), MEDIA.ociIndex);
        return { descriptors: parsed.manifests, source: 'api' };
      }
      // No API at all: the route is unknown (a 404 that is not a registry error, as docker-registry 2.8 answers) or not allowed (405).
      // A registry error (say NAME_UNKNOWN) may come from a registry that has the API, so it is asked again next time.
      const text = (await readCapped(response, 4096, 'The referrers answer').catch(() => Buffer.alloc(0))).toString('utf8');
      if (response.status === 405 || (response.status === 404 && !/"errors"\s*:/.test(text)))
        this.noReferrersApiUntil = Date.now() + NO_REFERRERS_API_MS;
    }
    // The tag schema: the index tagged sha256-<hex>, read by tag in one request (its digest is checked as it is read).
    try {
      const index = await this.manifest(repository, d.replace(':', '-'));
      return { descriptors: index.parsed.kind === 'index' ? index.parsed.manifests : [], source: 'tag-schema' };
    } catch (error) {
      if (error instanceof SignetError && error.code === 'NOT_FOUND') return { descriptors: [], source: 'tag-schema' };
      throw error;
    }
  }

  private uploadLocation(response: Response): string {
    const location = response.headers.get('location');
    if (!location) throw new SignetError('REGISTRY_ERROR', `${this.registry} did not say where to upload.`);
    const url = new URL(location, this.base);
    if (url.origin !== new URL(this.base).origin)
      throw new SignetError('REGISTRY_ERROR', `${this.registry} sent the upload to another host (${url.host}); Signet does not follow.`);
    return `${url.pathname}${url.search}`;
  }

  private checkRepository(repository: string): void {
    if (!isValidRepository(repository))
      throw new SignetError('INVALID_INPUT', `"${repository.slice(0, 120)}" is not a valid repository name.`);
  }

  private async acquire(): Promise<() => void> {
    if (this.active >= this.maxConcurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    return () => {
      this.active -= 1;
      this.waiting.shift()?.();
    };
  }

  /** One API request with auth, retries, bounded redirects and the concurrency limit. */
  async request(
    method: string,
    pathAndQuery: string,
    options: { scope: string; headers?: Record<string, string>; body?: Uint8Array; allow?: number[] },
  ): Promise<Response> {
    assertOnline();
    const release = await this.acquire();
    try {
      let authRetried = false;
      for (let attempt = 0; ; attempt += 1) {
        const response = await this.send(method, `${this.base}${pathAndQuery}`, options);
        const remaining = response.headers.get('ratelimit-remaining');
        if (remaining) this.lastRateLimitRemaining = remaining;
        if (response.status === 401 && !authRetried) {
          authRetried = true;
          const challenge = parseChallenge(response.headers.get('www-authenticate'));
          await response.body?.cancel();
          if (await this.authenticate(challenge, options.scope)) {
            attempt -= 1;
            continue;
          }
          throw new SignetError(
            'AUTH_REQUIRED',
            `${this.registry} needs credentials for this (${describeScope(options.scope)}); add them to the registry in Signet or to ~/.docker/config.json.`,
          );
        }
        if ((response.status === 429 || response.status >= 500) && attempt < MAX_RETRIES) {
          const wait = retryAfterMs(response.headers.get('retry-after')) ?? 500 * 2 ** attempt;
          await response.body?.cancel();
          await this.sleep(Math.min(wait, 30_000));
          continue;
        }
        if (response.ok || options.allow?.includes(response.status)) return response;
        const text = (await readCapped(response, 64 * 1024, 'The error').catch(() => Buffer.alloc(0))).toString('utf8');
        throw registryError(this.registry, response.status, text, options.scope);
      }
    } finally {
      release();
    }
  }

  private async send(
    method: string,
    url: string,
    options: { scope: string; headers?: Record<string, string>; body?: Uint8Array },
  ): Promise<Response> {
    let current = new URL(url);
    const origin = current.origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const headers: Record<string, string> = { 'User-Agent': 'Signet', ...options.headers };
      // Credentials go only to the registry itself, never to a host it redirects to.
      if (current.origin === origin) {
        const auth = this.authorizationFor(options.scope);
        if (auth) headers.Authorization = auth;
      }
      let response: Response;
      try {
        response = await this.doFetch(current, { method, headers, redirect: 'manual', ...(options.body ? { body: options.body } : {}) });
      } catch (error) {
        if (isOfflineError(error)) throw new SignetError('OFFLINE', OFFLINE_MESSAGE);
        throw new SignetError('UNAVAILABLE', `Cannot reach ${this.registry}: ${describeSystemError(error)}.`);
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        await response.body?.cancel();
        const next = new URL(response.headers.get('location') as string, current);
        if (next.protocol !== 'https:' && !(next.protocol === 'http:' && (isLoopbackHost(next.host) || this.options.insecure))) {
          throw new SignetError('REGISTRY_ERROR', `${this.registry} redirected to ${next.protocol}//${next.host}, which is not HTTPS.`);
        }
        current = next;
        continue;
      }
      return response;
    }
    throw new SignetError('REGISTRY_ERROR', `${this.registry} redirected more than ${MAX_REDIRECTS} times.`);
  }

  private authorizationFor(scope: string): string | undefined {
    if (this.scheme === 'basic' && this.basicAuth) return this.basicAuth;
    if (this.scheme === 'bearer') {
      const token = this.tokens.get(scope);
      if (token) return `Bearer ${token}`;
    }
    return undefined;
  }

  private async authenticate(challenge: ReturnType<typeof parseChallenge>, scope: string): Promise<boolean> {
    const credentials = await this.options.credentials?.();
    if (challenge?.scheme === 'basic') {
      if (!credentials) return false;
      this.scheme = 'basic';
      this.basicAuth = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      return true;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) return false;
    this.scheme = 'bearer';
    const realm = new URL(challenge.params.realm);
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (isLoopbackHost(realm.host) || this.options.insecure))) {
      throw new SignetError('REGISTRY_ERROR', `${this.registry} sends token requests to ${realm.origin}, which is not HTTPS.`);
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    const wanted = scope || challenge.params.scope || '';
    for (const s of wanted.split(' ').filter(Boolean)) realm.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'User-Agent': 'Signet' };
    if (credentials) headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let response: Response;
    try {
      response = await this.doFetch(realm, { headers, redirect: 'error' });
    } catch (error) {
      if (isOfflineError(error)) throw new SignetError('OFFLINE', OFFLINE_MESSAGE);
      throw new SignetError('UNAVAILABLE', `Cannot reach ${this.registry}'s token service at ${realm.host}.`);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new SignetError(
        'AUTH_REQUIRED',
        credentials
          ? `${this.registry} refused the credentials for ${describeScope(wanted)}.`
          : `${this.registry} needs credentials for ${describeScope(wanted)}.`,
      );
    }
    if (!response.ok) throw new SignetError('REGISTRY_ERROR', `${this.registry}'s token service answered ${response.status}.`);
    const doc = JSON.parse((await readCapped(response, 1024 * 1024, 'The token')).toString('utf8')) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const token = typeof doc.token === 'string' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : undefined;
    if (!token) throw new SignetError('REGISTRY_ERROR', `${this.registry}'s token service gave no token.`);
    this.tokens.set(scope, token, typeof doc.expires_in === 'number' ? doc.expires_in : undefined);
    return true;
  }
}

export async function readCapped(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? -1);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new SignetError('TOO_LARGE', `${what} is ${declared} bytes, more than the ${maxBytes} Signet accepts.`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new SignetError('TOO_LARGE', `${what} is larger than the ${maxBytes} bytes Signet accepts.`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function parseLink(header: string | null): string | undefined {
  const match = header ? /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header) : null;
  if (!match?.[1]) return undefined;
  const url = new URL(match[1], 'http://placeholder');
  return `${url.pathname}${url.search}`;
}

function withQuery(location: string, key: string, value: string): string {
  const url = new URL(location, 'http://placeholder');
  url.searchParams.set(key, value);
  return `${url.pathname}${url.search}`;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeScope(scope: string): string {
  return scope.replace(/^repository:([^:]+):(.*)$/, '$2 on $1').replace('registry:catalog:*', 'the catalog') || 'this registry';
}

function registryError(registry: string, status: number, body: string, scope: string): SignetError {
  let detail = '';
  let codes: string[] = [];
  try {
    const doc = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    codes = (doc.errors ?? []).map((e) => String(e.code ?? ''));
    detail = [...new Set((doc.errors ?? []).map((e) => describeRegistryErrorCode(e.code, e.message)).filter(Boolean))].join('; ');
  } catch {
    detail = describeRegistryErrorCode(undefined, body.slice(0, 200).replace(/<[^>]*>/g, ' '));
  }
  // A missing blob is told apart by its code, not its words: writers upload it again and retry.
  const blobUnknown = codes.some((c) => c === 'BLOB_UNKNOWN' || c === 'MANIFEST_BLOB_UNKNOWN')
    ? { reason: 'blob-unknown' as const }
    : undefined;
  if (status === 401)
    return new SignetError(
      'AUTH_REQUIRED',
      `${registry} refused the credentials for ${describeScope(scope)}; check the username and password saved for it.`,
    );
  if (status === 404)
    return new SignetError(
      'NOT_FOUND',
      `${registry} has no such ${describeScope(scope).includes('catalog') ? 'catalog' : 'image or repository'}${detail ? ` (${detail})` : ''}.`,
      blobUnknown,
    );
  if (status === 403) return new SignetError('FORBIDDEN', `${registry} refused ${describeScope(scope)}${detail ? ` (${detail})` : ''}.`);
  if (status === 429) return new SignetError('RATE_LIMITED', `${registry} is rate-limiting Signet; try again later.`);
  return new SignetError('REGISTRY_ERROR', `${registry} answered ${status}${detail ? `: ${detail}` : ''}.`, blobUnknown);
}
