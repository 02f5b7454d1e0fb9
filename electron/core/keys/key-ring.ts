import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import { KEY_TYPES, KeyInfo, type KeyType, type PublicExports } from '../../../shared/models/keys';

const KEY_TYPE_SET: ReadonlySet<string> = new Set(KEY_TYPES);
import type { AuditLog } from '../audit/log';
import type { PgpSigner, SignatureAlgorithm, Signer } from '../signing/signer';
import { readJsonFile } from '../storage/atomic';
import { encryptCosignKey } from './cosign-key';
import { algorithmOf, generatePgpKey, generateSoftwareKey, spkiSha256 } from './generate';
import { importKey } from './import';
import { pemSpkiSha256 } from '../signing/spki';
import { isSm2Spki } from '../signing/sm2';
import { describeOpenPgpKey, exportProtectedSecretKey } from './openpgp-material';
import type { KeySecretStore } from './secrets';
import { pgpSigner, softwareSigner } from './signers';
import type { VaultSecretStore } from './vault';
import { makeCertificate, makeCsr } from './x509';
import { readChainFor } from './chain';
import { updateRecords } from '../storage/record-file';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * What `notation cert generate-test` makes: a throwaway self-signed CA (its private key is dropped
 * at once) and a code-signing leaf for the new key. Leaf first.
 */
function testCertificateChain(privateKey: import('node:crypto').KeyObject, commonName: string, expires?: Date): string {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = new Date();
  const notAfter = expires ?? new Date(now.getTime() + YEAR_MS);
  const caSubject = { commonName: `${commonName} test CA`, organization: 'Signet' };
  const caPem = makeCertificate({
    subject: caSubject,
    publicKey: ca.publicKey,
    issuer: { subject: caSubject, privateKey: ca.privateKey },
    notBefore: now,
    notAfter,
    ca: true,
  });
  const leafPem = makeCertificate({
    subject: { commonName, organization: 'Signet' },
    publicKey: createPublicKey(privateKey),
    issuer: { subject: caSubject, privateKey: ca.privateKey },
    notBefore: now,
    notAfter,
    ca: false,
  });
  return leafPem + caPem;
}

const File = z.object({ version: z.literal(1), keys: z.array(KeyInfo) }).strict();

/**
 * The user's signing keys: metadata in `<dataDir>/keys.json` (atomic writes), private material in
 * the secret store. Private bytes leave this class only inside a Signer, or encrypted on export.
 */
