import { createHash, verify as verifySignature } from 'node:crypto';
import forge from 'node-forge';
import { chainProblem, readCertificate, type CertInfo } from './certs';
import type { NotationAnchor } from './trust';

/**
 * RFC 3161 timestamp countersignatures (`io.cncf.notary.timestampSignature`), verified as
 * notation-go's tspclient does: a CMS SignedData over a TSTInfo, one signer whose certificate the
 * token carries and names in its ESS signing-certificate attribute, the content-type and
 * message-digest attributes, the signature over the signed attributes (node:crypto), a message
 * imprint equal to the hash of the envelope's signature, and a chain from the TSA certificate to
 * a certificate of the policy's tsa stores, valid at the time stamped, with the timestamping
 * certificate rules. The ASN.1 is read with node-forge's decoder; nothing is verified with forge.
 */
const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;
const HASHES: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms of the signer info: RSA PKCS#1 v1.5 (with or without the hash in the OID) and ECDSA. */
const SIGNATURES: Record<string, 'rsa' | 'ecdsa'> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.11': 'rsa',
  '1.2.840.113549.1.1.12': 'rsa',
  '1.2.840.113549.1.1.13': 'rsa',
  '1.2.840.10045.4.3.2': 'ecdsa',
  '1.2.840.10045.4.3.3': 'ecdsa',
  '1.2.840.10045.4.3.4': 'ecdsa',
};
const MAX_PATH = 10;

export interface VerifiedTimestamp {
  genTime: Date;
  /** genTime minus and plus the token's accuracy. */
  earliest: Date;
  latest: Date;
  tsa: CertInfo;
  /** The tsa-store certificate the TSA's chain reached. */
  anchor: NotationAnchor;
}

