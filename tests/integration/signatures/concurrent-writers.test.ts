import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spkiSha256 } from '../../../electron/core/keys/generate';
import { softwareSigner } from '../../../electron/core/keys/signers';
import { RegistryClient } from '../../../electron/core/registry/client';
import type { RegistrySource } from '../../../electron/core/registry/source';
import { readCosignSignatures, signCosign, signatureTag } from '../../../electron/core/signatures/cosign';
import { pushTestImage, startKeyring, startRegistry, type KeyringHandle, type RegistryHandle } from '../../harness';
import { opensslVerify } from '../../harness/kms/openssl';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const exec = promisify(execFile);

const outsideSigner = (name: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signer = softwareSigner(privateKey, {
    keyId: name,
    provider: 'software',
    algorithm: 'ecdsa-p256-sha256',
    label: name,
    spkiSha256: spkiSha256(publicKey),
  });
  return { signer, pem };
};

/**
 * Cosign writers without fixed pauses: Signet's writers on one data directory take turns per
 * signature tag under a cross-process lock, and confirm with one immediate re-read that catches a
 * writer outside Signet. No signature may be lost — between processes, or among many signers in one.
 */
describe('concurrent cosign writers keep every signature', () => {
  let keyring: KeyringHandle;
  let registry: RegistryHandle;
  let client: RegistryClient;
  beforeAll(async () => {
    keyring = await startKeyring();
    registry = await startRegistry();
    client = new RegistryClient({ registry: registry.host });
  });
  afterAll(async () => {
    await registry?.stop();
    await keyring?.stop();
  });

  it('two `signet sign` loops on one data directory sign the same images in two repositories at once: every signature is there and openssl verifies it', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-two-processes-'));
    const signet = (...args: string[]) =>
      exec(process.execPath, [path.join(root, 'bin', 'signet.mjs'), ...args], {
        cwd: root,
        env: { ...process.env, ...keyring.env, SIGNET_HOME: home },
        timeout: 60_000,
      });
    await signet('key', 'generate', 'alpha');
    await signet('key', 'generate', 'beta');
    const images: Array<{ ref: string; repository: string; digest: string }> = [];
    for (const repository of ['team/one', 'team/two'])
      for (let i = 0; i < 4; i++) {
        const { digest } = await pushTestImage(registry.url, repository, `v${i}`, { seed: `${repository}-${i}` });
        images.push({ ref: `${registry.host}/${repository}:v${i}`, repository, digest });
      }
    // Both loops walk the images in the same order, so their processes race on the same signature tag.
    const loop = async (key: string) => {
      const statuses: number[] = [];
      for (const image of images) {
        const run = await signet('sign', image.ref, '--key', key).then(
          () => 0,
          (error: { code?: number }) => error.code ?? -1,
        );
        statuses.push(run);
      }
      return statuses;
    };
    const [alpha, beta] = await Promise.all([loop('alpha'), loop('beta')]);
    expect(alpha).toEqual(images.map(() => 0));
    expect(beta).toEqual(images.map(() => 0));

    const pems = await Promise.all(
      ['alpha', 'beta'].map(
        async (k) => (JSON.parse((await signet('key', 'show', k, '--json')).stdout) as { publicKey: string }).publicKey,
      ),
    );
    for (const image of images) {
      const found = await readCosignSignatures(client, image.repository, image.digest);
      expect(found, `${image.ref}: ${found.length} signature(s)`).toHaveLength(2);
      // One by each key, each verified by openssl over the stored payload, and each payload naming this image.
      const keys = found.map((s) => pems.findIndex((pem) => opensslVerify(pem, s.payload, s.signature, 'ecdsa-p256-sha256')));
      expect(keys.sort()).toEqual([0, 1]);
      for (const s of found) expect(s.payload.toString()).toContain(`"docker-manifest-digest":"${image.digest}"`);
    }
    // Every lock was released.
    const locks = path.join(home, 'locks');
    expect(existsSync(locks) ? readdirSync(locks) : []).toEqual([]);
  }, 300_000);

  it('two Signet processes on one data directory, each signing 24 images in two repositories all at once, both keys on every image', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-two-writers-'));
    const images: Array<{ repository: string; digest: string }> = [];
    for (const repository of ['race/one', 'race/two'])
      for (let i = 0; i < 12; i++)
        images.push({
          repository,
          digest: (await pushTestImage(registry.url, repository, `v${i}`, { seed: `race-${repository}-${i}` })).digest,
        });
    const writers = ['alpha', 'beta'].map((key) => {
      const child = spawn(
        path.join(root, 'node_modules', '.bin', 'tsx'),
        [path.join(import.meta.dirname, 'sign-writer.ts'), home, registry.host, key, ...images.map((i) => `${i.repository}@${i.digest}`)],
        { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const ready = new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const line = /^ready (.*)\n/m.exec(out);
          if (line) resolve(JSON.parse(line[1] as string) as string);
        });
        child.once('exit', (code) => reject(new Error(`writer ${key} exited ${code} before it was ready: ${err}`)));
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, ready, exited, err: () => err };
    });
    const pems = await Promise.all(writers.map((w) => w.ready));
    // Both start signing at the same moment, so their writes to each signature tag overlap.
    for (const w of writers) w.child.stdin.end('go\n');
    const codes = await Promise.all(writers.map((w) => w.exited));
    expect(codes, writers.map((w) => w.err()).join('\n')).toEqual([0, 0]);
    for (const image of images) {
      const found = await readCosignSignatures(client, image.repository, image.digest);
      const keys = found.map((s) => pems.findIndex((pem) => opensslVerify(pem, s.payload, s.signature, 'ecdsa-p256-sha256')));
      expect(keys.sort(), `${image.repository}@${image.digest}`).toEqual([0, 1]);
    }
  }, 180_000);

  it('two writers sharing no lock (two data directories) sign the same 20 images at the same moment, three rounds: none is lost', async () => {
    // Tighter than two CLI processes (whose cold starts rarely overlap): both writers reach every tag together. A writer without the
    // paused confirming re-reads lost 6 of these 120 signatures.
    const digests: string[] = [];
    for (let i = 0; i < 20; i++) digests.push((await pushTestImage(registry.url, 'team/apart', `t${i}`, { seed: `apart-${i}` })).digest);
    const writers = ['a', 'b'].map((name) => {
      const own = new RegistryClient({ registry: registry.host });
      // Another label for each: this process's per-tag queue does not join them, as it would not join two processes.
      const source: RegistrySource = Object.assign(Object.create(own) as RegistryClient, { label: `${name}/${own.label}` });
      return { source, lockDirectory: mkdtempSync(path.join(tmpdir(), `signet-locks-${name}-`)), signer: outsideSigner(name).signer };
    });
    for (let round = 0; round < 3; round++) {
      const made = await Promise.all(
        writers.flatMap((w) =>
          digests.map((digest) =>
            signCosign({
              source: w.source,
              registryHost: registry.host,
              repository: 'team/apart',
              digest,
              signer: w.signer,
              lockDirectory: w.lockDirectory,
              annotations: { round: String(round) },
            }),
          ),
        ),
      );
      const lost: string[] = [];
      for (const m of made) {
        const layers = (await client.manifest('team/apart', m.tag)).parsed.layers;
        if (!layers.some((l) => l.annotations?.['dev.cosignproject.cosign/signature'] === m.signature))
          lost.push(`${m.tag} round ${round}`);
      }
      expect(lost).toEqual([]);
    }
  }, 120_000);

  it('twelve signers in one process, sharing a lock directory, on one image: all twelve are kept', async () => {
    const image = await pushTestImage(registry.url, 'team/many', '1.0', { seed: 'many-signers' });
    const lockDirectory = path.join(mkdtempSync(path.join(tmpdir(), 'signet-locks-')), 'locks');
    const signers = Array.from({ length: 12 }, (_, i) => outsideSigner(`signer-${i}`));
    // Each its own client, as separate windows of the app would have.
    const made = await Promise.all(
      signers.map(({ signer }) =>
        signCosign({
          source: new RegistryClient({ registry: registry.host }),
          registryHost: registry.host,
          repository: 'team/many',
          digest: image.digest,
          signer,
          lockDirectory,
        }),
      ),
    );
    const found = await readCosignSignatures(client, 'team/many', image.digest);
    expect(found.map((s) => s.signature.toString('base64')).sort()).toEqual(made.map((m) => m.signature).sort());
    for (const [i, { pem }] of signers.entries())
      expect(
        found.some((s) => opensslVerify(pem, s.payload, s.signature, 'ecdsa-p256-sha256')),
        `signer ${i}`,
      ).toBe(true);
  }, 120_000);

  it('signing one image with three keys uploads its payload and lone config once: nine requests for the first signature, seven for each next; the tag is read (GET) once, then checked by HEAD: before writing, and twice after pauses', async () => {
    const image = await pushTestImage(registry.url, 'team/keys', '1.0', { seed: 'three-keys' });
    const lockDirectory = path.join(mkdtempSync(path.join(tmpdir(), 'signet-locks-')), 'locks');
    const requests: string[] = [];
    const counting = new RegistryClient({
      registry: registry.host,
      fetch: (input, init) => {
        requests.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
    });
    const perSignature: number[] = [];
    for (const n of [1, 2, 3]) {
      const before = requests.length;
      await signCosign({
        source: counting,
        registryHost: registry.host,
        repository: 'team/keys',
        digest: image.digest,
        signer: outsideSigner(`key-${n}`).signer,
        lockDirectory,
      });
      perSignature.push(requests.length - before);
    }
    expect(perSignature).toEqual([9, 7, 7]);
    expect(requests.filter((r) => r.startsWith('GET') && r.includes('/manifests/'))).toHaveLength(3);
    expect(requests.filter((r) => r.startsWith('HEAD') && r.includes('/manifests/'))).toHaveLength(9);
    expect(await readCosignSignatures(client, 'team/keys', image.digest)).toHaveLength(3);
  }, 60_000);

  it('a writer outside Signet that overwrites the signature image right after our push is detected by the re-read, and ours is merged again', async () => {
    const image = await pushTestImage(registry.url, 'team/foreign', '1.0', { seed: 'foreign-writer' });
    const tag = signatureTag(image.digest);
    const foreign = outsideSigner('foreign');
    await signCosign({
      source: client,
      registryHost: registry.host,
      repository: 'team/foreign',
      digest: image.digest,
      signer: foreign.signer,
    });
    const foreignOnly = await client.manifest('team/foreign', tag);
    // The outsider read the signature image before our push and writes its version just after it, without ours.
    let overwritten = 0;
    let ourPushes = 0;
    const racing: RegistrySource = Object.assign(Object.create(client) as RegistryClient, {
      async pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string) {
        const digest = await client.pushManifest(repository, reference, bytes, mediaType);
        if (reference === tag) {
          ourPushes += 1;
          if (overwritten === 0) {
            overwritten += 1;
            await client.pushManifest(repository, reference, foreignOnly.bytes, foreignOnly.mediaType);
          }
        }
        return digest;
      },
    });
    const ours = outsideSigner('ours');
    const lockDirectory = path.join(mkdtempSync(path.join(tmpdir(), 'signet-locks-')), 'locks');
    const made = await signCosign({
      source: racing,
      registryHost: registry.host,
      repository: 'team/foreign',
      digest: image.digest,
      signer: ours.signer,
      lockDirectory,
    });
    expect(overwritten).toBe(1);
    expect(ourPushes).toBe(2);
    const found = await readCosignSignatures(client, 'team/foreign', image.digest);
    expect(found.map((s) => s.signature.toString('base64'))).toContain(made.signature);
    expect(found.some((s) => opensslVerify(foreign.pem, s.payload, s.signature, 'ecdsa-p256-sha256'))).toBe(true);
    expect(found.some((s) => opensslVerify(ours.pem, s.payload, s.signature, 'ecdsa-p256-sha256'))).toBe(true);
  }, 60_000);
});
