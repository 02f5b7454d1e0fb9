import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCertificate, makeCsr } from './x509';

const dir = mkdtempSync(path.join(tmpdir(), 'signet-x509-'));
const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const year = 365 * 24 * 3600 * 1000;

describe.each([
  ['ec-p256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['ec-p384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['rsa-2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['ed25519', () => generateKeyPairSync('ed25519')],
] as const)('X.509 with %s keys, checked by openssl', (kind, generate) => {
  it('a self-signed CA and a code-signing leaf: openssl verifies the chain and reads the extensions', () => {
    const ca = generate();
    const leaf = generate();
    const now = new Date();
    const caSubject = { commonName: `Signet test CA ${kind}`, organization: 'Signet' };
    const caPem = makeCertificate({
      subject: caSubject,
      publicKey: ca.publicKey,
      issuer: { subject: caSubject, privateKey: ca.privateKey },
      notBefore: now,
      notAfter: new Date(now.getTime() + 10 * year),
      ca: true,
    });
    const leafPem = makeCertificate({
      subject: { commonName: `release-${kind}`, organization: 'Signet' },
      publicKey: leaf.publicKey,
      issuer: { subject: caSubject, privateKey: ca.privateKey },
      notBefore: now,
      notAfter: new Date(now.getTime() + year),
      ca: false,
    });
    writeFileSync(path.join(dir, `${kind}-ca.pem`), caPem);
    writeFileSync(path.join(dir, `${kind}-leaf.pem`), leafPem);
    expect(openssl(['verify', '-CAfile', `${kind}-ca.pem`, `${kind}-leaf.pem`])).toContain('OK');
    const text = openssl(['x509', '-in', `${kind}-leaf.pem`, '-noout', '-text']);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+Code Signing/);
    expect(openssl(['x509', '-in', `${kind}-ca.pem`, '-noout', '-text'])).toMatch(/CA:TRUE[\s\S]*Certificate Sign, CRL Sign/);
    // node:crypto (not forge) checks the signature and reads the subject.
    const parsed = new X509Certificate(leafPem);
    expect(parsed.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(parsed.subject).toContain(`CN=release-${kind}`);
    // Another CA does not verify the leaf.
    const other = generate();
    const otherPem = makeCertificate({
      subject: caSubject,
      publicKey: other.publicKey,
      issuer: { subject: caSubject, privateKey: other.privateKey },
      notBefore: now,
      notAfter: new Date(now.getTime() + year),
      ca: true,
    });
    writeFileSync(path.join(dir, `${kind}-other.pem`), otherPem);
    expect(() => openssl(['verify', '-CAfile', `${kind}-other.pem`, `${kind}-leaf.pem`])).toThrow();
  });

  it('a CSR that openssl verifies', () => {
    const key = generate();
    writeFileSync(path.join(dir, `${kind}.csr`), makeCsr({ commonName: 'release.example.com', organization: 'Signet' }, key.privateKey));
    const out = execFileSync('openssl', ['req', '-in', `${kind}.csr`, '-noout', '-verify', '-text'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/Subject: O ?= ?Signet, CN ?= ?release\.example\.com/);
    expect(out).toContain('Code Signing');
  });
});
