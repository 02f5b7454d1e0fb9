import { stringify } from 'yaml';
import type { AdmissionExporter } from './format';
import { dnsLabel, hashAlgorithmOf, publicKeyPem, scopeGroups } from './groups';

/** Kyverno `imageReferences` for a scope: its wildcard `*` matches any characters, `/` included. */
export function kyvernoImageReferences(scope: string | undefined): string[] {
  if (scope === undefined) return ['*'];
  return scope.includes('/') ? [`${scope}:*`, `${scope}@*`, `${scope}/*`] : [`${scope}/*`];
}

/**
 * Kyverno ClusterPolicy (kyverno.io/v1) with one verifyImages rule per scope: one attestor set
 * whose entries are the trusted keys, any one of which suffices (`count: 1`); the transparency
 * log and SCT are not required (as the upstream example keyed-basic).
 */
export const kyvernoExporter: AdmissionExporter = {
  id: 'kyverno',
  label: 'Kyverno (ClusterPolicy, verifyImages)',
  export(entries, options) {
    const warnings: string[] = [];
    const groups = scopeGroups(entries, options, warnings);
    const rules = groups.map((g) => ({
      name: dnsLabel(`verify-${g.scope ?? 'all-images'}`),
      match: { any: [{ resources: { kinds: ['Pod'] } }] },
      verifyImages: [
        {
          imageReferences: kyvernoImageReferences(g.scope),
          failureAction: options.failureAction ?? 'Enforce',
          mutateDigest: true,
          verifyDigest: true,
          attestors: [
            {
              count: 1,
              entries: g.keys.map((k) => {
                const hash = hashAlgorithmOf(k);
                return {
                  keys: {
                    publicKeys: publicKeyPem(k),
                    ...(hash ? { signatureAlgorithm: hash } : {}),
                    rekor: { ignoreTlog: true },
                    ctlog: { ignoreSCT: true },
                  },
                };
              }),
            },
          ],
        },
      ],
    }));
    if (groups.some((g) => g.scope) && groups.some((g) => !g.scope)) {
      warnings.push(
        'Kyverno applies every rule whose imageReferences match: an image inside a scope must also pass the all-images rule, which holds only the keys trusted everywhere.',
      );
    }
    const policy = {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name: dnsLabel(options.name ?? 'signet-verify-images') },
      spec: { background: false, webhookTimeoutSeconds: 30, failurePolicy: 'Fail', rules },
    };
    return {
      files: rules.length ? [{ path: 'kyverno-clusterpolicy.yaml', content: stringify(policy, { lineWidth: 0 }) }] : [],
      notes: ['kubectl apply -f kyverno-clusterpolicy.yaml'],
      warnings,
    };
  },
};
