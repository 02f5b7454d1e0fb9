import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, startS3, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);
const temp = (p: string) => mkdtempSync(path.join(tmpdir(), `signet-${p}-`));

describe('air-gapped ceremony through the CLI: request → offline signing (offline mode on) → check', () => {
  let registry: RegistryHandle;
  let keyring: KeyringHandle;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  const connected = temp('connected');
  const station = temp('station');
  const work = temp('media');
  const cli = (home: string, args: string[], input?: string) => {
    const child = exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    });
    child.child.stdin?.end(input ?? '');
    return child;
  };

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('signs exactly the payloads the connected machine prepared, with the key it named, without any network', async () => {
    await cli(station, ['key', 'generate', 'release', '--type', 'ecdsa-p256']);
    const key = JSON.parse((await cli(station, ['key', 'show', 'release', '--json'])).stdout) as { spkiSha256: string; publicKey: string };
    await cli(station, ['offline', 'mode', 'on']);

    const requestFile = path.join(work, 'app.request.json');
    const prepared = await cli(connected, [
      'offline',
      'request',
      `${registry.host}/team/app:1.0`,
      '--key',
      key.spkiSha256,
      '--out',
      requestFile,
    ]);
    expect(prepared.stdout).toContain('3 signature(s) over 3 image manifest(s)');
    expect(prepared.stdout).toContain(image.digest);

    const bundleFile = path.join(work, 'app.bundle.json');
    const signed = await cli(station, ['offline', 'sign', requestFile, '--key', 'release', '--out', bundleFile], 'sign\n');
    expect(signed.stdout).toContain('Signed 3 item(s), declined 0');

    const checked = await cli(connected, ['offline', 'check', requestFile, bundleFile, '--json']);
    const verdict = JSON.parse(checked.stdout) as { signatures: Array<{ digest: string }> };
    expect(verdict.signatures.map((s) => s.digest).sort()).toEqual([image.digest, ...image.platforms.map((p) => p.digest)].sort());

    // openssl, not Signet, checks one signature over the exact payload bytes.
    const request = JSON.parse(readFileSync(requestFile, 'utf8')) as { items: Array<{ id: string; payload: string }> };
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { signatures: Array<{ itemId: string; signature: string }> };
    writeFileSync(path.join(work, 'payload'), Buffer.from(request.items[0]?.payload ?? '', 'base64'));
    writeFileSync(
      path.join(work, 'sig'),
      Buffer.from(bundle.signatures.find((s) => s.itemId === request.items[0]?.id)?.signature ?? '', 'base64'),
    );
    writeFileSync(path.join(work, 'pub.pem'), key.publicKey);
    expect(
      (await exec('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', 'payload'], { cwd: work })).stdout,
    ).toContain('Verified OK');

    // Attach on the connected machine, then a reviewer verifies with the station's public key.
    const attached = JSON.parse((await cli(connected, ['offline', 'attach', bundleFile, '--request', requestFile, '--json'])).stdout) as {
      outcomes: Array<{ result: string }>;
    };
    expect(attached.outcomes.map((o) => o.result)).toEqual(['attached', 'attached', 'attached']);
    const again = JSON.parse((await cli(connected, ['offline', 'attach', bundleFile, '--request', requestFile, '--json'])).stdout) as {
      outcomes: Array<{ result: string }>;
    };
    expect(again.outcomes.map((o) => o.result)).toEqual(['already-present', 'already-present', 'already-present']);
    const reviewer = temp('reviewer');
    writeFileSync(path.join(reviewer, 'station.pub'), key.publicKey);
    const verified = await cli(reviewer, [
      'verify',
      `${registry.host}/team/app:1.0`,
      '--pubkey',
      path.join(reviewer, 'station.pub'),
      '--json',
    ]);
    expect(JSON.parse(verified.stdout)).toMatchObject({ verdict: 'verified', signatures: [{ verdict: 'verified' }] });

    // The station's audit log recorded it.
    expect((await cli(station, ['audit', 'list'])).stdout).toContain('offline');
  });

  it('refuses to sign on a station with offline mode off unless overridden, and the override is in the bundle, the check and the audit log', async () => {
    const online = temp('online-station');
    await cli(online, ['key', 'generate', 'release', '--type', 'ecdsa-p256']);
    const key = JSON.parse((await cli(online, ['key', 'show', 'release', '--json'])).stdout) as { spkiSha256: string };
    const requestFile = path.join(work, 'online.request.json');
    await cli(connected, [
      'offline',
      'request',
      `${registry.host}/team/app:1.0`,
      '--key',
      key.spkiSha256,
      '--index-only',
      '--out',
      requestFile,
    ]);
    const bundleFile = path.join(work, 'online.bundle.json');
    await expect(cli(online, ['offline', 'sign', requestFile, '--key', 'release', '--out', bundleFile, '--yes'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Offline mode is off'),
    });
    expect(existsSync(bundleFile)).toBe(false);

    await cli(online, ['offline', 'sign', requestFile, '--key', 'release', '--out', bundleFile, '--yes', '--allow-online']);
    expect((JSON.parse(readFileSync(bundleFile, 'utf8')) as { station: unknown }).station).toEqual({ offlineMode: false, override: true });
    expect((await cli(connected, ['offline', 'check', requestFile, bundleFile])).stdout).toContain(
      'offline mode OFF, by explicit override',
    );
    const audit = (
      JSON.parse((await cli(online, ['audit', 'list', '--json'])).stdout) as { entries: Array<{ details?: Record<string, unknown> }> }
    ).entries;
    expect(audit.map((e) => e.details)).toContainEqual(
      expect.objectContaining({ offlineMode: false, override: 'signed with offline mode off' }),
    );
    // The station with offline mode on says so in its bundles.
    expect(
      (
        await cli(connected, [
          'offline',
          'check',
          requestFile.replace('online.request', 'app.request'),
          bundleFile.replace('online.bundle', 'app.bundle'),
        ])
      ).stdout,
    ).toContain('signed with offline mode on');
  });

  it('carries Notation items across: the request holds the exact signing inputs and the chain; the attached envelopes are what notation writes and verify', async () => {
    await cli(station, ['key', 'generate', 'notary', '--type', 'x509-ecdsa-p256', '--uid', 'release.example.com']);
    const key = JSON.parse((await cli(station, ['key', 'show', 'notary', '--json'])).stdout) as { spkiSha256: string };
    await cli(station, ['key', 'export', 'notary', '--format', 'x509', '--out', path.join(work, 'notary-chain.pem')]);
    const requestFile = path.join(work, 'notation.request.json');
    const prepared = await cli(connected, [
      'offline',
      'request',
      `${registry.host}/team/app:1.0`,
      '--key',
      key.spkiSha256,
      '--format',
      'notation',
      '--envelope',
      'cose',
      '--chain',
      path.join(work, 'notary-chain.pem'),
      '--index-only',
      '--out',
      requestFile,
    ]);
    expect(prepared.stdout).toContain('notation');
    const bundleFile = path.join(work, 'notation.bundle.json');
    expect((await cli(station, ['offline', 'sign', requestFile, '--key', 'notary', '--out', bundleFile], 'sign\n')).stdout).toContain(
      'Signed 1 item(s)',
    );
    const attached = JSON.parse((await cli(connected, ['offline', 'attach', bundleFile, '--request', requestFile, '--json'])).stdout) as {
      outcomes: Array<{ result: string; format: string }>;
    };
    expect(attached.outcomes).toEqual([expect.objectContaining({ format: 'notation', result: 'attached' })]);
    const again = JSON.parse((await cli(connected, ['offline', 'attach', bundleFile, '--request', requestFile, '--json'])).stdout) as {
      outcomes: Array<{ result: string }>;
    };
    expect(again.outcomes.map((o) => o.result)).toEqual(['already-present']);
    // A reviewer who trusts the chain's root in a Notation store verifies it.
    const reviewer = temp('notation-reviewer');
    const chain = readFileSync(path.join(work, 'notary-chain.pem'), 'utf8');
    writeFileSync(
      path.join(reviewer, 'root.pem'),
      (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? []).at(-1) as string,
    );
    await cli(reviewer, ['trust', 'add', path.join(reviewer, 'root.pem'), '--store', 'ca:release']);
    const verified = JSON.parse((await cli(reviewer, ['signatures', `${registry.host}/team/app:1.0`, '--json'])).stdout) as {
      signatures: Array<{ format: string; verdict: string; notation?: { envelope?: string } }>;
    };
    expect(verified.signatures.filter((s) => s.format === 'notation')).toEqual([
      expect.objectContaining({ verdict: 'verified', notation: expect.objectContaining({ envelope: 'cose' }) }),
    ]);
  });

  it('carries OpenPGP simple signatures across and attaches them into a lookaside directory skopeo accepts', async () => {
    await cli(station, ['key', 'generate', 'release-pgp', '--type', 'pgp-ed25519', '--uid', 'Release <release@example.com>']);
    const pgp = JSON.parse((await cli(station, ['key', 'show', 'release-pgp', '--json'])).stdout) as {
      pgpFingerprint: string;
      publicKey: string;
    };
    const requestFile = path.join(work, 'simple.request.json');
    // The description and metadata travel signed in the payload, as online signing puts them.
    await cli(connected, [
      'offline',
      'request',
      `${registry.host}/team/app:1.0`,
      '--key',
      pgp.pgpFingerprint,
      '--index-only',
      '--out',
      requestFile,
      '--description',
      'Offline release 1.0',
      '--metadata',
      '{"ceremony":"2026-11"}',
    ]);
    const payload = Buffer.from(
      (JSON.parse(readFileSync(requestFile, 'utf8')) as { items: Array<{ payload: string }> }).items[0]!.payload,
      'base64',
    ).toString('utf8');
    expect(JSON.parse(payload).optional).toMatchObject({
      description: 'Offline release 1.0',
      metadata: '{"ceremony":"2026-11"}',
      timestamp: expect.any(Number),
    });
    const bundleFile = path.join(work, 'simple.bundle.json');
    await cli(station, ['offline', 'sign', requestFile, '--key', 'release-pgp', '--out', bundleFile, '--yes']);
    const lookaside = path.join(work, 'lookaside');
    const attached = JSON.parse(
      (await cli(connected, ['offline', 'attach', bundleFile, '--request', requestFile, '--lookaside', lookaside, '--json'])).stdout,
    ) as { outcomes: Array<{ result: string; detail: string }> };
    expect(attached.outcomes).toEqual([expect.objectContaining({ result: 'attached', detail: expect.stringMatching(/signature-1$/) })]);
    const gnupg = temp('gnupg');
    writeFileSync(path.join(gnupg, 'key.asc'), pgp.publicKey);
    await exec('gpg', ['--batch', '--homedir', gnupg, '--import', path.join(gnupg, 'key.asc')]);
    writeFileSync(
      path.join(work, 'm.json'),
      (await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/team/app:1.0`])).stdout,
    );
    const verified = await exec(
      'skopeo',
      [
        'standalone-verify',
        path.join(work, 'm.json'),
        `${registry.host}/team/app:1.0`,
        pgp.pgpFingerprint,
        attached.outcomes[0]?.detail as string,
      ],
      { env: { ...process.env, GNUPGHOME: gnupg } },
    );
    expect(verified.stdout).toContain('Signature verified');
    // An OpenPGP payload is read only once a trusted key verifies it: with the station's key, the report shows what was signed.
    const listed = await cli(connected, [
      'verify',
      `${registry.host}/team/app:1.0`,
      '--lookaside',
      lookaside,
      '--pubkey',
      path.join(gnupg, 'key.asc'),
    ]);
    expect(listed.stdout).toContain('description (signed): Offline release 1.0');
    expect(listed.stdout).toContain('metadata (signed): {"ceremony":"2026-11"}');
  });

  it('carries an .asc signature across and uploads {sha256}.asc to an OBS bucket; gpg recovers the payload', async () => {
    const s3 = await startS3({ buckets: ['swr'], obs: true });
    try {
      const pgp = JSON.parse((await cli(station, ['key', 'show', 'release-pgp', '--json'])).stdout) as {
        pgpFingerprint: string;
        publicKey: string;
      };
      const requestFile = path.join(work, 'asc.request.json');
      await cli(connected, [
        'offline',
        'request',
        `${registry.host}/team/app:1.0`,
        '--key',
        pgp.pgpFingerprint,
        '--format',
        'asc',
        '--index-only',
        '--out',
        requestFile,
      ]);
      const bundleFile = path.join(work, 'asc.bundle.json');
      await cli(station, ['offline', 'sign', requestFile, '--key', 'release-pgp', '--out', bundleFile, '--yes']);
      const args = [
        'offline',
        'attach',
        bundleFile,
        '--request',
        requestFile,
        '--asc-upload',
        's3://swr/sigs',
        '--endpoint',
        s3.endpoint,
        '--region',
        'cn-north-4',
        '--storage-kind',
        'obs',
        '--path-style',
        '--json',
      ];
      const env = {
        ...process.env,
        ...keyring.env,
        SIGNET_HOME: connected,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      };
      const run = () => exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], { cwd: root, env });
      const attached = JSON.parse((await run()).stdout) as { outcomes: Array<{ result: string; detail: string }> };
      expect(attached.outcomes).toEqual([
        expect.objectContaining({ result: 'attached', detail: `${s3.endpoint}/swr/sigs/team/app/${image.digest.slice(7)}.asc` }),
      ]);
      expect((JSON.parse((await run()).stdout) as { outcomes: Array<{ result: string }> }).outcomes[0]?.result).toBe('already-present');
      const doc = JSON.parse(
        readFileSync(path.join(s3.dir, 'data', 'swr', 'sigs', 'team', 'app', `${image.digest.slice(7)}.asc._S3rver_object`), 'utf8'),
      ) as { PublicKeyID: string; Signature: string };
      expect(doc.PublicKeyID).toBe(pgp.pgpFingerprint);
      const gnupg = temp('gnupg-asc');
      writeFileSync(path.join(gnupg, 'key.asc'), pgp.publicKey);
      await exec('gpg', ['--batch', '--homedir', gnupg, '--import', path.join(gnupg, 'key.asc')]);
      writeFileSync(path.join(gnupg, 'msg.asc'), Buffer.from(doc.Signature, 'base64'));
      const payload = await exec('gpg', ['--batch', '--homedir', gnupg, '--decrypt', path.join(gnupg, 'msg.asc')]);
      expect(payload.stdout).toContain(`"docker-manifest-digest":"${image.digest}"`);
    } finally {
      await s3.stop();
    }
  });

  it('refuses to attach when the tag moved since the request, explaining it', async () => {
    const requestFile = path.join(work, 'moving.request.json');
    await pushTestImage(registry.url, 'team/moving', '1.0', { seed: 'a' });
    const key = JSON.parse((await cli(station, ['key', 'show', 'release', '--json'])).stdout) as { spkiSha256: string };
    await cli(connected, [
      'offline',
      'request',
      `${registry.host}/team/moving:1.0`,
      '--key',
      key.spkiSha256,
      '--index-only',
      '--out',
      requestFile,
    ]);
    const bundleFile = path.join(work, 'moving.bundle.json');
    await cli(station, ['offline', 'sign', requestFile, '--key', 'release', '--out', bundleFile, '--yes']);
    await pushTestImage(registry.url, 'team/moving', '1.0', { seed: 'b' });
    await expect(cli(connected, ['offline', 'attach', bundleFile, '--request', requestFile])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('probably re-pushed or re-compressed'),
    });
  });

  it('refuses to prepare a request while offline, and a bundle edited after signing', async () => {
    await expect(
      cli(station, ['offline', 'request', `${registry.host}/team/app:1.0`, '--key', 'release', '--out', path.join(work, 'x.json')]),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Offline mode is on') });
    const bundleFile = path.join(work, 'app.bundle.json');
    const tampered = path.join(work, 'tampered.bundle.json');
    writeFileSync(tampered, readFileSync(bundleFile, 'utf8').replace(/"requestSha256": "[0-9a-f]{4}/, '"requestSha256": "0000'));
    await expect(cli(connected, ['offline', 'check', path.join(work, 'app.request.json'), tampered])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('answers another request'),
    });
  });
});

describe('OCI layout transfer with signatures', () => {
  it('exports byte-exact to a .tar that skopeo reads, and imports into another registry where the signatures still verify', async () => {
    const keyring = await startKeyring();
    const source = await startRegistry();
    const target = await startRegistry();
    const home = temp('transfer');
    const cli = (args: string[]) =>
      exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
        cwd: root,
        env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
      });
    try {
      const image = await pushTestImage(source.url, 'team/app', '1.0', { platforms: ['linux/amd64', 'linux/arm64'] });
      await cli(['key', 'generate', 'release']);
      await cli(['sign', `${source.host}/team/app:1.0`, '--key', 'release']);
      const archive = path.join(home, 'transfer.tar');
      const exported = JSON.parse((await cli(['offline', 'export', `${source.host}/team/app:1.0`, '--out', archive, '--json'])).stdout) as {
        images: number;
        platformManifests: number;
        signatures: number;
      };
      // The index and both platform manifests are signed (the default for an index).
      expect(exported).toMatchObject({ images: 1, platformManifests: 2, signatures: 3 });
      const inspected = JSON.parse((await exec('skopeo', ['inspect', '--raw', `oci-archive:${archive}:team/app:1.0`])).stdout) as {
        manifests: unknown[];
      };
      expect(inspected.manifests).toHaveLength(2);

      const imported = JSON.parse((await cli(['offline', 'import', archive, '--registry', target.host, '--json'])).stdout) as {
        images: number;
        signatures: number;
      };
      expect(imported).toMatchObject({ images: 1, signatures: 3 });
      const report = JSON.parse((await cli(['verify', `${target.host}/team/app:1.0`, '--json'])).stdout) as {
        digest: string;
        verdict: string;
      };
      expect(report).toMatchObject({ digest: image.digest, verdict: 'verified' });
    } finally {
      await source.stop();
      await target.stop();
      await keyring.stop();
    }
  });
});
