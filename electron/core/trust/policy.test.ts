import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../tests/vectors';
import { parseNormalizedNamed, policyNamespaces, refString } from './docker-reference';
import { identityMatches } from './identity';
import { parsePolicy, type SignedIdentity } from './policy';

const fixture = () => readFileSync(vector('containers-image', 'policy.json'));

describe('policy.json parsing (containers/image rules)', () => {
  it('parses the upstream fixture with every requirement and identity type', () => {
    const policy = parsePolicy(fixture());
    expect(policy.default).toEqual([{ type: 'reject' }]);
    const docker = policy.transports.docker!;
    expect(docker['example.com/production']).toEqual([
      { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/keys/employee-gpg-keyring', signedIdentity: { type: 'matchRepoDigestOrExact' } },
    ]);
    expect(docker['registry.redhat.io/beta']![0]).toMatchObject({
      keyPaths: ['/keys/RH-production-signing-key-gpg-keyring', '/keys/RH-beta-signing-key-gpg-keyring'],
    });
    expect(docker['private-mirror:5000/vendor-mirror']![0]).toMatchObject({
      signedIdentity: { type: 'remapIdentity', prefix: 'private-mirror:5000/vendor-mirror', signedPrefix: 'vendor.example.com' },
    });
    expect(docker['example.com/hardened']![2]).toEqual({
      type: 'signedBaseLayer',
      baseLayerIdentity: { type: 'exactRepository', dockerRepository: 'registry.access.redhat.com/rhel7/rhel' },
    });
    expect(docker['example.com/sigstore/key-path-example']![0]).toEqual({
      type: 'sigstoreSigned',
      keyPath: '/keys/public-key',
      signedIdentity: { type: 'matchRepository' },
    });
    expect(policy.transports.dir!['']).toEqual([{ type: 'insecureAcceptAnything' }]);
  });

  const base = (req: unknown) => JSON.stringify({ default: [req] });
  it.each([
    ['an unknown top-level key', '{"default":[{"type":"reject"}],"extra":1}', 'Unknown key "extra"'],
    ['a duplicate key', '{"default":[{"type":"reject"}],"default":[{"type":"reject"}]}', 'repeats the key "default"'],
    ['trailing data', '{"default":[{"type":"reject"}]} {}', 'data after the JSON value'],
    ['no default', '{"transports":{}}', 'Default policy is missing'],
    ['an empty requirement list', '{"default":[]}', 'must not be empty'],
    ['an unknown requirement type', base({ type: 'acceptIfNice' }), 'Unknown policy requirement type "acceptIfNice"'],
    ['an extra member in reject', base({ type: 'reject', why: 'x' }), 'Unknown key "why"'],
    ['signedBy without a key', base({ type: 'signedBy', keyType: 'GPGKeys' }), 'none of them present'],
    [
      'signedBy with two key sources',
      base({ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/a', keyData: 'AAAA' }),
      'more than one present',
    ],
    [
      'signedBy with an unknown keyType',
      base({ type: 'signedBy', keyType: 'SSHKeys', keyPath: '/a' }),
      'Unrecognized keyType value "SSHKeys"',
    ],
    ['signedBy with a number as keyPath', base({ type: 'signedBy', keyType: 'GPGKeys', keyPath: 5 }), 'keyPath must be a string'],
    ['keyData that is not base64', base({ type: 'signedBy', keyType: 'GPGKeys', keyData: 'not base64!' }), 'not valid base64'],
    [
      'exactReference without a tag',
      base({
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: '/a',
        signedIdentity: { type: 'exactReference', dockerReference: 'example.com/app' },
      }),
      'neither a tag nor digest',
    ],
    [
      'an unknown identity type',
      base({ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/a', signedIdentity: { type: 'matchAnything' } }),
      'Unknown policy reference match type',
    ],
    [
      'a bad remap prefix',
      base({
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: '/a',
        signedIdentity: { type: 'remapIdentity', prefix: 'Not/Valid', signedPrefix: 'example.com' },
      }),
      'prefix "Not/Valid" is not valid',
    ],
    ['sigstoreSigned with two key sources', base({ type: 'sigstoreSigned', keyPath: '/a', keyData: 'AAAA' }), 'exactly one of keyPath'],
    [
      'sigstoreSigned fulcio without Rekor',
      base({ type: 'sigstoreSigned', fulcio: { caPath: '/ca', oidcIssuer: 'https://x', subjectEmail: 'a@b' } }),
      'must be specified if fulcio is used',
    ],
    [
      'a relative dir: scope',
      '{"default":[{"type":"reject"}],"transports":{"dir":{"relative/path":[{"type":"reject"}]}}}',
      'not a valid dir scope',
    ],
  ])('refuses %s', (_what, text, reason) => {
    expect(() => parsePolicy(text)).toThrow(reason);
  });

  it('takes matchRepoDigestOrExact when signedIdentity is absent', () => {
    expect(parsePolicy(base({ type: 'sigstoreSigned', keyData: 'AAAA' })).default[0]).toMatchObject({
      signedIdentity: { type: 'matchRepoDigestOrExact' },
    });
  });
});

describe('Docker references as containers/image normalises them', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['registry-1.docker.io/x/y', 'registry-1.docker.io/x/y'],
    ['localhost/app:1', 'localhost/app:1'],
    ['Upper/app', 'Upper/app'],
    ['127.0.0.1:5000/team/app@sha256:' + 'a'.repeat(64), '127.0.0.1:5000/team/app@sha256:' + 'a'.repeat(64)],
  ])('%s → %s', (input, out) => {
    expect(refString(parseNormalizedNamed(input))).toBe(out);
  });

  it.each(['UPPERCASEISINVALID', 'docker.io/Team/app', 'a'.repeat(64), 'app@sha256:abc', 'app@md5:' + 'a'.repeat(32)])(
    'refuses %s',
    (input) => {
      expect(() => parseNormalizedNamed(input)).toThrow();
    },
  );

  it('lists namespaces most specific first, wildcards last, port dropped', () => {
    expect(policyNamespaces(parseNormalizedNamed('registry.example.com:5000/a/b:1'))).toEqual([
      'registry.example.com:5000/a/b',
      'registry.example.com:5000/a',
      'registry.example.com:5000',
      '*.example.com',
      '*.com',
    ]);
  });
});

describe('signedIdentity rules: the matrix measured with skopeo 1.9.3 (formats.md §2.6)', () => {
  const signed = '127.0.0.1:5077/example/hello:v1';
  const digest = `sha256:${'2'.repeat(64)}`;
  const pulls = {
    v1: '127.0.0.1:5077/example/hello:v1',
    v2: '127.0.0.1:5077/example/hello:v2',
    digest: `127.0.0.1:5077/example/hello@${digest}`,
  };
  const rows: Array<[string, SignedIdentity, [boolean, boolean, boolean], string?]> = [
    ['matchExact', { type: 'matchExact' }, [true, false, false]],
    ['matchRepoDigestOrExact', { type: 'matchRepoDigestOrExact' }, [true, false, true]],
    ['matchRepository', { type: 'matchRepository' }, [true, true, true]],
    ['exactReference', { type: 'exactReference', dockerReference: '127.0.0.1:5077/example/hello:v1' }, [true, true, true]],
    ['exactRepository', { type: 'exactRepository', dockerRepository: '127.0.0.1:5077/example/hello' }, [true, true, true]],
    [
      'remapIdentity to itself',
      { type: 'remapIdentity', prefix: '127.0.0.1:5077/example', signedPrefix: '127.0.0.1:5077/example' },
      [true, false, true],
    ],
    [
      'remapIdentity to a vendor',
      { type: 'remapIdentity', prefix: '127.0.0.1:5077/example', signedPrefix: 'registry.example.com/vendor' },
      [true, false, true],
      'registry.example.com/vendor/hello:v1',
    ],
  ];
  it.each(rows)('%s', (_name, rule, expected, signedAs) => {
    const got = [pulls.v1, pulls.v2, pulls.digest].map((p) => identityMatches(rule, parseNormalizedNamed(p), signedAs ?? signed).ok);
    expect(got).toEqual(expected);
  });

  it('rejects a repository-only (cosign) identity under the default rule, and says why', () => {
    const r = identityMatches({ type: 'matchRepoDigestOrExact' }, parseNormalizedNamed('example.com/app:1'), 'example.com/app');
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('Signature for identity "example.com/app" is not accepted') });
  });

  it('without a Docker reference (dir:, oci:) only exactReference/exactRepository apply', () => {
    expect(identityMatches({ type: 'matchRepository' }, undefined, signed).ok).toBe(false);
    expect(identityMatches({ type: 'exactRepository', dockerRepository: '127.0.0.1:5077/example/hello' }, undefined, signed).ok).toBe(true);
  });
});
