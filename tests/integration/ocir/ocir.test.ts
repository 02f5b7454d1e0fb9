import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OcirSignature } from '../../../shared/contract/ocir';
import { buildMessage } from '../../../electron/core/ocir/message';
import { commands as ocirCommands } from '../../../electron/hosts/cli/commands/ocir';
import { runCommand, startCore, type CoreHandle } from '../../harness/core';
import { loopbackOnly } from '../../harness/kms/loopback';
import { startFakeOciVault, type FakeOciVault } from '../../harness/kms/oci';
import { opensslVerify } from '../../harness/kms/openssl';
import { startFakeOcir, type FakeOcir } from '../../harness/kms/ocir';
import { tempDir, type TempDir } from '../../harness/tools';

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('OCIR image signatures: oci-artifacts against a signature-checking fake, signed by the fake OCI Vault', () => {
  let vault: FakeOciVault;
  let ocir: FakeOcir;
  let dir: TempDir;
  let handle: CoreHandle & { restore(): void };
  let lift: () => void;
  let registryId: string;
  // On the registry the image is iad.ocir.io/tenancyns/team/app; OCIR's repositoryName is team/app.
  const repository = 'tenancyns/team/app';
  const repositoryName = 'team/app';
  const digest = digestOf('app v1');
  const otherDigest = digestOf('app v2');
  let keyUri: string;
  /** The OCI Vault connection, endpoint and API key of the fake vault (its management endpoint names the vault). */
  const connection = () => ({
    name: 'oci',
    provider: 'ocikms',
    endpoint: vault.url,
    scope: vault.compartmentId,
    credential: { source: 'file', path: vault.configFile },
  });
  let version: string;

  beforeAll(async () => {
    lift = loopbackOnly();
    dir = tempDir('ocir');
    vault = await startFakeOciVault([{ name: 'ocir', type: 'rsa-2048', versions: 2 }], { dir: dir.path });
    ocir = await startFakeOcir(vault, { pageSize: 2 });
    ocir.addImage(repositoryName, digest);
    ocir.addImage(repositoryName, otherDigest);
    ocir.addImage('team/other', digest);
    handle = startCore();
    await handle.ok('kms.add', connection());
    registryId = (
      await handle.ok<{ id: string }>('registry.add', {
        host: 'iad.ocir.io',
        saveAnyway: true,
        ocir: { profile: 'DEFAULT', compartmentId: vault.compartmentId, configFile: vault.configFile, endpoint: ocir.url },
      })
    ).id;
    version = vault.versionIds('ocir')[0] as string;
    keyUri = `ocikms://${vault.host}/${vault.keyId('ocir')}/${version}`;
  });

  afterAll(async () => {
    await ocir?.stop();
    await vault?.stop();
    handle?.restore();
    dir?.remove();
    lift?.();
  });

  const list = (d = digest, repo = repository, vaultHost: string | undefined = vault.host) =>
    handle.ok<{ signatures: OcirSignature[]; complete: boolean; region: string; repositoryName: string }>('ocir.list', {
      id: registryId,
      repository: repo,
      digest: d,
      ...(vaultHost ? { vaultHost } : {}),
    });

  it('signs the exact sign-upload message with a pinned key version; list shows it decoded, verified locally; openssl agrees', async () => {
    const signed = await handle.ok<OcirSignature>('ocir.sign', {
      id: registryId,
      repository,
      digest,
      key: keyUri,
      algorithm: 'SHA_384_RSA_PKCS_PSS',
      description: 'Release 1 — approuvé',
      metadata: { buildNumber: '123', branch: 'main' },
    });
    expect(signed).toMatchObject({ kmsKeyVersionId: version, algorithm: 'SHA_384_RSA_PKCS_PSS', verdict: { status: 'valid' } });

    const listed = await list();
    expect(listed.region).toBe('us-ashburn-1');
    expect(listed.repositoryName).toBe(repositoryName);
    expect(listed.signatures).toHaveLength(1);
    const s = listed.signatures[0]!;
    expect(s).toMatchObject({
      id: signed.id,
      kmsKeyId: vault.keyId('ocir'),
      kmsKeyVersionId: version,
      description: 'Release 1 — approuvé',
      metadata: { branch: 'main', buildNumber: '123' },
      region: 'us-ashburn-1',
      verdict: { status: 'valid', reason: 'SIG_VALID_KMS_KEY' },
    });
    expect(Number.isNaN(Date.parse(s.timeCreated))).toBe(false);
    // A signature that verifies with its KMS key is not "verified" until that key is trusted for this image, now.
    expect(s.trust).toMatchObject({ status: 'untrusted', detail: expect.stringMatching(/not in the trust store/) });
    const kmsPem = (await handle.ok<{ publicKeyPem: string }>('kms.test', { key: keyUri, algorithm: 'rsa-pss-sha384' })).publicKeyPem;
    const host = (await handle.ok<Array<{ id: string; host: string }>>('registry.list', {})).find((r) => r.id === registryId)!.host;
    const elsewhere = await handle.ok<{ id: string }>('trust.add', {
      name: 'ocir elsewhere',
      data: kmsPem,
      scopes: [`${host}/other/repo`],
    });
    expect((await list()).signatures[0]!.trust).toMatchObject({
      status: 'untrusted',
      detail: expect.stringMatching(/other repositories only/),
    });
    await handle.ok('trust.remove', { id: elsewhere.id });
    const ended = await handle.ok<{ id: string }>('trust.add', { name: 'ocir ended', data: kmsPem, notAfter: '2020-01-01T00:00:00Z' });
    expect((await list()).signatures[0]!.trust.status).toBe('untrusted');
    await handle.ok('trust.remove', { id: ended.id });
    const trusted = await handle.ok<{ id: string }>('trust.add', { name: 'ocir release key', data: kmsPem });
    expect((await list()).signatures[0]!.trust).toMatchObject({ status: 'trusted', detail: expect.stringMatching(/ocir release key/) });
    await handle.ok('trust.remove', { id: trusted.id });

    // The stored message is byte for byte what sign-upload would send, and openssl (a peer) verifies its signature.
    const stored = ocir.signatures.get(signed.id)!;
    const expected = buildMessage({
      description: 'Release 1 — approuvé',
      metadata: { buildNumber: '123', branch: 'main' },
      imageDigest: digest,
      kmsKeyId: vault.keyId('ocir'),
      kmsKeyVersionId: version,
      region: 'us-ashburn-1',
      repositoryName,
      signingAlgorithm: 'SHA_384_RSA_PKCS_PSS',
    });
    expect(stored.message).toBe(expected.base64);
    expect(expected.json.toString('latin1')).toContain('Release 1 \\u2014 approuv\\u00e9');
    expect(expected.json.toString('latin1')).toContain('"metadata":"{\\"branch\\":\\"main\\",\\"buildNumber\\":\\"123\\"}"');
    const pem = (await handle.ok<{ publicKeyPem: string }>('kms.test', { key: keyUri, algorithm: 'rsa-pss-sha384' })).publicKeyPem;
    expect(opensslVerify(pem, expected.json, Buffer.from(stored.signature, 'base64'), 'rsa-pss-sha384')).toBe(true);
    expect(
      opensslVerify(pem, Buffer.concat([expected.json, Buffer.from(' ')]), Buffer.from(stored.signature, 'base64'), 'rsa-pss-sha384'),
    ).toBe(false);
  });

  it('every request to the Artifacts API carries a valid OCI request signature; a key it cannot read leaves the verdict unknown', async () => {
    expect(ocir.seen.length).toBeGreaterThan(0);
    expect(
      ocir.seen.every((r) => String(r.headers.authorization).startsWith(`Signature version="1",keyId="${vault.tenancy}/${vault.user}/`)),
    ).toBe(true);
    // Without a vault host, the saved OCI Vault connection's endpoint names the vault.
    expect((await list(digest, repository, '')).signatures[0]!.verdict).toMatchObject({ status: 'valid' });
    await handle.ok('kms.remove', { name: 'oci' });
    const unknown = await list(digest, repository, '');
    expect(unknown.signatures[0]!.verdict).toMatchObject({ status: 'unknown', reason: 'SIG_NOT_CHECKED' });
    await handle.ok('kms.add', connection());
  });

  it('a signature copied onto another digest or repository fails with a reason; a forged signature fails; pages are followed', async () => {
    const original = [...ocir.signatures.values()][0]!;
    // The same message and signature, recorded on other images (a replay OCIR's get-verify would accept).
    const otherImage = ocir.imageId(repositoryName, otherDigest);
    ocir.insert({ ...pick(original), imageId: otherImage });
    const otherRepoImage = ocir.imageId('team/other', digest);
    ocir.insert({ ...pick(original), imageId: otherRepoImage });
    expect((await list(otherDigest)).signatures[0]!.verdict).toMatchObject({ status: 'invalid', reason: 'DIGEST_MISMATCH' });
    expect((await list(digest, 'tenancyns/team/other')).signatures[0]!.verdict).toMatchObject({
      status: 'invalid',
      reason: 'IDENTITY_MISMATCH',
    });

    const forged = Buffer.from(original.signature, 'base64');
    forged[10] = (forged[10] ?? 0) ^ 1;
    ocir.insert({ ...pick(original), signature: forged.toString('base64') });
    ocir.insert({ ...pick(original), message: Buffer.from('{"imageDigest":1}').toString('base64') });
    const all = await list();
    // Three signatures on this image, two per page: every page is read.
    expect(all.complete).toBe(true);
    expect(all.signatures.map((s) => s.verdict.reason).sort()).toEqual(['PAYLOAD_INVALID', 'SIG_INVALID', 'SIG_VALID_KMS_KEY']);

    // OCI Vault's verify (what get-verify asks) accepts the copied signature — its message still verifies —
    // where Signet's local verdict does not.
    const asked = await handle.ok<{ signatures: OcirSignature[] }>('ocir.list', {
      id: registryId,
      repository,
      digest: otherDigest,
      vaultHost: vault.host,
      kmsVerify: true,
    });
    expect(asked.signatures[0]).toMatchObject({ verdict: { reason: 'DIGEST_MISMATCH' }, kmsVerdict: { status: 'valid' } });
    const mine = await handle.ok<{ signatures: OcirSignature[] }>('ocir.list', {
      id: registryId,
      repository,
      digest,
      vaultHost: vault.host,
      kmsVerify: true,
    });
    expect(mine.signatures.map((s) => `${s.verdict.reason} ${s.kmsVerdict?.status}`).sort()).toEqual([
      'PAYLOAD_INVALID invalid',
      'SIG_INVALID invalid',
      'SIG_VALID_KMS_KEY valid',
    ]);
  });

  it('tags are added and removed through update (If-Match), delete removes exactly one; both audited; the reviewer host refuses them', async () => {
    const target = (await list()).signatures.find((s) => s.verdict.reason === 'SIG_VALID_KMS_KEY')!;
    const tagged = await handle.ok<{ freeformTags: Record<string, string>; definedTags: Record<string, Record<string, unknown>> }>(
      'ocir.tag',
      {
        id: registryId,
        repository,
        digest,
        signature: target.id,
        setFreeform: { stage: 'prod', team: 'a' },
        setDefined: { Operations: { CostCenter: '42' } },
      },
    );
    expect(tagged).toEqual({
      id: target.id,
      freeformTags: { stage: 'prod', team: 'a' },
      definedTags: { Operations: { CostCenter: '42' } },
    });
    const removed = await handle.ok<{ freeformTags: Record<string, string>; definedTags: Record<string, unknown> }>('ocir.tag', {
      id: registryId,
      repository,
      digest,
      signature: target.id,
      removeFreeform: ['team'],
      removeDefined: ['Operations.CostCenter'],
    });
    expect(removed).toMatchObject({ freeformTags: { stage: 'prod' }, definedTags: {} });
    expect((await list()).signatures.find((s) => s.id === target.id)?.freeformTags).toEqual({ stage: 'prod' });
    expect(ocir.seen.some((r) => r.method === 'PUT' && typeof r.headers['if-match'] === 'string')).toBe(true);

    // A signature of another image is not deleted through this image.
    const elsewhere = (await list(otherDigest)).signatures[0]!;
    await expect(handle.call('ocir.delete', { id: registryId, repository, digest, signature: elsewhere.id })).resolves.toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });

    const reviewer = handle.another({ readOnly: true });
    for (const [name, input] of [
      ['ocir.delete', { id: registryId, repository, digest, signature: target.id }],
      ['ocir.tag', { id: registryId, repository, digest, signature: target.id, setFreeform: { a: 'b' } }],
      ['ocir.sign', { id: registryId, repository, digest, key: keyUri }],
    ] as const)
      await expect(handle.call(name, input, reviewer)).resolves.toMatchObject({ ok: false, code: 'READ_ONLY' });
    expect((await handle.call('ocir.list', { id: registryId, repository, digest }, reviewer)).ok).toBe(true);

    const before = (await list()).signatures.length;
    expect(await handle.ok('ocir.delete', { id: registryId, repository, digest, signature: target.id })).toEqual({ deleted: target.id });
    const after = await list();
    expect(after.signatures).toHaveLength(before - 1);
    expect(after.signatures.some((s) => s.id === target.id)).toBe(false);

    const entries = (await handle.ok<{ entries: Array<{ type: string; summary: string; outcome?: string }> }>('audit.list', { limit: 100 }))
      .entries;
    const summaries = entries.map((e) => `${e.type} ${e.summary}`);
    expect(summaries.some((t) => t.startsWith('image.signed') && t.includes('for OCIR'))).toBe(true);
    expect(summaries.some((t) => t.startsWith('signature.tagged') && t.includes(target.id))).toBe(true);
    expect(summaries.some((t) => t.startsWith('signature.deleted') && t.includes(`Deleted the OCIR signature ${target.id}`))).toBe(true);
  });

  it('the CLI signs, lists (exit 1 while an invalid signature is listed), tags and deletes', async () => {
    const cli = (argv: string[]) => runCommand(ocirCommands, handle, argv);
    const ref = `iad.ocir.io/${repository}@${otherDigest}`;
    const signed = await cli([
      'ocir',
      'sign',
      ref,
      '--key',
      keyUri,
      '--description',
      'from the CLI',
      '--metadata',
      '{"build":"7"}',
      '--json',
    ]);
    expect(signed.code).toBe(0);
    const id = (JSON.parse(signed.out) as OcirSignature).id;
    // The other image still carries the copied signature from the earlier test: listed as invalid, exit 1.
    const listed = await cli(['ocir', 'list', ref, '--vault-host', vault.host, '--kms-verify']);
    expect(listed.code).toBe(1);
    expect(listed.out).toContain('SIGNED, NOT TRUSTED (SIG_VALID_KMS_KEY)');
    expect(listed.out).toMatch(/trust: The KMS key version’s public key .* is not in the trust store/);
    expect(listed.out).toContain('INVALID (DIGEST_MISMATCH)');
    expect(listed.out).toContain('description "from the CLI"');
    expect(listed.out).toContain('OCI Vault verify: valid');
    expect(listed.out).toContain('metadata {"build":"7"}');
    const tagged = await cli(['ocir', 'tag', ref, '--signature', id, '--add', 'stage=prod', '--add', 'Ops.Team=a']);
    expect(tagged).toMatchObject({ code: 0 });
    expect(tagged.out).toContain('stage=prod');
    expect(tagged.out).toContain('Ops.Team=a');
    expect((await cli(['ocir', 'delete', ref, '--signature', id, '--yes'])).out).toContain(`Deleted ${id}.`);
    expect(ocir.signatures.get(id)?.lifecycleState).toBe('DELETED');
  });

  it('a registry not marked as OCIR says how to mark it', async () => {
    const plain = await handle.ok<{ id: string }>('registry.add', { host: 'registry.example.com', saveAnyway: true });
    const r = await handle.call('ocir.list', { id: plain.id, repository, digest });
    expect(r).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
    expect(r.ok ? '' : r.message).toContain('--ocir-profile');
  });
});

function pick(s: import('../../harness/kms/ocir').StoredSignature) {
  return {
    imageId: s.imageId,
    kmsKeyId: s.kmsKeyId,
    kmsKeyVersionId: s.kmsKeyVersionId,
    message: s.message,
    signature: s.signature,
    signingAlgorithm: s.signingAlgorithm,
    freeformTags: {},
    definedTags: {},
  };
}
