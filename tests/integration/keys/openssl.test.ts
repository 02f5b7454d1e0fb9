import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spkiSha256 } from '../../../electron/core/keys/generate';
import { softwareSigner } from '../../../electron/core/keys/signers';
import type { SignatureAlgorithm } from '../../../electron/core/signing/signer';
import { verifyRawSignature } from '../../../electron/core/signing/verify-raw';
import { requireCommand } from '../../harness';

const openssl = requireCommand('openssl', 'openssl');
const dir = mkdtempSync(path.join(tmpdir(), 'signet-openssl-'));
const data = Buffer.from(
  '{"critical":{"identity":{"docker-reference":"example.com/app"},"type":"cosign container image signature"},"optional":null}',
);
writeFileSync(path.join(dir, 'data'), data);
const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** openssl-made keys: [name, genpkey args, signing algorithm, openssl dgst/pkeyutl sign args, verify args]. */
const CASES: ReadonlyArray<[string, string[], SignatureAlgorithm, string[], string[]]> = [
  ['ec-p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ecdsa-p256-sha256', ['dgst', '-sha256'], ['dgst', '-sha256']],
  ['ec-p384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ecdsa-p384-sha384', ['dgst', '-sha384'], ['dgst', '-sha384']],
  ['rsa-pkcs1', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'rsa-pkcs1v15-sha256', ['dgst', '-sha256'], ['dgst', '-sha256']],
  [
    'rsa-pss',
    ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
    'rsa-pss-sha256',
    ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'],
    ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'],
  ],
  [
    'rsa-pss-512',
    ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'rsa-pss-sha512',
    ['dgst', '-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'],
    ['dgst', '-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'],
  ],
  ['ed25519', ['-algorithm', 'ED25519'], 'ed25519', ['pkeyutl', '-sign', '-rawin'], ['pkeyutl', '-verify', '-pubin', '-rawin']],
];

describe('software signatures and openssl, both directions', () => {
  it.each(CASES)(
    '%s: openssl verifies Signet’s signature, and Signet verifies openssl’s',
    (name, genpkey, algorithm, signArgs, verifyArgs) => {
      run(['genpkey', ...genpkey, '-out', `${name}.key`]);
      run(['pkey', '-in', `${name}.key`, '-pubout', '-out', `${name}.pub`]);
      const privateKey = createPrivateKey(readFileSync(path.join(dir, `${name}.key`)));
      const publicPem = readFileSync(path.join(dir, `${name}.pub`), 'utf8');

      // Signet signs → openssl verifies.
      const signer = softwareSigner(privateKey, {
        keyId: name,
        provider: 'software',
        algorithm,
        label: name,
        spkiSha256: spkiSha256(createPublicKey(privateKey)),
      });
      return signer.sign(data).then((signature) => {
        writeFileSync(path.join(dir, `${name}.signet.sig`), signature);
        const check =
          verifyArgs[0] === 'pkeyutl'
            ? [...verifyArgs, '-inkey', `${name}.pub`, '-in', 'data', '-sigfile', `${name}.signet.sig`]
            : [...verifyArgs, '-verify', `${name}.pub`, '-signature', `${name}.signet.sig`, 'data'];
        expect(run(check)).toMatch(/Verified OK|Signature Verified Successfully/);

        // openssl signs → Signet verifies (and refuses altered data).
        const made =
          signArgs[0] === 'pkeyutl'
            ? [...signArgs, '-inkey', `${name}.key`, '-in', 'data', '-out', `${name}.openssl.sig`]
            : [...signArgs, '-sign', `${name}.key`, '-out', `${name}.openssl.sig`, 'data'];
        run(made);
        const theirs = readFileSync(path.join(dir, `${name}.openssl.sig`));
        expect(verifyRawSignature(algorithm, publicPem, data, theirs)).toBe(true);
        expect(verifyRawSignature(algorithm, publicPem, Buffer.concat([data, Buffer.from(' ')]), theirs)).toBe(false);
      });
    },
  );
});
