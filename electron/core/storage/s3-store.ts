import { describeSystemError } from '../../../shared/system-errors';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type {
  GetObjectCommandOutput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandOutput,
  S3Client as S3ClientType,
} from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { SignetError } from '../../../shared/errors';
import type { AddressingStyle, StorageKind } from '../../../shared/models/storage';
import { assertOnline, isOfflineError, OFFLINE_MESSAGE } from '../net/gate';
import {
  checkKey,
  MAX_OBJECT_BYTES,
  normalizePrefix,
  sameBytes,
  sha256Hex,
  type ListOutcome,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutOutcome,
} from './object-store';

export interface S3StoreOptions {
  kind: Exclude<StorageKind, 'directory'>;
  bucket: string;
  region: string;
  /** Custom endpoint (OBS, MinIO, a private S3); AWS's own when absent. */
  endpoint?: string;
  prefix?: string;
  addressing?: AddressingStyle;
  publicUrl?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Resolves host names for the connection (tests reach virtual-hosted buckets on loopback). */
  lookup?: LookupFunction;
}

/** The default endpoint of each kind, for display and URLs. */
export function defaultEndpoint(kind: Exclude<StorageKind, 'directory'>, region: string): string | undefined {
  if (kind === 'aws') return `https://s3.${region}.amazonaws.com`;
  if (kind === 'obs') return `https://obs.${region}.myhuaweicloud.com`;
  return undefined;
}

/**
 * An S3 bucket (AWS, Huawei OBS, any S3-compatible server) through @aws-sdk/client-s3, with
 * SigV4. OBS's SigV4 accepts only UNSIGNED-PAYLOAD or streaming payload hashes, so OBS requests
 * are signed over UNSIGNED-PAYLOAD; integrity then rests on TLS plus the read-back comparison
 * every upload does. Flexible checksums are only sent when an operation requires them, as
 * S3-compatible servers do not all support them.
 */
