import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { RegistryClient } from '../../../electron/core/registry/client';
import { OciLayout } from '../../../electron/core/registry/layout';
import { startRegistry, type RegistryHandle } from '../../harness';
import { vector } from '../../vectors';

/**
 * Every Notation vector through the real verify path (core dispatch → registry source →
 * referrers → notation format → verifier), with the verdict its PROVENANCE states:
 * notation's e2e layouts (legacy manifest form, tag schema) read as OCI layouts and pushed to
 * Debian's docker-registry (no referrers API: the tag-schema fallback), and notation-go's JWS and
 * COSE envelopes attached to their signed manifest in both manifest forms.
 */

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Check {
  name: string;
  status: string;
  code: string;
  reason: string;
}
interface Sig {
  format: string;
  verdict: string;
  code: string;
  signer?: string;
  storage: string;
  checks: Check[];
  notation?: {
    envelope?: string;
    policy: { level: string; source: string; decidingCheck?: string };
    signingTime?: { authenticated: boolean };
  };
}
interface Report {
  verdict: string;
  code: string;
  signatures: Sig[];
}

const SUBJECT = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const E2E_CERT = vector('notation', 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt');
const codes = (s: Sig) => s.checks.map((c) => `${c.name}:${c.status}:${c.code}`);

describe('Notation vectors through signatures.verify', () => {
  let core: Core;
  let registry: RegistryHandle;
  const call = async <T>(name: string, input: unknown) => (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await call<T>(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.value;
  };
  const layoutIds: Record<string, string> = {};
  let trustId: string | undefined;
  const trustE2e = async () => {
    trustId = (await ok<{ id: string }>('trust.add', { name: 'notation e2e', data: readFileSync(E2E_CERT, 'utf8') })).id;
  };
  const untrust = async () => {
    if (trustId) await ok('trust.remove', { id: trustId });
    trustId = undefined;
  };
  const verifyLayout = async (name: string) => {
    const id = (layoutIds[name] ??= (await ok<{ id: string }>('registry.add', { layoutPath: vector('notation', 'oci-layout', name) })).id);
    const repos = await ok<{ repositories: string[] }>('registry.repositories', { id });
    return ok<Report>('signatures.verify', { id, repository: repos.repositories[0], digest: SUBJECT });
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-notation-'));
    process.env.SIGNET_REGISTRIES_D = path.join(dataDir, 'no-registries.d');
    core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
    registry = await startRegistry();
  });
  afterAll(async () => {
    delete process.env.SIGNET_REGISTRIES_D;
    await registry?.stop();
  });

  describe('notation e2e layouts (trust store ca:e2e = e2e.crt)', () => {
    beforeAll(trustE2e);
    afterAll(untrust);

    it('e2e-valid-signature: VALID (verified, every check passed, legacy manifest form, tag schema)', async () => {
      const r = await verifyLayout('e2e-valid-signature');
      expect(r).toMatchObject({ verdict: 'verified', code: 'VERIFIED' });
      expect(r.signatures).toHaveLength(1);
      const s = r.signatures[0] as Sig;
      expect(s).toMatchObject({
        format: 'notation',
        verdict: 'verified',
        code: 'SIG_VALID',
        signer: expect.stringContaining('CN=e2e'),
        storage: expect.stringContaining('referrers tag schema'),
      });
      expect(s.checks.every((c) => c.status === 'passed')).toBe(true);
      expect(s.notation).toMatchObject({
        envelope: 'jws',
        signingTime: { authenticated: false },
        policy: { level: 'strict', source: 'trust-store' },
      });
    });

    it('e2e-expired-signature: cryptographically valid, the expiry check fails ⇒ REJECT under strict (SIG_EXPIRED)', async () => {
      const r = await verifyLayout('e2e-expired-signature');
      expect(r).toMatchObject({
        verdict: 'failed',
        code: 'FAILED',
        signatures: [expect.objectContaining({ verdict: 'failed', code: 'SIG_EXPIRED' })],
      });
      const s = r.signatures[0] as Sig;
      expect(codes(s).slice(0, 4)).toEqual([
        'signature:passed:ENVELOPE_VALID',
        'digest binding:passed:DIGEST_MATCH',
        'key trust:passed:KEY_TRUSTED',
        'identity:passed:CERT_IDENTITY_TRUSTED',
      ]);
      expect(s.notation?.policy.decidingCheck).toBe('expiry');
    });

    it('the tag badges (signatures.status) count Notation signatures: valid verified, expired failed', async () => {
      await verifyLayout('e2e-valid-signature');
      await verifyLayout('e2e-expired-signature');
      for (const [name, verdict] of [
        ['e2e-valid-signature', 'verified'],
        ['e2e-expired-signature', 'failed'],
      ] as const) {
        const id = layoutIds[name] as string;
        const repos = await ok<{ repositories: string[] }>('registry.repositories', { id });
        const status = await ok<{ results: Array<{ tag: string; verdict: string }> }>('signatures.status', {
          id,
          repository: repos.repositories[0],
          tags: ['v1'],
        });
        expect(status.results, name).toEqual([expect.objectContaining({ tag: 'v1', verdict })]);
      }
    });

    it('e2e-invalid-signature: the layer is not an envelope ⇒ REJECT (SIG_UNREADABLE, integrity)', async () => {
      const r = await verifyLayout('e2e-invalid-signature');
      expect(r).toMatchObject({ verdict: 'failed', signatures: [expect.objectContaining({ verdict: 'failed', code: 'SIG_UNREADABLE' })] });
    });
  });

  describe('under Notation trust policies (trust store ca:e2e by `trust add --store ca:e2e`)', () => {
    const policyText = (name: string) => readFileSync(vector('notation', 'trustpolicies', name), 'utf8');
    const withLevel = (level: string) =>
      policyText('multiple_trusted_identity_trustpolicy.json').replace('"level" : "strict"', `"level" : "${level}"`);
    let policyId: string | undefined;
    const usePolicy = async (text: string) => {
      if (policyId) await ok('trust.remove', { id: policyId });
      policyId = (await ok<{ id: string; kind?: string }>('trust.importPolicy', { name: 'trustpolicy.json', policy: text })).id;
    };
    beforeAll(async () => {
      trustId = (
        await ok<{ id: string; stores?: string[] }>('trust.add', {
          name: 'e2e (ca:e2e)',
          data: readFileSync(E2E_CERT, 'utf8'),
          stores: ['ca:e2e'],
        })
      ).id;
    });
    afterAll(async () => {
      if (policyId) await ok('trust.remove', { id: policyId });
      await untrust();
    });

    it('multiple_trusted_identity (strict): valid VERIFIED, expired REJECTED (SIG_EXPIRED), invalid REJECTED (SIG_UNREADABLE); the report names the policy, level and deciding check', async () => {
      await usePolicy(policyText('multiple_trusted_identity_trustpolicy.json'));
      const valid = await verifyLayout('e2e-valid-signature');
      expect(valid).toMatchObject({
        verdict: 'verified',
        signatures: [expect.objectContaining({ verdict: 'verified', code: 'SIG_VALID' })],
      });
      expect(valid.signatures[0]?.notation?.policy).toEqual({ name: 'trustpolicy.json: e2e', level: 'strict', source: 'trust-policy' });
      const expired = await verifyLayout('e2e-expired-signature');
      expect(expired).toMatchObject({ verdict: 'failed', signatures: [expect.objectContaining({ code: 'SIG_EXPIRED' })] });
      expect(expired.signatures[0]?.notation?.policy).toMatchObject({ level: 'strict', decidingCheck: 'expiry' });
      expect(await verifyLayout('e2e-invalid-signature')).toMatchObject({
        verdict: 'failed',
        signatures: [expect.objectContaining({ code: 'SIG_UNREADABLE' })],
      });
    });

    it('invalid_trusted_identity (C=USB): the valid signature is REJECTED because its subject is not a trusted identity (CERT_IDENTITY_MISMATCH)', async () => {
      await usePolicy(policyText('invalid_trusted_identity_trustpolicy.json'));
      const r = await verifyLayout('e2e-valid-signature');
      expect(r).toMatchObject({
        verdict: 'failed',
        signatures: [expect.objectContaining({ verdict: 'failed', code: 'CERT_IDENTITY_MISMATCH' })],
      });
      expect(r.signatures[0]?.notation?.policy.decidingCheck).toBe('identity');
    });

    it.each(['permissive', 'audit'])(
      '%s: the expired signature is accepted with the expiry failure logged; the invalid one is still REJECTED',
      async (level) => {
        await usePolicy(withLevel(level));
        const expired = await verifyLayout('e2e-expired-signature');
        expect(expired).toMatchObject({
          verdict: 'verified',
          signatures: [expect.objectContaining({ verdict: 'verified', code: 'SIG_VALID' })],
        });
        expect(expired.signatures[0]?.checks.find((c) => c.name === 'expiry')).toMatchObject({ status: 'logged', code: 'SIG_EXPIRED' });
        expect(expired.signatures[0]?.notation?.policy.level).toBe(level);
        expect(await verifyLayout('e2e-invalid-signature')).toMatchObject({
          verdict: 'failed',
          signatures: [expect.objectContaining({ code: 'SIG_UNREADABLE' })],
        });
      },
    );

    it('skip: nothing is verified or refused, not even the invalid signature (POLICY_SKIP)', async () => {
      await usePolicy(
        JSON.stringify({
          version: '1.0',
          trustPolicies: [{ name: 'skip-all', registryScopes: ['*'], signatureVerification: { level: 'skip' } }],
        }),
      );
      expect(await verifyLayout('e2e-invalid-signature')).toMatchObject({
        verdict: 'signed-untrusted',
        signatures: [expect.objectContaining({ verdict: 'signed-untrusted', code: 'POLICY_SKIP' })],
      });
    });

    it('registry_scope (localhost:5000/test-repo only): no statement applies to the layout image, which notation refuses (POLICY_NONE_APPLIES)', async () => {
      await usePolicy(policyText('registry_scope_trustpolicy.json'));
      expect(await verifyLayout('e2e-valid-signature')).toMatchObject({
        verdict: 'failed',
        signatures: [expect.objectContaining({ code: 'POLICY_NONE_APPLIES' })],
      });
    });

    it('quickstart (store ca:wabbit-networks.io, which holds nothing here): untrusted (SIG_NO_TRUSTED_KEYS)', async () => {
      await usePolicy(policyText('quickstart_trustpolicy.json'));
      expect(await verifyLayout('e2e-valid-signature')).toMatchObject({
        verdict: 'signed-untrusted',
        signatures: [expect.objectContaining({ code: 'SIG_NO_TRUSTED_KEYS' })],
      });
    });

    it('invalid policies are refused at import as notation refuses them, and a second Notation policy is a conflict', async () => {
      expect(
        await call('trust.importPolicy', { name: 'bad', policy: policyText('override_integrity_for_permissive_trustpolicy.json') }),
      ).toMatchObject({
        ok: false,
        code: 'INVALID_INPUT',
        message: expect.stringContaining('"integrity" verification can not be overridden in custom signature verification'),
      });
      expect(await call('trust.importPolicy', { name: 'blob', policy: policyText('trustpolicy.blob.json') })).toMatchObject({
        ok: false,
        code: 'INVALID_INPUT',
        message: expect.stringContaining('zero registry scopes'),
      });
      await usePolicy(policyText('multiple_trusted_identity_trustpolicy.json'));
      expect(await call('trust.importPolicy', { name: 'another', policy: policyText('quickstart_trustpolicy.json') })).toMatchObject({
        ok: false,
        code: 'CONFLICT',
      });
      const listed = await ok<{ policies: Array<{ kind?: string; sections: string[] }> }>('trust.list', {});
      expect(listed.policies).toEqual([
        expect.objectContaining({ kind: 'notation', sections: [expect.stringContaining('notation "e2e" * → strict; stores ca:e2e')] }),
      ]);
    });
  });

  it('without the e2e certificate in the trust store the valid signature is signed but untrusted (SIG_NO_TRUSTED_KEYS), never "unsigned", in the report and the tag badge', async () => {
    const r = await verifyLayout('e2e-valid-signature');
    expect(r).toMatchObject({
      verdict: 'signed-untrusted',
      signatures: [expect.objectContaining({ verdict: 'signed-untrusted', code: 'SIG_NO_TRUSTED_KEYS' })],
    });
    const id = layoutIds['e2e-valid-signature'] as string;
    const repos = await ok<{ repositories: string[] }>('registry.repositories', { id });
    expect(
      (await ok<{ results: Array<{ verdict: string }> }>('signatures.status', { id, repository: repos.repositories[0], tags: ['v1'] }))
        .results,
    ).toEqual([expect.objectContaining({ verdict: 'signed-untrusted' })]);
  });

  it('the e2e layouts pushed to docker-registry 2.8 (no referrers API) verify through the tag-schema fallback with the same verdicts', async () => {
    const client = new RegistryClient({ registry: registry.host });
    const id = (await ok<{ id: string }>('registry.add', { host: registry.host })).id;
    const expected: Record<string, [string, string]> = {
      'e2e-valid-signature': ['verified', 'SIG_VALID'],
      'e2e-expired-signature': ['failed', 'SIG_EXPIRED'],
      'e2e-invalid-signature': ['failed', 'SIG_UNREADABLE'],
    };
    await trustE2e();
    try {
      for (const [name, [verdict, code]] of Object.entries(expected)) {
        const repository = `notation/${name}`;
        const dir = vector('notation', 'oci-layout', name);
        const layout = new OciLayout(dir);
        const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
          manifests: Array<{ digest: string; mediaType: string; annotations?: Record<string, string> }>;
        };
        for (const blob of readdirSync(path.join(dir, 'blobs', 'sha256')))
          await client.pushBlob(repository, readFileSync(path.join(dir, 'blobs', 'sha256', blob)));
        // The subject first, then the signature manifest, then the tag-schema index (as notation pushes them).
        const order = [...index.manifests].sort((a, b) =>
          a.annotations?.['org.opencontainers.image.ref.name'] === 'v1'
            ? -1
            : b.annotations?.['org.opencontainers.image.ref.name'] === 'v1'
              ? 1
              : a.mediaType.includes('index')
                ? 1
                : -1,
        );
        for (const m of order) {
          const bytes = await layout.blob('image', m.digest, 1 << 20);
          await client.pushManifest(repository, m.annotations?.['org.opencontainers.image.ref.name'] ?? m.digest, bytes, m.mediaType);
        }
        const r = await ok<Report>('signatures.verify', { id, repository, digest: SUBJECT });
        expect(r.signatures, name).toEqual([
          expect.objectContaining({ verdict, code, storage: expect.stringContaining('referrers tag schema') }),
        ]);
      }
    } finally {
      await untrust();
    }
  });

  it('notation-go JWS (legacy form) and COSE (artifactType form) over their signed manifest both verify with the leaf as anchor', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signet-notation-go-'));
    const layout = await OciLayout.create(dir);
    const repository = 'image';
    const manifest = readFileSync(vector('notation-go', 'signed-manifest.sha256-19dbd2e4.json'));
    const subject = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: await layout.pushManifest(repository, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json'),
      size: manifest.length,
    };
    const empty = Buffer.from('{}');
    await layout.pushBlob(repository, empty);
    const emptyDigest = `sha256:${createHash('sha256').update(empty).digest('hex')}`;
    const entries = [];
    for (const [file, mediaType, form] of [
      ['jws_signature.sig', 'application/jose+json', 'legacy'],
      ['cose_signature.sig', 'application/cose', 'artifactType'],
    ] as const) {
      const envelope = readFileSync(vector('notation-go', file));
      const layer = { mediaType, digest: await layout.pushBlob(repository, envelope), size: envelope.length };
      const doc = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...(form === 'artifactType' ? { artifactType: 'application/vnd.cncf.notary.signature' } : {}),
        config: {
          mediaType: form === 'artifactType' ? 'application/vnd.oci.empty.v1+json' : 'application/vnd.cncf.notary.signature',
          digest: emptyDigest,
          size: 2,
        },
        layers: [layer],
        subject,
      };
      const bytes = Buffer.from(JSON.stringify(doc));
      const digest = await layout.pushManifest(
        repository,
        `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        bytes,
        doc.mediaType,
      );
      entries.push({ mediaType: doc.mediaType, digest, size: bytes.length, artifactType: 'application/vnd.cncf.notary.signature' });
    }
    const referrersIndex = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }),
    );
    await layout.pushManifest(repository, subject.digest.replace(':', '-'), referrersIndex, 'application/vnd.oci.image.index.v1+json');
    const alpine = Buffer.from(
      (JSON.parse(readFileSync(vector('notation-go', 'jws_signature.sig'), 'utf8')) as { header: { x5c: string[] } }).header
        .x5c[0] as string,
      'base64',
    );
    const pemCert = `-----BEGIN CERTIFICATE-----\n${alpine
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
    const id = (await ok<{ id: string }>('registry.add', { layoutPath: dir })).id;
    const untrusted = await ok<Report>('signatures.verify', { id, repository, digest: subject.digest });
    expect(untrusted.signatures.map((s) => s.code)).toEqual(['SIG_NO_TRUSTED_KEYS', 'SIG_NO_TRUSTED_KEYS']);
    const t = (await ok<{ id: string }>('trust.add', { name: 'alpine (notation-go)', data: pemCert })).id;
    try {
      const r = await ok<Report>('signatures.verify', { id, repository, digest: subject.digest });
      expect(r.verdict).toBe('verified');
      expect(r.signatures.map((s) => [s.notation?.envelope, s.verdict, s.code])).toEqual([
        ['jws', 'verified', 'SIG_VALID'],
        ['cose', 'verified', 'SIG_VALID'],
      ]);
    } finally {
      await ok('trust.remove', { id: t });
    }
  });
});

describe('signet CLI with Notation trust', () => {
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  const home = mkdtempSync(path.join(tmpdir(), 'signet-notation-cli-'));
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [path.join(root, 'bin', 'signet.mjs'), ...args],
        { cwd: root, env: { ...process.env, SIGNET_HOME: home, SIGNET_REGISTRIES_D: path.join(home, 'none.d') } },
        (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('trust add --store ca:e2e, policy import (notation), verify oci:DIR, policy evaluate with the level and deciding check', async () => {
    expect((await run('trust', 'add', E2E_CERT, '--store', 'ca:e2e')).stdout).toContain('stores: ca:e2e');
    expect(
      (await run('policy', 'import', vector('notation', 'trustpolicies', 'multiple_trusted_identity_trustpolicy.json'))).stdout,
    ).toContain('notation "e2e" * → strict');
    const refused = await run(
      'policy',
      'import',
      vector('notation', 'trustpolicies', 'override_integrity_for_permissive_trustpolicy.json'),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toContain('"integrity" verification can not be overridden');
    const valid = await run('verify', `oci:${vector('notation', 'oci-layout', 'e2e-valid-signature')}:v1`);
    expect(valid).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('trust policy "multiple_trusted_identity_trustpolicy.json: e2e" (trust-policy), level strict'),
    });
    expect(valid.stdout).toContain('(claimed)');
    const expired = await run('verify', `oci:${vector('notation', 'oci-layout', 'e2e-expired-signature')}:v1`);
    expect(expired).toMatchObject({ code: 1, stdout: expect.stringContaining('decided by the expiry check') });
    const permissive = path.join(home, 'permissive.json');
    writeFileSync(
      permissive,
      readFileSync(vector('notation', 'trustpolicies', 'multiple_trusted_identity_trustpolicy.json'), 'utf8').replace(
        '"strict"',
        '"permissive"',
      ),
    );
    const evaluated = await run(
      'policy',
      'evaluate',
      `oci:${vector('notation', 'oci-layout', 'e2e-expired-signature')}:v1`,
      '--policy',
      permissive,
    );
    expect(evaluated).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/ADMITTED[\s\S]*permissive[\s\S]*expiry \(SIG_EXPIRED, logged\)/),
    });
    const exported = path.join(home, 'notation-config');
    expect((await run('policy', 'export-notation', '--out', exported)).code).toBe(0);
    expect(readFileSync(path.join(exported, 'trustpolicy.json'), 'utf8')).toBe(
      readFileSync(vector('notation', 'trustpolicies', 'multiple_trusted_identity_trustpolicy.json'), 'utf8'),
    );
    expect(readFileSync(path.join(exported, 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'), 'utf8').replace(/\s+/g, '')).toBe(
      readFileSync(E2E_CERT, 'utf8').replace(/\s+/g, ''),
    );
    const rejected = await run(
      'policy',
      'evaluate',
      `oci:${vector('notation', 'oci-layout', 'e2e-invalid-signature')}:v1`,
      '--policy',
      permissive,
    );
    expect(rejected).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/REJECTED[\s\S]*SIG_UNREADABLE|REJECTED[\s\S]*signature layer/),
    });
  });
});
