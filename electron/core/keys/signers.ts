import { constants, createPublicKey, sign, type KeyObject } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { PgpSigner, Signer, SignerDescription } from '../signing/signer';
import { nodeHashOf } from '../signing/algorithms';
import { signingKeyOf } from './openpgp-material';

/** A software key held in memory only for the signing it is loaded for. */
export function softwareSigner(privateKey: KeyObject, description: SignerDescription): Signer {
  const hash = nodeHashOf(description.algorithm);
  if (hash === null && description.algorithm !== 'ed25519') throw new Error(`No software signing for ${description.algorithm}`);
  return {
    describe: () => description,
    publicKeyPem: async () => createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
    // PSS with salt length = digest length, as openssl's rsa_pss_saltlen:digest and the KMSs use.
    sign: async (data) =>
      description.algorithm.startsWith('rsa-pss')
        ? sign(hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
        : sign(hash, data, privateKey),
  };
}

export async function pgpSigner(armoredPrivate: string): Promise<PgpSigner> {
  const privateKey = await openpgp.readPrivateKey({ armoredKey: armoredPrivate });
  const fingerprint = privateKey.getFingerprint().toUpperCase();
  const signing = await signingKeyOf(privateKey);
  return {
    fingerprint,
    ...(signing.subkey ? { signingSubkey: signing.fingerprint } : {}),
    keyId: privateKey.getKeyID().toHex().toUpperCase(),
    userIds: privateKey.getUserIDs(),
    armoredPublicKey: async () => privateKey.toPublic().armor(),
    signMessage: async (data) =>
      (await openpgp.sign({
        message: await openpgp.createMessage({ binary: data }),
        signingKeys: privateKey,
        format: 'binary',
      })) as Uint8Array,
    signDetached: async (data) =>
      (await openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys: privateKey, detached: true })) as string,
  };
}
