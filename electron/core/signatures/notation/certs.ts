import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/**
 * The parts of an X.509 certificate the Notary Project's rules look at, read from its DER with
 * node-forge's ASN.1 decoder (node:crypto does not expose key-usage bits, criticality or raw
 * names). Signatures over certificates are checked with node:crypto only.
 */
const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  subjectKeyIdentifier: '2.5.29.14',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
} as const;

export const EKU = {
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;
const EKU_NAMES: Record<string, string> = Object.fromEntries(Object.entries(EKU).map(([k, v]) => [v, k]));

/** Signature algorithms over certificates that are refused (Go's crypto/x509, which notation uses, refuses them). */
const WEAK_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5 with RSA',
  '1.2.840.113549.1.1.5': 'SHA-1 with RSA',
  '1.2.840.10045.4.1': 'ECDSA with SHA-1',
  '1.2.840.10040.4.3': 'DSA with SHA-1',
};

/** The attribute names Go's pkix writes (notation matches identities against that string); others stay OIDs. */
const NAME_TYPES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.17': 'POSTALCODE',
};

export interface KeyUsageBits {
  digitalSignature: boolean;
  contentCommitment: boolean;
  keyEncipherment: boolean;
  dataEncipherment: boolean;
  keyAgreement: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
  encipherOnly: boolean;
  decipherOnly: boolean;
}

export interface CertInfo {
  x509: X509Certificate;
  der: Buffer;
  /** Upper-case hex SHA-256 of the DER (the thumbprint notation writes, lower-case, in the signature manifest). */
  sha256: string;
  subject: string;
  issuer: string;
  /** The subject as attribute → value (multi-valued attributes joined by "+"), for trusted-identity matching. */
  subjectAttributes: Array<[string, string]>;
  rawSubject: Buffer;
  rawIssuer: Buffer;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithm: string;
  basicConstraints?: { critical: boolean; ca: boolean; pathLen?: number };
  keyUsage?: { critical: boolean; bits: KeyUsageBits };
  extKeyUsage?: { critical: boolean; oids: string[] };
  subjectKeyId?: Buffer;
  /** Whether the certificate names an OCSP responder or a CRL distribution point. */
  revocationSources: boolean;
  publicKey: KeyObject;
  /** SHA-256 of the key's DER SubjectPublicKeyInfo, lower-case hex (a trusted single key is matched by it). */
  spkiSha256: string;
}

/** The key's SPKI SHA-256, or '' (matching no trusted key) when node cannot export it. */
function spkiSha256Of(key: KeyObject): string {
  try {
    return createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('hex');
  } catch {
    return '';
  }
}

