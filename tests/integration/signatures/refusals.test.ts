import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);
type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

describe('refusals that protect the reader and the registry', () => {
  it('refuses a 100,000-layer signature image before reading any layer, and signs nothing onto it', async () => {
    const image = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: `sha256:${'9'.repeat(64)}` },
        layers: [],
      }),
    );
    const digest = `sha256:${createHash('sha256').update(image).digest('hex')}`;
    const layer = {
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      size: 1,
      digest: `sha256:${'8'.repeat(64)}`,
      annotations: { 'dev.cosignproject.cosign/signature': 'AA==' },
    };
    const huge = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: `sha256:${'9'.repeat(64)}` },
        layers: Array.from({ length: 100_000 }, () => layer),
      }),
    );
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url === '/v2/') return res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0' }).end('{}');
      if (req.url === `/v2/team/app/manifests/${digest}`)
        return res
          .writeHead(200, {
            'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
            'Docker-Content-Digest': digest,
            'Content-Length': String(image.length),
          })
          .end(image);
      if (req.url?.startsWith('/v2/team/app/manifests/sha256-'))
        return res
          .writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': String(huge.length) })
          .end(huge);
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const core = createCore({
        dataDir: mkdtempSync(path.join(tmpdir(), 'signet-huge-')),
        host: 'cli',
        keySecrets: new MemorySecretStore(),
      });
      const id = ((await core.dispatch('registry.add', { host })) as Outcome<{ id: string }> & { ok: true }).value.id;
      // The signature image cannot be read within the caps: the verdict is unknown, never "unsigned", and says why.
      const verified = (await core.dispatch('signatures.verify', { id, repository: 'team/app', digest })) as Outcome<{
        verdict: string;
        code: string;
        looked: Array<{ kind: string; outcome: string; reason?: string }>;
      }>;
      expect(verified).toMatchObject({
        ok: true,
        value: {
          verdict: 'unknown',
          code: 'PLACE_UNREADABLE',
          looked: expect.arrayContaining([
            expect.objectContaining({ kind: 'cosign-tag', outcome: 'unreadable', reason: expect.stringMatching(/at most|more than/) }),
          ]),
        },
      });
      expect(requests.filter((r) => r.includes('/blobs/'))).toEqual([]);
      await core.dispatch('keys.generate', { name: 'k', type: 'ecdsa-p256' });
      const signed = (await core.dispatch('signatures.sign', { id, repository: 'team/app', digest, key: 'k' })) as Outcome<unknown>;
      expect(signed).toMatchObject({ ok: false, code: 'TOO_LARGE' });
      expect(requests.filter((r) => r.startsWith('PUT') || r.startsWith('PATCH'))).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('two signers in two processes', () => {
    let keyring: KeyringHandle;
    let registry: RegistryHandle;
    beforeAll(async () => {
      keyring = await startKeyring();
      registry = await startRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
      await keyring?.stop();
    });

    it('both signatures are present afterwards (re-read after write, merge again when the tag moved)', async () => {
      await pushTestImage(registry.url, 'team/app', '1.0');
      const homes = [mkdtempSync(path.join(tmpdir(), 'signet-a-')), mkdtempSync(path.join(tmpdir(), 'signet-b-'))];
      const signet = (home: string, ...args: string[]) =>
        exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
          cwd: root,
          env: { ...process.env, ...keyring.env, SIGNET_HOME: home, EMPTY: '' },
        });
      const pubs: string[] = [];
      for (const [i, home] of homes.entries()) {
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const file = path.join(home, 'key.pem');
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
        await signet(home, 'key', 'import', file, '--name', `signer-${i}`, '--password-env', 'EMPTY');
        pubs.push(path.join(home, 'key.pub'));
        writeFileSync(pubs[i] as string, publicKey.export({ type: 'spki', format: 'pem' }));
      }
      const ref = `${registry.host}/team/app:1.0`;
      for (let round = 0; round < 3; round++) {
        await Promise.all(homes.map((home, i) => signet(home, 'sign', ref, '--key', `signer-${i}`, '--annotation', `round=${round}`)));
      }
      const report = JSON.parse(
        (await signet(homes[0] as string, 'verify', ref, '--pubkey', pubs[0] as string, '--pubkey', pubs[1] as string, '--json')).stdout,
      ) as { signatures: Array<{ verdict: string; annotations: Record<string, string> }> };
      expect(report.signatures.map((s) => s.annotations.round).sort(), JSON.stringify(report.signatures.map((s) => s.annotations))).toEqual(
        ['0', '0', '1', '1', '2', '2'],
      );
      expect(report.signatures.every((s) => s.verdict === 'verified')).toBe(true);
    });
  });
});
