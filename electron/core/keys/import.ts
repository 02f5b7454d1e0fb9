import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';
import { COSIGN_LABEL, decryptCosignKey, readPem, SIGSTORE_LABEL } from './cosign-key';
import { isBinaryOpenPgp, readOpenPgpSecretKey } from './openpgp-material';

export type ImportedKey =
  { kind: 'software'; privateKey: KeyObject; found: string } | { kind: 'openpgp'; armoredPrivate: string; found: string };

/**
 * Detects what a key file holds and reads it: cosign encrypted keys (both labels), PKCS#8
 * (plain or encrypted), PKCS#1 RSA, SEC1 EC, and OpenPGP secret keys, armored or binary
 * (decrypted with the password when protected). Says what it found, or exactly why it cannot
 * import it.
 */
export async function importKey(file: Uint8Array, password: Uint8Array): Promise<ImportedKey> {
  if (isBinaryOpenPgp(file)) return importPgp(file, password);
  const text = Buffer.from(file).toString('utf8');
  if (text.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----') || text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----'))
    return importPgp(file, password);
  const block = readPem(text);
  if (!block)
    throw new SignetError('MALFORMED', 'No key found: expected a PEM file (BEGIN … PRIVATE KEY) or an armored OpenPGP secret key.');
  if (block.label === SIGSTORE_LABEL || block.label === COSIGN_LABEL) {
    const { privateKey } = await decryptCosignKey(text, password);
    return { kind: 'software', privateKey, found: `cosign private key (${block.label})` };
  }
  const formats: Record<string, { type: 'pkcs8' | 'pkcs1' | 'sec1'; found: string }> = {
    'PRIVATE KEY': { type: 'pkcs8', found: 'PKCS#8 private key' },
    'ENCRYPTED PRIVATE KEY': { type: 'pkcs8', found: 'encrypted PKCS#8 private key' },
    'RSA PRIVATE KEY': { type: 'pkcs1', found: 'PKCS#1 RSA private key' },
    'EC PRIVATE KEY': { type: 'sec1', found: 'SEC1 EC private key' },
  };
  const format = formats[block.label];
  if (!format) {
    if (/PUBLIC KEY|CERTIFICATE/.test(block.label))
      throw new SignetError('UNSUPPORTED', `This is a ${block.label.toLowerCase()}: it can verify (add it to trust) but not sign.`);
    throw new SignetError('UNSUPPORTED', `Signet does not import "${block.label}" files.`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: block.der,
      format: 'der',
      type: format.type,
      ...(block.label === 'ENCRYPTED PRIVATE KEY' ? { passphrase: Buffer.from(password) } : {}),
    });
  } catch (error) {
    const message = (error as Error).message;
    if (block.label === 'ENCRYPTED PRIVATE KEY' && /decrypt|bad/i.test(message))
      throw new SignetError('BAD_PASSPHRASE', 'The password does not open this encrypted PKCS#8 key.');
    throw new SignetError(
      'MALFORMED',
      `The ${format.found} cannot be read (${message.slice(0, 100)}); the file may be truncated or damaged.`,
    );
  }
  const type = privateKey.asymmetricKeyType;
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && !['prime256v1', 'secp384r1', 'secp521r1'].includes(curve ?? ''))
    throw new SignetError(
      'UNSUPPORTED',
      `The EC curve ${curve ?? 'unknown'} is not supported for image signing (use P-256, P-384 or P-521).`,
    );
  const bits = privateKey.asymmetricKeyDetails?.modulusLength;
  if (type === 'rsa' && ![2048, 3072, 4096].includes(bits ?? 0))
    throw new SignetError('UNSUPPORTED', `RSA keys of ${bits ?? 'unknown'} bits are not supported (use 2048, 3072 or 4096).`);
  if (type !== 'ec' && type !== 'rsa' && type !== 'ed25519')
    throw new SignetError('UNSUPPORTED', `${type ?? 'This'} keys are not supported for image signing.`);
  return { kind: 'software', privateKey, found: format.found };
}

async function importPgp(file: Uint8Array, password: Uint8Array): Promise<ImportedKey> {
  let key = await readOpenPgpSecretKey(file);
  if (!key.isDecrypted()) {
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase: Buffer.from(password).toString('utf8') });
    } catch {
      throw new SignetError('BAD_PASSPHRASE', 'The password does not open this OpenPGP secret key.');
    }
  }
  return {
    kind: 'openpgp',
    armoredPrivate: key.armor(),
    found: `OpenPGP v${key.keyPacket.version} secret key ${key.getFingerprint().toUpperCase()}`,
  };
}
