import { z } from 'zod';
import { KeyInfo, KeyName, KeyType, PublicExports, VaultStatus } from '../models/keys';
import { KmsAlgorithm, KmsConnectionName, KmsKeyUri } from '../models/kms';
import { call, JobId, NoInput } from './define';

const KeyRef = z.string().min(1).max(100);

/** The trust entry a new Signet key was given, when it was trusted for verification as it was made. */
export const KeyTrusted = z.object({ id: z.string(), name: z.string() }).strict();
/** A new key, and the trust entry it was given (absent: not trusted, with `trustNote` saying why when it was asked for). */
const NewKey = KeyInfo.extend({ trusted: KeyTrusted.optional(), trustNote: z.string().optional() }).strict();

/** Signing keys. Private material never crosses: only ids, fingerprints and public keys, and encrypted exports. */
export const keyCalls = {
  'keys.list': call({ summary: 'The signing keys', effect: 'read', request: NoInput, response: z.array(KeyInfo) }),
  'keys.get': call({
    summary: 'A key with its public key in every export format',
    effect: 'read',
    request: z.object({ key: KeyRef }).strict(),
    response: z.object({ info: KeyInfo, exports: PublicExports }).strict(),
  }),
  'keys.generate': call({
    summary: 'Generate a key and keep its private part in the OS keychain',
    effect: 'local-write',
    request: z
      .object({
        name: KeyName,
        type: KeyType,
        userId: z.string().min(3).max(200).optional(),
        expires: z.string().datetime().optional(),
        labels: z.array(z.string().min(1).max(64)).max(32).optional(),
        /** Where the private key goes: the OS keychain (default) or the encrypted vault file (unlock it first). */
        store: z.enum(['keychain', 'vault']).optional(),
        /**
         * Also trust the new key for verification: a trust store entry named after the key, holding its
         * public key. Default true (false in read-only mode, where adding trust is refused).
         */
        trust: z.boolean().optional(),
        jobId: JobId.optional(),
      })
      .strict()
      .refine((r) => !r.type.startsWith('pgp-') || r.userId, 'an OpenPGP key needs a user id such as "Release Team <release@example.com>"'),
    response: NewKey,
  }),
  'keys.import': call({
    summary:
      'Import a key file (cosign, PKCS#8, PKCS#1, SEC1, OpenPGP secret key armored or binary) into the OS keychain; says what it found',
    effect: 'local-write',
    /** `encoding: base64` carries a binary file (gpg --export-secret-key without --armor) as base64 in `text`. */
    request: z
      .object({
        name: KeyName,
        text: z.string().min(1).max(1_400_000),
        encoding: z.enum(['text', 'base64']).optional(),
        password: z.string().max(1024),
        store: z.enum(['keychain', 'vault']).optional(),
      })
      .strict(),
    response: z.object({ info: KeyInfo, found: z.string() }).strict(),
  }),
  'keys.attachCertificate': call({
    summary:
      'Attach an X.509 certificate chain (PEM, or one DER certificate as base64) whose leaf holds the key’s public key; each link is checked',
    effect: 'local-write',
    request: z.object({ key: KeyRef, chain: z.string().min(1).max(200_000), encoding: z.enum(['pem', 'der-base64']).optional() }).strict(),
    response: KeyInfo,
  }),
  'keys.csr': call({
    summary: 'A PKCS#10 certificate signing request (code signing) for a software key',
    effect: 'sign',
    request: z.object({ key: KeyRef, commonName: z.string().min(1).max(64), organization: z.string().min(1).max(64).optional() }).strict(),
    response: z.object({ csr: z.string() }).strict(),
  }),
  'keys.vaultStatus': call({
    summary: 'Whether the encrypted vault file exists and is unlocked',
    effect: 'read',
    request: NoInput,
    response: VaultStatus,
  }),
  'keys.vaultUnlock': call({
    summary: 'Unlock the encrypted vault with its passphrase (creating it, empty, the first time); it locks itself after 15 idle minutes',
    effect: 'secret-use',
    request: z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    response: VaultStatus,
  }),
  'keys.vaultLock': call({
    summary: 'Lock the vault: its key is wiped from memory',
    effect: 'local-write',
    request: NoInput,
    response: VaultStatus,
  }),
  'keys.addKms': call({
    summary: 'Add a cloud KMS key as a signing key: reads its public key through the connection; the private key stays in the KMS',
    effect: 'local-write',
    /** `trust`: also trust the key for verification, as keys.generate does (default true). */
    request: z
      .object({
        name: KeyName,
        uri: KmsKeyUri,
        connection: KmsConnectionName.optional(),
        algorithm: KmsAlgorithm.optional(),
        trust: z.boolean().optional(),
      })
      .strict(),
    response: NewKey,
  }),
  'keys.exportCosign': call({
    summary: 'Export a software key as cosign.key (encrypted with the password given) and cosign.pub',
    effect: 'export-secret',
    request: z.object({ key: KeyRef, password: z.string().max(1024) }).strict(),
    response: z.object({ key: z.string(), pub: z.string() }).strict(),
  }),
  'keys.exportPgpSecret': call({
    summary: 'Export an OpenPGP secret key, encrypted with the passphrase given and armored, for gpg --import or skopeo',
    effect: 'export-secret',
    request: z.object({ key: KeyRef, passphrase: z.string().min(1).max(1024) }).strict(),
    response: z.object({ armored: z.string() }).strict(),
  }),
  'keys.retire': call({
    summary: 'Retire a key: kept for verification, refused for signing',
    effect: 'local-write',
    request: z.object({ key: KeyRef }).strict(),
    response: KeyInfo,
  }),
  'keys.delete': call({
    summary: 'Delete a key and its keychain entry; its name must be typed again',
    effect: 'delete',
    request: z.object({ key: KeyRef, confirmName: z.string().max(100) }).strict(),
    response: z.object({ deleted: z.literal(true) }).strict(),
  }),
} as const;
