import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../tests/vectors';
import { decodeStoredSignature } from '../signatures/lookaside/blob';
import { evaluatePolicy, type KeyFileReader, type PolicyImage } from './evaluate';
import { parsePolicy } from './policy';

const ci = (...p: string[]) => readFileSync(vector('containers-image', ...p));
const b64 = (file: string) => ci(file).toString('base64');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const keys: KeyFileReader = { read: async (file) => ci(file.replace(/^\/keys\//, '')) };

function policyFor(docker: Record<string, unknown[]>, fallback = 'reject'): ReturnType<typeof parsePolicy> {
  return parsePolicy(JSON.stringify({ default: [{ type: fallback }], transports: { docker } }));
}

function simpleImage(reference: string, files: string[]): PolicyImage {
  return {
    transport: 'docker',
    reference,
    manifestDigest: sha(ci('image.manifest.json')),
    signatures: files.map((f) => ({ source: f, signature: decodeStoredSignature(ci(f)) })),
  };
}

function cosignImage(dir: string, reference: string, extra: string[] = []): PolicyImage {
  const manifest = ci(dir, 'manifest.json');
  return {
    transport: 'docker',
    reference,
    manifestDigest: sha(manifest),
    manifest,
    signatures: [`${dir}/signature-1`, ...extra].map((f) => ({ source: f, signature: decodeStoredSignature(ci(...f.split('/'))) })),
  };
}

describe('policy evaluation with containers/image’s own signatures', () => {
  const gpg = (identity?: unknown) => ({
    type: 'signedBy',
    keyType: 'GPGKeys',
    keyData: b64('public-key.gpg'),
    ...(identity ? { signedIdentity: identity } : {}),
  });

  it('signedBy admits the vector image signature under matchRepository and names the requirement', async () => {
    const result = await evaluatePolicy(
      policyFor({ 'docker.io/testing': [gpg({ type: 'matchRepository' })] }),
      simpleImage('testing/manifest:latest', ['image.signature']),
    );
    expect(result).toMatchObject({
      allowed: true,
      identity: 'docker.io/testing/manifest:latest',
      section: { kind: 'scope', scope: 'docker.io/testing' },
    });
    expect(result.requirements[0]).toMatchObject({
      outcome: 'admitted',
      signatures: [{ outcome: 'accepted', signer: '08CD26E446E2E95249B7A405E932F44B23E8DD43' }],
    });
  });

  it('the default identity rule rejects a signature without a tag (as skopeo does)', async () => {
    const result = await evaluatePolicy(policyFor({ '': [gpg()] }), simpleImage('testing/manifest:latest', ['image.signature']));
    expect(result.allowed).toBe(false);
    expect(result.reason).toContain('Signature for identity "testing/manifest" is not accepted');
  });

  it('a keyring with several keys (pubring.gpg) works as keyPath', async () => {
    const result = await evaluatePolicy(
      policyFor({
        '': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/keys/pubring.gpg', signedIdentity: { type: 'matchRepository' } }],
      }),
      simpleImage('docker.io/testing/manifest@' + sha(ci('image.manifest.json')), ['image.signature']),
      keys,
    );
    expect(result.allowed).toBe(true);
  });

  it.each([
    ['expired.signature', /expired/i],
    ['unknown-key.signature', /not a trusted key/],
    ['unsigned-literal.signature', /not signed/],
    ['invalid-reference.signature', /not a valid image reference|not accepted/],
  ])('%s is rejected with its reason', async (file, reason) => {
    const result = await evaluatePolicy(
      policyFor({ '': [gpg({ type: 'matchRepository' })] }),
      simpleImage('testing/manifest:latest', [file]),
    );
    expect(result.allowed).toBe(false);
    expect(result.requirements[0]!.signatures[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(reason) });
  });

  it('no signature at all: "A signature was required"', async () => {
    const result = await evaluatePolicy(policyFor({ '': [gpg()] }), simpleImage('testing/manifest:latest', []));
    expect(result.reason).toContain('A signature was required, but no signature exists');
  });

  it('all requirements must pass: the first rejection decides and the rest are not evaluated', async () => {
    const result = await evaluatePolicy(
      policyFor({ '': [{ type: 'insecureAcceptAnything' }, { type: 'reject' }, gpg()] }),
      simpleImage('testing/manifest:latest', ['image.signature']),
    );
    expect(result.requirements.map((r) => r.outcome)).toEqual(['admitted', 'rejected', 'not-evaluated']);
    expect(result.reason).toContain('Requirement 2 (reject)');
  });

  it('the most specific scope wins; wildcard subdomains; then "" ; then default', async () => {
    const policy = policyFor(
      {
        '': [{ type: 'reject' }],
        'example.com/team': [{ type: 'insecureAcceptAnything' }],
        '*.example.com': [{ type: 'insecureAcceptAnything' }],
      },
      'insecureAcceptAnything',
    );
    const at = async (reference: string) => {
      const r = await evaluatePolicy(policy, { transport: 'docker', reference, manifestDigest: sha(Buffer.from('x')), signatures: [] });
      return [r.allowed, r.section.scope ?? r.section.kind];
    };
    expect(await at('example.com/team/app:1')).toEqual([true, 'example.com/team']);
    expect(await at('eu.example.com/other/app:1')).toEqual([true, '*.example.com']);
    expect(await at('example.com/other/app:1')).toEqual([false, 'transport-default']);
    const noDocker = parsePolicy('{"default":[{"type":"insecureAcceptAnything"}]}');
    expect(
      (
        await evaluatePolicy(noDocker, {
          transport: 'docker',
          reference: 'x.org/a:1',
          manifestDigest: sha(Buffer.from('x')),
          signatures: [],
        })
      ).section.kind,
    ).toBe('default');
  });

  it('signedBaseLayer and unimplemented keyTypes reject, as upstream', async () => {
    const base = await evaluatePolicy(
      policyFor({ '': [{ type: 'signedBaseLayer', baseLayerIdentity: { type: 'matchRepository' } }] }),
      simpleImage('testing/manifest:latest', ['image.signature']),
    );
    expect(base.reason).toContain('signedBaseLayer not implemented');
    const x509 = await evaluatePolicy(
      policyFor({ '': [{ ...gpg(), keyType: 'X509Certificates' }] }),
      simpleImage('testing/manifest:latest', ['image.signature']),
    );
    expect(x509.reason).toContain('Unimplemented "keyType" value "X509Certificates"');
  });
});

describe('sigstoreSigned with cosign-made signatures', () => {
  const sigstore = (keyFile: string, extra: Record<string, unknown> = {}) => ({
    type: 'sigstoreSigned',
    keyData: b64(keyFile),
    signedIdentity: { type: 'matchRepository' },
    ...extra,
  });

  it('verifies the cosign vector with cosign.pub, not with cosign2.pub', async () => {
    const image = cosignImage('dir-img-cosign-valid', '192.168.64.2:5000/cosign-signed-single-sample:latest');
    expect((await evaluatePolicy(policyFor({ '': [sigstore('cosign.pub')] }), image)).allowed).toBe(true);
    const other = await evaluatePolicy(policyFor({ '': [sigstore('cosign2.pub')] }), image);
    expect(other.allowed).toBe(false);
    expect(other.reason).toContain('cryptographic signature verification failed');
  });

  it('refuses the cosign payload (no tag) under the default identity rule', async () => {
    const image = cosignImage('dir-img-cosign-valid', '192.168.64.2:5000/cosign-signed-single-sample:latest');
    const r = await evaluatePolicy(policyFor({ '': [{ type: 'sigstoreSigned', keyData: b64('cosign.pub') }] }), image);
    expect(r.reason).toContain('is not accepted');
  });

  it('the skopeo-made sigstore signature (with tag) verifies under matchExact', async () => {
    const image = cosignImage('dir-img-cosign-valid-with-tag', '192.168.64.2:5000/skopeo-signed:tag');
    expect(
      (await evaluatePolicy(policyFor({ '': [sigstore('cosign.pub', { signedIdentity: { type: 'matchExact' } })] }), image)).allowed,
    ).toBe(true);
  });

  it('checks the Rekor SET when Rekor keys are configured', async () => {
    const image = cosignImage('dir-img-cosign-key-rekor-valid', '192.168.64.2:5000/cosign-signed/key-1:latest');
    const good = await evaluatePolicy(policyFor({ '': [sigstore('cosign2.pub', { rekorPublicKeyData: b64('rekor.pub') })] }), image);
    expect(good.allowed).toBe(true);
    const wrongRekor = await evaluatePolicy(policyFor({ '': [sigstore('cosign2.pub', { rekorPublicKeyData: b64('cosign.pub') })] }), image);
    expect(wrongRekor.reason).toContain('cryptographic signature verification of Rekor SET failed');
    const noSet = await evaluatePolicy(
      policyFor({ '': [sigstore('cosign.pub', { rekorPublicKeyData: b64('rekor.pub') })] }),
      cosignImage('dir-img-cosign-valid', '192.168.64.2:5000/cosign-signed-single-sample:latest'),
    );
    expect(noSet.reason).toContain('missing dev.sigstore.cosign/bundle annotation');
  });

  it('a signature stored under one digest whose payload names another is refused', async () => {
    const image = {
      ...cosignImage('dir-img-cosign-valid', '192.168.64.2:5000/cosign-signed-single-sample:latest'),
      manifestDigest: `sha256:${'0'.repeat(64)}`,
      manifest: Buffer.from('{}'),
    };
    const r = await evaluatePolicy(policyFor({ '': [sigstore('cosign.pub')] }), image);
    expect(r.reason).toContain('Signature for digest sha256:634a8f35');
  });

  it('the unknown-key cosign signature is refused with both keys; simple signatures are counted, not used', async () => {
    const image = cosignImage('dir-img-cosign-valid', '192.168.64.2:5000/cosign-signed-single-sample:latest');
    const unknown = {
      ...image,
      signatures: [
        { source: 'unknown', signature: decodeStoredSignature(ci('unknown-cosign-key.signature')) },
        { source: 'gpg', signature: decodeStoredSignature(ci('image.signature')) },
      ],
    };
    for (const key of ['cosign.pub', 'cosign2.pub']) {
      const r = await evaluatePolicy(policyFor({ '': [sigstore(key)] }), unknown);
      expect(r.allowed).toBe(false);
      expect(r.requirements[0]!.signatures.map((s) => s.outcome)).toEqual(['rejected', 'ignored']);
    }
  });
});
