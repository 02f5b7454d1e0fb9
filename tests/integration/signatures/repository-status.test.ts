import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustEntry } from '../../../shared/models/trust';
import { generatePgpKey, spkiSha256 } from '../../../electron/core/keys/generate';
import { pgpSigner } from '../../../electron/core/keys/signers';
import { RegistryClient } from '../../../electron/core/registry/client';
import { signCosign } from '../../../electron/core/signatures/cosign';
import { repositoryStatus } from '../../../electron/core/signatures/repository-status';
import { signSimple, writeLookaside } from '../../../electron/core/signatures/simple';
import { pushTestImage, startRegistry, type RegistryHandle } from '../../harness';

/**
 * repositoryStatus shares each kind of trust among the tags whose images select the same trust scope: a scope that names one tag must
 * still give that tag, and only that tag, its keys, in whatever order the tags are checked.
 */
describe('repositoryStatus: trust scopes that name tags', () => {
  let registry: RegistryHandle;
  let client: RegistryClient;
  // The lookaside also over HTTP: repositoryStatus reads it signature by signature there.
  let server: Server;
  let lookasideUrl = '';
  const lookaside = mkdtempSync(path.join(tmpdir(), 'signet-status-lookaside-'));
  const repository = 'scoped/tags';
  const now = new Date();
  const entries: TrustEntry[] = [];
  const tags = ['a', 'b', 'c', 'd', 'e'];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const file = path.join(lookaside, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(lookaside + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile())
        return void res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    lookasideUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host });
    const cosignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = cosignKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signer = {
      describe: () => ({ keyId: 'k', provider: 'software' as const, algorithm: 'ecdsa-p256-sha256' as const, label: 'k', spkiSha256: '' }),
      publicKeyPem: async () => pem,
      sign: async (d: Uint8Array) => sign('sha256', d, cosignKey.privateKey),
    };
    const pgp = await generatePgpKey('pgp-ed25519', 'Scoped Release <release@example.com>');
    const pgpSign = await pgpSigner(pgp.armoredPrivate);
    for (const tag of tags) {
      const image = await pushTestImage(registry.url, repository, tag, { seed: `status-${tag}` });
      // a, b: cosign; c, d: simple signing; e: unsigned.
      if (tag === 'a' || tag === 'b')
        await signCosign({ source: client, registryHost: registry.host, repository, digest: image.digest, signer: signer as never, now });
      if (tag === 'c' || tag === 'd') {
        const { message } = await signSimple(pgpSign, `${registry.host}/${repository}:${tag}`, image.digest, 'test', now);
        await writeLookaside(lookaside, repository, image.digest, message);
      }
    }
    const addedAt = now.toISOString();
    // The cosign key is trusted for tag a only, the OpenPGP key for tag c only.
    entries.push(
      {
        id: 'cosign',
        name: 'cosign key',
        kind: 'public-key',
        fingerprint: spkiSha256(cosignKey.publicKey).toUpperCase(),
        data: pem,
        addedAt,
        scopes: [`${registry.host}/${repository}:a`],
      } as TrustEntry,
      {
        id: 'pgp',
        name: 'release key',
        kind: 'openpgp',
        fingerprint: pgp.fingerprint,
        keyId: pgp.keyId,
        data: pgp.armoredPublic,
        addedAt,
        scopes: [`${registry.host}/${repository}:c`],
      } as TrustEntry,
    );
  });
  afterAll(async () => {
    await registry?.stop();
    server?.close();
  });

  it.each([
    ['in order', tags],
    ['reversed', [...tags].reverse()],
    ['out-of-scope tags first', ['b', 'd', 'e', 'a', 'c']],
  ])('each tag is judged with its own scope’s keys (%s)', async (_, order) => {
    for (const [concurrency, url] of [
      [1, lookaside],
      [8, lookaside],
      [8, lookasideUrl],
    ] as const) {
      const results = await repositoryStatus({
        source: client,
        host: registry.host,
        repository,
        tags: order,
        entries,
        lookaside: { url, from: 'test' },
        now: new Date(),
        concurrency,
      });
      const verdicts = Object.fromEntries(results.map((r) => [r.tag, r.verdict]));
      expect(verdicts).toEqual({ a: 'verified', b: 'signed-untrusted', c: 'verified', d: 'signed-untrusted', e: 'unsigned' });
    }
  });
});
