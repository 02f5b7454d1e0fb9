import { execFile, execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { pushTestImage, requireCommand, startRegistry, type RegistryHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** A static file server on loopback, as a lookaside web server would be. */
async function serveDirectory(root: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent((req.url ?? '/').split('?')[0] as string));
    if (!file.startsWith(root) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** podman's reader path: skopeo copy reads Signet's published simple signatures over HTTP. */
describe('publishing a lookaside staging directory for podman', () => {
  let registry: RegistryHandle;
  let web: Awaited<ReturnType<typeof serveDirectory>>;
  let core: Core;
  const home = mkdtempSync(path.join(tmpdir(), 'signet-publish-'));
  const published = path.join(home, 'published');
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };

  beforeAll(async () => {
    requireCommand('skopeo', 'skopeo');
    requireCommand('gpg', 'gnupg');
    registry = await startRegistry();
    mkdirSync(published);
    web = await serveDirectory(published);
    core = createCore({ dataDir: home, host: 'cli', keySecrets: new MemorySecretStore() });
  });
  afterAll(async () => {
    await web?.stop();
    await registry?.stop();
  });

  it('skopeo copy under a signedBy policy accepts the image through the published lookaside, and rejects it under another key', async () => {
    await pushTestImage(registry.url, 'team/app', '1.0');
    const reference = `${registry.host}/team/app:1.0`;
    const id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    const image = await ok<{ digest: string }>('registry.image', { id, repository: 'team/app', reference: '1.0' });
    await ok('keys.generate', { name: 'release', type: 'pgp-ed25519', userId: 'Release <release@example.com>' });
    await ok('keys.generate', { name: 'other', type: 'pgp-ed25519', userId: 'Other <other@example.com>' });
    const staging = path.join(home, 'staging');
    await ok('signatures.sign', {
      id,
      repository: 'team/app',
      digest: image.digest,
      key: 'release',
      format: 'simplesigning',
      lookaside: staging,
      expectedTag: '1.0',
    });

    const result = await ok<{ uploaded: string[]; baseUrl: string; registriesD: string }>('storage.publish', {
      directory: staging,
      target: { kind: 'directory', path: published, publicUrl: web.url },
      scope: registry.host,
    });
    expect(result.uploaded).toEqual([`team/app@${image.digest.replace(':', '=')}/signature-1`]);
    expect(result.baseUrl).toBe(web.url);
    const registriesD = path.join(home, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(path.join(registriesD, 'signet.yaml'), result.registriesD);

    const gnupg = path.join(home, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const exportKey = async (name: string) => {
      const pgp = (await ok<{ exports: { pgp: string } }>('keys.get', { key: name })).exports.pgp;
      execFileSync('gpg', ['--batch', '--homedir', gnupg, '--import'], { input: pgp, stdio: ['pipe', 'ignore', 'ignore'] });
      const info = await ok<{ info: { pgpFingerprint: string } }>('keys.get', { key: name });
      const file = path.join(home, `${name}.gpg`);
      writeFileSync(file, execFileSync('gpg', ['--batch', '--homedir', gnupg, '--export', info.info.pgpFingerprint]));
      return file;
    };
    const policy = (keyPath: string) =>
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: { docker: { [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }] } },
      });
    writeFileSync(path.join(home, 'policy.json'), policy(await exportKey('release')));
    writeFileSync(path.join(home, 'policy-other.json'), policy(await exportKey('other')));
    // Asynchronous: the lookaside web server runs in this process and must keep answering.
    const copy = (policyFile: string, to: string) =>
      promisify(execFile)(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--policy',
          policyFile,
          '--registries.d',
          registriesD,
          '--src-tls-verify=false',
          `docker://${reference}`,
          `dir:${path.join(home, to)}`,
        ],
        { env: { ...process.env, GNUPGHOME: gnupg } },
      );
    await copy(path.join(home, 'policy.json'), 'copy');
    await expect(copy(path.join(home, 'policy-other.json'), 'copy2')).rejects.toThrow(/signature|reject|not signed/i);
  });
});
