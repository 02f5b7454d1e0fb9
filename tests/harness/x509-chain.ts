import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { makeCertificate } from '../../electron/core/keys/x509';

/**
 * A leaf certificate for `publicKeyPem`, issued by a fresh P-256 CA valid from a minute ago for a
 * day: the chain (leaf then CA, PEM) a Notation signer attaches.
 */
export function testChain(publicKeyPem: string, names: { ca: string; leaf: string }): { leafPem: string; caPem: string } {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caSubject = { commonName: names.ca, organization: 'Signet Test' };
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
  const issuer = { subject: caSubject, privateKey: ca.privateKey };
  const caPem = makeCertificate({ subject: caSubject, publicKey: ca.publicKey, issuer, ...validity, ca: true });
  const leafPem = makeCertificate({
    subject: { commonName: names.leaf, organization: 'Signet Test' },
    publicKey: createPublicKey(publicKeyPem),
    issuer,
    ...validity,
    ca: false,
  });
  return { leafPem, caPem };
}
