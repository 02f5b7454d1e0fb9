import { SignetError } from '../../../shared/errors';
import { KMS_PROVIDERS, type KmsProviderId } from '../../../shared/models/kms';
import { PROVIDERS } from './providers';

/**
 * KMS key references. cosign's forms for AWS, Google Cloud, Azure and Vault; Signet's own,
 * documented forms for Tencent Cloud, Oracle OCI and Huawei Cloud:
 *
 *   awskms://[ENDPOINT]/KEY-ID | ARN | alias/NAME | alias ARN        (cosign)
 *   gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]   (cosign; `versions/V` too)
 *   azurekms://VAULT.vault.azure.net/KEY[/VERSION]                    (cosign; sovereign clouds' vault hosts too)
 *   hashivault://KEY                                                 (cosign; address, mount and token from the connection)
 *   tencentkms://REGION/KEY-ID                                       e.g. tencentkms://ap-guangzhou/0b6f…-…
 *   ocikms://CRYPTO-ENDPOINT-HOST/KEY-OCID[/KEY-VERSION-OCID]        the vault's crypto endpoint, as the OCI console shows it,
 *                                                                    e.g.
 * ocikms://bbx3…-crypto.kms.us-ashburn-1.oraclecloud.com/ocid1.key.oc1.iad.bbx3….abuw…
 *   huaweikms://REGION/PROJECT-ID/KEY-ID                             e.g. huaweikms://cn-north-4/0a1b…(32 hex)/5d5d…-…
 *
 * Parsing is strict: anything else is an "Invalid KMS key reference" error, and nothing that looks
 * like a URI is ever read as a file path (cosign#1259, cosign#2094).
 */
export type KmsKeyRef =
  | {
      provider: 'awskms';
      uri: string;
      endpoint?: string;
      keyId: string;
      region?: string;
      account?: string;
      form: 'id' | 'arn' | 'alias' | 'alias-arn';
    }
  | { provider: 'gcpkms'; uri: string; project: string; location: string; keyRing: string; key: string; version?: string; keyName: string }
  | { provider: 'azurekms'; uri: string; vaultHost: string; key: string; version?: string }
  | { provider: 'hashivault'; uri: string; key: string }
  | { provider: 'tencentkms'; uri: string; region: string; keyId: string }
  | { provider: 'ocikms'; uri: string; cryptoHost: string; keyId: string; versionId?: string; regionKey: string }
  | { provider: 'huaweikms'; uri: string; region: string; projectId: string; keyId: string };

export const KMS_SCHEMES: readonly KmsProviderId[] = KMS_PROVIDERS;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AWS_KEY_ID = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{32})$/;
const AWS_ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const AWS_ARN = /^arn:(aws[a-z-]*):kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(key|alias)\/(.+)$/;
const HOST_PORT = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*(?::\d{1,5})?$/;
const GCP_ID = /^[a-zA-Z0-9_-]{1,63}$/;
const GCP_PROJECT = /^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_LOCATION = /^[a-z][a-z0-9-]{0,62}$/;
const AZURE_VAULT =
  /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]\.(?:vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net|vault\.microsoftazure\.de|managedhsm\.azure\.net)$/;
const AZURE_KEY = /^[a-zA-Z0-9-]{1,127}$/;
const AZURE_VERSION = /^[0-9a-fA-F]{32}$/;
const VAULT_KEY = /^[a-zA-Z0-9_.-]{1,128}$/;
const CLOUD_REGION = /^[a-z]{2,3}(?:-[a-z]+)+(?:-\d{1,3})?$/;
const OCI_KEY = /^ocid1\.key\.oc[0-9]+\.([a-z0-9-]+)\.([a-z0-9]+)\.[a-z0-9]+$/;
const OCI_KEY_VERSION = /^ocid1\.keyversion\.oc[0-9]+\.[a-z0-9-]+\.[a-z0-9]+\.[a-z0-9]+\.[a-z0-9]+$/;
const HUAWEI_PROJECT = /^[0-9a-f]{32}$/;

/** True for anything shaped like `scheme://…`: such a string is a key reference, never a path. */
export { looksLikeKeyUri } from '../../../shared/models/kms';

function invalid(uri: string, why: string, provider?: KmsProviderId): never {
  const shown = uri.length > 200 ? `${uri.slice(0, 200)}…` : uri;
  const expected = provider ? ` Expected ${PROVIDERS[provider].uriForms}.` : '';
  throw new SignetError('INVALID_INPUT', `Invalid KMS key reference: ${JSON.stringify(shown)} ${why}.${expected}`);
}

