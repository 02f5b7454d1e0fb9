import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { RegistryClient } from '../../../electron/core/registry/client';
import { pushTestImage, startRegistry, startSoftHsm, testChain, type RegistryHandle, type SoftHsmHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** `signatures.sign` with a pkcs11: key: a SoftHSM2 key signs an image in cosign format in the real registry. */
describe('signing an image with a PKCS#11 token key', () => {
  let hsm: SoftHsmHandle;
  let registry: RegistryHandle;
  let core: Core;
  let id: string;
  let image: Awaited<ReturnType<typeof pushTestImage>>;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };

  beforeAll(async () => {
    hsm = await startSoftHsm({ label: 'release-token', pin: '918273' });
    Object.assign(process.env, hsm.env);
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-p11-sign-'));
    core = createCore({
      dataDir,
      host: 'cli',
      keySecrets: new MemorySecretStore(),
      doctor: { findPkcs11Modules: async () => [{ path: hsm.modulePath, name: 'SoftHSM2', source: 'known-path' }] },
    });
    id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
  });
  afterAll(async () => {
    await registry?.stop();
    await hsm?.stop();
  });

  it('signs with the token key given as a pkcs11: URI and the PIN from the call; the token key’s public key verifies it', async () => {
    const token = (await ok<Array<{ serial: string; label: string }>>('tokens.list', { module: hsm.modulePath })).find(
      (t) => t.label === 'release-token',
    )!;
    const key = await ok<{ uri: string; publicKeyPem?: string }>('tokens.generate', {
      module: hsm.modulePath,
      token: token.serial,
      label: 'cosign-release',
      type: 'ecdsa-p256',
      pin: hsm.pin,
    });
    const uri = key.uri;
    expect(uri).toContain('module-path=');
    const wrong = await call('signatures.sign', { id, repository: 'team/app', digest: image.digest, key: uri, pin: '000000' });
    expect(wrong).toMatchObject({ ok: false });
    expect(JSON.stringify(wrong)).not.toContain('000000');
    expect(await ok('signatures.verify', { id, repository: 'team/app', digest: image.digest })).toMatchObject({ verdict: 'unsigned' });

    await ok('signatures.sign', { id, repository: 'team/app', digest: image.digest, key: uri, pin: hsm.pin });
    const listed = await ok<{ keys: Array<{ label: string; publicKeyPem?: string }> }>('tokens.keys', {
      module: hsm.modulePath,
      token: token.serial,
      pin: hsm.pin,
    });
    const pem = listed.keys.find((k) => k.label === 'cosign-release')?.publicKeyPem ?? key.publicKeyPem;
    expect(pem).toMatch(/BEGIN PUBLIC KEY/);
    const report = await ok<{ verdict: string; signatures: Array<{ fingerprint: string }> }>('signatures.verify', {
      id,
      repository: 'team/app',
      digest: image.digest,
      publicKeys: [pem],
    });
    expect(report.verdict).toBe('verified');
    // View key details: the token's serial, from the audit log's record of this signing.
    const details = await ok<{ recorded?: { tokenSerial?: string; provider?: string } }>('signatures.keyDetails', {
      fingerprint: report.signatures[0]!.fingerprint,
      digest: image.digest,
    });
    expect(details.recorded).toMatchObject({ tokenSerial: token.serial, provider: 'pkcs11' });

    // cosign-style: the PIN inside the URI's query. It signs, and the PIN appears in no audit entry.
    await ok('signatures.sign', { id, repository: 'team/app', digest: image.digest, key: `${uri}&pin-value=${hsm.pin}` });
    const audit = await ok<unknown>('audit.list', {});
    expect(JSON.stringify(audit)).toContain('pin-value=REDACTED');
    expect(JSON.stringify(audit)).not.toContain(`pin-value=${hsm.pin}`);
  });

  it('signs in Notation format with a token key and the chain a CA issued for it (given for the call); jwcrypto verifies the envelope and Signet verifies it with the CA', async () => {
    const token = (await ok<Array<{ serial: string; label: string }>>('tokens.list', { module: hsm.modulePath })).find(
      (t) => t.label === 'release-token',
    )!;
    const key = await ok<{ uri: string; publicKeyPem?: string }>('tokens.generate', {
      module: hsm.modulePath,
      token: token.serial,
      label: 'notation-release',
      type: 'ecdsa-p256',
      pin: hsm.pin,
    });
    const listed = await ok<{ keys: Array<{ label: string; publicKeyPem?: string }> }>('tokens.keys', {
      module: hsm.modulePath,
      token: token.serial,
      pin: hsm.pin,
    });
    const pem = (listed.keys.find((k) => k.label === 'notation-release')?.publicKeyPem ?? key.publicKeyPem) as string;
    const { leafPem, caPem } = testChain(pem, { ca: 'Token CA', leaf: 'notation-release' });
    const notary = await pushTestImage(registry.url, 'team/notary', '1.0', { seed: 'p11-notation' });
    await ok('signatures.sign', {
      id,
      repository: 'team/notary',
      digest: notary.digest,
      key: key.uri,
      pin: hsm.pin,
      format: 'notation',
      certificateChain: leafPem + caPem,
    });
    const client = new RegistryClient({ registry: registry.host });
    const [referrer] = (await client.referrers('team/notary', notary.digest)).descriptors;
    const manifest = await client.manifest('team/notary', referrer!.digest);
    const envelope = await client.blob('team/notary', manifest.parsed.layers[0]!.digest, 1 << 20);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'signet-p11-notation-')), 'envelope.jws');
    writeFileSync(file, envelope);
    expect(
      execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, '..', '..', 'harness', 'peers', 'notation_jws_verify.py'), file], {
        encoding: 'utf8',
      }).trim(),
    ).toBe(notary.digest);
    await ok('trust.add', { name: 'Token CA', data: caPem, stores: ['ca:token'] });
    const report = await ok<{ signatures: Array<{ format: string; verdict: string }> }>('signatures.verify', {
      id,
      repository: 'team/notary',
      digest: notary.digest,
    });
    expect(report.signatures).toEqual([expect.objectContaining({ format: 'notation', verdict: 'verified' })]);
  });
});
