import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { crdErrors, KUBERNETES_POLICIES } from '../../harness/crd';
import { GpgHome, pushTestImage, startRegistry, type PushedImage, type RegistryHandle } from '../../harness';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Exported {
  files: Array<{ path: string; content: string }>;
  notes: string[];
  warnings: string[];
}

/**
 * Admission policies generated from the trust store: every Kubernetes document validates against
 * the CRD schema its controller installs (vendored from kyverno/kyverno and
 * sigstore/policy-controller); the KBS tree's security policy keeps its kbs:/// key paths and
 * decides, read against the tree, as image-rs would.
 */
describe('admission policies from the trust store', () => {
  let registry: RegistryHandle;
  let signed: PushedImage;
  let unsigned: PushedImage;
  let gpg: GpgHome;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-admission-'));
  const core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r = (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
    if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.value;
  };
  let registryId: string;
  let pgpEntry: string;
  // As on the node: containers/image reads cosign signatures only where registries.d says use-sigstore-attachments.
  const registriesD = mkdtempSync(path.join(tmpdir(), 'signet-admission-registries-d-'));
  writeFileSync(path.join(registriesD, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');

  beforeAll(async () => {
    registry = await startRegistry();
    signed = await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'admission-signed' });
    unsigned = await pushTestImage(registry.url, 'team/other', '1.0', { seed: 'admission-unsigned' });
    gpg = new GpgHome();
    registryId = (await call<{ id: string }>('registry.add', { host: registry.host })).id;
    await call('keys.generate', { name: 'release', type: 'ecdsa-p256' });
    await call('keys.generate', { name: 'team-p384', type: 'ecdsa-p384', trust: false });
    await call('trust.addKey', { key: 'team-p384', scopes: [`${registry.host}/team`] });
    const fpr = gpg.generate('Simple <simple@example.com>');
    pgpEntry = (await call<{ id: string }>('trust.add', { name: 'simple-signing', data: gpg.exportPublic(fpr).toString() })).id;
    await call('signatures.sign', { id: registryId, repository: 'team/app', digest: signed.digest, key: 'release' });
  }, 120_000);
  afterAll(async () => {
    gpg?.stop();
    await registry?.stop();
  });

  const docsOf = (e: Exported) => e.files.flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Record<string, unknown>));

  it('the validator accepts the controllers’ own examples and refuses an undeclared field (controls)', () => {
    for (const [crd, example] of [
      ['policy-controller/crd-clusterimagepolicy.yaml', 'policy-controller/example-cip-key-no-rekor.yaml'],
      ['policy-controller/crd-clusterimagepolicy.yaml', 'policy-controller/example-cip-key-hash-algorithm.yaml'],
      ['kyverno/crd-clusterpolicies.yaml', 'kyverno/example-keyed-basic.yaml'],
    ]) {
      const doc = parseAllDocuments(readFileSync(path.join(KUBERNETES_POLICIES, example!), 'utf8'))[0]!.toJS() as Record<string, unknown>;
      expect(crdErrors(crd!, doc), example).toEqual([]);
      const spec = doc.spec as Record<string, unknown>;
      expect(crdErrors(crd!, { ...doc, spec: { ...spec, notAField: true } }).join('\n')).toMatch(/notAField/);
    }
  });

  it('policy-controller: one ClusterImagePolicy per scope, valid under the CRD, with index.docker.io-aware globs, hashAlgorithm for P-384, no OpenPGP key', async () => {
    const exported = await call<Exported>('trust.exportAdmission', { for: 'policy-controller' });
    const docs = docsOf(exported);
    for (const d of docs) expect(crdErrors('policy-controller/crd-clusterimagepolicy.yaml', d)).toEqual([]);
    const scoped = docs.find((d) => JSON.stringify(d).includes(`${registry.host}/team/**`)) as {
      spec: { images: Array<{ glob: string }>; authorities: Array<{ key: { data: string; hashAlgorithm?: string } }> };
    };
    expect(scoped.spec.images.map((i) => i.glob)).toEqual([`${registry.host}/team:**`, `${registry.host}/team/**`]);
    expect(scoped.spec.authorities).toHaveLength(2);
    expect(scoped.spec.authorities.map((a) => a.key.hashAlgorithm)).toEqual([undefined, 'sha384']);
    const all = docs.find((d) => JSON.stringify(d).includes('"glob":"**"')) as { spec: { authorities: unknown[] } };
    expect(all.spec.authorities).toHaveLength(1);
    expect(exported.warnings.join('\n')).toMatch(/"simple-signing" is an OpenPGP key/);
    expect(exported.notes.join('\n')).toContain('policy.sigstore.dev/include=true');
  });

  it('Kyverno: a ClusterPolicy valid under the CRD, one verifyImages rule per scope, any trusted key (count 1), no tlog; Audit when asked', async () => {
    for (const failureAction of ['Enforce', 'Audit'] as const) {
      const exported = await call<Exported>('trust.exportAdmission', { for: 'kyverno', failureAction });
      const [policy] = docsOf(exported);
      expect(crdErrors('kyverno/crd-clusterpolicies.yaml', policy)).toEqual([]);
      const rules = (
        policy as {
          spec: {
            rules: Array<{
              verifyImages: Array<{
                imageReferences: string[];
                failureAction: string;
                attestors: Array<{ count: number; entries: unknown[] }>;
              }>;
            }>;
          };
        }
      ).spec.rules;
      expect(rules).toHaveLength(2);
      expect(rules[0]!.verifyImages[0]).toMatchObject({
        imageReferences: [`${registry.host}/team:*`, `${registry.host}/team@*`, `${registry.host}/team/*`],
        failureAction,
        attestors: [{ count: 1 }],
      });
      expect(rules[0]!.verifyImages[0]!.attestors[0]!.entries).toHaveLength(2);
      expect(rules[1]!.verifyImages[0]!.imageReferences).toEqual(['*']);
    }
  });

  it('Kyverno ImageValidatingPolicy: one per scope, valid under the CRD, CEL naming every attestor', async () => {
    const exported = await call<Exported>('trust.exportAdmission', { for: 'kyverno-ivp' });
    const docs = docsOf(exported);
    expect(docs).toHaveLength(2);
    for (const d of docs) expect(crdErrors('kyverno/crd-imagevalidatingpolicies.yaml', d)).toEqual([]);
    const scoped = docs[0] as { spec: { attestors: Array<{ name: string }>; validations: Array<{ expression: string }> } };
    expect(scoped.spec.attestors).toHaveLength(2);
    for (const a of scoped.spec.attestors) {
      expect(a.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(scoped.spec.validations[0]!.expression).toContain(`attestors.${a.name}`);
    }
  });

  it('containers policy.json keeps kbs:/// key paths intact', async () => {
    const exported = await call<{ policy: string; keyFiles: Array<{ path: string }> }>('trust.exportPolicy', {
      keyDir: 'kbs:///default/cosign-key',
    });
    expect(exported.keyFiles.map((k) => k.path).every((p) => p.startsWith('kbs:///default/cosign-key/'))).toBe(true);
    expect(exported.policy).toContain('"keyPath": "kbs:///default/cosign-key/');
  });

  it('CoCo KBS: the tree holds the keys and the security policy naming them by kbs:///; read against the tree it admits the signed image and rejects the unsigned one', async () => {
    // containers/image ANDs the requirements of one scope: with an OpenPGP key trusted too, a simple signature would be required as well.
    await call('trust.remove', { id: pgpEntry });
    const exported = await call<Exported>('trust.exportAdmission', { for: 'kbs', scopes: [`${registry.host}/team`] });
    const tree = mkdtempSync(path.join(tmpdir(), 'signet-kbs-'));
    for (const f of exported.files) {
      const file = path.join(tree, f.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, f.content);
    }
    const policyFile = exported.files.find((f) => f.path.startsWith('kbs-storage/default/security-policy/'))!;
    expect(policyFile.content).toMatch(/"keyPaths?": .*kbs:\/\/\/default\/cosign-key-/s);
    expect(exported.notes.join('\n')).toMatch(/set-resource --path default\/cosign-key-/);
    const kbsDir = path.join(tree, 'kbs-storage');
    const admit = await call<{ allowed: boolean; requirements: unknown }>('trust.evaluate', {
      policy: policyFile.content,
      id: registryId,
      repository: 'team/app',
      reference: '1.0',
      kbsDir,
      registriesD,
    });
    expect(admit.allowed, JSON.stringify(admit.requirements)).toBe(true);
    const deny = await call<{ allowed: boolean }>('trust.evaluate', {
      policy: policyFile.content,
      id: registryId,
      repository: 'team/other',
      reference: '1.0',
      kbsDir,
      registriesD,
    });
    expect(deny.allowed).toBe(false);
    const missing = await call<{ allowed: boolean; requirements: Array<{ reason: string }> }>('trust.evaluate', {
      policy: policyFile.content,
      id: registryId,
      repository: 'team/app',
      reference: '1.0',
      registriesD,
    });
    expect(missing.allowed).toBe(false);
    expect(missing.requirements[0]!.reason).toContain('--kbs-dir');
  });

  it('the seed’s CoCo policy (sigstoreSigned, keyPath kbs:///default/cosign-key/1) is evaluated against a KBS directory instead of failing with ENOENT', async () => {
    const kbsDir = mkdtempSync(path.join(tmpdir(), 'signet-kbs-seed-'));
    mkdirSync(path.join(kbsDir, 'default', 'cosign-key'), { recursive: true });
    const pem = (await call<{ exports: { pem: string } }>('keys.get', { key: 'release' })).exports.pem;
    writeFileSync(path.join(kbsDir, 'default', 'cosign-key', '1'), pem);
    const policy = JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: {
          [`${registry.host}/team`]: [
            { type: 'sigstoreSigned', keyPath: 'kbs:///default/cosign-key/1', signedIdentity: { type: 'matchRepository' } },
          ],
        },
      },
    });
    // cosign signatures name the repository only, which matchRepoDigestOrExact (the default) never accepts, in podman as here.
    const seed = await call<{ allowed: boolean; requirements: unknown }>('trust.evaluate', {
      policy,
      id: registryId,
      repository: 'team/app',
      reference: signed.digest,
      kbsDir,
      registriesD,
    });
    expect(seed.allowed, JSON.stringify(seed.requirements)).toBe(true);
    expect(
      (
        await call<{ allowed: boolean }>('trust.evaluate', {
          policy,
          id: registryId,
          repository: 'team/other',
          reference: unsigned.digest,
          kbsDir,
          registriesD,
        })
      ).allowed,
    ).toBe(false);
    const escape = JSON.stringify({ default: [{ type: 'sigstoreSigned', keyPath: 'kbs:///default/../etc/passwd' }], transports: {} });
    const escaped = await call<{ allowed: boolean; requirements: Array<{ reason: string }> }>('trust.evaluate', {
      policy: escape,
      id: registryId,
      repository: 'team/app',
      reference: '1.0',
      kbsDir,
      registriesD,
    });
    expect(escaped.allowed).toBe(false);
    expect(escaped.requirements[0]!.reason).toContain('not a KBS resource URI');

    // In the desktop app the page writes the policy: a keyPath naming a file on this machine is not read (the page would learn what
    // exists), while kbs:/// keys still resolve under the KBS directory chosen in a dialog.
    const desktop = createCore({ dataDir, host: 'electron', keySecrets: new MemorySecretStore() });
    const onDesktop = async (policyText: string) =>
      (await desktop.dispatch('trust.evaluate', {
        policy: policyText,
        id: registryId,
        repository: 'team/app',
        reference: signed.digest,
        kbsDir,
        registriesD,
      } as never)) as unknown as Outcome<{ allowed: boolean; requirements: Array<{ reason: string }> }>;
    const onDisk = path.join(kbsDir, 'default', 'cosign-key', '1');
    const named = JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: { [`${registry.host}/team`]: [{ type: 'sigstoreSigned', keyPath: onDisk, signedIdentity: { type: 'matchRepository' } }] },
      },
    });
    const refused = await onDesktop(named);
    expect(refused.ok && refused.value.allowed).toBe(false);
    expect(JSON.stringify(refused)).toMatch(/in the desktop app Signet reads no file a policy names/);
    expect(
      (
        await call<{ allowed: boolean }>('trust.evaluate', {
          policy: named,
          id: registryId,
          repository: 'team/app',
          reference: signed.digest,
          registriesD,
        })
      ).allowed,
    ).toBe(true);
    const viaKbs = await onDesktop(policy);
    expect(viaKbs.ok && viaKbs.value.allowed).toBe(true);
  });

  it(
    'dry run: each generated Kubernetes policy admits the trusted signed image and denies the unsigned, the untrusted-signed and the out-of-scope ones, naming what decided',
    { timeout: 120_000 },
    async () => {
      const stranger = await pushTestImage(registry.url, 'ext/stranger', '1.0', { seed: 'admission-stranger' });
      const outside = await pushTestImage(registry.url, 'ext/outside', '1.0', { seed: 'admission-outside' });
      await call('keys.generate', { name: 'stranger', type: 'ecdsa-p256', trust: false });
      await call('signatures.sign', { id: registryId, repository: 'ext/stranger', digest: stranger.digest, key: 'stranger' });
      await call('signatures.sign', { id: registryId, repository: 'ext/outside', digest: outside.digest, key: 'team-p384' });
      const cases: Array<[string, string, boolean]> = [
        ['team/app', '1.0', true],
        ['team/other', '1.0', false],
        ['ext/stranger', '1.0', false],
        ['ext/outside', '1.0', false],
      ];
      for (const target of ['policy-controller', 'kyverno', 'kyverno-ivp'] as const) {
        const exported = await call<Exported>('trust.exportAdmission', { for: target });
        const text = exported.files[0]!.content;
        for (const [repository, reference, expected] of cases) {
          const decided = await call<{ allowed: boolean; reason: string; requirements: Array<{ summary: string; outcome: string }> }>(
            'trust.evaluate',
            { policy: text, id: registryId, repository, reference },
          );
          expect(decided.allowed, `${target} ${repository}: ${decided.reason}`).toBe(expected);
          expect(decided.requirements.length, decided.reason).toBeGreaterThan(0);
        }
        // The P-384 key is trusted for team/ only: its signature admits an image there.
        const teamImage = await pushTestImage(registry.url, 'team/p384', '1.0', { seed: `admission-p384-${target}` });
        await call('signatures.sign', { id: registryId, repository: 'team/p384', digest: teamImage.digest, key: 'team-p384' });
        const team = await call<{ allowed: boolean; reason: string; requirements: Array<{ summary: string; outcome: string }> }>(
          'trust.evaluate',
          { policy: text, id: registryId, repository: 'team/p384', reference: '1.0' },
        );
        // Inside the scope it passes the scoped policy; the all-images one (keys trusted everywhere) still applies, as the export warns.
        expect(team.requirements.find((r) => r.summary.includes('team'))?.outcome, team.reason).toBe('admitted');
      }
    },
  );
});
