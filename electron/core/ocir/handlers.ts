import { SignetError } from '../../../shared/errors';
import type { ocirCalls, OcirSignature } from '../../../shared/contract/ocir';
import type { SavedRegistry } from '../../../shared/models/registry';
import type { AreaHandlers } from '../dispatch';
import { parseKmsUri } from '../kms/uri';
import type { CoreServices } from '../services';
import { OcirClient, type DefinedTags, type OcirSignatureResource } from './client';
import { buildMessage, type OcirAlgorithm } from './message';
import { verifyOcirSignature } from './verify';
import { collectTrust, type TrustSet } from '../signatures/trusted';
import { ocirTrust } from './trust';

const KMS_ALGORITHM = {
  SHA_224_RSA_PKCS_PSS: 'rsa-pss-sha224',
  SHA_256_RSA_PKCS_PSS: 'rsa-pss-sha256',
  SHA_384_RSA_PKCS_PSS: 'rsa-pss-sha384',
  SHA_512_RSA_PKCS_PSS: 'rsa-pss-sha512',
} as const;

/**
 * OCIR's repositoryName for an image path on the registry: the path without the tenancy's
 * namespace (iad.ocir.io/NAMESPACE/team/app → team/app).
 */
export function ocirRepositoryName(registry: SavedRegistry, repository: string): string {
  const namespace = registry.ocir?.namespace ?? (/(^|\.)ocir\.io(:\d+)?$/.test(registry.host) ? repository.split('/')[0] : undefined);
  if (!namespace) return repository;
  if (!repository.startsWith(`${namespace}/`))
    throw new SignetError('INVALID_INPUT', `${repository} is not under the OCIR namespace ${namespace} (give NAMESPACE/REPOSITORY).`);
  return repository.slice(namespace.length + 1);
}

