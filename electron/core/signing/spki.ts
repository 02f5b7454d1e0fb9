import { createHash, createPublicKey } from 'node:crypto';

/**
 * SHA-256 of a public key's DER SubjectPublicKeyInfo, lower-case hex, from its PEM: read from the
 * PEM body itself, so SM2 keys (which Electron's BoringSSL cannot parse) have a fingerprint too.
 */
export function pemSpkiSha256(publicKeyPem: string): string {
  const der = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(publicKeyPem);
  if (!der)
    return createHash('sha256')
      .update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }))
      .digest('hex');
  return createHash('sha256')
    .update(Buffer.from((der[1] as string).replace(/\s+/g, ''), 'base64'))
    .digest('hex');
}