class Bad extends Error {}
function bad(message: string): never {
  throw new Bad(message);
}
const parse = (bytes: string): Asn1 =>
  (
    asn1.fromDer as unknown as (b: forge.util.ByteBuffer, o: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => Asn1
  )(forge.util.createBuffer(bytes), { strict: true, parseAllBytes: true, decodeBitStrings: false });
const kids = (n: Asn1 | undefined): Asn1[] => (n && Array.isArray(n.value) ? n.value : []);
const raw = (n: Asn1 | undefined): Buffer => (n && typeof n.value === 'string' ? Buffer.from(n.value, 'binary') : Buffer.alloc(0));
const der = (n: Asn1): Buffer => Buffer.from(asn1.toDer(n).getBytes(), 'binary');
const oidOf = (n: Asn1 | undefined): string =>
  n && n.type === asn1.Type.OID ? asn1.derToOid(forge.util.createBuffer(n.value as string)) : '';
const isContext = (n: Asn1 | undefined, tag: number) => n?.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === tag;
const intHex = (n: Asn1 | undefined) =>
  raw(n)
    .toString('hex')
    .replace(/^(00)+(?=.)/, '')
    .toUpperCase();

function generalizedTime(n: Asn1 | undefined): Date {
  const text = raw(n).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?Z$/.exec(text);
  if (n?.type !== asn1.Type.GENERALIZEDTIME || !m)
    return bad(`genTime ${JSON.stringify(text.slice(0, 30))} is not a GeneralizedTime in UTC`);
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

/** The certificate path from the TSA's certificate to an anchor of the tsa stores, through the token's certificates. */
function pathToAnchor(
  signer: CertInfo,
  pool: readonly CertInfo[],
  anchors: readonly NotationAnchor[],
): { path: CertInfo[]; anchor: NotationAnchor } {
  const anchorCerts = anchors.map((a) => ({ a, c: readCertificate(a.der) }));
  const path: CertInfo[] = [signer];
  for (let depth = 0; depth < MAX_PATH; depth++) {
    const current = path[path.length - 1] as CertInfo;
    const anchored = anchorCerts.find(({ c }) => c.der.equals(current.der));
    if (anchored) return { path, anchor: anchored.a };
    const issuer = [...anchorCerts.map(({ c }) => c), ...pool].find(
      (c) => !c.der.equals(current.der) && c.rawSubject.equals(current.rawIssuer) && current.x509.verify(c.publicKey),
    );
    if (!issuer) break;
    path.push(issuer);
  }
  return bad(`the TSA certificate ${signer.subject} does not chain to a certificate of the policy's tsa stores`);
}

/**
 * Verifies an RFC 3161 TimeStampToken over `signature` (the envelope's signature bytes) against the tsa stores; throws a sentence on any
 * failure.
 */
export function verifyTimestampToken(token: Uint8Array, signature: Uint8Array, anchors: readonly NotationAnchor[]): VerifiedTimestamp {
  try {
    if (!anchors.length) bad('the policy names tsa stores, but they hold no certificate');
    let top: Asn1;
    try {
      top = parse(Buffer.from(token).toString('binary'));
    } catch {
      return bad('the timestamp token is not DER');
    }
    const [contentType, wrapped] = kids(top);
    if (oidOf(contentType) !== OID.signedData || !isContext(wrapped, 0)) bad('the timestamp token is not a CMS SignedData');
    const signedData = kids(wrapped)[0];
    const parts = kids(signedData);
    const encap = parts[2];
    const [eType, eWrapped] = kids(encap);
    if (oidOf(eType) !== OID.tstInfo) bad('the token does not hold a TSTInfo');
    const eOctets = kids(eWrapped)[0];
    if (!eOctets || eOctets.type !== asn1.Type.OCTETSTRING) bad('the TSTInfo is missing');
    const tstDer = raw(eOctets);
    const certsNode = parts.find((p) => isContext(p, 0));
    const pool = kids(certsNode).map((c) => readCertificate(der(c)));
    const signerInfos = kids(parts[parts.length - 1]);
    if (signerInfos.length !== 1) bad(`the token has ${signerInfos.length} signers; a timestamp has exactly one`);
    const si = kids(signerInfos[0]);
    const sid = si[1];
    const digestAlg = HASHES[oidOf(kids(si[2])[0])];
    if (!digestAlg || digestAlg === 'sha1') bad('the timestamp is signed over an unsupported or weak digest');
    const signedAttrs = si[3];
    if (!isContext(signedAttrs, 0)) bad('the timestamp has no signed attributes');
    const sigAlgOid = oidOf(kids(si[4])[0]);
    const sigKind = SIGNATURES[sigAlgOid];
    if (!sigKind) bad(`the timestamp's signature algorithm ${sigAlgOid} is not supported`);
    const sigValue = raw(si[5]);

    // The signer's certificate: by issuer and serial number, or by subject key identifier.
    let signer: CertInfo | undefined;
    if (sid?.type === asn1.Type.SEQUENCE) {
      const [issuer, serial] = kids(sid);
      const issuerDer = issuer ? der(issuer) : Buffer.alloc(0);
      signer = pool.find(
        (c) => c.rawIssuer.equals(issuerDer) && c.x509.serialNumber.replace(/^(00)+(?=.)/, '').toUpperCase() === intHex(serial),
      );
    } else if (isContext(sid, 0)) {
      const ski = raw(sid);
      signer = pool.find((c) => c.subjectKeyId?.equals(ski));
    }
    if (!signer) return bad('the token does not carry the certificate of its signer');

    const attrs = new Map<string, Asn1[]>();
    for (const a of kids(signedAttrs)) {
      const [type, values] = kids(a);
      const id = oidOf(type);
      if (attrs.has(id)) bad(`the signed attribute ${id} appears twice`);
      attrs.set(id, kids(values));
    }
    if (oidOf(attrs.get(OID.contentType)?.[0]) !== OID.tstInfo) bad('the content-type attribute is not TSTInfo');
    const messageDigest = raw(attrs.get(OID.messageDigest)?.[0]);
    if (!messageDigest.equals(createHash(digestAlg).update(tstDer).digest()))
      bad('the message-digest attribute does not match the TSTInfo');
    const v2 = attrs.get(OID.signingCertificateV2)?.[0];
    const v1 = attrs.get(OID.signingCertificate)?.[0];
    if (v2) {
      const first = kids(kids(v2)[0])[0];
      const fields = kids(first);
      const explicitAlg = fields[0]?.type === asn1.Type.SEQUENCE ? HASHES[oidOf(kids(fields[0])[0])] : undefined;
      const hashNode = fields.find((f) => f.type === asn1.Type.OCTETSTRING);
      if (
        !raw(hashNode).equals(
          createHash(explicitAlg ?? 'sha256')
            .update(signer.der)
            .digest(),
        )
      )
        bad('the ESS signing-certificate-v2 attribute names another certificate');
    } else if (v1) {
      const first = kids(kids(v1)[0])[0];
      if (!raw(kids(first)[0]).equals(createHash('sha1').update(signer.der).digest()))
        bad('the ESS signing-certificate attribute names another certificate');
    } else bad('the timestamp has no ESS signing-certificate attribute');

    // The signature over the signed attributes, re-tagged as a SET (RFC 5652 §5.4).
    const setNode = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, kids(signedAttrs));
    const signedBytes = der(setNode);
    const ok =
      sigKind === 'rsa'
        ? signer.publicKey.asymmetricKeyType === 'rsa' && verifySignature(digestAlg, signedBytes, signer.publicKey, sigValue)
        : signer.publicKey.asymmetricKeyType === 'ec' &&
          verifySignature(digestAlg, signedBytes, { key: signer.publicKey, dsaEncoding: 'der' }, sigValue);
    if (!ok) bad('the timestamp’s signature does not verify with its TSA certificate');

    // TSTInfo: the imprint is the hash of the envelope's signature; genTime with its accuracy.
    const tst = kids(parse(tstDer.toString('binary')));
    if (intHex(tst[0]) !== '01') bad('the TSTInfo version is not 1');
    const [imprintAlg, imprint] = kids(tst[2]);
    const imprintHash = HASHES[oidOf(kids(imprintAlg)[0])];
    if (!imprintHash || imprintHash === 'sha1') bad('the message imprint uses an unsupported or weak hash');
    if (!raw(imprint).equals(createHash(imprintHash).update(signature).digest()))
      bad('the timestamp is over another signature (its message imprint does not match)');
    const genTime = generalizedTime(tst[4]);
    let accuracyMs = 0;
    const accuracy = tst.slice(5).find((n) => n.type === asn1.Type.SEQUENCE && n.tagClass === asn1.Class.UNIVERSAL);
    for (const a of kids(accuracy)) {
      const v = parseInt(raw(a).toString('hex') || '0', 16);
      if (a.tagClass === asn1.Class.UNIVERSAL) accuracyMs += v * 1000;
      else if (isContext(a, 0)) accuracyMs += v;
      else if (isContext(a, 1)) accuracyMs += v / 1000;
    }
    const earliest = new Date(genTime.getTime() - accuracyMs);
    const latest = new Date(genTime.getTime() + accuracyMs);

    const { path, anchor } = pathToAnchor(signer, pool, anchors);
    for (const c of path)
      if (genTime < c.notBefore || genTime > c.notAfter)
        bad(`the TSA certificate ${c.subject} was not valid at the time it stamped (${genTime.toISOString()})`);
    const problem = chainProblem(path, 'timeStamping');
    if (problem) bad(`the TSA chain breaks the rules for timestamping certificates: ${problem}`);
    return { genTime, earliest, latest, tsa: signer, anchor };
  } catch (error) {
    if (error instanceof Bad) throw new Error(error.message);
    throw new Error('the timestamp token cannot be read');
  }
}
