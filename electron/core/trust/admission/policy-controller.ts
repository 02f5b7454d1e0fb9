import { stringify } from 'yaml';
import type { AdmissionExporter } from './format';
import { dnsLabel, hashAlgorithmOf, publicKeyPem, scopeGroups } from './groups';

const DOCKER_HUB = /^(?:docker\.io|registry-1\.docker\.io)(?=\/|$)/;

/**
 * policy-controller's `images[].glob` for a Signet scope. Its globs match the full reference
 * (`registry/repo:tag`), `*` stops at `/`, `**` does not, and Docker Hub is `index.docker.io`
 * (pkg/apis/glob). A scope covers its repository and everything under it. Its globs may not
 * contain `@`, so a pod naming an image by digest only is matched by the `/**` and `:**` forms
 * of no scope: exporters warn about it.
 */
export function policyControllerGlobs(scope: string | undefined): string[] {
  if (scope === undefined) return ['**'];
  const s = scope.replace(DOCKER_HUB, 'index.docker.io');
  return s.includes('/') ? [`${s}:**`, `${s}/**`] : [`${s}/**`];
}

/**
 * sigstore policy-controller ClusterImagePolicy (v1beta1), one per scope: any trusted key
 * (`authorities` are alternatives) verifies the cosign signature; no transparency log, since
 * Signet's signatures carry no Rekor entry (as the upstream example cip-key-no-rekor).
 */
export const policyControllerExporter: AdmissionExporter = {
  id: 'policy-controller',
  label: 'sigstore policy-controller (ClusterImagePolicy)',
  export(entries, options) {
    const warnings: string[] = [];
    const groups = scopeGroups(entries, options, warnings);
    const base = dnsLabel(options.name ?? 'signet', 40);
    const docs = groups.map((g) => ({
      apiVersion: 'policy.sigstore.dev/v1beta1',
      kind: 'ClusterImagePolicy',
      metadata: { name: dnsLabel(`${base}-${g.scope ?? 'all-images'}`) },
      spec: {
        images: policyControllerGlobs(g.scope).map((glob) => ({ glob })),
        authorities: g.keys.map((k) => {
          const hash = hashAlgorithmOf(k);
          // policy-controller reads awskms, gcpkms, azurekms and hashivault keys itself (cosign's KMS providers); others travel as data.
          const kms = options.kmsKeys?.get(k.fingerprint.toLowerCase());
          const byUri = kms !== undefined && /^(?:awskms|gcpkms|azurekms|hashivault):\/\//.test(kms);
          return {
            name: dnsLabel(k.name),
            key: { ...(byUri ? { kms } : { data: publicKeyPem(k) }), ...(hash ? { hashAlgorithm: hash } : {}) },
          };
        }),
        ...(options.failureAction === 'Audit' ? { mode: 'warn' } : {}),
      },
    }));
    if (groups.some((g) => g.scope?.includes('/')))
      warnings.push(
        'policy-controller globs cannot name a digest (no "@"): a pod that names a scoped image by digest only (repo@sha256:…) is matched by the all-images policy alone, if any.',
      );
    if (groups.some((g) => g.scope) && groups.some((g) => !g.scope)) {
      warnings.push(
        'policy-controller applies every policy whose glob matches: an image inside a scope must also pass the all-images policy, which holds only the keys trusted everywhere.',
      );
    }
    return {
      files: docs.length
        ? [{ path: 'clusterimagepolicy.yaml', content: docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n') }]
        : [],
      notes: [
        'kubectl apply -f clusterimagepolicy.yaml',
        'policy-controller enforces only in namespaces labelled for it: kubectl label namespace NAMESPACE policy.sigstore.dev/include=true',
      ],
      warnings,
    };
  },
};