export function parseKmsUri(uri: string): KmsKeyRef {
  if (typeof uri !== 'string' || uri.length === 0) invalid(String(uri), 'is empty');
  if (uri.length > 1024) invalid(uri, 'is longer than 1024 characters');
  if (/[\s\0?#%\\]/.test(uri)) invalid(uri, 'contains whitespace, a query, a fragment, a percent escape or a backslash');
  const match = /^([a-z0-9]+):\/\/(.*)$/.exec(uri);
  if (!match) invalid(uri, `is not of the form SCHEME://… (known schemes: ${KMS_SCHEMES.join(', ')})`);
  const [, scheme, rest] = match as unknown as [string, string, string];
  switch (scheme) {
    case 'awskms':
      return parseAws(uri, rest);
    case 'gcpkms':
      return parseGcp(uri, rest);
    case 'azurekms':
      return parseAzure(uri, rest);
    case 'hashivault':
      if (!VAULT_KEY.test(rest)) invalid(uri, 'does not name a Vault transit key (letters, digits, _ . - only)', 'hashivault');
      return { provider: 'hashivault', uri, key: rest };
    case 'tencentkms':
      return parseTencent(uri, rest);
    case 'ocikms':
      return parseOci(uri, rest);
    case 'huaweikms':
      return parseHuawei(uri, rest);
    default:
      return invalid(uri, `has the unknown scheme "${scheme}://" (known: ${KMS_SCHEMES.map((s) => `${s}://`).join(', ')})`);
  }
}

function parseAws(uri: string, rest: string): KmsKeyRef {
  const slash = rest.indexOf('/');
  if (slash === -1) invalid(uri, 'has no key after the endpoint', 'awskms');
  const endpoint = rest.slice(0, slash);
  const key = rest.slice(slash + 1);
  if (endpoint && !HOST_PORT.test(endpoint)) invalid(uri, 'has an endpoint that is not a host name or host:port', 'awskms');
  const base = { provider: 'awskms' as const, uri, ...(endpoint ? { endpoint } : {}) };
  if (AWS_KEY_ID.test(key)) return { ...base, keyId: key, form: 'id' };
  if (AWS_ALIAS.test(key) && !key.startsWith('alias/aws/')) return { ...base, keyId: key, form: 'alias' };
  const arn = AWS_ARN.exec(key);
  if (arn) {
    const [, , region, account, type, id] = arn as unknown as [string, string, string, string, string, string];
    if (type === 'key' && !AWS_KEY_ID.test(id)) invalid(uri, 'has a key ARN whose key id is not a key id', 'awskms');
    if (type === 'alias' && !/^[a-zA-Z0-9/_-]{1,250}$/.test(id)) invalid(uri, 'has an alias ARN with an invalid alias name', 'awskms');
    return { ...base, keyId: key, region, account, form: type === 'key' ? 'arn' : 'alias-arn' };
  }
  if (key.startsWith('alias/aws/')) invalid(uri, 'names an AWS managed alias, which cannot sign', 'awskms');
  return invalid(uri, 'does not name a key id, key ARN, alias/NAME or alias ARN', 'awskms');
}

function parseGcp(uri: string, rest: string): KmsKeyRef {
  const parts = rest.split('/');
  const fail = (why: string) => invalid(uri, why, 'gcpkms');
  if (parts.length !== 8 && parts.length !== 10)
    fail('does not have the projects/…/locations/…/keyRings/…/cryptoKeys/…[/cryptoKeyVersions/N] shape');
  const [p, project, l, location, r, keyRing, c, key, v, version] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  if (p !== 'projects' || l !== 'locations' || r !== 'keyRings' || c !== 'cryptoKeys')
    fail('does not have the projects/…/locations/…/keyRings/…/cryptoKeys/… shape');
  if (!GCP_PROJECT.test(project)) fail(`has an invalid project id "${project}"`);
  if (!GCP_LOCATION.test(location)) fail(`has an invalid location "${location}"`);
  if (!GCP_ID.test(keyRing)) fail(`has an invalid key ring name "${keyRing}"`);
  if (!GCP_ID.test(key)) fail(`has an invalid key name "${key}"`);
  const keyName = `projects/${project}/locations/${location}/keyRings/${keyRing}/cryptoKeys/${key}`;
  if (v === undefined) return { provider: 'gcpkms', uri, project, location, keyRing, key, keyName };
  if (v !== 'cryptoKeyVersions' && v !== 'versions') fail(`has "${v}" where "cryptoKeyVersions" belongs`);
  if (!/^[1-9][0-9]{0,9}$/.test(version ?? '')) fail('has a key version that is not a positive number');
  return { provider: 'gcpkms', uri, project, location, keyRing, key, version: version as string, keyName };
}

function parseAzure(uri: string, rest: string): KmsKeyRef {
  const parts = rest.split('/');
  const fail = (why: string) => invalid(uri, why, 'azurekms');
  if (parts.length < 2 || parts.length > 3) fail('does not have the VAULT-HOST/KEY[/VERSION] shape');
  const [vaultHost, key, version] = parts as [string, string, string?];
  if (!AZURE_VAULT.test(vaultHost)) fail(`names "${vaultHost}", which is not a Key Vault host such as myvault.vault.azure.net`);
  if (!AZURE_KEY.test(key)) fail(`has an invalid key name "${key}"`);
  if (version !== undefined && !AZURE_VERSION.test(version)) fail('has a key version that is not 32 hexadecimal digits');
  return { provider: 'azurekms', uri, vaultHost: vaultHost.toLowerCase(), key, ...(version ? { version: version.toLowerCase() } : {}) };
}

function parseTencent(uri: string, rest: string): KmsKeyRef {
  const parts = rest.split('/');
  if (parts.length !== 2) invalid(uri, 'does not have the REGION/KEY-ID shape', 'tencentkms');
  const [region, keyId] = parts as [string, string];
  if (!CLOUD_REGION.test(region)) invalid(uri, `names "${region}", which is not a region such as ap-guangzhou`, 'tencentkms');
  if (!UUID.test(keyId)) invalid(uri, 'has a key id that is not a key UUID', 'tencentkms');
  return { provider: 'tencentkms', uri, region, keyId };
}

function parseOci(uri: string, rest: string): KmsKeyRef {
  const parts = rest.split('/');
  const fail = (why: string) => invalid(uri, why, 'ocikms');
  if (parts.length < 2 || parts.length > 3) fail('does not have the CRYPTO-ENDPOINT-HOST/KEY-OCID[/KEY-VERSION-OCID] shape');
  const [cryptoHost, keyId, versionId] = parts as [string, string, string?];
  if (!HOST_PORT.test(cryptoHost)) fail('has a crypto endpoint that is not a host name');
  const key = OCI_KEY.exec(keyId);
  if (!key) fail('has a key OCID that is not of the form ocid1.key.oc1.REGION.VAULT.ID');
  if (versionId !== undefined && !OCI_KEY_VERSION.test(versionId))
    fail('has a key version OCID that is not of the form ocid1.keyversion.oc1.…');
  return {
    provider: 'ocikms',
    uri,
    cryptoHost: cryptoHost.toLowerCase(),
    keyId,
    regionKey: (key as RegExpExecArray)[1] as string,
    ...(versionId ? { versionId } : {}),
  };
}

function parseHuawei(uri: string, rest: string): KmsKeyRef {
  const parts = rest.split('/');
  const fail = (why: string) => invalid(uri, why, 'huaweikms');
  if (parts.length !== 3) fail('does not have the REGION/PROJECT-ID/KEY-ID shape');
  const [region, projectId, keyId] = parts as [string, string, string];
  if (!CLOUD_REGION.test(region)) fail(`names "${region}", which is not a region such as cn-north-4`);
  if (!HUAWEI_PROJECT.test(projectId)) fail('has a project id that is not 32 lower-case hexadecimal digits');
  if (!UUID.test(keyId)) fail('has a key id that is not a key UUID');
  return { provider: 'huaweikms', uri, region, projectId, keyId };
}

/** The URI of a key with an explicit version, in the provider's own form (where it has one). */
export function withVersion(ref: KmsKeyRef, version: string): string {
  switch (ref.provider) {
    case 'gcpkms':
      return `gcpkms://${ref.keyName}/cryptoKeyVersions/${version}`;
    case 'azurekms':
      return `azurekms://${ref.vaultHost}/${ref.key}/${version}`;
    case 'ocikms':
      return `ocikms://${ref.cryptoHost}/${ref.keyId}/${version}`;
    default:
      return ref.uri;
  }
}

/** The version the reference pins, if any. */
export function pinnedVersion(ref: KmsKeyRef): string | undefined {
  if (ref.provider === 'gcpkms' || ref.provider === 'azurekms') return ref.version;
  if (ref.provider === 'ocikms') return ref.versionId;
  return undefined;
}
