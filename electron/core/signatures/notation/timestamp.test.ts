import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../keys/x509';
import { buildJws, buildNotationPayload } from './build';
import { verifyTimestampToken } from './timestamp';
import { LEVEL_ACTIONS, type NotationTrust } from './trust';
import { verifyNotation } from './verify';

/**
 * RFC 3161 tokens made by an independent TSA, `openssl ts -reply` (a test TSA under a test root),
 * over Notation envelope signatures Signet built.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'signet-tsa-'));
const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
let root: Buffer;

/** An RFC 3161 token over `data` (SHA-256 imprint), ESS signing-certificate v1 (SHA-1) or v2 (SHA-256). */
function stamp(data: Buffer, ess: 'sha1' | 'sha256' = 'sha256'): Buffer {
  writeFileSync(path.join(dir, 'data.bin'), data);
  writeFileSync(
    path.join(dir, 'ts.cnf'),
    `[tsa]\ndefault_tsa = t\n[t]\nserial = ${dir}/serial\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = ${ess}\n`,
  );
  openssl(['ts', '-query', '-data', 'data.bin', '-sha256', '-cert', '-out', 'req.tsq']);
  openssl([
    'ts',
    '-reply',
    '-config',
    'ts.cnf',
    '-queryfile',
    'req.tsq',
    '-signer',
    'tsa.pem',
    '-inkey',
    'tsa.key',
    '-chain',
    'root.pem',
    '-token_out',
    '-out',
    'token.der',
  ]);
  return readFileSync(path.join(dir, 'token.der'));
}

beforeAll(() => {
  writeFileSync(path.join(dir, 'serial'), '01\n');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-subj',
    '/CN=Test TSA Root/O=Signet Test',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'tsa.key',
    '-out',
    'tsa.csr',
    '-subj',
    '/CN=Test TSA/O=Signet Test',
  ]);
  writeFileSync(
    path.join(dir, 'tsa.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n',
  );
  openssl([
    'x509',
    '-req',
    '-in',
    'tsa.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-out',
    'tsa.pem',
    '-days',
    '30',
    '-extfile',
    'tsa.ext',
  ]);
  root = new X509Certificate(readFileSync(path.join(dir, 'root.pem'))).raw;
});

