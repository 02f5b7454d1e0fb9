import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet sign / verify / signatures', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  const officer = mkdtempSync(path.join(tmpdir(), 'signet-officer-'));
  const reviewer = mkdtempSync(path.join(tmpdir(), 'signet-reviewer-'));
  const signet = (home: string, ...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
    });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    await pushTestImage(registry.url, 'team/app', '1.0');
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('signs by tag, then verifies: exit 0 for the signer, 1 for a reviewer without the key, 0 with --pubkey', async () => {
    await signet(officer, 'key', 'generate', 'release');
    const ref = `${registry.host}/team/app:1.0`;
    expect((await signet(officer, 'sign', ref, '--key', 'release', '--annotation', 'build=42')).stdout).toContain('.sig');
    expect((await signet(officer, 'verify', ref)).stdout).toMatch(/: verified/);
    await expect(signet(reviewer, 'verify', ref)).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('signed-untrusted') });
    const pub = path.join(reviewer, 'release.pub');
    writeFileSync(pub, JSON.parse((await signet(officer, 'key', 'show', 'release', '--json')).stdout).publicKey);
    expect((await signet(reviewer, 'verify', ref, '--pubkey', pub)).stdout).toMatch(/: verified/);
    const listed = JSON.parse((await signet(reviewer, 'signatures', ref, '--json')).stdout) as {
      signatures: Array<{ annotations: Record<string, string> }>;
    };
    expect(listed.signatures[0]?.annotations).toEqual({ build: '42' });
  });

  it('signet tags lists every tag with its digest and signed state, signature artifacts only with --all', async () => {
    const unsigned = await pushTestImage(registry.url, 'team/app', '2.0', { seed: 'cli-tags-unsigned' });
    const repo = `${registry.host}/team/app`;
    const listed = JSON.parse((await signet(officer, 'tags', repo, '--json')).stdout) as {
      tags: Array<{ tag: string; digest?: string; verdict?: string; artifact?: boolean }>;
    };
    expect(listed.tags.map((t) => [t.tag, t.verdict])).toEqual([
      ['1.0', 'verified'],
      ['2.0', 'unsigned'],
    ]);
    expect(listed.tags[1]?.digest).toBe(unsigned.digest);
    const all = JSON.parse((await signet(officer, 'tags', repo, '--all', '--json')).stdout) as {
      tags: Array<{ tag: string; artifact?: boolean }>;
    };
    expect(all.tags.filter((t) => t.artifact).map((t) => t.tag)).toEqual([expect.stringMatching(/^sha256-[0-9a-f]{64}\.sig$/)]);
    await expect(signet(officer, 'tags', `${repo}:1.0`)).rejects.toMatchObject({ code: 2 });
  });

  it('simple-signs into a lookaside directory, and verifies it with the armored OpenPGP key', async () => {
    await signet(officer, 'key', 'generate', 'release-pgp', '--type', 'pgp-ed25519', '--uid', 'Release <release@example.com>');
    const lookaside = path.join(officer, 'lookaside');
    const ref = `${registry.host}/team/app:1.0`;
    expect(
      (await signet(officer, 'sign', ref, '--key', 'release-pgp', '--format', 'simplesigning', '--lookaside', lookaside)).stdout,
    ).toContain('signature-1');
    const pub = path.join(reviewer, 'release.asc');
    writeFileSync(pub, JSON.parse((await signet(officer, 'key', 'show', 'release-pgp', '--json')).stdout).publicKey);
    const report = JSON.parse((await signet(reviewer, 'signatures', ref, '--lookaside', lookaside, '--json')).stdout) as {
      signatures: Array<{ format: string; verdict: string }>;
    };
    expect(report.signatures.find((s) => s.format === 'simplesigning')).toMatchObject({ verdict: 'signed-untrusted' });
    const verified = JSON.parse((await signet(reviewer, 'verify', ref, '--lookaside', lookaside, '--pubkey', pub, '--json')).stdout) as {
      signatures: Array<{ format: string; verdict: string }>;
    };
    expect(verified.signatures.find((s) => s.format === 'simplesigning')).toMatchObject({ verdict: 'verified' });
  });

  it('signs into the lookaside-staging a registries.d names, and verifies through it with --key; --policy decides as podman would', async () => {
    const ref = `${registry.host}/team/app:1.0`;
    const staging = path.join(officer, 'staging');
    const registriesD = path.join(officer, 'registries.d');
    mkdirSync(registriesD, { recursive: true });
    writeFileSync(
      path.join(registriesD, 'site.yaml'),
      `docker:\n  ${registry.host}/team:\n    lookaside: file://${staging}\n    lookaside-staging: file://${staging}\n`,
    );
    await signet(officer, 'key', 'generate', 'rd-pgp', '--type', 'pgp-ed25519', '--uid', 'RD <rd@example.com>');
    expect(
      (await signet(officer, 'sign', ref, '--key', 'rd-pgp', '--format', 'simplesigning', '--registries-d', registriesD)).stdout,
    ).toContain(`${staging}/team/app@sha256=`);
    expect((await signet(officer, 'verify', ref, '--registries-d', registriesD, '--key', 'rd-pgp')).stdout).toMatch(/: verified/);
    await signet(officer, 'key', 'generate', 'rd-other', '--type', 'pgp-ed25519', '--uid', 'Other <other@example.com>');
    await expect(signet(officer, 'verify', ref, '--registries-d', registriesD, '--key', 'rd-other')).rejects.toMatchObject({ code: 1 });
    const pub = JSON.parse((await signet(officer, 'key', 'show', 'rd-pgp', '--json')).stdout).publicKey as string;
    const policy = path.join(officer, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: {
          docker: { [`${registry.host}/team`]: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: Buffer.from(pub).toString('base64') }] },
        },
      }),
    );
    expect((await signet(reviewer, 'verify', ref, '--policy', policy, '--registries-d', registriesD)).stdout).toMatch(
      /admitted by the policy/,
    );
  });
});
