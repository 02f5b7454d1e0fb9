import type { KmsAlgorithm, KmsKey, KmsKeyVersion } from '../../../shared/models/kms';
import { ALGORITHMS, algorithmsForKey, defaultAlgorithm, digestFor, publicKeyKind, spkiSha256 } from './algorithms';
import { kmsError } from './errors';
import { providerName } from './providers';
import type { KmsClient } from './provider';
import type { Signer, SignerDescription } from '../signing/signer';
import { pinnedVersion, withVersion, type KmsKeyRef } from './uri';
import { assertKmsSignature } from './verify';

/** A KMS signature with what a person (and the audit log) needs to know about it. */
export interface KmsSignature {
  signature: Uint8Array;
  algorithm: KmsAlgorithm;
  padding: string;
  keyVersion: string;
  /** The key URI pinned to the version that signed. */
  versionUri: string;
}

export interface KmsSigner extends Signer {
  readonly key: KmsKey;
  readonly keyVersion: string;
  readonly algorithm: KmsAlgorithm;
  /** Every algorithm this key version allows (the formats a key can sign in follow from these). */
  readonly allowedAlgorithms: readonly KmsAlgorithm[];
  signDetailed(data: Uint8Array): Promise<KmsSignature>;
  signDigestDetailed(digest: Uint8Array): Promise<KmsSignature>;
}

export interface OpenSignerOptions {
  algorithm?: KmsAlgorithm;
  version?: string;
}

/**
 * Wraps a provider client as a `Signer`: picks the key version (pinned, asked, or the KMS's
 * current one), refuses disabled versions and algorithms the KMS does not allow, and verifies
 * every signature locally against that version's public key before handing it out.
 */
export async function openKmsSigner(client: KmsClient, ref: KmsKeyRef, options: OpenSignerOptions = {}): Promise<KmsSigner> {
  const provider = client.provider;
  const key = await client.describeKey(ref);
  if (!key.canSign) throw kmsError(provider, 'wrong-usage', { key: ref.uri, vendor: key.usage ? `its usage is ${key.usage}` : undefined });
  assertUsableState(provider, ref.uri, key.state);

  const wanted = options.version ?? pinnedVersion(ref);
  const version = chooseVersion(key, wanted, ref);
  assertUsableState(provider, `${ref.uri} (version ${version.version})`, version.state);

  const publicKeyPem = await client.getPublicKey(ref, version.version);
  const kind = publicKeyKind(publicKeyPem);
  const possible = algorithmsForKey(kind);
  const offered = version.algorithms.length ? version.algorithms : key.algorithms;
  const allowed = offered.filter((a) => possible.includes(a));
  const algorithm = options.algorithm ?? defaultAlgorithm(allowed);
  if (!algorithm || !allowed.includes(algorithm)) {
    const list = allowed.length ? allowed.join(', ') : 'none that Signet can verify';
    throw kmsError(provider, 'algorithm-not-allowed', {
      key: ref.uri,
      hint: `${options.algorithm ? `${options.algorithm} was asked; ` : ''}the key allows ${list}.`,
    });
  }

  const versionUri = withVersion(ref, version.version);
  const description: SignerDescription = {
    keyId: versionUri,
    provider,
    algorithm,
    label: `${providerName(provider)} ${ref.uri}`,
    spkiSha256: spkiSha256(publicKeyPem),
    keyVersion: version.version,
  };
  const where = `${providerName(provider)} key ${ref.uri} (version ${version.version}, ${algorithm})`;

  const signChecked = async (digest: Uint8Array, data?: Uint8Array): Promise<KmsSignature> => {
    const result = await client.signDigest(ref, { version: version.version, algorithm, digest });
    if (result.version !== version.version) {
      throw kmsError(provider, 'answer-refused', {
        key: ref.uri,
        hint: `The KMS signed with key version ${result.version} where version ${version.version} was asked; Signet refused the signature.`,
      });
    }
    assertKmsSignature({ algorithm, publicKeyPem, digest, signature: result.signature, ...(data ? { data } : {}) }, where);
    return { signature: result.signature, algorithm, padding: ALGORITHMS[algorithm].padding, keyVersion: version.version, versionUri };
  };

  return {
    key,
    keyVersion: version.version,
    algorithm,
    allowedAlgorithms: allowed,
    describe: () => description,
    publicKeyPem: async () => publicKeyPem,
    sign: async (data) => (await signChecked(digestFor(algorithm, publicKeyPem, data), data)).signature,
    signDigest: async (digest) => (await signChecked(digest)).signature,
    signDetailed: (data) => signChecked(digestFor(algorithm, publicKeyPem, data), data),
    signDigestDetailed: (digest) => signChecked(digest),
  };
}

function chooseVersion(key: KmsKey, wanted: string | undefined, ref: KmsKeyRef): KmsKeyVersion {
  if (wanted !== undefined) {
    const found = key.versions.find((v) => v.version === wanted);
    if (!found)
      throw kmsError(ref.provider, 'not-found', {
        key: `${ref.uri} version ${wanted}`,
        hint: `Its versions are ${key.versions.map((v) => v.version).join(', ') || 'none'}.`,
      });
    return found;
  }
  const current = key.versions.find((v) => v.current) ?? key.versions.find((v) => v.state === 'enabled');
  if (!current) throw kmsError(ref.provider, 'disabled', { key: ref.uri, vendor: 'no enabled key version' });
  return current;
}

function assertUsableState(provider: KmsClient['provider'], key: string, state: KmsKey['state']): void {
  if (state === 'enabled') return;
  if (state === 'pending-deletion') throw kmsError(provider, 'pending-deletion', { key, vendor: `state ${state}` });
  throw kmsError(provider, 'disabled', { key, vendor: `state ${state}` });
}
