import { createHash, createPublicKey } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import { SignatureBundle, type BundleSignature, type RequestedSigner, type StationState } from '../../../shared/models/offline';
import type { PgpSigner, Signer } from '../signing/signer';
import { offlineWay } from '../signatures/formats';
import { readRequest, sha256Hex } from './request';

export interface OfflineSigners {
  /** For cosign and Notation items. */
  signer?: Signer;
  /** For simplesigning and asc items. */
  pgp?: PgpSigner;
}

export interface SignRequestOptions {
  requestBytes: Uint8Array;
  /** Item ids the officer approved; the others are recorded as declined. */
  approved: ReadonlySet<string> | 'all';
  signers: OfflineSigners;
  createdBy: string;
  now: () => Date;
  /** Offline mode when signing, and whether the signer overrode it being off. */
  station: StationState;
  progress?: (done: number, total: number, message: string) => void;
}

/**
 * Signs the approved items of a request over the exact payload bytes it carries, with the key
 * the request names (checked before anything is signed), and returns the bundle bytes.
 */
export async function signRequest(
  options: SignRequestOptions,
): Promise<{ bytes: Buffer; bundle: SignatureBundle; signed: number; declined: number }> {
  const read = readRequest(options.requestBytes);
  const { request } = read;
  const approved = options.approved === 'all' ? new Set(request.items.map((i) => i.id)) : options.approved;
  for (const id of approved) {
    if (!read.payloads.has(id)) throw new SignetError('INVALID_INPUT', `The request has no item ${id}.`);
  }
  const key = await describeKey(request.signer, options.signers);
  const signatures: BundleSignature[] = [];
  const declined: string[] = [];
  const chosen = request.items.filter((i) => approved.has(i.id));
  let done = 0;
  options.progress?.(0, chosen.length, 'Signing');
  for (const item of request.items) {
    if (!approved.has(item.id)) {
      declined.push(item.id);
      continue;
    }
    const payload = read.payloads.get(item.id) as Buffer;
    let signature: Uint8Array;
    if (offlineWay(item.format).key === 'signer') signature = await (options.signers.signer as Signer).sign(payload);
    else signature = await (options.signers.pgp as PgpSigner).signMessage(payload);
    signatures.push({
      itemId: item.id,
      format: item.format,
      signature: Buffer.from(signature).toString('base64'),
      signedAt: options.now().toISOString(),
    });
    done += 1;
    options.progress?.(done, chosen.length, `Signed ${item.reference} (${item.format})`);
  }
  const bundle = SignatureBundle.parse({
    format: 'signet-signature-bundle',
    version: 1,
    requestSha256: read.sha256,
    createdAt: options.now().toISOString(),
    createdBy: options.createdBy,
    key,
    signatures,
    declined,
    station: options.station,
  });
  return {
    bytes: Buffer.from(`${JSON.stringify(bundle, null, 2)}\n`, 'utf8'),
    bundle,
    signed: signatures.length,
    declined: declined.length,
  };
}

async function describeKey(requested: RequestedSigner, signers: OfflineSigners): Promise<SignatureBundle['key']> {
  if (requested.kind === 'pgp-fingerprint') {
    const pgp = signers.pgp;
    if (!pgp) throw new SignetError('KEY_NOT_FOUND', 'This request must be signed with an OpenPGP key; choose one.');
    if (pgp.fingerprint.toUpperCase() !== requested.value) {
      throw new SignetError(
        'UNTRUSTED',
        `This request must be signed by OpenPGP key ${requested.value}, not ${pgp.fingerprint.toUpperCase()}.`,
      );
    }
    return {
      publicKey: await pgp.armoredPublicKey(),
      kind: 'openpgp',
      algorithm: 'openpgp',
      fingerprint: pgp.fingerprint.toUpperCase(),
      ...(pgp.userIds[0] ? { label: pgp.userIds[0] } : {}),
    };
  }
  const signer = signers.signer;
  if (!signer)
    throw new SignetError('KEY_NOT_FOUND', 'This request must be signed with a signing key (software, token or KMS); choose one.');
  const description = signer.describe();
  const pem = await signer.publicKeyPem();
  const spki = createHash('sha256')
    .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
    .digest('hex');
  if (requested.kind === 'spki-sha256' && spki !== requested.value) {
    throw new SignetError('UNTRUSTED', `This request must be signed by the key with SPKI SHA-256 ${requested.value}, not ${spki}.`);
  }
  if (requested.kind === 'uri' && description.keyId !== requested.value) {
    throw new SignetError('UNTRUSTED', `This request must be signed by ${requested.value}, not ${description.keyId}.`);
  }
  return {
    publicKey: pem,
    kind: 'spki',
    algorithm: description.algorithm,
    fingerprint: spki,
    label: requested.kind === 'uri' ? requested.value : description.label,
  };
}

export { sha256Hex };
