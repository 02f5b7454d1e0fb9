import { X509Certificate } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import { spkiSha256 } from './generate';

const MAX_CERTIFICATES = 10;

/**
 * Reads an X.509 chain (PEM with one or more certificates, or one DER certificate) for a key:
 * the first certificate must hold exactly that public key, and each one must be issued and
 * signed by the next (checked with node:crypto). Returns the chain as PEM, leaf first.
 */
export function readChainFor(input: Uint8Array, keySpkiSha256: string): { pem: string; subjects: string[] } {
  const text = Buffer.from(input).toString('latin1');
  let certs: X509Certificate[];
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length > MAX_CERTIFICATES)
        throw new SignetError('TOO_LARGE', `The chain has ${blocks.length} certificates; Signet takes at most ${MAX_CERTIFICATES}.`);
      certs = blocks.map((b) => new X509Certificate(b));
    } else {
      certs = [new X509Certificate(Buffer.from(input))];
    }
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('MALFORMED', 'This is not an X.509 certificate (PEM or DER), or it is cut short.');
  }
  if (certs.length === 0) throw new SignetError('MALFORMED', 'No certificate found.');
  const leaf = certs[0] as X509Certificate;
  if (spkiSha256(leaf.publicKey) !== keySpkiSha256)
    throw new SignetError('INVALID_INPUT', 'The first certificate is for another public key than this key’s.');
  for (let i = 0; i + 1 < certs.length; i++) {
    const cert = certs[i] as X509Certificate;
    const issuer = certs[i + 1] as X509Certificate;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey))
      throw new SignetError(
        'VERIFICATION_FAILED',
        `Certificate ${i + 1} (${cert.subject.replace(/\n/g, ', ')}) is not issued and signed by certificate ${i + 2}; put the chain leaf first.`,
      );
  }
  return { pem: certs.map((c) => c.toString()).join(''), subjects: certs.map((c) => c.subject.replace(/\n/g, ', ')) };
}
