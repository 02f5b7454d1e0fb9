import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startKeyring, startRegistry, startS3, type KeyringHandle, type RegistryHandle, type S3Handle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

describe('signet payload / asc / storage / publish', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  let s3: S3Handle;
  let digest: string;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-storage-cli-'));
  const signet = (...args: string[]) =>
    exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
      cwd: root,
      env: {
        ...process.env,
        ...keyring.env,
        SIGNET_HOME: home,
        HOME: home,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    });

  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    s3 = await startS3({ buckets: ['swr', 'lookaside'], obs: false });
    digest = (await pushTestImage(registry.url, 'team/app', '1.0')).digest;
  });
  afterAll(async () => {
    await s3?.stop();
    await registry?.stop();
    await keyring?.stop();
  });

  it('payload prints the exact bytes, resolving a tag to its digest', async () => {
    const { stdout } = await signet('payload', `${registry.host}/team/app:1.0`, '--creator', 'ci', '--timestamp', '1700000000');
    expect(stdout.trimEnd()).toBe(
      `{"critical":{"identity":{"docker-reference":"${registry.host}/team/app:1.0"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"},"optional":{"creator":"ci","timestamp":1700000000}}`,
    );
    const file = path.join(home, 'payload.json');
    await signet('payload', `${registry.host}/team/app@${digest}`, '--type', 'cosign', '--out', file);
    expect(readFileSync(file, 'utf8')).toContain('"cosign container image signature"');
  });

  it('asc saves {sha256}.asc and uploads it to the bucket, refusing to overwrite', async () => {
    await signet('key', 'generate', 'swr', '--type', 'pgp-ed25519', '--uid', 'SWR <swr@example.com>');
    const out = path.join(home, 'asc');
    const args = [
      'asc',
      `${registry.host}/team/app:1.0`,
      '--key',
      'swr',
      '--out',
      out,
      '--upload',
      's3://swr/signatures',
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--storage-kind',
      's3-compatible',
      '--json',
    ];
    const made = JSON.parse((await signet(...args)).stdout) as { file: string; url: string; objectKey: string };
    expect(made.objectKey).toBe(`team/app/${digest.slice(7)}.asc`);
    expect(made.url).toBe(`${s3.endpoint}/swr/signatures/team/app/${digest.slice(7)}.asc`);
    expect(JSON.parse(readFileSync(made.file, 'utf8'))).toMatchObject({ SerializedPayload: null });
    await expect(signet(...args.filter((a) => a !== '--out' && a !== out))).rejects.toMatchObject({
      stderr: expect.stringContaining('does not overwrite'),
    });
  });

  it('storage add/test/list with credentials from the environment; publish prints the registries.d snippet', async () => {
    await signet(
      'storage',
      'add',
      'ci',
      '--kind',
      's3-compatible',
      '--endpoint',
      s3.endpoint,
      '--bucket',
      'lookaside',
      '--path-style',
      '--credentials',
      'environment',
    );
    expect((await signet('storage', 'test', 'ci')).stdout).toMatch(/^ok +write and read back/m);
    const listed = JSON.parse((await signet('storage', 'list', '--json')).stdout) as Array<{ name: string }>;
    expect(listed.map((p) => p.name)).toEqual(['ci']);
    const staging = path.join(home, 'staging', `team/app@${digest.replace(':', '=')}`);
    mkdirSync(staging, { recursive: true });
    writeFileSync(path.join(staging, 'signature-1'), Buffer.from([0xa3, 0x01]));
    const { stdout } = await signet('publish', path.join(home, 'staging'), '--storage-profile', 'ci', '--scope', registry.host);
    expect(stdout).toContain('1 uploaded');
    expect(stdout).toContain(`lookaside: "${s3.endpoint}/lookaside"`);
  });
});
