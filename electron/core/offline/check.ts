import { createHash, createPublicKey } from 'node:crypto';
import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';
import { SignatureBundle, type SigningRequest } from '../../../shared/models/offline';
import type { SignatureAlgorithm } from '../signing/signer';
import { parseStrictJson } from '../json/strict';
import { offlineWay } from '../signatures/formats';
import { readRequest, type ReadRequest } from './request';
import { verifyRawSignature } from '../signing/verify-raw';

export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export interface CheckedSignature {
  itemId: string;
  reference: string;
  digest: string;
  format: SigningRequest['items'][number]['format'];
  payload: Buffer;
  signature: Buffer;
}

export interface CheckedBundle {
  read: ReadRequest;
  bundle: SignatureBundle;
  signatures: CheckedSignature[];
}

/**
 * Checks a bundle against the request it must answer, before anything is attached: same request
 * (hash of its bytes), the key the request named, and every signature verifying over exactly the
 * payload bytes of its item. Any failure refuses the whole bundle with the reason.
 */
export async function checkBundle(requestBytes: Uint8Array, bundleBytes: Uint8Array): Promise<CheckedBundle> {
  const read = readRequest(requestBytes);
  if (bundleBytes.length > MAX_BUNDLE_BYTES) throw new SignetError('TOO_LARGE', 'The signature bundle is larger than 64 MiB.');
  const parsed = SignatureBundle.safeParse(parseStrictJson(bundleBytes, 'The signature bundle'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SignetError(
      'MALFORMED',
      `The signature bundle is not a Signet bundle (version 1): ${issue ? `${issue.path.join('.') || 'document'}: ${issue.message}` : 'unknown problem'}.`,
    );
  }
  const bundle = parsed.data;
  if (bundle.requestSha256 !== read.sha256) {
    throw new SignetError(
      'VERIFICATION_FAILED',
      `This bundle answers another request (SHA-256 ${bundle.requestSha256}), not this one (${read.sha256}).`,
    );
  }
  await checkKey(read.request, bundle);

  const seen = new Set<string>();
  const signatures: CheckedSignature[] = [];
  const pgpKey = bundle.key.kind === 'openpgp' ? await openpgp.readKey({ armoredKey: bundle.key.publicKey }) : undefined;
  for (const entry of bundle.signatures) {
    if (seen.has(entry.itemId)) throw new SignetError('MALFORMED', `The bundle holds two signatures for item ${entry.itemId}.`);
    seen.add(entry.itemId);
    const item = read.request.items.find((i) => i.id === entry.itemId);
    if (!item) throw new SignetError('VERIFICATION_FAILED', `The bundle signs item ${entry.itemId}, which the request does not have.`);
    if (item.format !== entry.format)
      throw new SignetError('VERIFICATION_FAILED', `Item ${item.id} asked for ${item.format}, the bundle holds ${entry.format}.`);
    const payload = read.payloads.get(item.id) as Buffer;
    const signature = Buffer.from(entry.signature, 'base64');
    const where = `item ${item.id} (${item.reference}, ${item.format})`;
    if (offlineWay(entry.format).key === 'signer') {
      if (!verifyRawSignature(bundle.key.algorithm as SignatureAlgorithm, bundle.key.publicKey, payload, signature)) {
        throw new SignetError(
          'VERIFICATION_FAILED',
          `The signature for ${where} does not verify over the payload the request carries with the bundle's key.`,
        );
      }
    } else {
      await checkPgpMessage(signature, payload, pgpKey as openpgp.Key, where);
    }
    signatures.push({ itemId: item.id, reference: item.reference, digest: item.digest, format: item.format, payload, signature });
  }
  return { read, bundle, signatures };
}

async function checkKey(request: SigningRequest, bundle: SignatureBundle): Promise<void> {
  const wanted = request.signer;
  if (wanted.kind === 'pgp-fingerprint') {
    if (bundle.key.kind !== 'openpgp')
      throw new SignetError('UNTRUSTED', 'The request asked for an OpenPGP key; the bundle was signed with another kind of key.');
    const key = await openpgp.readKey({ armoredKey: bundle.key.publicKey }).catch(() => {
      throw new SignetError('MALFORMED', 'The bundle’s OpenPGP public key cannot be read.');
    });
    const fingerprint = key.getFingerprint().toUpperCase();
    if (fingerprint !== wanted.value)
      throw new SignetError('UNTRUSTED', `The request asked for OpenPGP key ${wanted.value}; the bundle was signed by ${fingerprint}.`);
    return;
  }
  if (bundle.key.kind !== 'spki')
    throw new SignetError('UNTRUSTED', 'The request asked for a signing key; the bundle carries an OpenPGP key.');
  let spki: string;
  try {
    spki = createHash('sha256')
      .update(createPublicKey(bundle.key.publicKey).export({ type: 'spki', format: 'der' }))
      .digest('hex');
  } catch {
    throw new SignetError('MALFORMED', 'The bundle’s public key cannot be read.');
  }
  if (wanted.kind === 'spki-sha256' && spki !== wanted.value)
    throw new SignetError(
      'UNTRUSTED',
      `The request asked for the key with SPKI SHA-256 ${wanted.value}; the bundle was signed by ${spki}.`,
    );
  if (wanted.kind === 'uri' && bundle.key.label !== wanted.value)
    throw new SignetError(
      'UNTRUSTED',
      `The request asked for ${wanted.value}; the bundle was signed by ${bundle.key.label ?? 'another key'}.`,
    );
}

async function checkPgpMessage(signature: Buffer, payload: Buffer, key: openpgp.Key, where: string): Promise<void> {
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: signature });
  } catch {
    throw new SignetError('MALFORMED', `The signature for ${where} is not an OpenPGP message.`);
  }
  let data: Uint8Array;
  try {
    const result = await openpgp.verify({ message, verificationKeys: key, expectSigned: true, format: 'binary' });
    data = result.data as Uint8Array;
  } catch (error) {
    throw new SignetError(
      'VERIFICATION_FAILED',
      `The signature for ${where} does not verify with the bundle's key (${(error as Error).message.slice(0, 120)}).`,
    );
  }
  if (!Buffer.from(data).equals(payload))
    throw new SignetError('VERIFICATION_FAILED', `The signature for ${where} signs other bytes than the payload the request carries.`);
}
