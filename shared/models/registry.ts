import { z } from 'zod';
import { hostPath } from '../contract/host-path';

export const RegistryHost = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]{1,5})?$/,
    'a registry is a host name with an optional :port, e.g. registry.example.com or 127.0.0.1:5000',
  );
export const RegistryId = z.string().regex(/^[a-z0-9-]{1,64}$/);
export const Repository = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    'a repository name is lower-case letters, digits and separators',
  );
export const TagOrDigest = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$|^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/, 'a tag, or a digest such as sha256:…');
export const DigestString = z.string().regex(/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/);

/** An Oracle Cloud resource id (ocid1.KIND.REALM.[REGION].UNIQUE). */
export const Ocid = z
  .string()
  .max(255)
  .regex(/^ocid1\.[a-z0-9]+\.[a-z0-9-]+\.[a-z0-9-]*\.[A-Za-z0-9._-]+$/, 'an OCID such as ocid1.compartment.oc1..aaaa…');

/**
 * An OCIR registry's own image signatures (API resources of the OCI Artifacts service): where to
 * find them and how to sign in to OCI. `endpoint` overrides https://artifacts.REGION.oci.oraclecloud.com.
 */
export const OcirSettings = z
  .object({
    /** The OCI config profile (DEFAULT, …) whose API key signs the requests. */
    profile: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[^[\]\r\n]+$/, 'an OCI config profile name'),
    compartmentId: Ocid,
    /** The region of the signatures (the profile's region if absent), e.g. us-ashburn-1. */
    region: z
      .string()
      .regex(/^[a-z]{2,}(?:-[a-z0-9]+)+$/, 'an OCI region such as us-ashburn-1')
      .max(64)
      .optional(),
    /**
     * The tenancy's Object Storage namespace, the first path segment of image names
     * (iad.ocir.io/NAMESPACE/app): OCIR's repositoryName is the path without it. On *.ocir.io the
     * first segment is taken as the namespace when this is absent.
     */
    namespace: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'an Object Storage namespace')
      .optional(),
    /** The OCI config file (~/.oci/config, or OCI_CLI_CONFIG_FILE, if absent). */
    configFile: hostPath(z.string().min(1).max(4096), { choices: ['file'] }).optional(),
    endpoint: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s/]+\/?$/, 'an https:// endpoint')
      .optional(),
  })
  .strict();
export type OcirSettings = z.infer<typeof OcirSettings>;

export const SavedRegistry = z
  .object({
    id: RegistryId,
    kind: z.enum(['distribution', 'oci-layout']),
    name: z.string().min(1).max(100),
    /** host[:port]; `oci-layout` for a layout on disk. */
    host: RegistryHost,
    /** The layout's directory, for kind oci-layout. */
    path: z.string().max(4096).optional(),
    insecure: z.boolean(),
    /** Where its credentials come from; the secret itself never crosses. */
    credentials: z.enum(['none', 'keychain', 'docker-config']),
    username: z.string().max(256).optional(),
    /** Where simple signatures for this registry are kept (a directory, file:// or http(s):// URL), read before registries.d. */
    lookaside: z.string().min(1).max(4096).optional(),
    /** Set for Oracle OCIR: its image signatures (API resources) are listed and made through the OCI Artifacts API. */
    ocir: OcirSettings.optional(),
  })
  .strict();
/** A lookaside location: an absolute directory, a file:// URL or an http(s):// URL. */
export const LookasideLocation = hostPath(
  z
    .string()
    .min(2)
    .max(4096)
    .regex(/^(\/|file:\/\/\/|https?:\/\/[^\s]+$)/, 'an absolute directory, a file:/// URL or an http(s):// URL'),
  { choices: ['directory'], urls: true },
);
export type SavedRegistry = z.infer<typeof SavedRegistry>;

export const Capabilities = z
  .object({
    reachable: z.boolean(),
    authScheme: z.enum(['none', 'basic', 'bearer', 'other']),
    catalog: z.union([z.boolean(), z.literal('unknown')]),
    referrersApi: z.union([z.boolean(), z.literal('unknown')]),
    deleteAllowed: z.union([z.boolean(), z.literal('unknown')]),
    rateLimitRemaining: z.string().optional(),
    checkedAt: z.string(),
  })
  .strict();
export type Capabilities = z.infer<typeof Capabilities>;

export const PlatformEntry = z.object({ platform: z.string(), digest: DigestString, mediaType: z.string(), size: z.number() }).strict();
export const LayerEntry = z.object({ digest: DigestString, mediaType: z.string(), size: z.number() }).strict();

export const ImageSummary = z
  .object({
    registryId: RegistryId,
    repository: z.string(),
    reference: z.string(),
    digest: DigestString,
    mediaType: z.string(),
    kind: z.enum(['manifest', 'index']),
    artifactType: z.string().optional(),
    platforms: z.array(PlatformEntry),
    layers: z.array(LayerEntry),
    config: z
      .object({
        digest: DigestString,
        mediaType: z.string(),
        os: z.string().optional(),
        architecture: z.string().optional(),
        created: z.string().optional(),
        labels: z.record(z.string(), z.string()),
      })
      .strict()
      .optional(),
    annotations: z.record(z.string(), z.string()),
    totalSize: z.number(),
  })
  .strict();
export type ImageSummary = z.infer<typeof ImageSummary>;

/**
 * What a person pastes into "Registry host", reduced to the host: `https://host/v2/`,
 * `docker://host/repo:tag` and `host/repo:tag` all name `host`. A first segment that cannot be a
 * host (no dot, no port, not localhost) is left for the contract to refuse.
 */
export function cleanRegistryHost(text: string): string {
  let value = text.trim().replace(/^(?:https?|docker|oci):\/\//i, '');
  const slash = value.indexOf('/');
  if (slash !== -1) {
    const first = value.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost') value = first;
  }
  return value.replace(/\/+$/, '');
}