/** forge's reader takes options its typings omit: strict DER, all bytes, BIT STRINGs kept as bytes. */
const parseDer = (input: string): Asn1 =>
  (
    asn1.fromDer as unknown as (b: forge.util.ByteBuffer, o: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => Asn1
  )(forge.util.createBuffer(input), { strict: true, parseAllBytes: true, decodeBitStrings: false });
const bytes = (node: Asn1): Buffer => Buffer.from(node.value as string, 'binary');
const children = (node: Asn1 | undefined): Asn1[] => (node && Array.isArray(node.value) ? node.value : []);
const der = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

/** Reads one DER certificate; throws on anything node:crypto or the ASN.1 reader refuses. */
/**
 * Certificates already read, by the SHA-256 of their DER: every signature of one signer carries the same chain, and a repository's
 * signatures are judged with the same few (the results are never changed by their readers). Emptied when it holds 256.
 */
const readCertificates = new Map<string, CertInfo>();

export function readCertificate(input: Uint8Array): CertInfo {
  const sha256 = createHash('sha256').update(input).digest('hex').toUpperCase();
  const known = readCertificates.get(sha256);
  if (known) return known;
  const info = parseCertificate(Buffer.from(input), sha256);
  if (readCertificates.size >= 256) readCertificates.clear();
  readCertificates.set(sha256, info);
  return info;
}

function parseCertificate(buffer: Buffer, sha256: string): CertInfo {
  const x509 = new X509Certificate(buffer);
  const publicKey = x509.publicKey;
  const root = parseDer(buffer.toString('binary'));
  const [tbs, sigAlg] = children(root);
  if (!tbs || !sigAlg) throw new Error('not a certificate');
  const fields = children(tbs);
  let i = 0;
  if (fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC && fields[0].type === 0) i = 1;
  const issuer = fields[i + 2];
  const subject = fields[i + 4];
  if (!issuer || !subject) throw new Error('not a certificate');
  const signatureAlgorithm = asn1.derToOid(forge.util.createBuffer(children(sigAlg)[0]?.value as string));
  const info: CertInfo = {
    x509,
    der: buffer,
    sha256,
    subject: x509.subject.split('\n').join(', '),
    issuer: x509.issuer.split('\n').join(', '),
    subjectAttributes: nameAttributes(subject),
    rawSubject: der(subject),
    rawIssuer: der(issuer),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    signatureAlgorithm,
    revocationSources: false,
    publicKey,
    spkiSha256: spkiSha256Of(publicKey),
  };
  // node:crypto hands validity back as text; a date it cannot read back is an unreadable certificate (found by npm run fuzz).
  if (Number.isNaN(info.notBefore.getTime()) || Number.isNaN(info.notAfter.getTime())) throw new Error('unreadable validity');
  const extensionsWrapper = fields.find((f) => f.tagClass === asn1.Class.CONTEXT_SPECIFIC && f.type === 3);
  const seen = new Set<string>();
  for (const ext of children(children(extensionsWrapper)[0])) {
    const parts = children(ext);
    const id = asn1.derToOid(forge.util.createBuffer(parts[0]?.value as string));
    if (seen.has(id)) throw new Error(`repeats extension ${id}`);
    seen.add(id);
    const critical = parts.length === 3 && parts[1]?.type === asn1.Type.BOOLEAN && bytes(parts[1])[0] !== 0;
    const value = parts[parts.length - 1];
    if (!value || value.type !== asn1.Type.OCTETSTRING) throw new Error('malformed extension');
    const inner = () => parseDer(value.value as string);
    if (id === OID.basicConstraints) {
      const items = children(inner());
      const ca = items[0]?.type === asn1.Type.BOOLEAN ? bytes(items[0])[0] !== 0 : false;
      const lenNode = items.find((n) => n.type === asn1.Type.INTEGER);
      info.basicConstraints = { critical, ca, ...(lenNode ? { pathLen: parseInt(bytes(lenNode).toString('hex') || '0', 16) } : {}) };
    } else if (id === OID.keyUsage) {
      const raw = bytes(inner());
      const b = (n: number) => ((raw[1 + (n >> 3)] ?? 0) & (0x80 >> (n & 7))) !== 0;
      info.keyUsage = {
        critical,
        bits: {
          digitalSignature: b(0),
          contentCommitment: b(1),
          keyEncipherment: b(2),
          dataEncipherment: b(3),
          keyAgreement: b(4),
          keyCertSign: b(5),
          cRLSign: b(6),
          encipherOnly: b(7),
          decipherOnly: b(8),
        },
      };
    } else if (id === OID.extKeyUsage) {
      info.extKeyUsage = { critical, oids: children(inner()).map((n) => asn1.derToOid(forge.util.createBuffer(n.value as string))) };
    } else if (id === OID.subjectKeyIdentifier) {
      info.subjectKeyId = bytes(inner());
    } else if (id === OID.crlDistributionPoints) {
      info.revocationSources = true;
    } else if (id === OID.authorityInfoAccess) {
      if (children(inner()).some((d) => asn1.derToOid(forge.util.createBuffer(children(d)[0]?.value as string)) === OID.ocsp))
        info.revocationSources = true;
    }
  }
  return info;
}

function nameAttributes(name: Asn1): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!type || !value) continue;
      const oid = asn1.derToOid(forge.util.createBuffer(type.value as string));
      const raw = bytes(value);
      const text =
        value.type === asn1.Type.BMPSTRING
          ? raw.swap16().toString('utf16le')
          : raw.toString(value.type === asn1.Type.UTF8 ? 'utf8' : 'latin1');
      out.push([NAME_TYPES[oid] ?? oid, text]);
    }
  }
  return out;
}

/** The Notary Project's key specs: RSA 2048/3072/4096 and EC P-256/384/521, each with its JWS/COSE algorithm. */
export type NotaryAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export function algorithmForKey(key: KeyObject): NotaryAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa')
    return ({ 2048: 'PS256', 3072: 'PS384', 4096: 'PS512' } as const)[key.asymmetricKeyDetails?.modulusLength as 2048 | 3072 | 4096];
  if (key.asymmetricKeyType === 'ec')
    return ({ prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' } as const)[
      key.asymmetricKeyDetails?.namedCurve as 'prime256v1' | 'secp384r1' | 'secp521r1'
    ];
  return undefined;
}

/** Which certificate signed which (by their SHA-256s), checked once: a repository's signatures carry the same chain again and again. */
const signedBy = new Map<string, boolean>();

const isIssuedBy = (child: CertInfo, parent: CertInfo): boolean => {
  if (!child.rawIssuer.equals(parent.rawSubject)) return false;
  const pair = `${child.sha256}>${parent.sha256}`;
  let verified = signedBy.get(pair);
  if (verified === undefined) {
    verified = child.x509.verify(parent.publicKey);
    if (signedBy.size >= 1024) signedBy.clear();
    signedBy.set(pair, verified);
  }
  return verified;
};