describe('RFC 3161 timestamps (openssl ts as the TSA)', () => {
  const anchor = () => [{ store: 'tsa:test', name: 'Test TSA Root', der: root }];
  it.each(['sha256', 'sha1'] as const)(
    'a token over the signature verifies against the tsa store (ESS signing certificate with %s)',
    (ess) => {
      const signature = Buffer.from('the envelope signature');
      const ts = verifyTimestampToken(stamp(signature, ess), signature, anchor());
      expect(Math.abs(ts.genTime.getTime() - Date.now())).toBeLessThan(60_000);
      expect(ts.latest.getTime() - ts.genTime.getTime()).toBe(1000);
      expect(ts.tsa.subject).toContain('CN=Test TSA');
    },
  );

  it('refuses a token over another signature, a TSA outside the tsa stores, and a tampered token', () => {
    const signature = Buffer.from('the envelope signature');
    const token = stamp(signature);
    expect(() => verifyTimestampToken(token, Buffer.from('another signature'), anchor())).toThrow('message imprint');
    const otherRoot = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = new X509Certificate(
      makeCertificate({
        subject: { commonName: 'Other' },
        publicKey: otherRoot.publicKey,
        issuer: { subject: { commonName: 'Other' }, privateKey: otherRoot.privateKey },
        notBefore: new Date(Date.now() - 1000),
        notAfter: new Date(Date.now() + 1e9),
        ca: true,
      }),
    ).raw;
    expect(() => verifyTimestampToken(token, signature, [{ store: 'tsa:other', name: 'Other', der: other }])).toThrow('does not chain');
    const tampered = Buffer.from(token);
    // The signer info's signature is the token's last element: flip its last byte.
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0x01;
    expect(() => verifyTimestampToken(tampered, signature, anchor())).toThrow(/signature does not verify|cannot be read/);
  });

  it('a verified timestamp lets an expired signing chain verify under a policy with a tsa store; without one the chain is judged now', async () => {
    const day = 86_400_000;
    const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const subject = { commonName: 'Leaf', organization: 'Signet Test' };
    const caSubject = { commonName: 'CA', organization: 'Signet Test' };
    const caDer = new X509Certificate(
      makeCertificate({
        subject: caSubject,
        publicKey: ca.publicKey,
        issuer: { subject: caSubject, privateKey: ca.privateKey },
        notBefore: new Date(Date.now() - day),
        notAfter: new Date(Date.now() + 3650 * day),
        ca: true,
      }),
    ).raw;
    const leafDer = new X509Certificate(
      makeCertificate({
        subject,
        publicKey: leafKey.publicKey,
        issuer: { subject: caSubject, privateKey: ca.privateKey },
        notBefore: new Date(Date.now() - day),
        notAfter: new Date(Date.now() + 10 * day),
        ca: false,
      }),
    ).raw;
    const image = { digest: `sha256:${'b'.repeat(64)}`, size: 10, mediaType: 'application/vnd.oci.image.manifest.v1+json' };
    const env = await buildJws(
      { payload: buildNotationPayload(image), alg: 'ES256', chain: [leafDer, caDer], signingTime: new Date(), signingAgent: 'test' },
      async (d) => nodeSign('sha256', d, { key: leafKey.privateKey, dsaEncoding: 'ieee-p1363' }),
    );
    const doc = JSON.parse(env.toString()) as { signature: string; header: Record<string, unknown> };
    doc.header['io.cncf.notary.timestampSignature'] = stamp(Buffer.from(doc.signature, 'base64url')).toString('base64');
    const stamped = Buffer.from(JSON.stringify(doc));
    const later = new Date(Date.now() + 20 * day); // the leaf has expired by then; the TSA stamped while it was valid
    const trust = (tsa: boolean): NotationTrust => ({
      policy: { name: 'p', level: 'strict', source: 'trust-policy' },
      actions: { ...LEVEL_ACTIONS.strict, revocation: 'skip' },
      verifyTimestamp: 'always',
      trustedIdentities: ['*'],
      stores: {
        ca: [{ store: 'ca:x', name: 'CA', der: caDer }],
        signingAuthority: [],
        tsa: tsa ? [{ store: 'tsa:test', name: 'Test TSA Root', der: root }] : [],
      },
      tsaConfigured: tsa,
    });
    const ok = verifyNotation(stamped, 'application/jose+json', image, trust(true), later);
    expect(ok.checks.find((c) => c.name === 'timestamp')).toMatchObject({ status: 'passed', code: 'TIMESTAMP_VALID' });
    expect(ok.checks.some((c) => c.status === 'failed')).toBe(false);
    expect(ok.timestamp?.genTime).toBeInstanceOf(Date);
    expect(
      verifyNotation(stamped, 'application/jose+json', image, trust(false), later).checks.find((c) => c.name === 'timestamp'),
    ).toMatchObject({ status: 'failed', code: 'CHAIN_CERT_NOT_VALID_NOW' });
    // A token moved onto another signature is refused, even while the chain is valid.
    const moved = JSON.parse(env.toString()) as { signature: string; header: Record<string, unknown> };
    moved.header['io.cncf.notary.timestampSignature'] = stamp(Buffer.from('other')).toString('base64');
    expect(
      verifyNotation(Buffer.from(JSON.stringify(moved)), 'application/jose+json', image, trust(true), new Date()).checks.find(
        (c) => c.name === 'timestamp',
      ),
    ).toMatchObject({ status: 'failed', code: 'TIMESTAMP_INVALID' });
  });
});