/** Oracle OCIR's image signatures for a saved registry marked as OCIR (formats.md §5). */
export function createOcirHandlers(services: CoreServices): AreaHandlers<typeof ocirCalls> {
  const clients = new Map<string, OcirClient>();

  const ocirOf = async (id: string): Promise<{ registry: SavedRegistry; client: OcirClient }> => {
    const registry = await services.registries.saved.get(id);
    if (!registry.ocir)
      throw new SignetError(
        'UNSUPPORTED',
        `${registry.name} is not marked as Oracle OCIR: set its OCI profile and compartment (signet registry edit ${registry.id} --ocir-profile NAME --ocir-compartment OCID).`,
      );
    const key = JSON.stringify(registry.ocir);
    let client = clients.get(`${id}|${key}`);
    if (!client) {
      client = new OcirClient(registry.ocir);
      clients.set(`${id}|${key}`, client);
    }
    return { registry, client };
  };

  /**
   * ocikms://HOST/KEY for an OCI key: from the host asked, else from a Signet key that names this
   * key, else from the first OCI Vault connection with an endpoint (the key may be in another vault:
   * then its public key cannot be read and the verdict says so).
   */
  const keyUriFor = async (kmsKeyId: string, vaultHost: string | undefined): Promise<string | undefined> => {
    if (vaultHost) return `ocikms://${vaultHost}/${kmsKeyId}`;
    const keys = await services.keys.list().catch(() => []);
    for (const k of keys) {
      if (!k.uri?.startsWith('ocikms://')) continue;
      try {
        const ref = parseKmsUri(k.uri);
        if (ref.provider === 'ocikms' && ref.keyId === kmsKeyId) return `ocikms://${ref.cryptoHost}/${kmsKeyId}`;
      } catch {
        // a key URI Signet cannot parse names no OCI key
      }
    }
    // Else a saved OCI Vault connection with an endpoint: its management endpoint's crypto sibling.
    const connections = await services.kms.list().catch(() => []);
    for (const c of connections) {
      if (c.provider !== 'ocikms' || !c.endpoint) continue;
      try {
        return `ocikms://${new URL(c.endpoint).host.replace(/-management\./, '-crypto.')}/${kmsKeyId}`;
      } catch {
        // an endpoint that is not a URL names no vault
      }
    }
    return undefined;
  };

  /** The trust store's entries for the image as Signet names it (host/repository@digest), read once per call. */
  const trustFor = (registry: SavedRegistry, repository: string, digest: string) =>
    collectTrust(services.dataDir, undefined, { image: `${registry.host}/${repository}@${digest}` });

  const report = async (
    s: OcirSignatureResource,
    image: { repository: string; digest: string },
    vaultHost: string | undefined,
    known: Map<string, string> | undefined,
    /** What the signer's key is judged against: the trust store's entries for this image. */
    trust: TrustSet,
    options: { kmsVerify?: boolean } = {},
  ): Promise<OcirSignature> => {
    const base = await keyUriFor(s.kmsKeyId, vaultHost);
    let publicKeyPem: string | undefined;
    let keyProblem: string | undefined;
    if (base) {
      const cacheKey = `${base}/${s.kmsKeyVersionId}`;
      publicKeyPem = known?.get(cacheKey);
      if (!publicKeyPem) {
        try {
          publicKeyPem = await services.kms.publicKey(base, s.kmsKeyVersionId);
          known?.set(cacheKey, publicKeyPem);
        } catch (error) {
          keyProblem = (error as Error).message;
        }
      }
    } else keyProblem = 'no Signet key names this OCI key, and no vault host was given';
    const verdict = verifyOcirSignature({
      signature: s,
      ...image,
      ...(publicKeyPem ? { publicKeyPem } : {}),
      ...(keyProblem ? { keyProblem } : {}),
    });
    let kmsVerdict: OcirSignature['kmsVerdict'];
    if (options.kmsVerify) {
      const algorithm = KMS_ALGORITHM[s.signingAlgorithm as OcirAlgorithm];
      if (!base || !algorithm)
        kmsVerdict = { status: 'error', detail: base ? 'not an OCIR signing algorithm' : (keyProblem ?? 'no vault') };
      else
        try {
          const valid = await services.kms.verifyRemote(base, {
            version: s.kmsKeyVersionId,
            algorithm,
            message: Buffer.from(s.message, 'base64'),
            signature: Buffer.from(s.signature, 'base64'),
          });
          kmsVerdict = valid
            ? { status: 'valid', detail: 'OCI Vault says the signature is valid.' }
            : { status: 'invalid', detail: 'OCI Vault says the signature is not valid.' };
        } catch (error) {
          kmsVerdict = { status: 'error', detail: (error as Error).message };
        }
    }
    const m = verdict.decoded?.message;
    return {
      id: s.id,
      displayName: s.displayName,
      imageId: s.imageId,
      kmsKeyId: s.kmsKeyId,
      kmsKeyVersionId: s.kmsKeyVersionId,
      algorithm: s.signingAlgorithm,
      timeCreated: s.timeCreated,
      lifecycleState: s.lifecycleState,
      ...(m ? { description: m.description, region: m.region } : {}),
      ...(verdict.decoded?.metadata ? { metadata: verdict.decoded.metadata } : {}),
      freeformTags: s.freeformTags,
      definedTags: s.definedTags,
      verdict: { status: verdict.status, reason: verdict.reason, detail: verdict.detail },
      trust: ocirTrust(trust, publicKeyPem, verdict.status === 'valid', new Date()),
      ...(base ? { keyUri: `${base}/${s.kmsKeyVersionId}` } : {}),
      ...(kmsVerdict ? { kmsVerdict } : {}),
    };
  };

  /** The signature, refused unless it belongs to this image (a mistyped id never deletes another image's signature). */
  const ownSignature = async (
    registry: SavedRegistry,
    client: OcirClient,
    input: { signature: string; repository: string; digest: string },
  ) => {
    const image = await client.findImage(ocirRepositoryName(registry, input.repository), input.digest);
    const found = await client.get(input.signature);
    if (!image || found.imageId !== image.id)
      throw new SignetError(
        'NOT_FOUND',
        `The OCIR signature ${input.signature} is not a signature of ${input.repository}@${input.digest}.`,
      );
    return found;
  };

  return {
    'ocir.list': async (input) => {
      const { registry, client } = await ocirOf(input.id);
      const image = { repository: ocirRepositoryName(registry, input.repository), digest: input.digest };
      const { signatures, complete } = await client.list(image.repository, image.digest);
      const trust = await trustFor(registry, input.repository, input.digest);
      const known = new Map<string, string>();
      const out: OcirSignature[] = [];
      for (const s of signatures.filter((x) => x.lifecycleState !== 'DELETED'))
        out.push(await report(s, image, input.vaultHost, known, trust, { kmsVerify: input.kmsVerify === true }));
      return { signatures: out, complete, region: client.region, repositoryName: image.repository };
    },
    'ocir.sign': async (input) => {
      const { registry, client } = await ocirOf(input.id);
      const repositoryName = ocirRepositoryName(registry, input.repository);
      const ref = parseKmsUri(input.key);
      if (ref.provider !== 'ocikms') throw new SignetError('INVALID_INPUT', `${input.key} is not an OCI Vault key.`);
      const algorithm = input.algorithm as OcirAlgorithm;
      const image = await client.findImage(repositoryName, input.digest);
      if (!image)
        throw new SignetError(
          'NOT_FOUND',
          `OCIR has no image ${repositoryName}@${input.digest} in the compartment ${client.settings.compartmentId} (or its children).`,
        );
      const signer = await services.kms.signer(input.key, {
        algorithm: KMS_ALGORITHM[algorithm],
        ...(input.connection ? { connection: input.connection } : {}),
      });
      const built = buildMessage({
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.metadata ? { metadata: input.metadata } : {}),
        imageDigest: image.digest,
        kmsKeyId: ref.keyId,
        kmsKeyVersionId: signer.keyVersion,
        region: client.region,
        repositoryName: image.repositoryName,
        signingAlgorithm: algorithm,
      });
      // The KMS signer hashes the message and asks for a DIGEST signature, then verifies it locally:
      // the same RSA-PSS signature as sign-upload's RAW request over the JSON bytes.
      const signed = await signer.signDetailed(built.json);
      if (signed.keyVersion !== signer.keyVersion)
        throw new SignetError(
          'SIGNING_FAILED',
          `OCI Vault signed with ${signed.keyVersion} where the message names ${signer.keyVersion}; Signet did not upload the signature.`,
        );
      const created = await client.create({
        imageId: image.id,
        kmsKeyId: ref.keyId,
        kmsKeyVersionId: signed.keyVersion,
        message: built.base64,
        signature: Buffer.from(signed.signature).toString('base64'),
        signingAlgorithm: algorithm,
        ...(input.freeformTags ? { freeformTags: input.freeformTags } : {}),
      });
      const trust = await trustFor(registry, input.repository, input.digest);
      return report(created, { repository: repositoryName, digest: input.digest }, ref.cryptoHost, undefined, trust);
    },
    'ocir.tag': async (input) => {
      const { registry, client } = await ocirOf(input.id);
      const found = await ownSignature(registry, client, input);
      const freeformTags = { ...found.freeformTags, ...(input.setFreeform ?? {}) };
      for (const k of input.removeFreeform ?? []) delete freeformTags[k];
      const definedTags: DefinedTags = {};
      for (const [ns, values] of Object.entries(found.definedTags))
        definedTags[ns] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
      for (const [ns, values] of Object.entries(input.setDefined ?? {})) definedTags[ns] = { ...(definedTags[ns] ?? {}), ...values };
      for (const name of input.removeDefined ?? []) {
        const [ns, k] = name.split('.') as [string, string];
        if (definedTags[ns]) {
          delete definedTags[ns][k];
          if (Object.keys(definedTags[ns]).length === 0) delete definedTags[ns];
        }
      }
      const updated = await client.updateTags(found.id, { freeformTags, definedTags }, found.etag);
      return { id: updated.id, freeformTags: updated.freeformTags, definedTags: updated.definedTags };
    },
    'ocir.delete': async (input) => {
      const { registry, client } = await ocirOf(input.id);
      const found = await ownSignature(registry, client, input);
      await client.delete(found.id, found.etag);
      return { deleted: found.id };
    },
  };
}
