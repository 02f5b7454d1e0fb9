import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../electron/core/audit/log';
import type { CoreServices } from '../../../electron/core/core';
import { generatePgpKey } from '../../../electron/core/keys/generate';
import { pgpSigner } from '../../../electron/core/keys/signers';
import { RegistryClient } from '../../../electron/core/registry/client';
import type { CredentialStore } from '../../../electron/core/registry/credentials';
import { RegistryConnections } from '../../../electron/core/registry/handlers';
import { SavedRegistries } from '../../../electron/core/registry/saved';
import { DirectoryLookaside } from '../../../electron/core/signatures/lookaside/store';
import { signSimple } from '../../../electron/core/signatures/simple';
import { createTrustHandlers } from '../../../electron/core/trust/handlers';
import type { PolicyEvaluation } from '../../../shared/models/trust';
import { pushTestImage, requireCommand, startRegistry, tempDir, type RegistryHandle, type TempDir } from '../../harness';

/**
 * Signet's policy decision against skopeo's own (containers/image 5.23, what podman/CRI-O on
 * Debian run): the same policy.json, registries.d and signatures, one `skopeo copy` per case.
 */
describe('policy.json evaluation: Signet decides as skopeo does', () => {
  let registry: RegistryHandle;
  let home: TempDir;
  let gnupg: string;
  let digest: string;
  let handlers: ReturnType<typeof createTrustHandlers>;
  let registryId: string;
  let keyA: string;
  let keyB: string;
  let registriesD: string;
  let srcDir: string;
  let runs = 0;

  beforeAll(async () => {
    requireCommand('skopeo', 'skopeo');
    requireCommand('gpg', 'gpg');
    registry = await startRegistry();
    home = tempDir('policy-skopeo');
    gnupg = path.join(home.path, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const image = await pushTestImage(registry.url, 'team/app', '1.0');
    digest = image.digest;
    const client = new RegistryClient({ registry: registry.host });
    const fetched = await client.manifest('team/app', '1.0');
    await client.pushManifest('team/app', '2.0', fetched.bytes, fetched.mediaType);

    const a = await generatePgpKey('pgp-ed25519', 'Release A <a@example.com>');
    const b = await generatePgpKey('pgp-ed25519', 'Someone B <b@example.com>');
    keyA = a.armoredPublic;
    keyB = b.armoredPublic;
    const signer = await pgpSigner(a.armoredPrivate);
    const lookaside = path.join(home.path, 'lookaside');
    const { message } = await signSimple(signer, `${registry.host}/team/app:1.0`, digest, 'Signet test', new Date());
    await new DirectoryLookaside(lookaside).write('team/app', digest, message);
    registriesD = path.join(home.path, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(path.join(registriesD, 'signet.yaml'), `docker:\n  ${registry.host}:\n    lookaside: file://${lookaside}\n`);

    // A dir: image (made by skopeo itself) carrying a signature for example.com/app:1.
    srcDir = path.join(home.path, 'images', 'src');
    mkdirSync(path.dirname(srcDir));
    execFileSync('skopeo', [
      'copy',
      '--quiet',
      '--insecure-policy',
      '--src-tls-verify=false',
      `docker://${registry.host}/team/app:1.0`,
      `dir:${srcDir}`,
    ]);
    writeFileSync(
      path.join(srcDir, 'signature-1'),
      (await signSimple(signer, 'example.com/app:1', digest, 'Signet test', new Date())).message,
    );

    const dataDir = path.join(home.path, 'data');
    const saved = new SavedRegistries(dataDir);
    registryId = 'local';
    await saved.update((list) => ({
      registries: [
        ...list,
        { id: registryId, kind: 'distribution' as const, name: 'local', host: registry.host, insecure: true, credentials: 'none' as const },
      ],
      result: undefined,
    }));
    const noCredentials: CredentialStore = { get: async () => undefined, set: async () => undefined, delete: async () => undefined };
    const services = { dataDir, options: { dataDir, host: 'cli' }, audit: new AuditLog(dataDir) } as unknown as CoreServices;
    handlers = createTrustHandlers(services, { connections: new RegistryConnections(saved, noCredentials) });
  });
  afterAll(async () => {
    await registry?.stop();
    home?.remove();
  });

  const gpgData = (armored: string) => Buffer.from(armored).toString('base64');

  function skopeoAllows(policy: object | string, source: string, registriesDir = registriesD): { allowed: boolean; stderr: string } {
    runs += 1;
    const file = path.join(home.path, `policy-${runs}.json`);
    writeFileSync(file, typeof policy === 'string' ? policy : JSON.stringify(policy));
    const result = spawnSync(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--policy',
        file,
        '--registries.d',
        registriesDir,
        '--src-tls-verify=false',
        source,
        `dir:${path.join(home.path, `out-${runs}`)}`,
      ],
      { env: { ...process.env, GNUPGHOME: gnupg }, encoding: 'utf8' },
    );
    return { allowed: result.status === 0, stderr: result.stderr };
  }

  async function signetDocker(policy: object, reference: string): Promise<PolicyEvaluation> {
    return (await handlers['trust.evaluate'](
      { policy: JSON.stringify(policy), id: registryId, repository: 'team/app', reference, registriesD },
      { progress: () => undefined } as never,
    )) as PolicyEvaluation;
  }

  // Expected for pulls of :1.0, :2.0 (same manifest) and @digest — the matrix in formats.md §2.6.
  const identities: Array<[string, object, boolean[]]> = [
    ['matchExact', { type: 'matchExact' }, [true, false, false]],
    ['matchRepoDigestOrExact', { type: 'matchRepoDigestOrExact' }, [true, false, true]],
    ['matchRepository', { type: 'matchRepository' }, [true, true, true]],
    ['exactReference', { type: 'exactReference', dockerReference: 'REG/team/app:1.0' }, [true, true, true]],
    ['exactRepository', { type: 'exactRepository', dockerRepository: 'REG/team/app' }, [true, true, true]],
    ['remapIdentity (same prefix)', { type: 'remapIdentity', prefix: 'REG/team', signedPrefix: 'REG/team' }, [true, false, true]],
    [
      'remapIdentity (elsewhere)',
      { type: 'remapIdentity', prefix: 'REG/team', signedPrefix: 'mirror.example.com/team' },
      [false, false, false],
    ],
  ];

  it.each(identities)('signedBy with %s: same decision for :1.0, :2.0 and @digest', async (_name, identity, expected) => {
    const signedIdentity = JSON.parse(JSON.stringify(identity).replaceAll('REG', registry.host)) as object;
    const policy = {
      default: [{ type: 'reject' }],
      transports: { docker: { [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: gpgData(keyA), signedIdentity }] } },
    };
    const decisions: boolean[] = [];
    for (const reference of ['1.0', '2.0', digest]) {
      const source = `docker://${registry.host}/team/app${reference === digest ? `@${digest}` : `:${reference}`}`;
      const theirs = skopeoAllows(policy, source);
      const ours = await signetDocker(policy, reference);
      expect({ reference, allowed: ours.allowed, why: ours.reason }).toMatchObject({ reference, allowed: theirs.allowed });
      if (!ours.allowed) expect(ours.requirements[0]?.outcome).toBe('rejected');
      decisions.push(theirs.allowed);
    }
    expect(decisions).toEqual(expected);
  });

  it.each([
    [
      'another key',
      (host: string) => ({
        default: [{ type: 'reject' }],
        transports: { docker: { [host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: gpgData(keyB) }] } },
      }),
      false,
    ],
    [
      'both keys in one keyring',
      (host: string) => ({
        default: [{ type: 'reject' }],
        transports: { docker: { [host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: gpgData(keyB + keyA) }] } },
      }),
      true,
    ],
    ['insecureAcceptAnything', () => ({ default: [{ type: 'insecureAcceptAnything' }] }), true],
    ['reject', () => ({ default: [{ type: 'reject' }] }), false],
    [
      'a more specific scope that rejects',
      (host: string) => ({
        default: [{ type: 'insecureAcceptAnything' }],
        transports: { docker: { [host]: [{ type: 'insecureAcceptAnything' }], [`${host}/team`]: [{ type: 'reject' }] } },
      }),
      false,
    ],
    [
      'the transport default "" over default',
      () => ({ default: [{ type: 'insecureAcceptAnything' }], transports: { docker: { '': [{ type: 'reject' }] } } }),
      false,
    ],
    ['signedBaseLayer', () => ({ default: [{ type: 'signedBaseLayer', baseLayerIdentity: { type: 'matchRepository' } }] }), false],
    [
      'an unimplemented keyType',
      (host: string) => ({
        default: [{ type: 'reject' }],
        transports: { docker: { [host]: [{ type: 'signedBy', keyType: 'signedByGPGKeys', keyData: gpgData(keyA) }] } },
      }),
      false,
    ],
    [
      'AND of accept and a passing signedBy',
      (host: string) => ({
        default: [{ type: 'reject' }],
        transports: {
          docker: { [host]: [{ type: 'insecureAcceptAnything' }, { type: 'signedBy', keyType: 'GPGKeys', keyData: gpgData(keyA) }] },
        },
      }),
      true,
    ],
  ])('%s', async (_name, make, expected) => {
    const policy = make(registry.host);
    const theirs = skopeoAllows(policy, `docker://${registry.host}/team/app:1.0`);
    const ours = await signetDocker(policy, '1.0');
    expect(ours.allowed).toBe(theirs.allowed);
    expect(theirs.allowed).toBe(expected);
  });

  it.each([
    ['exactReference', { type: 'exactReference', dockerReference: 'example.com/app:1' }, true],
    ['exactRepository', { type: 'exactRepository', dockerRepository: 'example.com/app' }, true],
    ['matchRepository (a dir: image has no Docker reference)', { type: 'matchRepository' }, false],
    ['the default rule', undefined, false],
    ['exactReference of another tag', { type: 'exactReference', dockerReference: 'example.com/app:2' }, false],
  ])('dir: image, signedBy with %s', async (_name, signedIdentity, expected) => {
    const policy = {
      default: [{ type: 'reject' }],
      transports: {
        dir: { '': [{ type: 'signedBy', keyType: 'GPGKeys', keyData: gpgData(keyA), ...(signedIdentity ? { signedIdentity } : {}) }] },
      },
    };
    const theirs = skopeoAllows(policy, `dir:${srcDir}`);
    const ours = (await handlers['trust.evaluate']({ policy: JSON.stringify(policy), dir: srcDir }, {
      progress: () => undefined,
    } as never)) as PolicyEvaluation;
    expect(ours.allowed).toBe(theirs.allowed);
    expect(theirs.allowed).toBe(expected);
  });

  it('dir: scopes: the image path, then parent directories, then ""', async () => {
    const decisions: boolean[] = [];
    for (const scopes of [
      { [srcDir]: [{ type: 'reject' }], '': [{ type: 'insecureAcceptAnything' }] },
      { [path.dirname(srcDir)]: [{ type: 'reject' }], '': [{ type: 'insecureAcceptAnything' }] },
      { '/nowhere': [{ type: 'reject' }], '': [{ type: 'insecureAcceptAnything' }] },
    ]) {
      const policy = { default: [{ type: 'reject' }], transports: { dir: scopes } };
      const theirs = skopeoAllows(policy, `dir:${srcDir}`);
      const ours = (await handlers['trust.evaluate']({ policy: JSON.stringify(policy), dir: srcDir }, {
        progress: () => undefined,
      } as never)) as PolicyEvaluation;
      expect(ours.allowed).toBe(theirs.allowed);
      decisions.push(theirs.allowed);
    }
    expect(decisions).toEqual([false, false, true]);
  });

  it('the decisive requirement and the signature reasons are reported', async () => {
    const policy = {
      default: [{ type: 'reject' }],
      transports: {
        docker: {
          [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: gpgData(keyA), signedIdentity: { type: 'matchExact' } }],
        },
      },
    };
    const ours = await signetDocker(policy, '2.0');
    expect(ours).toMatchObject({ allowed: false, section: { kind: 'scope', scope: registry.host } });
    expect(ours.requirements[0]!.signatures[0]).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining(`Signature for identity "${registry.host}/team/app:1.0" is not accepted`),
    });
    expect(skopeoAllows(policy, `docker://${registry.host}/team/app:2.0`).stderr).toContain('is not accepted');
  });

  it('a policy exported from the trust store is accepted by skopeo for the trusted key only', async () => {
    const ctx = { progress: () => undefined } as never;
    const lookaside = path.join(home.path, 'lookaside');
    const exportDir = path.join(home.path, 'exported.d');
    mkdirSync(exportDir);
    const added = await handlers['trust.add']({ name: 'Release A', data: keyA }, ctx);
    const exported = await handlers['trust.exportPolicy']({ embed: true, lookaside: `file://${lookaside}` }, ctx);
    writeFileSync(path.join(exportDir, 'signet.yaml'), exported.registriesD);
    expect(skopeoAllows(exported.policy, `docker://${registry.host}/team/app:1.0`, exportDir).allowed).toBe(true);
    expect(skopeoAllows(exported.policy, `docker://${registry.host}/team/app:2.0`, exportDir).allowed).toBe(false);

    await handlers['trust.remove']({ id: added.id }, ctx);
    await handlers['trust.add']({ name: 'Someone B', data: keyB }, ctx);
    const other = await handlers['trust.exportPolicy']({ embed: true, lookaside: `file://${lookaside}` }, ctx);
    expect(skopeoAllows(other.policy, `docker://${registry.host}/team/app:1.0`, exportDir).allowed).toBe(false);

    // With key files instead of embedded data.
    const keyDir = path.join(home.path, 'keys');
    const withFiles = await handlers['trust.exportPolicy']({ keyDir, lookaside: `file://${lookaside}` }, ctx);
    mkdirSync(keyDir);
    for (const f of withFiles.keyFiles) writeFileSync(f.path, f.content);
    expect(withFiles.keyFiles.map((f) => path.basename(f.path))).toEqual(['someone-b.asc']);
    expect(skopeoAllows(withFiles.policy, `docker://${registry.host}/team/app:1.0`, exportDir).allowed).toBe(false);
  });
});
