import { z } from 'zod';

export const KMS_PROVIDERS = ['awskms', 'gcpkms', 'azurekms', 'hashivault', 'tencentkms', 'ocikms', 'huaweikms'] as const;
export const KmsProviderId = z.enum(KMS_PROVIDERS);
export type KmsProviderId = z.infer<typeof KmsProviderId>;

/** The signature algorithms a KMS key can offer (the `Signer` names). */
export const KMS_ALGORITHMS = [
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ecdsa-p521-sha512',
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha224',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
  'sm2-sm3',
] as const;
export const KmsAlgorithm = z.enum(KMS_ALGORITHMS);
export type KmsAlgorithm = z.infer<typeof KmsAlgorithm>;

export const KmsConnectionName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a connection name is letters, digits, . _ - (starting with a letter or digit)');

/** A KMS key reference such as awskms:///alias/release (parsed strictly in the core). */
export const KmsKeyUri = z.string().min(8).max(1024);

/**
 * Where a connection's credentials come from. Only `keychain` holds anything Signet stores; the
 * others point at what the vendor's own tools already use (environment, profiles, config files).
 */
export const KmsCredentialSource = z.enum(['default', 'profile', 'file', 'keychain']);
export type KmsCredentialSource = z.infer<typeof KmsCredentialSource>;

export const KmsCredentialRef = z
  .object({
    source: KmsCredentialSource,
    /** AWS / OCI / Tencent / Huawei profile name. */
    profile: z.string().min(1).max(128).optional(),
    /** A credentials or config file (Google service-account key, OCI config, …). */
    path: z.string().min(1).max(4096).optional(),
    /** The keychain entry holding the secret (never the secret). */
    keychainEntry: z.string().optional(),
    /** The non-secret half, shown so a person recognises it (access key id, client id, user OCID …). */
    identity: z.string().max(300).optional(),
  })
  .strict();
export type KmsCredentialRef = z.infer<typeof KmsCredentialRef>;

export const KmsConnection = z
  .object({
    name: KmsConnectionName,
    provider: KmsProviderId,
    /** Region (AWS, Tencent, Huawei, OCI) or location. */
    region: z.string().max(64).optional(),
    /** Service address: Vault address, a private or local endpoint, an Azure vault URL, an OCI management endpoint. */
    endpoint: z.string().max(512).optional(),
    /**
     * What to list keys in: Google `projects/P/locations/L[/keyRings/R]`, Vault transit mount,
     * OCI compartment OCID, Huawei project id, Vault namespace after a `|`.
     */
    scope: z.string().max(512).optional(),
    /** Azure AD / Entra authority host (sovereign clouds), or the token endpoint for other OAuth flows. */
    authorityHost: z.string().max(512).optional(),
    /** Extra trusted CA certificates (PEM) for this connection's TLS: private Vaults, proxies. */
    caCertificates: z.string().max(200_000).optional(),
    credential: KmsCredentialRef,
    created: z.string(),
  })
  .strict();
export type KmsConnection = z.infer<typeof KmsConnection>;

export const KmsKeyState = z.enum(['enabled', 'disabled', 'pending-deletion', 'destroyed', 'pending-import', 'unavailable']);
export type KmsKeyState = z.infer<typeof KmsKeyState>;

export const KmsKeyVersion = z
  .object({
    version: z.string(),
    state: KmsKeyState,
    algorithms: z.array(KmsAlgorithm),
    /** The version used when none is named. */
    current: z.boolean(),
    created: z.string().optional(),
  })
  .strict();
export type KmsKeyVersion = z.infer<typeof KmsKeyVersion>;

export const KmsKey = z
  .object({
    uri: KmsKeyUri,
    provider: KmsProviderId,
    name: z.string(),
    /** Alias, description or display name, where the KMS keeps one. */
    label: z.string().optional(),
    state: KmsKeyState,
    /** False for keys that cannot sign (encryption keys); listed so a person sees why. */
    canSign: z.boolean(),
    usage: z.string().optional(),
    /** Key type as the KMS names it: RSA_2048, EC_P256, SM2 … */
    keySpec: z.string().optional(),
    algorithms: z.array(KmsAlgorithm),
    versions: z.array(KmsKeyVersion),
  })
  .strict();
export type KmsKey = z.infer<typeof KmsKey>;

export const KmsTestResult = z
  .object({
    uri: KmsKeyUri,
    provider: KmsProviderId,
    algorithm: KmsAlgorithm,
    /** How the signature is padded or encoded: "PKCS#1 v1.5", "PSS (MGF1, salt = hash length)", "ASN.1 DER (r, s)" … */
    padding: z.string(),
    keyVersion: z.string(),
    /** SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex. */
    publicKeyFingerprint: z.string(),
    publicKeyPem: z.string(),
    /** Always true in a response: a signature that does not verify locally is an error instead. */
    verifiedLocally: z.literal(true),
    signatureBytes: z.number().int(),
    milliseconds: z.number(),
  })
  .strict();
export type KmsTestResult = z.infer<typeof KmsTestResult>;

export const KmsProviderInfo = z
  .object({
    id: KmsProviderId,
    name: z.string(),
    /** The library Signet talks to it with, and why. */
    library: z.string(),
    uriForm: z.string(),
    credentialSources: z.array(KmsCredentialSource),
    /** What the "default" credential source reads. */
    defaultCredentials: z.string(),
    /** The secret fields a keychain credential takes (their names only). */
    secretFields: z.array(z.string()),
    /** Labels for region / endpoint / scope in this provider's words, or absent when not used. */
    fields: z
      .object({
        region: z.string().optional(),
        endpoint: z.string().optional(),
        scope: z.string().optional(),
        authorityHost: z.string().optional(),
      })
      .strict(),
    algorithms: z.array(KmsAlgorithm),
  })
  .strict();
export type KmsProviderInfo = z.infer<typeof KmsProviderInfo>;

/** Whether a `--key` value is a key URI (scheme://…) rather than a key name or a file path. */
export function looksLikeKeyUri(value: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value.trim());
}
