import { createPublicKey, X509Certificate } from 'node:crypto';
import { SignetError } from '../../../../shared/errors';
import { APP_NAME, APP_VERSION } from '../../../../shared/version';
import { spkiSha256 } from '../../keys/generate';
import type { Descriptor } from '../../registry/media';
import type { RegistrySource } from '../../registry/source';
import type { SignatureAlgorithm, Signer } from '../../signing/signer';
import { buildEnvelope, buildNotationPayload, ENVELOPE_MEDIA_TYPE } from './build';
import { algorithmForKey, chainProblem, readCertificate, type NotaryAlgorithm } from './certs';
import type { EnvelopeKind } from './envelope';
import { storeNotationSignature } from './store';
import { defaultNotationTrust } from './trust';
import { verifyNotation } from './verify';

/** The Signer algorithm each Notary algorithm needs (JWS and COSE take RSA-PSS only). */
const SIGNER_ALGORITHM: Readonly<Record<NotaryAlgorithm, SignatureAlgorithm>> = {
  ES256: 'ecdsa-p256-sha256',
  ES384: 'ecdsa-p384-sha384',
  ES512: 'ecdsa-p521-sha512',
  PS256: 'rsa-pss-sha256',
  PS384: 'rsa-pss-sha384',
  PS512: 'rsa-pss-sha512',
};
/** The signing algorithm Notation needs for a public key (RSA keys sign PSS: JWS and COSE take no PKCS#1 v1.5). */
export function notationSignerAlgorithm(publicKeyPem: string): SignatureAlgorithm | undefined {
  try {
    const alg = algorithmForKey(createPublicKey(publicKeyPem));
    return alg ? SIGNER_ALGORITHM[alg] : undefined;
  } catch {
    return undefined;
  }
}

const EC_SIZE: Partial<Record<NotaryAlgorithm, number>> = { ES256: 32, ES384: 48, ES512: 66 };

/** A DER ECDSA signature (SEQUENCE of two INTEGERs) as JOSE/COSE want it: r‖s, each left-padded to the curve size. */
export function derToRaw(der: Uint8Array, size: number): Buffer {
  const b = Buffer.from(der);
  let pos = 0;
  const length = (): number => {
    const first = b[pos++] ?? 0;
    if (first < 0x80) return first;
    const n = first & 0x7f;
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 8) | (b[pos++] ?? 0);
    return v;
  };
  if (b[pos++] !== 0x30) throw new SignetError('SIGNING_FAILED', 'The signer returned an ECDSA signature that is not DER.');
  length();
  const int = () => {
    if (b[pos++] !== 0x02) throw new SignetError('SIGNING_FAILED', 'The signer returned an ECDSA signature that is not DER.');
    const n = length();
    let v = b.subarray(pos, pos + n);
    pos += n;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new SignetError('SIGNING_FAILED', 'The ECDSA signature does not fit the curve.');
    return Buffer.concat([Buffer.alloc(size - v.length), v]);
  };
  return Buffer.concat([int(), int()]);
}

/** The PEM certificates of a chain, as DER, leaf first. */
function chainDer(pem: string): Buffer[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block).raw);
}

/** Go-style durations notation's --expiry takes: 720h, 1h30m, 90m, 3600s. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '')
    throw new SignetError('INVALID_INPUT', `${JSON.stringify(text.slice(0, 40))} is not a duration such as 720h, 1h30m or 3600s.`);
  const ms = ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
  if (ms <= 0) throw new SignetError('INVALID_INPUT', 'The expiry must be a positive duration.');
  return ms;
}

export interface NotationSignRequest {
  source: RegistrySource;
  repository: string;
  digest: string;
  signer: Signer;
  /** The key's X.509 chain, PEM, leaf first, root included. */
  certificateChain: string;
  envelope: EnvelopeKind;
  /** How long the signature is valid, in milliseconds from now. */
  expiresInMs?: number;
  annotations?: Record<string, string>;
  now: Date;
}

/**
 * Signs an image as `notation sign` does, with a Signet key that has an X.509 chain: the payload
 * is the image's descriptor (with the user's annotations), the envelope JWS or COSE with the
 * signing scheme notary.x509, the signing time, the optional expiry and the chain, leaf first.
 * The chain must satisfy the Notary Project's rules and the envelope must verify with Signet's
 * own verifier (integrity and digest binding, anchored at the chain's root) before anything is
 * written; then it is stored beside the image (storeNotationSignature).
 */