function leafProblem(c: CertInfo, purpose: 'codeSigning' | 'timeStamping'): string | undefined {
  if (c.basicConstraints?.ca) return `${c.subject}: a signing certificate must not be a CA (basic constraints cA is true)`;
  if (!c.keyUsage) return `${c.subject}: the key usage extension must be present`;
  if (!c.keyUsage.critical && purpose === 'codeSigning') return `${c.subject}: the key usage extension must be marked critical`;
  if (!c.keyUsage.bits.digitalSignature) return `${c.subject}: the key usage must include digitalSignature`;
  const extra = (
    ['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const
  ).filter((k) => c.keyUsage?.bits[k]);
  if (extra.length) return `${c.subject}: the key usage must be digitalSignature only, but it also has ${extra.join(', ')}`;
  const ekus = c.extKeyUsage?.oids ?? [];
  if (purpose === 'timeStamping') {
    if (ekus.length !== 1 || ekus[0] !== EKU.timeStamping || !c.extKeyUsage?.critical)
      return `${c.subject}: a timestamping certificate must have exactly the timeStamping extended key usage, marked critical`;
  } else {
    const refused = [EKU.any, EKU.serverAuth, EKU.clientAuth, EKU.emailProtection, EKU.ocspSigning, EKU.timeStamping];
    const bad = ekus.find((o) => (refused as string[]).includes(o));
    if (bad) return `${c.subject}: the extended key usage must not contain ${EKU_NAMES[bad] ?? bad}`;
  }
  if (!algorithmForKey(c.publicKey))
    return `${c.subject}: the key is not one the Notary Project allows (RSA 2048/3072/4096, EC P-256/384/521)`;
  return undefined;
}

function caProblem(c: CertInfo, expectedPathLen: number, timestamp: boolean): string | undefined {
  if (!c.basicConstraints?.ca) return `${c.subject}: a CA certificate must have basic constraints with cA true`;
  if (c.basicConstraints.pathLen !== undefined && c.basicConstraints.pathLen < expectedPathLen)
    return `${c.subject}: its path length ${c.basicConstraints.pathLen} is shorter than the chain below it (${expectedPathLen})`;
  if (!c.keyUsage) return `${c.subject}: the key usage extension must be present`;
  if (!c.keyUsage.critical && !timestamp) return `${c.subject}: the key usage extension must be marked critical`;
  if (!c.keyUsage.bits.keyCertSign) return `${c.subject}: a CA's key usage must include keyCertSign`;
  return undefined;
}

/**
 * The Notary Project's rules for a signing chain (leaf first): one self-signed certificate that
 * obeys the leaf rules, or leaf → intermediates → a self-signed root, each issued and signed by
 * the next, leaf and CA key usages as notation-core-go checks them, no weak certificate
 * signatures. Validity dates are not judged here (see the timestamp check). Returns the first
 * problem, or undefined.
 */
export function chainProblem(chain: readonly CertInfo[], purpose: 'codeSigning' | 'timeStamping' = 'codeSigning'): string | undefined {
  if (chain.length === 0) return 'the certificate chain is empty';
  for (const c of chain) {
    const weak = WEAK_SIGNATURES[c.signatureAlgorithm];
    if (weak) return `${c.subject}: signed with ${weak}, which is refused`;
  }
  if (chain.length === 1) {
    const only = chain[0] as CertInfo;
    if (!isIssuedBy(only, only)) return `${only.subject}: a chain of one certificate must be self-signed`;
    return leafProblem(only, purpose);
  }
  for (const [i, c] of chain.entries()) {
    const last = i === chain.length - 1;
    if (last) {
      if (!isIssuedBy(c, c)) return `${c.subject}: the chain must end with a self-signed root`;
    } else {
      if (isIssuedBy(c, c)) return `${c.subject}: only the last certificate of the chain may be self-signed`;
      const parent = chain[i + 1] as CertInfo;
      if (!isIssuedBy(c, parent)) return `${c.subject} is not issued and signed by ${parent.subject}`;
    }
    const problem = i === 0 ? leafProblem(c, purpose) : caProblem(c, i - 1, purpose === 'timeStamping');
    if (problem) return problem;
  }
  return undefined;
}

/** The first certificate of a chain not valid at `at`, with which side of its validity `at` falls. */
export function invalidAt(chain: readonly CertInfo[], at: Date): { cert: CertInfo; when: 'before' | 'after' } | undefined {
  for (const cert of chain) {
    if (at.getTime() < cert.notBefore.getTime()) return { cert, when: 'before' };
    if (at.getTime() > cert.notAfter.getTime()) return { cert, when: 'after' };
  }
  return undefined;
}