export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly prefix: string;
  private client?: Promise<S3ClientType>;

  constructor(private readonly options: S3StoreOptions) {
    this.prefix = normalizePrefix(options.prefix);
    this.description = `s3://${options.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  async put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<PutOutcome> {
    checkKey(key);
    if (data.length > MAX_OBJECT_BYTES)
      throw new SignetError('TOO_LARGE', `The object is larger than ${MAX_OBJECT_BYTES / 1024 / 1024} MiB.`);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const existing = await this.head(key);
    if (existing && !options.overwrite)
      throw new SignetError('CONFLICT', `${this.url(key)} exists already; Signet does not overwrite it unless you confirm it.`);
    await this.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.full(key),
        Body: data,
        ContentLength: data.length,
        ContentType: options.contentType ?? 'application/octet-stream',
        // AWS refuses a second writer racing us (conditional write); other servers may not support it.
        ...(options.overwrite || this.options.kind !== 'aws' ? {} : { IfNoneMatch: '*' }),
      }),
      key,
    );
    const back = await this.get(key);
    if (!sameBytes(back, data)) {
      throw new SignetError(
        'STORAGE_ERROR',
        `${this.url(key)} does not read back as written (another writer, or a proxy changed it). Check the object before anyone uses it.`,
      );
    }
    return { key, url: this.url(key), size: data.length, sha256: sha256Hex(data), overwritten: existing !== undefined };
  }

  async get(key: string): Promise<Uint8Array> {
    checkKey(key);
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const answer = await this.send<GetObjectCommandOutput>(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.full(key) }), key);
    if ((answer.ContentLength ?? 0) > MAX_OBJECT_BYTES)
      throw new SignetError('TOO_LARGE', `${key} is larger than ${MAX_OBJECT_BYTES / 1024 / 1024} MiB.`);
    if (!answer.Body) return new Uint8Array();
    const bytes = await answer.Body.transformToByteArray();
    if (bytes.length > MAX_OBJECT_BYTES) throw new SignetError('TOO_LARGE', `${key} is larger than ${MAX_OBJECT_BYTES / 1024 / 1024} MiB.`);
    return bytes;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key);
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const answer = await this.send<HeadObjectCommandOutput>(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.full(key) }),
        key,
      );
      return {
        key,
        size: answer.ContentLength ?? 0,
        ...(answer.ETag ? { etag: answer.ETag } : {}),
        ...(answer.LastModified ? { lastModified: answer.LastModified.toISOString() } : {}),
      };
    } catch (error) {
      if (error instanceof SignetError && error.code === 'NOT_FOUND' && !error.message.startsWith('The bucket ')) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async list(prefix: string, limit = 10_000): Promise<ListOutcome> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const objects: ObjectInfo[] = [];
    let token: string | undefined;
    const strip = this.prefix ? `${this.prefix}/` : '';
    do {
      const page = await this.send<ListObjectsV2CommandOutput>(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: `${strip}${prefix}`,
          MaxKeys: Math.min(1000, limit - objects.length + 1),
          ...(token ? { ContinuationToken: token } : {}),
        }),
        prefix || '(all)',
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key?.startsWith(strip)) continue;
        objects.push({
          key: item.Key.slice(strip.length),
          size: item.Size ?? 0,
          ...(item.ETag ? { etag: item.ETag } : {}),
          ...(item.LastModified ? { lastModified: item.LastModified.toISOString() } : {}),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && objects.length <= limit);
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { objects: objects.slice(0, limit), complete: objects.length <= limit && !token };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await this.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.full(key) }), key);
  }

  url(key: string): string {
    checkKey(key);
    return `${this.baseUrl()}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  baseUrl(): string {
    if (this.options.publicUrl) return this.options.publicUrl.replace(/\/+$/, '');
    const endpoint = (this.options.endpoint ?? defaultEndpoint(this.options.kind, this.options.region) ?? '').replace(/\/+$/, '');
    const prefix = this.prefix ? `/${this.prefix.split('/').map(encodeURIComponent).join('/')}` : '';
    if (this.options.addressing === 'path' || !endpoint) return `${endpoint}/${this.options.bucket}${prefix}`;
    const url = new URL(endpoint);
    return `${url.protocol}//${this.options.bucket}.${url.host}${prefix}`;
  }

  private full(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private async s3(): Promise<S3ClientType> {
    this.client ??= (async () => {
      const { S3Client } = await import('@aws-sdk/client-s3');
      const agentOptions = { keepAlive: true, ...(this.options.lookup ? { lookup: this.options.lookup } : {}) };
      const client = new S3Client({
        region: this.options.region,
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
        forcePathStyle: this.options.addressing === 'path',
        credentials: this.options.credentials,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 3,
        requestHandler: {
          httpAgent: new http.Agent(agentOptions),
          httpsAgent: new https.Agent(agentOptions),
          connectionTimeout: 10_000,
          requestTimeout: 60_000,
        },
      });
      if (this.options.kind === 'obs') {
        client.middlewareStack.add(
          (next) => async (args) => {
            const request = args.request as { headers?: Record<string, string> };
            if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
            return next(args);
          },
          { step: 'build', name: 'signetObsUnsignedPayload', priority: 'low' },
        );
      }
      return client;
    })();
    return this.client;
  }

  private async send<T>(command: object, key: string): Promise<T> {
    assertOnline();
    const client = await this.s3();
    try {
      return (await client.send(command as never)) as T;
    } catch (error) {
      throw this.mapError(error, key);
    }
  }

  private mapError(error: unknown, key: string): Error {
    if (error instanceof SignetError) return error;
    if (isOfflineError(error)) return new SignetError('OFFLINE', OFFLINE_MESSAGE);
    const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
    const name = e.name ?? e.Code ?? '';
    const status = e.$metadata?.httpStatusCode;
    const where = `${this.description} (${this.options.endpoint ?? defaultEndpoint(this.options.kind, this.options.region) ?? 'AWS'})`;
    if (name === 'NoSuchBucket')
      return new SignetError(
        'NOT_FOUND',
        `The bucket ${this.options.bucket} does not exist at ${where}. Check the bucket name, region and endpoint.`,
      );
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404)
      return new SignetError('NOT_FOUND', `There is no ${key} in ${this.description}.`);
    if (name === 'PreconditionFailed' || status === 412)
      return new SignetError('CONFLICT', `${key} appeared in ${this.description} while Signet was writing it; nothing was overwritten.`);
    if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301)
      return new SignetError(
        'STORAGE_ERROR',
        `The bucket ${this.options.bucket} is in another region than ${this.options.region}, or the endpoint is for another region; set the profile's region to the bucket's.`,
      );
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken'].includes(name) || status === 403) {
      return new SignetError(
        'UNAUTHORIZED',
        `${where} refused the credentials (${name || status}): check the access key, secret key, session token and region, or that the key may write to this bucket.`,
      );
    }
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
      return new SignetError(
        'UNAUTHORIZED',
        'No storage credentials were found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or store credentials with the profile.',
      );
    }
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code ?? name) ||
      /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE/i.test(e.message ?? '')
    ) {
      return new SignetError(
        'STORAGE_ERROR',
        `The connection to ${where} failed (${describeSystemError(error)}); nothing was left half-written: try again.`,
      );
    }
    return new SignetError('STORAGE_ERROR', `${where} answered ${name || status || 'an error'}: ${(e.message ?? '').slice(0, 200)}`);
  }
}
