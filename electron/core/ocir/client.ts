import os from 'node:os';
import path from 'node:path';
import { ArtifactsClient, type models } from 'oci-artifacts';
import * as common from 'oci-common';
import { SignetError } from '../../../shared/errors';
import type { OcirSettings } from '../../../shared/models/registry';
import { isNetworkFailure, rethrowKnown, withBackoff } from '../kms/errors';
import type { OcirAlgorithm } from './message';

/** A ContainerImageSignature as Signet keeps it (formats.md §5.2). */
export interface OcirSignatureResource {
  id: string;
  imageId: string;
  compartmentId: string;
  displayName: string;
  kmsKeyId: string;
  kmsKeyVersionId: string;
  signingAlgorithm: string;
  message: string;
  signature: string;
  timeCreated: string;
  lifecycleState: string;
  freeformTags: Record<string, string>;
  definedTags: Record<string, Record<string, unknown>>;
}

export type DefinedTags = Record<string, Record<string, string>>;

/** Most signatures one image may list (pages of 100). */
const MAX_SIGNATURES = 1000;

/**
 * OCIR's image signatures through the official SDK (oci-artifacts' ArtifactsClient, API 20160918)
 * with oci-common's request signing from an OCI config file profile, as the OCI Vault provider
 * does. `settings.endpoint` overrides the regional endpoint (a loopback fake in tests).
 */
export class OcirClient {
  private readonly client: ArtifactsClient;
  /** The region written into signed messages: the settings' or the profile's. */
  readonly region: string;

  constructor(
    readonly settings: OcirSettings,
    env: NodeJS.ProcessEnv = process.env,
    home: string = os.homedir(),
  ) {
    let provider: common.ConfigFileAuthenticationDetailsProvider;
    const file = settings.configFile ?? env.OCI_CLI_CONFIG_FILE ?? path.join(home, '.oci', 'config');
    try {
      provider = new common.ConfigFileAuthenticationDetailsProvider(file, settings.profile);
    } catch (error) {
      throw new SignetError(
        'AUTH_REQUIRED',
        `The OCI config profile ${settings.profile} in ${file} cannot be used: ${(error as Error).message}. Run \`oci setup config\` or name another profile.`,
      );
    }
    const region = settings.region ?? provider.getRegion()?.regionId;
    if (!region)
      throw new SignetError('INVALID_INPUT', `The OCI profile ${settings.profile} names no region; set the registry’s OCIR region.`);
    this.region = region;
    this.client = new ArtifactsClient(
      { authenticationDetailsProvider: provider },
      { retryConfiguration: common.NoRetryConfigurationDetails, circuitBreaker: { noCircuit: true } as unknown as common.CircuitBreaker },
    );
    if (settings.endpoint) this.client.endpoint = settings.endpoint.replace(/\/+$/, '');
    else this.client.regionId = region;
  }

