import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgpSigner } from '../../../electron/core/keys/signers';
import { generatePgpKey } from '../../../electron/core/keys/generate';
import { readLookaside, signSimple, verifySimple, writeLookaside } from '../../../electron/core/signatures/simple';
import { pushTestImage, startRegistry } from '../../harness';
import { vector } from '../../vectors';

const fixture = (name: string) => readFileSync(vector('containers-image', name));
const manifestDigest = `sha256:${createHash('sha256').update(fixture('image.manifest.json')).digest('hex')}`;
const trustedFixtureKey = [{ name: 'containers/image test key', key: new Uint8Array(fixture('public-key.gpg')) }];

describe('simple signing: containers/image vectors', () => {
  // The vectors sign the name-only identity "testing/manifest", which podman's default rule
  // (matchRepoDigestOrExact) never accepts; the signature and payload checks are asserted here,
  // without an image reference, and the identity rule below.
  it.each([
    ['image.signature', true, 'SIG_VALID'],
    ['no-optional-fields.signature', true, 'SIG_VALID'],
    ['invalid-reference.signature', false, 'PAYLOAD_INVALID'],
    ['expired.signature', false, 'SIG_EXPIRED'],
    ['unknown-key.signature', false, 'SIG_UNKNOWN_KEY'],
    ['corrupt.signature', false, 'SIG_INVALID'],
    ['unsigned-literal.signature', false, 'SIG_NOT_SIGNED'],
  ])('%s → %s (%s)', async (file, ok, code) => {
    const verdict = await verifySimple(new Uint8Array(fixture(file)), manifestDigest, trustedFixtureKey);
    expect(verdict).toMatchObject({ ok, code });
  });

  it('refuses a tag the signature does not carry, a name-only identity, and another digest', async () => {
    expect(
      await verifySimple(
        new Uint8Array(fixture('image.signature')),
        manifestDigest,
        trustedFixtureKey,
        `testing/manifest@${manifestDigest}`,
      ),
    ).toMatchObject({ ok: false, code: 'IDENTITY_MISMATCH' });
    expect(
      await verifySimple(new Uint8Array(fixture('image.signature')), manifestDigest, trustedFixtureKey, 'testing/manifest:latest'),
    ).toMatchObject({ ok: false, code: 'IDENTITY_MISMATCH', reason: expect.stringContaining('testing/manifest:latest') });
    expect(
      await verifySimple(new Uint8Array(fixture('image.signature')), manifestDigest, trustedFixtureKey, `other/repo@${manifestDigest}`),
    ).toMatchObject({ ok: false, code: 'IDENTITY_MISMATCH' });
    expect(await verifySimple(new Uint8Array(fixture('image.signature')), `sha256:${'1'.repeat(64)}`, trustedFixtureKey)).toMatchObject({
      ok: false,
      code: 'DIGEST_MISMATCH',
      reason: expect.stringContaining('not this image'),
    });
  });
});

describe('simple signing with skopeo as the peer', () => {
  it('skopeo standalone-verify and a signedBy policy accept Signet’s signatures; another key is rejected', async () => {
    const registry = await startRegistry();
    const home = mkdtempSync(path.join(tmpdir(), 'signet-simple-'));
    try {
      const image = await pushTestImage(registry.url, 'team/app', '1.0');
      const material = await generatePgpKey('pgp-ed25519', 'Signet Release <release@example.com>');
      const signer = await pgpSigner(material.armoredPrivate);
      const reference = `${registry.host}/team/app:1.0`;
      const { message } = await signSimple(signer, reference, image.digest, 'Signet 0.1.0', new Date());
      const lookaside = path.join(home, 'lookaside');
      const file = await writeLookaside(lookaside, 'team/app', image.digest, message);
      expect(file.endsWith(`team/app@sha256=${image.digest.slice(7)}/signature-1`)).toBe(true);
      expect(await writeLookaside(lookaside, 'team/app', image.digest, message)).toMatch(/signature-2$/);
      expect((await readLookaside(lookaside, 'team/app', image.digest)).map((s) => s.name)).toEqual(['signature-1', 'signature-2']);
      expect(await verifySimple(message, image.digest, [{ name: 'release', key: material.armoredPublic }], reference)).toMatchObject({
        ok: true,
      });

      // gpg keyring for skopeo
      const gnupg = path.join(home, 'gnupg');
      execFileSync('mkdir', ['-m', '700', gnupg]);
      execFileSync('gpg', ['--batch', '--homedir', gnupg, '--import'], {
        input: material.armoredPublic,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const manifestFile = path.join(home, 'manifest.json');
      writeFileSync(manifestFile, execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]));
      const verified = execFileSync('skopeo', ['standalone-verify', manifestFile, reference, material.fingerprint, file], {
        env: { ...process.env, GNUPGHOME: gnupg },
        encoding: 'utf8',
      });
      expect(verified).toContain(image.digest);

      // podman's reader path: skopeo copy under a signedBy policy with a registries.d lookaside.
      const keyFile = path.join(home, 'release.gpg');
      writeFileSync(keyFile, execFileSync('gpg', ['--batch', '--homedir', gnupg, '--export', material.fingerprint]));
      const registriesD = path.join(home, 'registries.d');
      execFileSync('mkdir', ['-p', registriesD]);
      writeFileSync(path.join(registriesD, 'signet.yaml'), `docker:\n  ${registry.host}:\n    lookaside: file://${lookaside}\n`);
      const policy = (keyPath: string) =>
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: {
            docker: { [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }] },
            dir: { '': [{ type: 'insecureAcceptAnything' }] },
          },
        });
      writeFileSync(path.join(home, 'policy.json'), policy(keyFile));
      execFileSync(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--policy',
          path.join(home, 'policy.json'),
          '--registries.d',
          registriesD,
          '--src-tls-verify=false',
          `docker://${reference}`,
          `dir:${path.join(home, 'copy')}`,
        ],
        { env: { ...process.env, GNUPGHOME: gnupg } },
      );

      const other = await generatePgpKey('pgp-ed25519', 'Someone Else <else@example.com>');
      const otherKey = path.join(home, 'other.gpg');
      const otherHome = path.join(home, 'gnupg2');
      execFileSync('mkdir', ['-m', '700', otherHome]);
      execFileSync('gpg', ['--batch', '--homedir', otherHome, '--import'], {
        input: other.armoredPublic,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      writeFileSync(otherKey, execFileSync('gpg', ['--batch', '--homedir', otherHome, '--export', other.fingerprint]));
      writeFileSync(path.join(home, 'policy-other.json'), policy(otherKey));
      expect(() =>
        execFileSync(
          'skopeo',
          [
            'copy',
            '--quiet',
            '--policy',
            path.join(home, 'policy-other.json'),
            '--registries.d',
            registriesD,
            '--src-tls-verify=false',
            `docker://${reference}`,
            `dir:${path.join(home, 'copy2')}`,
          ],
          { env: { ...process.env, GNUPGHOME: gnupg }, stdio: 'pipe' },
        ),
      ).toThrow(/not signed|signature|reject/i);
    } finally {
      await registry.stop();
    }
  });
});