export class KeyRing {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly secrets: KeySecretStore,
    private readonly audit?: AuditLog,
    /** The encrypted vault file, for keys kept there instead of the OS keychain. */
    readonly vault?: VaultSecretStore,
  ) {
    this.file = path.join(dataDir, 'keys.json');
  }

  private storeFor(store: KeyInfo['store']): KeySecretStore {
    if (store === 'vault') {
      if (!this.vault) throw new SignetError('UNSUPPORTED', 'This host has no vault file.');
      return this.vault;
    }
    if (store !== 'keychain') throw new SignetError('INVALID_INPUT', `"${store}" keys have no secret here.`);
    return this.secrets;
  }

  async list(): Promise<KeyInfo[]> {
    const raw = await readJsonFile(this.file).catch((error: Error) => {
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${error.message}`);
    });
    if (raw === undefined) return [];
    const parsed = File.safeParse(raw);
    if (!parsed.success)
      throw new SignetError(
        'IO_ERROR',
        `${this.file} is not a valid key list; fix or move it aside (your private keys are still in the keychain).`,
      );
    return parsed.data.keys;
  }

  /** By id or by name. */
  async get(idOrName: string): Promise<KeyInfo> {
    const keys = await this.list();
    const found = keys.find((k) => k.id === idOrName) ?? keys.find((k) => k.name === idOrName);
    if (!found) throw new SignetError('KEY_NOT_FOUND', `There is no key named or numbered "${idOrName.slice(0, 100)}".`);
    return found;
  }

  private update<T>(change: (keys: KeyInfo[]) => { keys: KeyInfo[]; result: T }): Promise<T> {
    return updateRecords(
      this.file,
      'keys',
      () => this.list(),
      (records) => {
        const { keys, result } = change(records);
        return { records: keys, result };
      },
    );
  }

  async generate(input: {
    name: string;
    type: KeyType;
    userId?: string;
    expires?: Date;
    labels?: string[];
    store?: 'keychain' | 'vault';
  }): Promise<KeyInfo> {
    if ((await this.list()).some((k) => k.name === input.name))
      throw new SignetError('CONFLICT', `A key named "${input.name}" already exists.`);
    const storeName = input.store ?? 'keychain';
    const secrets = this.storeFor(storeName);
    const id = `k-${randomBytes(8).toString('hex')}`;
    const created = new Date().toISOString();
    let info: KeyInfo;
    if (input.type.startsWith('pgp-')) {
      if (!input.userId)
        throw new SignetError('INVALID_INPUT', 'An OpenPGP key needs a user id, e.g. "Release Team <release@example.com>".');
      const pgp = await generatePgpKey(input.type as Extract<KeyType, `pgp-${string}`>, input.userId, input.expires);
      await secrets.put(id, pgp.armoredPrivate);
      const { pgpAlgorithm } = await describeOpenPgpKey(await openpgp.readPrivateKey({ armoredKey: pgp.armoredPrivate }));
      info = {
        id,
        name: input.name,
        type: input.type,
        kind: 'openpgp',
        algorithm: 'openpgp',
        pgpFingerprint: pgp.fingerprint,
        pgpKeyId: pgp.keyId,
        pgpAlgorithm,
        userIds: pgp.userIds,
        created,
        ...(pgp.expires ? { expires: pgp.expires } : {}),
        store: storeName,
        labels: input.labels ?? [],
        retired: false,
      };
    } else {
      const key = await generateSoftwareKey(input.type as Exclude<KeyType, `pgp-${string}`>);
      const chain =
        input.type === 'x509-ecdsa-p256' ? testCertificateChain(key.privateKey, input.userId ?? input.name, input.expires) : undefined;
      const pkcs8 = key.privateKey.export({ type: 'pkcs8', format: 'der' });
      await secrets.put(id, pkcs8.toString('base64'));
      pkcs8.fill(0);
      info = {
        id,
        name: input.name,
        type: input.type,
        kind: 'software',
        algorithm: key.algorithm,
        spkiSha256: key.spkiSha256,
        created,
        ...(input.expires ? { expires: input.expires.toISOString() } : {}),
        ...(chain ? { certificateChain: chain } : {}),
        store: storeName,
        labels: input.labels ?? [],
        retired: false,
      };
    }
    await this.recordNew(info, secrets);
    await this.audit?.append('key.generated', `Generated ${info.type} key "${info.name}"`, {
      keyId: id,
      keyName: info.name,
      fingerprint: info.spkiSha256 ?? info.pgpFingerprint ?? '',
    });
    return info;
  }

  /** Adds a new key to the list; its secret (already stored) is removed again if the list cannot be written. */
  private async recordNew(info: KeyInfo, secrets: KeySecretStore): Promise<void> {
    try {
      await this.update((keys) => ({ keys: [...keys, info], result: undefined }));
    } catch (error) {
      await secrets.delete(info.id).catch(() => undefined);
      throw error;
    }
    if (info.store === 'vault') await this.recordVaultPublic(info);
  }

  /** Imports a key file (see import.ts for the formats); nothing is stored unless it reads cleanly. */
  async importKey(input: {
    name: string;
    file: Uint8Array;
    password: Uint8Array;
    store?: 'keychain' | 'vault';
  }): Promise<KeyInfo & { found: string }> {
    if ((await this.list()).some((k) => k.name === input.name))
      throw new SignetError('CONFLICT', `A key named "${input.name}" already exists.`);
    const storeName = input.store ?? 'keychain';
    const secrets = this.storeFor(storeName);
    const imported = await importKey(input.file, input.password);
    const id = `k-${randomBytes(8).toString('hex')}`;
    const created = new Date().toISOString();
    let info: KeyInfo;
    if (imported.kind === 'openpgp') {
      const key = await openpgp.readPrivateKey({ armoredKey: imported.armoredPrivate });
      const described = await describeOpenPgpKey(key);
      await secrets.put(id, imported.armoredPrivate);
      info = {
        id,
        name: input.name,
        kind: 'openpgp',
        algorithm: 'openpgp',
        ...described,
        created,
        store: storeName,
        labels: ['imported'],
        retired: false,
      };
    } else {
      const algorithm = algorithmOf(imported.privateKey);
      const details = imported.privateKey.asymmetricKeyDetails;
      const type: KeyType =
        imported.privateKey.asymmetricKeyType === 'ed25519'
          ? 'ed25519'
          : imported.privateKey.asymmetricKeyType === 'rsa'
            ? (`rsa-${details?.modulusLength ?? 2048}` as KeyType)
            : details?.namedCurve === 'secp384r1'
              ? 'ecdsa-p384'
              : details?.namedCurve === 'prime256v1'
                ? 'ecdsa-p256'
                : (`ecdsa-${details?.namedCurve ?? 'unknown'}` as KeyType);
      if (!KEY_TYPE_SET.has(type))
        throw new SignetError('UNSUPPORTED', `Keys of type ${type} are not supported here yet (P-256, P-384, RSA 2048–4096, Ed25519).`);
      const pkcs8 = imported.privateKey.export({ type: 'pkcs8', format: 'der' });
      await secrets.put(id, pkcs8.toString('base64'));
      pkcs8.fill(0);
      info = {
        id,
        name: input.name,
        type,
        kind: 'software',
        algorithm,
        spkiSha256: spkiSha256(imported.privateKey),
        created,
        store: storeName,
        labels: ['imported'],
        retired: false,
      };
    }
    await this.recordNew(info, secrets);
    await this.audit?.append('key.imported', `Imported ${imported.found} as "${info.name}"`, {
      keyId: id,
      keyName: info.name,
      fingerprint: info.spkiSha256 ?? info.pgpFingerprint ?? '',
    });
    return { ...info, found: imported.found };
  }

  /**
   * Records a cloud KMS key as a signing key: its URI, connection and public key. The private
   * key stays in the KMS; nothing goes to the keychain.
   */
  async addKms(input: {
    name: string;
    uri: string;
    connection?: string;
    algorithm: string;
    publicKeyPem: string;
    labels?: string[];
  }): Promise<KeyInfo> {
    if ((await this.list()).some((k) => k.name === input.name))
      throw new SignetError('CONFLICT', `A key named "${input.name}" already exists.`);
    let fingerprint: string;
    try {
      fingerprint = isSm2Spki(input.publicKeyPem) ? pemSpkiSha256(input.publicKeyPem) : spkiSha256(createPublicKey(input.publicKeyPem));
    } catch {
      throw new SignetError('KMS_ERROR', `The KMS returned a public key for ${input.uri} that cannot be read.`);
    }
    const info: KeyInfo = {
      id: `k-${randomBytes(8).toString('hex')}`,
      name: input.name,
      type: 'kms',
      kind: 'kms',
      algorithm: input.algorithm,
      spkiSha256: fingerprint,
      created: new Date().toISOString(),
      store: 'kms',
      uri: input.uri,
      ...(input.connection ? { connection: input.connection } : {}),
      publicKeyPem: input.publicKeyPem,
      labels: input.labels ?? ['kms'],
      retired: false,
    };
    await this.update((keys) => ({ keys: [...keys, info], result: undefined }));
    await this.audit?.append('key.imported', `Added KMS key ${input.uri} as "${info.name}"`, {
      keyId: info.id,
      keyName: info.name,
      fingerprint,
    });
    return info;
  }

  /** Attaches an X.509 chain whose leaf holds this key's public key (each link checked). */
  async attachCertificate(idOrName: string, chain: Uint8Array): Promise<KeyInfo> {
    const info = await this.get(idOrName);
    if (!info.spkiSha256)
      throw new SignetError('UNSUPPORTED', `"${info.name}" is an OpenPGP key; X.509 certificates are for software, token and KMS keys.`);
    const read = readChainFor(chain, info.spkiSha256);
    const next = { ...info, certificateChain: read.pem };
    await this.update((keys) => ({ keys: keys.map((k) => (k.id === info.id ? next : k)), result: undefined }));
    await this.audit?.append('key.imported', `Attached a certificate chain (${read.subjects[0]}) to "${info.name}"`, {
      keyId: info.id,
      keyName: info.name,
      fingerprint: info.spkiSha256,
      certificates: read.subjects.length,
    });
    return next;
  }

  /** A PKCS#10 request for a software key, asking for a code-signing certificate. */
  async csr(idOrName: string, subject: { commonName: string; organization?: string }): Promise<string> {
    const info = await this.get(idOrName);
    if (info.kind !== 'software')
      throw new SignetError(
        'UNSUPPORTED',
        `Certificate requests are made for software keys; "${info.name}" is ${info.kind === 'openpgp' ? 'an OpenPGP key' : 'a KMS key'}.`,
      );
    const der = Buffer.from(await this.secret(info), 'base64');
    try {
      return makeCsr(subject, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    } finally {
      der.fill(0);
    }
  }

  /** Where a KMS key lives, after the retired and expiry checks every signing key passes. */
  async kmsReference(idOrName: string): Promise<{ uri: string; connection?: string; algorithm: string; name: string }> {
    const info = await this.usable(idOrName);
    if (info.kind !== 'kms' || !info.uri) throw new SignetError('INVALID_INPUT', `"${info.name}" is not a KMS key.`);
    return { uri: info.uri, algorithm: info.algorithm, name: info.name, ...(info.connection ? { connection: info.connection } : {}) };
  }

  async publicExports(idOrName: string): Promise<PublicExports> {
    const info = await this.get(idOrName);
    if (info.kind === 'kms')
      return {
        ...(info.publicKeyPem ? { pem: info.publicKeyPem } : {}),
        ...(info.certificateChain ? { x509: info.certificateChain } : {}),
      };
    // A vault key's public half needs no passphrase: it is kept beside the vault and checked here against the key's fingerprint.
    if (info.store === 'vault' && this.vault && !this.vault.unlocked) {
      const kept = await this.vault.publicPart(info.id);
      if (kept) return checkedPublicPart(info, kept);
    }
    return this.publicFromSecret(info);
  }

  /** The public half, derived from the private key itself. */
  private async publicFromSecret(info: KeyInfo): Promise<PublicExports> {
    const secret = await this.secret(info);
    if (info.kind === 'openpgp') return { pgp: (await openpgp.readPrivateKey({ armoredKey: secret })).toPublic().armor() };
    const der = Buffer.from(secret, 'base64');
    try {
      return {
        pem: createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }))
          .export({ type: 'spki', format: 'pem' })
          .toString(),
        ...(info.certificateChain ? { x509: info.certificateChain } : {}),
      };
    } finally {
      der.fill(0);
    }
  }

  /** Best effort: without it the public half needs the passphrase until the next unlock rewrites the file. */
  private async recordVaultPublic(info: KeyInfo): Promise<void> {
    try {
      const exports = await this.publicFromSecret(info);
      await this.vault?.putPublic(info.id, { ...(exports.pem ? { pem: exports.pem } : {}), ...(exports.pgp ? { pgp: exports.pgp } : {}) });
    } catch {
      // The key itself is stored; only the convenience copy is missing.
    }
  }

  /**
   * After the vault is unlocked: rewrites the public halves kept beside it from its private keys, and
   * names the keys whose kept half had been altered while it was locked (or all, when the file's MAC failed).
   */
  async refreshVaultPublic(): Promise<{ altered: string[] }> {
    if (!this.vault?.unlocked) return { altered: [] };
    const inVault = (await this.list()).filter((k) => k.store === 'vault' && k.kind !== 'kms');
    const truth: Record<string, { pem?: string; pgp?: string }> = {};
    for (const info of inVault) {
      const exports = await this.publicFromSecret(info).catch(() => undefined);
      if (exports) truth[info.id] = { ...(exports.pem ? { pem: exports.pem } : {}), ...(exports.pgp ? { pgp: exports.pgp } : {}) };
    }
    const { altered, macFailed } = await this.vault.resealPublic(truth);
    const names = inVault.filter((k) => altered.includes(k.id)).map((k) => k.name);
    return { altered: macFailed && names.length === 0 ? ['(the file of public parts)'] : names };
  }

  /** cosign's encrypted key file, for `cosign sign --key`; the password comes from the user. */
  async exportCosign(idOrName: string, password: Uint8Array): Promise<{ key: string; pub: string }> {
    const info = await this.get(idOrName);
    if (info.kind !== 'software')
      throw new SignetError('UNSUPPORTED', 'Only software keys export in cosign format; OpenPGP keys export as armored OpenPGP.');
    const der = Buffer.from(await this.secret(info), 'base64');
    try {
      const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      const result = {
        key: await encryptCosignKey(privateKey, password),
        pub: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      };
      await this.audit?.append('key.exported', `Exported the private key "${info.name}" in cosign format`, {
        keyId: info.id,
        keyName: info.name,
        fingerprint: info.spkiSha256 ?? '',
      });
      return result;
    } finally {
      der.fill(0);
    }
  }

  /**
   * An OpenPGP secret key, encrypted with the passphrase given (gpg's S2K, iterated and salted),
   * armored with its CRC line: `gpg --import` reads it and signs with it; skopeo takes it too.
   */
  async exportPgpSecret(idOrName: string, passphrase: string): Promise<{ armored: string }> {
    const info = await this.get(idOrName);
    if (info.kind !== 'openpgp')
      throw new SignetError(
        'UNSUPPORTED',
        `"${info.name}" is not an OpenPGP key; ${info.kind === 'software' ? 'export it in cosign format' : 'its private key stays in the KMS'}.`,
      );
    const armored = await exportProtectedSecretKey(await this.secret(info), passphrase);
    await this.audit?.append('key.exported', `Exported the OpenPGP secret key "${info.name}" (passphrase-protected)`, {
      keyId: info.id,
      keyName: info.name,
      fingerprint: info.pgpFingerprint ?? '',
    });
    return { armored };
  }

  /** A software key's signer; KMS keys are opened through keys/resolve-signer.ts. */
  async signer(idOrName: string, algorithm?: SignatureAlgorithm): Promise<Signer> {
    const info = await this.usable(idOrName);
    if (algorithm && algorithm !== info.algorithm && !(info.algorithm.startsWith('rsa-') && algorithm.startsWith('rsa-'))) {
      throw new SignetError('INVALID_INPUT', `"${info.name}" is a ${info.algorithm} key; it cannot sign ${algorithm}.`);
    }
    if (info.kind === 'kms') throw new SignetError('UNSUPPORTED', `"${info.name}" is a KMS key; it signs through its KMS connection.`);
    if (info.kind !== 'software')
      throw new SignetError('UNSUPPORTED', `"${info.name}" is an OpenPGP key: it signs simple signatures, not cosign ones.`);
    const der = Buffer.from(await this.secret(info), 'base64');
    try {
      const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      return softwareSigner(privateKey, {
        keyId: info.id,
        provider: 'software',
        algorithm: (algorithm ?? info.algorithm) as SignatureAlgorithm,
        label: info.name,
        spkiSha256: info.spkiSha256 as string,
      });
    } finally {
      der.fill(0);
    }
  }

  async pgpSigner(idOrName: string): Promise<PgpSigner> {
    const info = await this.usable(idOrName);
    if (info.kind !== 'openpgp') throw new SignetError('UNSUPPORTED', `"${info.name}" is not an OpenPGP key.`);
    return pgpSigner(await this.secret(info));
  }

  async retire(idOrName: string): Promise<KeyInfo> {
    const info = await this.get(idOrName);
    const next = { ...info, retired: true };
    await this.update((keys) => ({ keys: keys.map((k) => (k.id === info.id ? next : k)), result: undefined }));
    await this.audit?.append('key.retired', `Retired key "${info.name}"`, {
      keyId: info.id,
      keyName: info.name,
      fingerprint: info.spkiSha256 ?? info.pgpFingerprint ?? '',
    });
    return next;
  }

  /** Deleting needs the key's name typed again; the keychain entry goes too. */
  async delete(idOrName: string, confirmName: string): Promise<void> {
    const info = await this.get(idOrName);
    if (confirmName !== info.name) throw new SignetError('INVALID_INPUT', `Type the key's name, "${info.name}", to delete it.`);
    await this.update((keys) => ({ keys: keys.filter((k) => k.id !== info.id), result: undefined }));
    if (info.store === 'keychain' || info.store === 'vault')
      await this.storeFor(info.store)
        .delete(info.id)
        .catch(() => undefined);
    await this.audit?.append('key.deleted', `Deleted key "${info.name}"`, {
      keyId: info.id,
      keyName: info.name,
      type: info.type,
      store: info.store,
      fingerprint: info.spkiSha256 ?? info.pgpFingerprint ?? '',
    });
  }

  private async usable(idOrName: string): Promise<KeyInfo> {
    const info = await this.get(idOrName);
    if (info.retired) throw new SignetError('KEY_LOCKED', `"${info.name}" is retired: it is kept for verification and no longer signs.`);
    if (info.expires && Date.parse(info.expires) < Date.now())
      throw new SignetError('KEY_LOCKED', `"${info.name}" expired on ${info.expires}.`);
    return info;
  }

  private async secret(info: KeyInfo): Promise<string> {
    const secret = await this.storeFor(info.store).get(info.id);
    if (!secret)
      throw new SignetError(
        'KEY_NOT_FOUND',
        `The private part of "${info.name}" is not in the ${info.store === 'vault' ? 'vault file' : 'OS keychain'}; it may have been removed outside Signet.`,
      );
    return secret;
  }
}

/**
 * A public half kept beside the locked vault, accepted only when it is the key the list records:
 * its SPKI SHA-256 or OpenPGP fingerprint must match (a swapped file is refused, not shown).
 */
async function checkedPublicPart(info: KeyInfo, kept: { pem?: string; pgp?: string }): Promise<PublicExports> {
  const altered = () =>
    new SignetError(
      'VERIFICATION_FAILED',
      `The public key kept beside the vault for "${info.name}" does not match the key's fingerprint: it was altered. Unlock the vault to restore it from the private key.`,
    );
  if (info.kind === 'openpgp') {
    if (!kept.pgp) throw altered();
    const key = await openpgp.readKey({ armoredKey: kept.pgp }).catch(() => undefined);
    if (!key || key.isPrivate() || key.getFingerprint().toUpperCase() !== info.pgpFingerprint) throw altered();
    return { pgp: kept.pgp };
  }
  if (!kept.pem) throw altered();
  let fingerprint: string | undefined;
  try {
    const key = createPublicKey(kept.pem);
    fingerprint = key.type === 'public' ? spkiSha256(key) : undefined;
  } catch {
    fingerprint = undefined;
  }
  if (!fingerprint || fingerprint !== info.spkiSha256) throw altered();
  return { pem: kept.pem, ...(info.certificateChain ? { x509: info.certificateChain } : {}) };
}
