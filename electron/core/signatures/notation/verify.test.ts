import { createHash, generateKeyPairSync, sign as nodeSign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../../tests/vectors';
import { makeCertificate } from '../../keys/x509';
import { buildCose, buildJws, buildNotationPayload, type EnvelopeRequest } from './build';
import { CborMap, CborTag, decodeCbor, encodeCbor } from './cbor';
import { COSE_LABEL } from './cose';
import { LEVEL_ACTIONS, defaultNotationTrust, type NotationTrust } from './trust';
import { verifyNotation } from './verify';

const JWS = 'application/jose+json';
const COSE = 'application/cose';
const NOW = new Date();
const codes = (r: ReturnType<typeof verifyNotation>) => r.checks.map((c) => `${c.name}:${c.status}:${c.code}`);

// The notation-go vectors: one self-signed leaf (CN=alpine), JWS and COSE over the same manifest.
const signedManifest = readFileSync(vector('notation-go', 'signed-manifest.sha256-19dbd2e4.json'));
const goImage = {
  digest: `sha256:${createHash('sha256').update(signedManifest).digest('hex')}`,
  size: signedManifest.length,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
};
const goJws = readFileSync(vector('notation-go', 'jws_signature.sig'));
const goCose = readFileSync(vector('notation-go', 'cose_signature.sig'));
const alpine = Buffer.from((JSON.parse(goJws.toString()) as { header: { x5c: string[] } }).header.x5c[0] as string, 'base64');
const trustIn = (...ders: Buffer[]) => defaultNotationTrust(ders.map((der, i) => ({ store: 'ca:test', name: `anchor ${i + 1}`, der })));
const policy = (level: NotationTrust['policy']['level'], ca: Buffer[], overrides: Partial<NotationTrust> = {}): NotationTrust => ({
  policy: { name: 'test', level, source: 'trust-policy' },
  actions: LEVEL_ACTIONS[level],
  verifyTimestamp: 'always',
  trustedIdentities: ['*'],
  stores: { ca: ca.map((der) => ({ store: 'ca:test', name: 'test CA', der })), signingAuthority: [], tsa: [] },
  tsaConfigured: false,
  ...overrides,
});

describe('inputs npm run fuzz found (each refused with a check, never a raw error)', () => {
  it('a certificate whose validity node:crypto cannot read back as a date is unreadable (SIG_UNREADABLE)', () => {
    const found = Buffer.from(
      'eyJwYXlsb2FkIjoiZXlKMFlYSm5aWFJCY25ScFptRmpkQ0k2ZXlKaWFXZGxjM1FpT2lKemFHRXlOVFk2TVRsa1ltUXlaVFE0WlRreU1UUXlObVZsT0dGalpUUmtZemc1TW1Wa1ptSXlaV05rWXpGa01XRTNNbVExTkRFMll6Z3pOamN3WXpNd1lXTmxZMlZtTUNJc0ltMWxaR2xoVkhsd1pTSTZJbUZ3Y0d4cFkyRjBhVzl1TDNadVpDNXZZMmt1YVcxaFoyVXViV0Z1YVdabGMzUXVkakVyYW5OdmJpSXNJbk5wZW1VaU9qUTRNWDE5IiwicHJvdGVjdGVkIjoiZXlKaGJHY2lPaUpRVXpJMU5pSXNJbU55YVhRaU9sc2lhVzh1WTI1alppNXViM1JoY25rdWMybG5ibWx1WjFOamFHVnRaU0pkTENKamRIa2lPaUpoY0hCc2FXTmhkR2x2Ymk5MmJtUXVZMjVqWmk1dWIzUmhjbmt1Y0dGNWJHOWhaQzUyTVN0cWMyOXVJaXdpYVc4dVkyNWpaaTV1YjNSaGNua3VjMmxuYm1sdVoxTmphR1Z0WlNJNkltNXZkR0Z5ZVM1NE5UQTVJaXdpYVc4dVkyNWpaaTV1YjNSaGNua3VjMmxuYm1sdVoxUnBiV1VpT2lJeU1ESXpMVEF6TFRFMFZERTJPakV3T2pBeUt6QTRPakF3SW4wIiwiaGVhZGVyIjp7Ing1YyI6WyJNSUlEUURDQ0FpaWdBd0lCQWdJQlVUQU5CZ2txaGtpRzl3MEJBUXNGQURCT01Rc3dDUVlEVlFRR0V3SlZVekVMTUFrR0ExVUVDQk1DVjBFeEVEQU9CZ05WQkFjVEIxTmxZWFIwYkdVeER6QU5CZ05WQkFvVEJrNXZkR0Z5ZVRFUE1BMEdBMVVFQXhNR1lXeHdhVzVsTUNBWERUQXdNRGd5T1RVek5UQXdNRm9ZRHpJeE1qTXdPREk1TVRNMU1EQXdXakJPTVFzd0NRWURWUVFHRXdKVlV6RUxNQWtHQTFVRUNCTUNWMEV4RURBT0JnTlZCQWNUQjFObFlYUjBiR1V4RHpBTkJnTlZCQW9UQms1dmRHRnllVEVQTUEwR0ExVUVBeE1HWVd4d2FXNWxNSUlCSWpBTkJna3Foa2lHOXcwQkFRRUZBQU9DQVE4QU1JSUJDZ0tDQVFFQW9jZzNxRXN5TkRETGZCOE9IRDRkaGkrTTFOUEsxQXN5NU5YODRjK2d2YWNadW9QTFR3bXBPZm02blB0N0dQUEI5RzdTNnh4aEZOYlJ4VFlmWVVqSytrYUNqMzhYakJSZjVsR2V3YlNKS1ZreFE4Mi9heFU3MGNlU1czSnBhenJhZ2VOOUpVVFovSmZpNE1mbmlwSVR3Y21Nb2lpajhlR3JIc2tqeVZ5WmJKZDBXTU1LUkRXVmhMUFVpUE1WV3QvNGQ3WXRaSXR6YWNhUUt0WG1YZ3NUQ1RXcElvbHMzZ2Z0TllqclFvTXNVZWxVZEQ4dk9BV045SjI4L1N5Qyt1U2gvSzFLZnlVbGJxdWZuNGRpOERFQnhudFA1d25YWWJKTDFqdGpzVWdFeEFWalF4VDF6STU5WDM2bTN0M1lLcUNRaDFjdWQwMkw1b25PYlk2emo1N042UUlEQVFBQm95Y3dKVEFPQmdOVkhROEJBZjhFQkFNQ0I0QXdFd1lEVlIwbEJBd3dDZ1lJS3dZQkJRVUhBd013RFFZSktvWllodmNOQVFFTEJRQURnZ0VCQUM4QWpCTHk3RXNScGk2b2d1Q2RGU2I2blJHanZGMTdOK2I2bURiM3NBUm5COFQxcHh2elRUMjZ5YStBeVdSK2pqb2RFd2JNSVMrMTNsVis5cVQyTHdxbGJPVU5ZNTE5UGEyR1JSWTcySmplb3dXSTNpS2tLYU16ZlpVQjdsUlRHWGRFdVpBcExiVE8vM0pWY1I5ZmZ1MDBOMVVhQVA5WUdFbFN0NEpESllBOU0rZC9RdG8rSGlJc0UwS2oramRud0lZb3ZQUE9scnlLT0xmRmIvcjFHRXE3bjYzeEZaejgzaXlXTmFaZHNKNU4zWUh4ZE9wa2JCYkNhbE9FQkRKVGpRS3FlQVlCTG9BTk5VME9Cc2xtcUhDU0JURW5oYnFKSE42UUt5RjA5U2NPbDVMd00xUXNUbDBVWTVzaUdMQWZqL2pTZjlPSDlWTFRQSE9TOC9OMEthND0iXSwiaW8uY25jZi5ub3Rhcnkuc2lnbmluZ0FnZW50IjoiTl10YXRpb24vMS4wLjAifSwic2lnbmF0dXJlIjoiZWFjMzRTT1IyeVQwakpjcXUyS2RfM1R4T0JMaFJVMDZSVzF1ZTM5WWdfVkplQjJ2MGhZTXktVWZiLXExZWRjbWg5UzZMd1hYOXlSZTR4ZVVhSC1yak9fMzRxM2UzbmhTWVYyZE1VeDc4dVFzMk5wXzZRaGRFcjBSWndadzlWdzBKeHItRnVNRDdnQkdkSVFsSktiQTdISHpCVjlCMEd5eTZJX1NXblF1WHRvT0JFc0ZWRkhKclQ2VWVaZDJMclVjTlJ0cXZrd2pQMEh5ZHgxUndQSk1pR0h1LUsyc0NCTWVadVJSTWhPcUR5QzlBcnFhcGNuSGd1MENlbW9pdXIxekFEbTJNZFVCdnFrVXNmYzZPZ2g5Z2tuZkRFcE80ejY2S29ndDR6QTdocUNsMmRfbktLWTRySUlJc3JHVURaMEMzZDdlV0xQX1lSb3JkVTZNYnMyb3pnIn0=',
      'base64',
    );
    expect(codes(verifyNotation(found, JWS, goImage, trustIn(alpine), NOW))).toEqual(['signature:failed:SIG_UNREADABLE']);
  });

  it('a COSE time beyond year 9999 is refused (ENVELOPE_HEADER_INVALID)', () => {
    const tag = decodeCbor(goCose) as CborTag;
    const [p, u, payload, sig] = tag.value as [Uint8Array, CborMap, Uint8Array, Uint8Array];
    const headers = decodeCbor(p) as CborMap;
    const changed = new CborMap();
    changed.entries.push(
      ...headers.entries.map(([k, v]): [number | string, typeof v] => [k, k === 'io.cncf.notary.signingTime' ? new CborTag(1, 1e15) : v]),
    );
    expect(
      codes(verifyNotation(encodeCbor(new CborTag(18, [encodeCbor(changed), u, payload, sig])), COSE, goImage, trustIn(alpine), NOW)),
    ).toEqual(['signature:failed:ENVELOPE_HEADER_INVALID']);
  });
});

describe('notation-go vectors', () => {
  it.each([
    ['JWS', goJws, JWS],
    ['COSE', goCose, COSE],
  ])('the %s envelope verifies with its leaf as the CA-store anchor, every check passed', (_, bytes, type) => {
    const r = verifyNotation(bytes, type, goImage, trustIn(alpine), NOW);
    expect(codes(r)).toEqual([
      'signature:passed:ENVELOPE_VALID',
      'digest binding:passed:DIGEST_MATCH',
      'key trust:passed:KEY_TRUSTED',
      'identity:passed:CERT_IDENTITY_TRUSTED',
      'expiry:passed:EXPIRY_OK',
      'timestamp:passed:CHAIN_VALID_NOW',
      'revocation:passed:REVOCATION_NOT_REVOKABLE',
    ]);
    expect(r.details).toMatchObject({
      envelope: type === JWS ? 'jws' : 'cose',
      signingScheme: 'notary.x509',
      signingTime: { authenticated: false },
      chain: [{ subject: expect.stringContaining('CN=alpine') }],
    });
  });

  it('with no CA store the signature is untrusted (SIG_NO_TRUSTED_KEYS); with another CA, SIG_UNKNOWN_KEY', () => {
    expect(codes(verifyNotation(goJws, JWS, goImage, trustIn(), NOW))).toContain('key trust:failed:SIG_NO_TRUSTED_KEYS');
    const other = new X509Certificate(readFileSync(vector('notation', 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'))).raw;
    expect(codes(verifyNotation(goCose, COSE, goImage, trustIn(other), NOW))).toContain('key trust:failed:SIG_UNKNOWN_KEY');
  });

  it('a signature over another image, or the same digest with another size or media type, is refused', () => {
    expect(codes(verifyNotation(goJws, JWS, { ...goImage, digest: `sha256:${'0'.repeat(64)}` }, trustIn(alpine), NOW))).toContain(
      'digest binding:failed:DIGEST_MISMATCH',
    );
    expect(codes(verifyNotation(goCose, COSE, { ...goImage, size: 482 }, trustIn(alpine), NOW))).toContain(
      'digest binding:failed:DESCRIPTOR_MISMATCH',
    );
    expect(
      codes(
        verifyNotation(
          goCose,
          COSE,
          { ...goImage, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
          trustIn(alpine),
          NOW,
        ),
      ),
    ).toContain('digest binding:failed:DESCRIPTOR_MISMATCH');
  });

  it('an altered payload or signature does not verify (SIG_INVALID)', () => {
    const doc = JSON.parse(goJws.toString()) as Record<string, string>;
    const payload = Buffer.from(doc.payload as string, 'base64url')
      .toString()
      .replace('"size":481', '"size":480');
    const altered = Buffer.from(JSON.stringify({ ...doc, payload: Buffer.from(payload).toString('base64url') }));
    expect(codes(verifyNotation(altered, JWS, goImage, trustIn(alpine), NOW))).toEqual(['signature:failed:SIG_INVALID']);
    const cose = decodeCbor(goCose) as CborTag;
    const items = cose.value as [Uint8Array, CborMap, Uint8Array, Uint8Array];
    const sig = Uint8Array.from(items[3]);
    sig[10] = (sig[10] as number) ^ 1;
    expect(
      codes(verifyNotation(encodeCbor(new CborTag(18, [items[0], items[1], items[2], sig])), COSE, goImage, trustIn(alpine), NOW)),
    ).toEqual(['signature:failed:SIG_INVALID']);
  });

  it('the wrong envelope media type, or bytes that are not an envelope, are unreadable', () => {
    expect(codes(verifyNotation(goJws, COSE, goImage, trustIn(alpine), NOW))).toEqual(['signature:failed:SIG_UNREADABLE']);
    expect(codes(verifyNotation(Buffer.from('invalid signature\n'), JWS, goImage, trustIn(alpine), NOW))).toEqual([
      'signature:failed:SIG_UNREADABLE',
    ]);
    expect(codes(verifyNotation(goJws, 'application/vnd.oci.image.layer.v1.tar', goImage, trustIn(alpine), NOW))).toEqual([
      'signature:failed:SIG_UNREADABLE',
    ]);
  });
});

// Crafted signatures: a root CA, a code-signing leaf it issued, envelopes built like notation's.
const subject = (cn: string) => ({ commonName: cn, organization: 'Signet Test' });
function chain(opts: { leafNotBefore?: Date; leafNotAfter?: Date; curve?: string } = {}) {
  const root = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leaf = generateKeyPairSync('ec', { namedCurve: opts.curve ?? 'P-256' });
  const day = 86_400_000;
  const rootPem = makeCertificate({
    subject: subject('Root'),
    publicKey: root.publicKey,
    issuer: { subject: subject('Root'), privateKey: root.privateKey },
    notBefore: new Date(Date.now() - 10 * day),
    notAfter: new Date(Date.now() + 3650 * day),
    ca: true,
  });
  const leafPem = makeCertificate({
    subject: subject('Leaf'),
    publicKey: leaf.publicKey,
    issuer: { subject: subject('Root'), privateKey: root.privateKey },
    notBefore: opts.leafNotBefore ?? new Date(Date.now() - day),
    notAfter: opts.leafNotAfter ?? new Date(Date.now() + 365 * day),
    ca: false,
  });
  return { root: new X509Certificate(rootPem).raw, leaf: new X509Certificate(leafPem).raw, key: leaf.privateKey, rootKey: root.privateKey };
}
const ecSign =
  (key: KeyObject, hash = 'sha256') =>
  async (data: Buffer) =>
    nodeSign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
const image = { digest: `sha256:${'a'.repeat(64)}`, size: 1234, mediaType: 'application/vnd.oci.image.manifest.v1+json' };
const request = (c: ReturnType<typeof chain>, extra: Partial<EnvelopeRequest> = {}): EnvelopeRequest => ({
  payload: buildNotationPayload(image, { team: 'a' }),
  alg: 'ES256',
  chain: [c.leaf, c.root],
  signingTime: new Date(Date.now() - 60_000),
  signingAgent: 'Signet test',
  ...extra,
});

/** A JWS with the given protected and unprotected headers, signed by `key`. */
async function rawJws(
  c: ReturnType<typeof chain>,
  protectedHeader: Record<string, unknown>,
  unprotected: Record<string, unknown> = {},
  alg = 'sha256',
) {
  const p = Buffer.from(JSON.stringify(protectedHeader)).toString('base64url');
  const payload = buildNotationPayload(image).toString('base64url');
  const sig = await ecSign(c.key, alg)(Buffer.from(`${p}.${payload}`));
  return Buffer.from(
    JSON.stringify({
      payload,
      protected: p,
      header: { x5c: [c.leaf, c.root].map((d) => d.toString('base64')), ...unprotected },
      signature: sig.toString('base64url'),
    }),
  );
}
const goodHeader = () => ({
  alg: 'ES256',
  crit: ['io.cncf.notary.signingScheme'],
  cty: 'application/vnd.cncf.notary.payload.v1+json',
  'io.cncf.notary.signingScheme': 'notary.x509',
  'io.cncf.notary.signingTime': new Date().toISOString(),
});

describe('crafted envelopes', () => {
  it.each([
    ['JWS', buildJws, JWS],
    ['COSE', buildCose, COSE],
  ])(
    'a %s envelope from leaf → root verifies with the root in the CA store, and its signed annotations are kept',
    async (_, build, type) => {
      const c = chain();
      const r = verifyNotation(await build(request(c), ecSign(c.key)), type, image, trustIn(c.root), NOW);
      expect(r.checks.every((x) => x.status === 'passed')).toBe(true);
      expect(r.payload?.targetArtifact.annotations).toEqual({ team: 'a' });
      expect(r.anchor).toEqual({ store: 'ca:test', name: 'anchor 1' });
    },
  );

  it('an expired leaf is judged now: a signing time claimed inside its validity does not help (CHAIN_CERT_NOT_VALID_NOW)', async () => {
    const day = 86_400_000;
    const c = chain({ leafNotBefore: new Date(Date.now() - 30 * day), leafNotAfter: new Date(Date.now() - day) });
    const env = await buildJws(request(c, { signingTime: new Date(Date.now() - 10 * day) }), ecSign(c.key));
    const r = verifyNotation(env, JWS, image, trustIn(c.root), NOW);
    expect(r.checks.at(-1)).toMatchObject({ name: 'timestamp', status: 'failed', code: 'CHAIN_CERT_NOT_VALID_NOW' });
    // permissive logs the authentic-timestamp failure; the signature still verifies.
    const p = verifyNotation(env, JWS, image, policy('permissive', [c.root]), NOW);
    expect(p.checks.find((x) => x.name === 'timestamp')).toMatchObject({ status: 'logged', code: 'CHAIN_CERT_NOT_VALID_NOW' });
    expect(p.checks.some((x) => x.status === 'failed')).toBe(false);
  });

  it('an expired signature fails under strict and is logged under permissive and audit; skip verifies nothing', async () => {
    const c = chain();
    const env = await buildCose(
      request(c, { signingTime: new Date(Date.now() - 120_000), expiry: new Date(Date.now() - 60_000) }),
      ecSign(c.key),
    );
    expect(codes(verifyNotation(env, COSE, image, policy('strict', [c.root]), NOW))).toContain('expiry:failed:SIG_EXPIRED');
    for (const level of ['permissive', 'audit'] as const)
      expect(codes(verifyNotation(env, COSE, image, policy(level, [c.root]), NOW))).toContain('expiry:logged:SIG_EXPIRED');
    expect(codes(verifyNotation(env, COSE, image, policy('skip', []), NOW))).toEqual(['signature:not-checked:POLICY_SKIP']);
  });

  it('the anchor’s trust window is judged now: an ended window refuses (WINDOW_ENDED), a claimed time outside it too', async () => {
    const c = chain();
    const env = await buildJws(request(c), ecSign(c.key));
    const ended = defaultNotationTrust([
      { store: 'ca:test', name: 'old root', der: c.root, window: { notAfter: new Date(Date.now() - 1000).toISOString() } },
    ]);
    expect(codes(verifyNotation(env, JWS, image, ended, NOW))).toContain('key trust:failed:WINDOW_ENDED');
    const later = defaultNotationTrust([
      { store: 'ca:test', name: 'new root', der: c.root, window: { notBefore: new Date(Date.now() - 10_000).toISOString() } },
    ]);
    expect(codes(verifyNotation(env, JWS, image, later, NOW))).toContain('key trust:failed:WINDOW_CLAIM_OUTSIDE');
  });

  it('in Signet’s default, a trusted public key vouches for a signing certificate holding exactly that key', async () => {
    const c = chain();
    const env = await buildJws(request(c), ecSign(c.key));
    const spki = createHash('sha256')
      .update(new X509Certificate(c.leaf).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    const r = verifyNotation(env, JWS, image, defaultNotationTrust([], [{ name: 'release key', spkiSha256: spki }]), NOW);
    expect(codes(r)).toContain('key trust:passed:KEY_TRUSTED');
    expect(r.anchor?.name).toBe('release key');
    expect(
      codes(verifyNotation(env, JWS, image, defaultNotationTrust([], [{ name: 'other', spkiSha256: '0'.repeat(64) }]), NOW)),
    ).toContain('key trust:failed:SIG_UNKNOWN_KEY');
  });

  it('audit logs an untrusted chain instead of refusing it', async () => {
    const c = chain();
    const r = verifyNotation(await buildJws(request(c), ecSign(c.key)), JWS, image, policy('audit', [chain().root]), NOW);
    expect(codes(r)).toContain('key trust:logged:SIG_UNKNOWN_KEY');
    expect(r.checks.some((x) => x.status === 'failed')).toBe(false);
  });

  it('trusted identities: a subset of the leaf subject matches, another value does not (CERT_IDENTITY_MISMATCH)', () => {
    const ok = policy('strict', [alpine], { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary'] });
    expect(codes(verifyNotation(goJws, JWS, goImage, ok, NOW))).toContain('identity:passed:CERT_IDENTITY_TRUSTED');
    const no = policy('strict', [alpine], { trustedIdentities: ['x509.subject: CN=alpine,O=Notary,L=Seattle,ST=WA,C=USB'] });
    expect(codes(verifyNotation(goJws, JWS, goImage, no, NOW))).toContain('identity:failed:CERT_IDENTITY_MISMATCH');
  });

  it.each([
    ['an unknown critical header', { ...goodHeader(), crit: ['io.cncf.notary.signingScheme', 'x-unknown'], 'x-unknown': 1 }, {}],
    ['an expiry not marked critical', { ...goodHeader(), 'io.cncf.notary.expiry': new Date(Date.now() + 1e9).toISOString() }, {}],
    [
      'the signing scheme not marked critical',
      { ...goodHeader(), crit: ['io.cncf.notary.expiry'], 'io.cncf.notary.expiry': new Date(Date.now() + 1e9).toISOString() },
      {},
    ],
    ['another content type', { ...goodHeader(), cty: 'application/json' }, {}],
    ['no signing time', (({ 'io.cncf.notary.signingTime': _, ...h }) => h)(goodHeader()), {}],
    ['an unknown signing scheme', { ...goodHeader(), 'io.cncf.notary.signingScheme': 'notary.x509.other' }, {}],
    ['b64 (an unencoded payload)', { ...goodHeader(), b64: false }, {}],
    ['a critical header in the unprotected section', goodHeader(), { 'io.cncf.notary.expiry': new Date(Date.now() + 1e9).toISOString() }],
    ['a signing time that is not RFC 3339', { ...goodHeader(), 'io.cncf.notary.signingTime': 'yesterday' }, {}],
  ])('a JWS with %s is refused (ENVELOPE_HEADER_INVALID)', async (_, header, unprotected) => {
    const c = chain();
    expect(codes(verifyNotation(await rawJws(c, header, unprotected), JWS, image, trustIn(c.root), NOW))).toEqual([
      'signature:failed:ENVELOPE_HEADER_INVALID',
    ]);
  });

  it('notary.x509.signingAuthority: anchored only by signingAuthority stores; its authentic signing time must fall inside the certificates’ validity', async () => {
    const c = chain();
    const sa = (at: Date) => ({
      alg: 'ES256',
      crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'],
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
      'io.cncf.notary.authenticSigningTime': at.toISOString(),
    });
    const env = await rawJws(c, sa(new Date(Date.now() - 60_000)));
    expect(codes(verifyNotation(env, JWS, image, policy('strict', [c.root]), NOW))).toContain('key trust:failed:SIG_NO_TRUSTED_KEYS');
    const authority = policy('strict', [], {
      stores: { ca: [], signingAuthority: [{ store: 'signingAuthority:sa', name: 'SA root', der: c.root }], tsa: [] },
    });
    const r = verifyNotation(env, JWS, image, authority, NOW);
    expect(r.checks.every((x) => x.status === 'passed')).toBe(true);
    expect(r.details.signingTime?.authenticated).toBe(true);
    const before = await rawJws(c, sa(new Date(Date.now() - 30 * 86_400_000)));
    expect(codes(verifyNotation(before, JWS, image, authority, NOW))).toContain('timestamp:failed:CHAIN_CERT_NOT_VALID_NOW');
    // notary.x509 must not carry an authentic signing time, and signingAuthority needs one.
    expect(
      codes(
        verifyNotation(await rawJws(c, { ...sa(new Date()), 'io.cncf.notary.signingScheme': 'notary.x509' }), JWS, image, authority, NOW),
      ),
    ).toEqual(['signature:failed:ENVELOPE_HEADER_INVALID']);
  });

  it('an alg that does not match the leaf key is refused (ALG_KEY_MISMATCH)', async () => {
    const c = chain();
    expect(
      codes(verifyNotation(await rawJws(c, { ...goodHeader(), alg: 'ES384' }, {}, 'sha384'), JWS, image, trustIn(c.root), NOW)),
    ).toEqual(['signature:failed:ALG_KEY_MISMATCH']);
  });

  it('a duplicated JSON key anywhere makes the envelope unreadable', async () => {
    const c = chain();
    const text = (await rawJws(c, goodHeader())).toString().replace('{"payload"', '{"signature":"AA","payload"');
    expect(codes(verifyNotation(Buffer.from(text), JWS, image, trustIn(c.root), NOW))).toEqual(['signature:failed:SIG_UNREADABLE']);
  });

  it('a chain that breaks the rules is refused (CERT_CHAIN_INVALID): a CA as the signing certificate, a chain out of order, a root missing', async () => {
    const c = chain();
    const asLeaf = await buildJws({ ...request(c), chain: [c.root] }, ecSign(c.rootKey));
    expect(codes(verifyNotation(asLeaf, JWS, image, trustIn(c.root), NOW))).toEqual(['signature:failed:CERT_CHAIN_INVALID']);
    const reversed = await buildJws({ ...request(c), chain: [c.root, c.leaf] }, ecSign(c.key));
    expect(codes(verifyNotation(reversed, JWS, image, trustIn(c.root), NOW))).toEqual(['signature:failed:CERT_CHAIN_INVALID']);
    const noRoot = await buildJws({ ...request(c), chain: [c.leaf] }, ecSign(c.key));
    expect(codes(verifyNotation(noRoot, JWS, image, trustIn(c.root), NOW))).toEqual(['signature:failed:CERT_CHAIN_INVALID']);
  });

  it('COSE is parsed strictly: an unknown unprotected label, an indefinite length or trailing bytes are refused', async () => {
    const c = chain();
    const env = await buildCose(request(c), ecSign(c.key));
    const tag = decodeCbor(env) as CborTag;
    const [p, u, payload, sig] = tag.value as [Uint8Array, CborMap, Uint8Array, Uint8Array];
    const extra = new CborMap();
    extra.entries.push(...u.entries, [99, 1]);
    expect(codes(verifyNotation(encodeCbor(new CborTag(18, [p, extra, payload, sig])), COSE, image, trustIn(c.root), NOW))).toEqual([
      'signature:failed:ENVELOPE_HEADER_INVALID',
    ]);
    expect(codes(verifyNotation(Buffer.concat([env, Buffer.from([0])]), COSE, image, trustIn(c.root), NOW))).toEqual([
      'signature:failed:SIG_UNREADABLE',
    ]);
    const indefinite = Buffer.from(env);
    indefinite[1] = 0x9f; // array of indefinite length instead of 0x84
    expect(codes(verifyNotation(indefinite, COSE, image, trustIn(c.root), NOW))).toEqual(['signature:failed:SIG_UNREADABLE']);
    expect(u.get(COSE_LABEL.x5chain)).toHaveLength(2);
  });

  it('with a tsa store in the policy a timestamp is required (TIMESTAMP_MISSING) and must verify (TIMESTAMP_INVALID); without one a present timestamp is not checked, never taken as verified', async () => {
    const c = chain();
    const env = await buildJws(request(c), ecSign(c.key));
    expect(codes(verifyNotation(env, JWS, image, policy('strict', [c.root], { tsaConfigured: true }), NOW))).toContain(
      'timestamp:failed:TIMESTAMP_MISSING',
    );
    const doc = JSON.parse(env.toString()) as { header: Record<string, unknown> };
    doc.header['io.cncf.notary.timestampSignature'] = Buffer.from('not checked').toString('base64');
    const garbage = Buffer.from(JSON.stringify(doc));
    expect(codes(verifyNotation(garbage, JWS, image, policy('strict', [c.root], { tsaConfigured: true }), NOW))).toContain(
      'timestamp:failed:TIMESTAMP_INVALID',
    );
    const r = verifyNotation(garbage, JWS, image, policy('strict', [c.root]), NOW);
    expect(codes(r)).toContain('timestamp:not-checked:TIMESTAMP_NOT_CHECKED');
    expect(r.details.signingTime?.authenticated).toBe(false);
  });
});