export async function signNotation(
  req: NotationSignRequest,
): Promise<{ payload: string; signatureManifest: string; where: string; tag: string; added: boolean }> {
  for (const key of Object.keys(req.annotations ?? {}))
    if (key.startsWith('io.cncf.notary'))
      throw new SignetError(
        'INVALID_INPUT',
        `The annotation ${JSON.stringify(key)} uses the reserved prefix io.cncf.notary; nothing was signed.`,
      );
  let chain: Buffer[];
  try {
    chain = chainDer(req.certificateChain);
  } catch {
    throw new SignetError('MALFORMED', 'The key’s certificate chain cannot be read.');
  }
  if (!chain.length) throw new SignetError('INVALID_INPUT', 'Notation signing needs the key’s X.509 certificate chain; attach one first.');
  const certs = chain.map((der) => readCertificate(der));
  const leaf = certs[0] as (typeof certs)[number];
  if (spkiSha256(leaf.publicKey).toLowerCase() !== req.signer.describe().spkiSha256.toLowerCase())
    throw new SignetError('INVALID_INPUT', 'The first certificate of the chain is for another key than the one signing.');
  const problem = chainProblem(certs);
  if (problem)
    throw new SignetError(
      'INVALID_INPUT',
      `The key’s certificate chain breaks the Notary Project’s rules (${problem}); notation verifiers would refuse the signature. Nothing was signed.`,
    );
  const alg = algorithmForKey(leaf.publicKey);
  if (!alg) throw new SignetError('UNSUPPORTED', 'Notation signs with RSA 2048/3072/4096 or EC P-256/384/521 keys only.');
  const wanted = SIGNER_ALGORITHM[alg];
  if (req.signer.describe().algorithm !== wanted)
    throw new SignetError(
      'UNSUPPORTED',
      `Notation's ${alg} needs the key to sign with ${wanted}; this key signs with ${req.signer.describe().algorithm}.`,
    );
  const subjectManifest = await req.source.manifest(req.repository, req.digest);
  if (subjectManifest.digest !== req.digest)
    throw new SignetError('DIGEST_MISMATCH', `The registry answered ${subjectManifest.digest} for ${req.digest}; nothing was signed.`);
  const subject: Descriptor = { mediaType: subjectManifest.mediaType, digest: subjectManifest.digest, size: subjectManifest.bytes.length };
  const payload = buildNotationPayload(subject, req.annotations);
  const signingTime = new Date(Math.floor(req.now.getTime() / 1000) * 1000);
  const expiry = req.expiresInMs ? new Date(signingTime.getTime() + req.expiresInMs) : undefined;
  const raw = async (data: Buffer) => {
    const sig = Buffer.from(await req.signer.sign(data));
    const size = EC_SIZE[alg];
    return size ? derToRaw(sig, size) : sig;
  };
  const envelope = await buildEnvelope(
    req.envelope,
    { payload, alg, chain, signingTime, ...(expiry ? { expiry } : {}), signingAgent: `${APP_NAME}/${APP_VERSION}` },
    raw,
  );
  // Self-check with the verifier before anything is written: the envelope, the chain and the binding.
  const root = chain[chain.length - 1] as Buffer;
  const check = verifyNotation(
    envelope,
    ENVELOPE_MEDIA_TYPE[req.envelope],
    subject,
    defaultNotationTrust([{ store: 'self-check', name: 'the chain’s root', der: root }]),
    req.now,
  );
  const broken = check.checks.find((c) => c.status === 'failed');
  if (broken)
    throw new SignetError(
      'SIGNING_FAILED',
      `The Notation signature does not pass Signet's own verification (${broken.code}: ${broken.reason}); nothing was written.`,
      { reason: 'self-check' },
    );
  const stored = await storeNotationSignature(
    req.source,
    req.repository,
    subject,
    envelope,
    ENVELOPE_MEDIA_TYPE[req.envelope],
    certs.map((c) => c.sha256),
    req.now,
  );
  return { payload: payload.toString('utf8'), ...stored };
}
