import type { KmsAlgorithm, KmsProviderId, KmsProviderInfo } from '../../../shared/models/kms';
import type { KmsProviderModule } from './provider';

const RSA_ALL: KmsAlgorithm[] = [
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
];

/**
 * The table of KMS providers: adding one is its folder plus one entry here. Each module is
 * imported on first use only, so neither the app nor `signet --version` pays for seven SDKs.
 */
/** What Signet knows of a provider beyond what the contract shows. */
export interface ProviderRow extends KmsProviderInfo {
  load: () => Promise<KmsProviderModule>;
  /** Secret fields a keychain credential must have. */
  requiredSecrets: readonly string[];
  /** The non-secret field shown to identify a keychain credential. */
  identityField?: string;
  /** Every URI form, for the message that refuses a malformed one. */
  uriForms: string;
  /** The name in running text ("HashiCorp Vault has no key …"), when shorter than `name`. */
  shortName?: string;
}

export const PROVIDERS: Readonly<Record<KmsProviderId, ProviderRow>> = {
  awskms: {
    id: 'awskms',
    name: 'AWS KMS',
    library: '@aws-sdk/client-kms (AWS SDK v3: modular, only the KMS client is loaded) with @aws-sdk/credential-providers',
    uriForm: 'awskms://[ENDPOINT]/KEY-ID | ARN | alias/NAME',
    credentialSources: ['default', 'profile', 'keychain'],
    defaultCredentials:
      'the AWS SDK default chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, ~/.aws/credentials and ~/.aws/config (SSO, process, role profiles), web identity, container and instance roles',
    secretFields: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
    fields: { region: 'Region, e.g. eu-central-1 (a key ARN names its own)', endpoint: 'Endpoint URL (VPC endpoint, FIPS, LocalStack)' },
    algorithms: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ecdsa-p521-sha512', ...RSA_ALL, 'sm2-sm3'],
    load: () => import('./aws/aws'),
    requiredSecrets: ['accessKeyId', 'secretAccessKey'],
    identityField: 'accessKeyId',
    uriForms: 'awskms:///KEY-ID, awskms:///alias/NAME, awskms:///arn:aws:kms:REGION:ACCOUNT:key/KEY-ID or awskms://ENDPOINT/…',
  },
  gcpkms: {
    id: 'gcpkms',
    name: 'Google Cloud KMS',
    library: '@google-cloud/kms with its REST fallback (HTTP/1.1 + JSON, so no gRPC native code in the app)',
    uriForm: 'gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]',
    credentialSources: ['default', 'file', 'keychain'],
    defaultCredentials:
      'Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, the metadata server',
    secretFields: ['credentialsJson'],
    fields: {
      scope: 'Where to list keys: projects/P/locations/L or projects/P/locations/L/keyRings/R',
      endpoint: 'API endpoint URL (Private Service Connect)',
    },
    algorithms: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', ...RSA_ALL],
    load: () => import('./gcp/gcp'),
    requiredSecrets: ['credentialsJson'],
    uriForms: 'gcpkms://projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY[/cryptoKeyVersions/N]',
  },
  azurekms: {
    id: 'azurekms',
    name: 'Azure Key Vault',
    library: '@azure/keyvault-keys with @azure/identity (DefaultAzureCredential or a client secret)',
    uriForm: 'azurekms://VAULT-NAME.vault.azure.net/KEY[/VERSION]',
    credentialSources: ['default', 'keychain'],
    defaultCredentials:
      'DefaultAzureCredential: AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (or a certificate), workload identity, managed identity, Azure CLI (`az login`), Azure Developer CLI, Azure PowerShell',
    secretFields: ['tenantId', 'clientId', 'clientSecret'],
    fields: {
      endpoint: 'Vault URL, e.g. https://myvault.vault.azure.net (to list keys)',
      authorityHost: 'Entra ID authority host (sovereign clouds)',
    },
    algorithms: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ecdsa-p521-sha512', ...RSA_ALL],
    load: () => import('./azure/azure'),
    requiredSecrets: ['tenantId', 'clientId', 'clientSecret'],
    identityField: 'clientId',
    uriForms: 'azurekms://VAULT-NAME.vault.azure.net/KEY[/VERSION]',
  },
  hashivault: {
    id: 'hashivault',
    name: 'HashiCorp Vault (transit)',
    shortName: 'HashiCorp Vault',
    library: 'Vault’s transit REST API over node:https (HashiCorp publishes no official Node SDK; the API is small and stable)',
    uriForm: 'hashivault://KEY',
    credentialSources: ['default', 'keychain'],
    defaultCredentials:
      'VAULT_ADDR, VAULT_TOKEN (else ~/.vault-token), VAULT_NAMESPACE, VAULT_CACERT; TRANSIT_SECRET_ENGINE_PATH for the mount, as cosign reads them',
    secretFields: ['token'],
    fields: { endpoint: 'Vault address, e.g. https://vault.example.com:8200', scope: 'Transit mount path (default "transit")' },
    algorithms: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ecdsa-p521-sha512', ...RSA_ALL],
    load: () => import('./vault/vault'),
    requiredSecrets: ['token'],
    uriForms: 'hashivault://KEY',
  },
  tencentkms: {
    id: 'tencentkms',
    name: 'Tencent Cloud KMS',
    library: 'tencentcloud-sdk-nodejs-common (Tencent’s common client with TC3-HMAC-SHA256 signing; the full SDK is very large)',
    uriForm: 'tencentkms://REGION/KEY-ID',
    credentialSources: ['default', 'profile', 'keychain'],
    defaultCredentials:
      'TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (/ TENCENTCLOUD_SESSION_TOKEN), else profile [default] of ~/.tencentcloud/credentials (the SDK’s file), else tccli’s ~/.tccli/default.credential',
    secretFields: ['secretId', 'secretKey', 'sessionToken'],
    fields: {
      region: 'Region, e.g. ap-guangzhou',
      endpoint: 'Endpoint (kms.tencentcloudapi.com; kms.intl.tencentcloudapi.com outside China)',
    },
    algorithms: ['ecdsa-p256-sha256', 'rsa-pkcs1v15-sha256', 'rsa-pss-sha256', 'sm2-sm3'],
    load: () => import('./tencent/tencent'),
    requiredSecrets: ['secretId', 'secretKey'],
    identityField: 'secretId',
    uriForms: 'tencentkms://REGION/KEY-ID',
  },
  ocikms: {
    id: 'ocikms',
    name: 'OCI Vault',
    library: 'oci-keymanagement with oci-common (OCI’s request signing and config-file handling)',
    uriForm: 'ocikms://CRYPTO-ENDPOINT-HOST/KEY-OCID[/KEY-VERSION-OCID]',
    credentialSources: ['default', 'profile', 'file', 'keychain'],
    defaultCredentials:
      'the OCI CLI config: ~/.oci/config (OCI_CLI_CONFIG_FILE), profile DEFAULT (OCI_CLI_PROFILE), with its API signing key',
    secretFields: ['tenancy', 'user', 'fingerprint', 'privateKey', 'passphrase'],
    fields: {
      region: 'Region, e.g. us-ashburn-1',
      endpoint: 'The vault’s management endpoint (to list keys)',
      scope: 'Compartment OCID (to list keys)',
    },
    algorithms: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ecdsa-p521-sha512', ...RSA_ALL],
    load: () => import('./oci/oci'),
    requiredSecrets: ['tenancy', 'user', 'fingerprint', 'privateKey'],
    identityField: 'user',
    uriForms: 'ocikms://CRYPTO-ENDPOINT-HOST/KEY-OCID[/KEY-VERSION-OCID]',
  },
  huaweikms: {
    id: 'huaweikms',
    name: 'Huawei Cloud KMS (DEW)',
    shortName: 'Huawei Cloud KMS',
    library:
      'Huawei’s KMS REST API v1.0 over node:https with AK/SK request signing (SDK-HMAC-SHA256), written from Huawei’s API signing guide: four calls, no dependency',
    uriForm: 'huaweikms://REGION/PROJECT-ID/KEY-ID',
    credentialSources: ['default', 'profile', 'keychain'],
    defaultCredentials:
      'HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (/ HUAWEICLOUD_SDK_SECURITY_TOKEN), else ~/.huaweicloud/credentials (HUAWEICLOUD_SDK_CREDENTIALS_FILE), section [basic]',
    secretFields: ['accessKey', 'secretKey', 'securityToken'],
    fields: {
      region: 'Region, e.g. cn-north-4',
      endpoint: 'Endpoint URL (default https://kms.REGION.myhuaweicloud.com)',
      scope: 'Project ID (to list keys)',
    },
    algorithms: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ecdsa-p521-sha512', ...RSA_ALL, 'sm2-sm3'],
    load: () => import('./huawei/huawei'),
    requiredSecrets: ['accessKey', 'secretKey'],
    identityField: 'accessKey',
    uriForms: 'huaweikms://REGION/PROJECT-ID/KEY-ID',
  },
};

export function providerInfo(id: KmsProviderId): KmsProviderInfo {
  const { load: _load, requiredSecrets: _required, identityField: _identity, uriForms: _forms, shortName: _short, ...info } = PROVIDERS[id];
  return info;
}

/** Names people read ("AWS KMS"), from the table. */
export const providerName = (id: KmsProviderId): string => PROVIDERS[id].shortName ?? PROVIDERS[id].name;