  get endpoint(): string {
    return this.client.endpoint;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withBackoff(run, (e) => (e as { statusCode?: number }).statusCode === 429);
    } catch (error) {
      throw mapError(error, what, this.client.endpoint);
    }
  }

  /** The OCIR image (its OCID) with this digest in this repository, or undefined. */
  async findImage(repositoryName: string, digest: string): Promise<{ id: string; repositoryName: string; digest: string } | undefined> {
    const out = await this.call('list container images', () =>
      this.client.listContainerImages({
        compartmentId: this.settings.compartmentId,
        compartmentIdInSubtree: true,
        repositoryName,
        imageDigest: digest,
        limit: 10,
      }),
    );
    const image = out.containerImageCollection.items.find((i) => i.digest === digest && i.repositoryName === repositoryName);
    return image ? { id: image.id, repositoryName: image.repositoryName, digest: image.digest } : undefined;
  }

  /** Every signature of (repository, digest) in the compartment and below, following pages. */
  async list(repositoryName: string, digest: string): Promise<{ signatures: OcirSignatureResource[]; complete: boolean }> {
    const signatures: OcirSignatureResource[] = [];
    let page: string | undefined;
    do {
      const out = await this.call('list image signatures', () =>
        this.client.listContainerImageSignatures({
          compartmentId: this.settings.compartmentId,
          compartmentIdInSubtree: true,
          repositoryName,
          imageDigest: digest,
          limit: 100,
          ...(page ? { page } : {}),
        }),
      );
      signatures.push(...out.containerImageSignatureCollection.items.map(resource));
      page = out.opcNextPage;
    } while (page && signatures.length < MAX_SIGNATURES);
    return { signatures, complete: !page };
  }

  /** One signature with its etag (for an update or delete that must not overwrite a concurrent change). */
  async get(id: string): Promise<OcirSignatureResource & { etag?: string }> {
    const out = await this.call('get image signature', () => this.client.getContainerImageSignature({ imageSignatureId: id }));
    return { ...resource(out.containerImageSignature), ...(out.etag ? { etag: out.etag } : {}) };
  }

  async create(details: {
    imageId: string;
    kmsKeyId: string;
    kmsKeyVersionId: string;
    message: string;
    signature: string;
    signingAlgorithm: OcirAlgorithm;
    freeformTags?: Record<string, string>;
    definedTags?: DefinedTags;
  }): Promise<OcirSignatureResource> {
    const out = await this.call('create image signature', () =>
      this.client.createContainerImageSignature({
        createContainerImageSignatureDetails: {
          compartmentId: this.settings.compartmentId,
          ...details,
          signingAlgorithm: details.signingAlgorithm as models.CreateContainerImageSignatureDetails.SigningAlgorithm,
        },
      }),
    );
    return resource(out.containerImageSignature);
  }

  /** Replaces the free-form and defined tags (the API's update replaces each map it is given). */
  async updateTags(
    id: string,
    tags: { freeformTags: Record<string, string>; definedTags: DefinedTags },
    etag?: string,
  ): Promise<OcirSignatureResource> {
    const out = await this.call('update image signature', () =>
      this.client.updateContainerImageSignature({
        imageSignatureId: id,
        updateContainerImageSignatureDetails: tags,
        ...(etag ? { ifMatch: etag } : {}),
      }),
    );
    return resource(out.containerImageSignature);
  }

  async delete(id: string, etag?: string): Promise<void> {
    await this.call('delete image signature', () =>
      this.client.deleteContainerImageSignature({ imageSignatureId: id, ...(etag ? { ifMatch: etag } : {}) }),
    );
  }

  close(): void {
    this.client.close();
  }
}

function resource(s: models.ContainerImageSignature | models.ContainerImageSignatureSummary): OcirSignatureResource {
  const time = s.timeCreated as unknown;
  return {
    id: s.id,
    imageId: s.imageId,
    compartmentId: s.compartmentId,
    displayName: s.displayName,
    kmsKeyId: s.kmsKeyId,
    kmsKeyVersionId: s.kmsKeyVersionId,
    signingAlgorithm: String(s.signingAlgorithm),
    message: s.message,
    signature: s.signature,
    timeCreated: time instanceof Date ? time.toISOString() : String(time),
    lifecycleState: String(s.lifecycleState),
    freeformTags: s.freeformTags ?? {},
    definedTags: s.definedTags ?? {},
  };
}

function mapError(error: unknown, what: string, endpoint: string): Error {
  rethrowKnown(error);
  const e = error as { statusCode?: number; serviceCode?: string; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const vendor = `OCIR ${what}: ${e.serviceCode ? `${e.serviceCode}: ` : ''}${message}`.slice(0, 600);
  switch (e.statusCode) {
    case 401:
      return new SignetError('AUTH_REQUIRED', `${vendor}. Check the OCI profile’s API key, fingerprint, user and tenancy.`);
    case 403:
      return new SignetError('FORBIDDEN', vendor);
    case 404:
      return new SignetError(
        'NOT_FOUND',
        `${vendor}. OCI says NotAuthorizedOrNotFound both for something missing and for a missing policy (manage repos).`,
      );
    case 409:
    case 412:
      return new SignetError('CONFLICT', vendor);
    case 429:
      return new SignetError('RATE_LIMITED', `${vendor}. OCI kept throttling; try again later.`);
    case 400:
      return new SignetError('INVALID_INPUT', vendor);
    default: {
      const network = isNetworkFailure(error) ?? (/ECONNREFUSED|ENOTFOUND|fetch failed/i.test(message) ? message : undefined);
      if (network) return new SignetError('UNAVAILABLE', `The OCI Artifacts API at ${endpoint} cannot be reached: ${network}.`);
      return new SignetError('REGISTRY_ERROR', vendor);
    }
  }
}
