import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { SignetError } from '../../../shared/errors';

/**
 * X.509 certificates and PKCS#10 requests, built with node-forge's ASN.1 encoder and signed with
 * node:crypto (forge cannot make ECDSA signatures). Nothing here verifies a signature: forge has
 * had signature-forgery bugs, and verification belongs to node:crypto elsewhere.
 */
const asn1 = forge.asn1;
const { Class, Type } = asn1;
type Asn1 = forge.asn1.Asn1;

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  rsaSha256: '1.2.840.113549.1.1.11',
  ed25519: '1.3.101.112',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

export interface Subject {
  commonName: string;
  organization?: string;
}

const seq = (items: Asn1[]) => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
const oid = (id: string) => asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(id).getBytes());
const int = (bytes: Buffer) => asn1.create(Class.UNIVERSAL, Type.INTEGER, false, bytes.toString('binary'));
const bool = (v: boolean) => asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, v ? '\xff' : '\x00');
const octets = (bytes: Buffer | string) =>
  asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, typeof bytes === 'string' ? bytes : bytes.toString('binary'));
const bits = (bytes: Buffer, unused = 0) =>
  asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unused) + bytes.toString('binary'));
const utf8 = (text: string) => asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(text));
const fromDer = (der: Buffer) => asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
const toDer = (node: Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

function name(subject: Subject): Asn1 {
  const rdn = (type: string, value: string) => asn1.create(Class.UNIVERSAL, Type.SET, true, [seq([oid(type), utf8(value)])]);
  return seq([...(subject.organization ? [rdn(OID.organization, subject.organization)] : []), rdn(OID.commonName, subject.commonName)]);
}

function time(date: Date): Asn1 {
  // UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, `${iso.slice(2)}Z`)
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, `${iso}Z`);
}

/** The signature algorithm a key signs certificates with, and the hash node:crypto uses. */
function algorithmFor(key: KeyObject): { id: Asn1; hash: string | null } {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { id: seq([oid(OID.ecdsaSha256)]), hash: 'sha256' };
    if (curve === 'secp384r1') return { id: seq([oid(OID.ecdsaSha384)]), hash: 'sha384' };
    throw new SignetError('UNSUPPORTED', `Certificates for ${curve ?? 'this curve'} keys are not made here (P-256 and P-384 are).`);
  }
  if (key.asymmetricKeyType === 'rsa')
    return { id: seq([oid(OID.rsaSha256), asn1.create(Class.UNIVERSAL, Type.NULL, false, '')]), hash: 'sha256' };
  if (key.asymmetricKeyType === 'ed25519') return { id: seq([oid(OID.ed25519)]), hash: null };
  throw new SignetError('UNSUPPORTED', `Certificates for ${key.asymmetricKeyType ?? 'this kind of'} key are not made here.`);
}

function spki(publicKey: KeyObject): { node: Asn1; keyId: Buffer } {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const node = fromDer(der);
  // Key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1).
  const bitString = (node.value as Asn1[])[1] as Asn1;
  const keyBits = Buffer.from((bitString.value as string).slice(1), 'binary');
  return { node, keyId: createHash('sha1').update(keyBits).digest() };
}

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return seq([oid(id), ...(critical ? [bool(true)] : []), octets(toDer(value))]);
}

function signed(tbs: Asn1, signer: KeyObject): Buffer {
  const { id, hash } = algorithmFor(signer);
  const signature = sign(hash, toDer(tbs), signer);
  return toDer(seq([tbs, id, bits(signature)]));
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

export interface CertificateInput {
  subject: Subject;
  publicKey: KeyObject;
  issuer: { subject: Subject; privateKey: KeyObject };
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
}

/** An X.509 v3 certificate: a CA (keyCertSign) or a code-signing leaf (digitalSignature, EKU codeSigning). */
export function makeCertificate(input: CertificateInput): string {
  if (input.notAfter <= input.notBefore) throw new SignetError('INVALID_INPUT', 'A certificate must end after it starts.');
  const subjectKey = spki(input.publicKey);
  const issuerKey = spki(createPublicKey(input.issuer.privateKey));
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f; // positive
  const keyUsage = input.ca ? bits(Buffer.from([0x06]), 1) /* keyCertSign, cRLSign */ : bits(Buffer.from([0x80]), 7); /* digitalSignature */
  const extensions = [
    extension(OID.basicConstraints, true, seq(input.ca ? [bool(true)] : [])),
    extension(OID.keyUsage, true, keyUsage),
    ...(input.ca ? [] : [extension(OID.extKeyUsage, false, seq([oid(OID.codeSigning)]))]),
    extension(OID.subjectKeyIdentifier, false, octets(subjectKey.keyId)),
    extension(OID.authorityKeyIdentifier, false, seq([asn1.create(Class.CONTEXT_SPECIFIC, 0, false, issuerKey.keyId.toString('binary'))])),
  ];
  const tbs = seq([
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [int(Buffer.from([2]))]),
    int(serial),
    algorithmFor(input.issuer.privateKey).id,
    name(input.issuer.subject),
    seq([time(input.notBefore), time(input.notAfter)]),
    name(input.subject),
    subjectKey.node,
    asn1.create(Class.CONTEXT_SPECIFIC, 3, true, [seq(extensions)]),
  ]);
  return pem('CERTIFICATE', signed(tbs, input.issuer.privateKey));
}

/** A PKCS#10 certificate signing request for a key, asking for a code-signing certificate. */
export function makeCsr(subject: Subject, privateKey: KeyObject): string {
  const publicKey = createPublicKey(privateKey);
  const requested = seq([
    extension(OID.keyUsage, true, bits(Buffer.from([0x80]), 7)),
    extension(OID.extKeyUsage, false, seq([oid(OID.codeSigning)])),
  ]);
  const attributes = asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
    seq([oid(OID.extensionRequest), asn1.create(Class.UNIVERSAL, Type.SET, true, [requested])]),
  ]);
  const info = seq([int(Buffer.from([0])), name(subject), spki(publicKey).node, attributes]);
  return pem('CERTIFICATE REQUEST', signed(info, privateKey));
}
