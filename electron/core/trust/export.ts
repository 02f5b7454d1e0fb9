import { createPublicKey, X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { TrustEntry } from '../../../shared/models/trust';
import { serializePolicy, type ContainersPolicy, type PolicyRequirement, type SignedIdentity } from './policy';
import { isSm2Spki } from '../signing/sm2';

export interface PolicyExportOptions {
  /** Where the key files will be installed (keyPath entries); ignored when `embed` is set. */
  keyDir: string;
  /** Put the keys into the policy as keyData instead of files. */
  embed: boolean;
  /** The rule for images no entry covers. */
  fallback: 'reject' | 'insecureAcceptAnything';
  /** Lookaside URL for simple signatures, written into the registries.d snippet. */
  lookaside?: string;
  /** Where a key goes, when not `keyDir/<slug>.pub|.asc` (the KBS tree names resources repo/type/tag). */
  keyPathFor?: (entry: TrustEntry, slug: string) => string;
}

/**
 * A key file's path under `keyDir`. A URI such as `kbs:///default/cosign-key` keeps its scheme
 * and slashes: path.posix.join would collapse `kbs:///` to `kbs:/`, a path CoCo cannot resolve.
 */
export function joinKeyPath(keyDir: string, name: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(keyDir)) return `${keyDir.replace(/\/+$/, '')}/${name}`;
  return path.posix.join(keyDir, name);
}

export interface PolicyExport {
  policy: string;
  registriesD: string;
  keyFiles: Array<{ path: string; content: string }>;
  warnings: string[];
}

/**
 * A containers policy.json (podman, CRI-O, skopeo, Confidential Containers) and registries.d
 * snippet that trust exactly the store's keys. Per scope, OpenPGP keys become one `signedBy`
 * (any of them may sign) and public keys one `sigstoreSigned`; requirements in one scope are
 * ANDed by containers/image, so a scope trusting both kinds demands both kinds of signature.
 * cosign payloads name the repository without a tag, so `sigstoreSigned` uses matchRepository.
 * Unscoped entries apply to every scope (a scoped section replaces the default one entirely).
 */
export function exportPolicy(entries: readonly TrustEntry[], options: PolicyExportOptions): PolicyExport {
  const warnings: string[] = [];
  const keyFiles: PolicyExport['keyFiles'] = [];
  const fileFor = new Map<string, string>();
  const unscoped = entries.filter((e) => !e.scopes?.length);
  const scopes = new Set(entries.flatMap((e) => e.scopes ?? []));
  const slugs = new Set<string>();

  const keyFile = (entry: TrustEntry): string => {
    const existing = fileFor.get(entry.id);
    if (existing) return existing;
    let slug =
      entry.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 48) || entry.id;
    if (slugs.has(slug)) slug = `${slug}-${entry.id}`;
    slugs.add(slug);
    const file = options.keyPathFor
      ? options.keyPathFor(entry, slug)
      : joinKeyPath(options.keyDir, `${slug}${entry.kind === 'openpgp' ? '.asc' : '.pub'}`);
    keyFiles.push({ path: file, content: publicMaterial(entry) });
    fileFor.set(entry.id, file);
    return file;
  };

  const section = (members: readonly TrustEntry[]): PolicyRequirement[] => {
    const reqs: PolicyRequirement[] = [];
    const pgp = members.filter((e) => e.kind === 'openpgp');
    const keys = members.filter((e) => e.kind !== 'openpgp');
    const identity: SignedIdentity = { type: 'matchRepoDigestOrExact' };
    if (pgp.length) {
      if (options.embed)
        reqs.push({
          type: 'signedBy',
          keyType: 'GPGKeys',
          keyData: Buffer.from(pgp.map(publicMaterial).join('')).toString('base64'),
          signedIdentity: identity,
        });
      else if (pgp.length === 1) reqs.push({ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyFile(pgp[0]!), signedIdentity: identity });
      else reqs.push({ type: 'signedBy', keyType: 'GPGKeys', keyPaths: pgp.map(keyFile), signedIdentity: identity });
    }
    if (keys.length) {
      const repo: SignedIdentity = { type: 'matchRepository' };
      if (keys.length === 1)
        reqs.push(
          options.embed
            ? { type: 'sigstoreSigned', keyData: Buffer.from(publicMaterial(keys[0]!)).toString('base64'), signedIdentity: repo }
            : { type: 'sigstoreSigned', keyPath: keyFile(keys[0]!), signedIdentity: repo },
        );
      else {
        warnings.push(
          'Several public keys in one scope use keyPaths/keyDatas in sigstoreSigned, which needs containers/image 5.34 or later (podman 5.4+, skopeo 1.18+).',
        );
        reqs.push(
          options.embed
            ? { type: 'sigstoreSigned', keyDatas: keys.map((k) => Buffer.from(publicMaterial(k)).toString('base64')), signedIdentity: repo }
            : { type: 'sigstoreSigned', keyPaths: keys.map(keyFile), signedIdentity: repo },
        );
      }
    }
    if (pgp.length && keys.length)
      warnings.push('A scope trusts both OpenPGP and public keys: containers/image will require one signature of each kind there.');
    return reqs;
  };

  const docker: Record<string, PolicyRequirement[]> = {};
  if (unscoped.length) docker[''] = section(unscoped);
  for (const scope of [...scopes].sort()) {
    const members = [...unscoped, ...entries.filter((e) => e.scopes?.includes(scope))];
    docker[scope] = section(members);
  }
  const policy: ContainersPolicy = {
    default: [{ type: options.fallback }],
    transports: {
      ...(Object.keys(docker).length ? { docker } : {}),
      'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] },
    },
  };
  if (entries.some((e) => e.notAfter || e.notBefore))
    warnings.push('Validity windows are Signet’s own; containers/image does not apply them.');

  const attach = entries.some((e) => e.kind !== 'openpgp');
  const lines = ['# Signet: where podman, CRI-O and skopeo look for signatures.'];
  if (options.lookaside || attach) {
    lines.push('default-docker:');
    if (options.lookaside) lines.push(`  lookaside: ${yamlString(options.lookaside)}`);
    if (attach) lines.push('  use-sigstore-attachments: true');
  }
  return { policy: serializePolicy(policy), registriesD: `${lines.join('\n')}\n`, keyFiles, warnings };
}

/** The material containers/image reads: the armored key, or a PEM public key (of a certificate too). */
function publicMaterial(entry: TrustEntry): string {
  if (entry.kind === 'certificate') return new X509Certificate(entry.data).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (entry.kind === 'public-key' && isSm2Spki(entry.data)) return entry.data;
  if (entry.kind === 'public-key') return createPublicKey(entry.data).export({ type: 'spki', format: 'pem' }).toString();
  return entry.data.endsWith('\n') ? entry.data : `${entry.data}\n`;
}

function yamlString(s: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(s) && !/:\s/.test(s) ? s : JSON.stringify(s);
}
