import { stringify } from 'yaml';
import type { AdmissionExporter } from './format';
import { dnsLabel, hashAlgorithmOf, publicKeyPem, scopeGroups } from './groups';
import { kyvernoImageReferences } from './kyverno';

/** An attestor name CEL can read as `attestors.NAME`: letters, digits and underscores, not starting with a digit. */
const celName = (text: string, i: number) =>
  `key_${i + 1}_${text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 40)}`;

/**
 * Kyverno's CEL-based ImageValidatingPolicy (policies.kyverno.io/v1), one per scope: each trusted
 * key is a cosign attestor with the transparency log and SCT not required, and the validation
 * admits a pod when every container image verifies with at least one of them.
 */
export const kyvernoIvpExporter: AdmissionExporter = {
  id: 'kyverno-ivp',
  label: 'Kyverno (ImageValidatingPolicy, CEL)',
  export(entries, options) {
    const warnings: string[] = [];
    const groups = scopeGroups(entries, options, warnings);
    const base = dnsLabel(options.name ?? 'signet', 40);
    const docs = groups.map((g) => {
      const attestors = g.keys.map((k, i) => {
        const hash = hashAlgorithmOf(k);
        return {
          name: celName(k.name, i),
          cosign: {
            key: { data: publicKeyPem(k), ...(hash ? { hashAlgorithm: hash } : {}) },
            ctlog: { insecureIgnoreTlog: true, insecureIgnoreSCT: true },
          },
        };
      });
      return {
        apiVersion: 'policies.kyverno.io/v1',
        kind: 'ImageValidatingPolicy',
        metadata: { name: dnsLabel(`${base}-${g.scope ?? 'all-images'}`) },
        spec: {
          validationActions: [options.failureAction === 'Audit' ? 'Audit' : 'Deny'],
          matchConstraints: {
            resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }],
          },
          matchImageReferences: kyvernoImageReferences(g.scope).map((glob) => ({ glob })),
          attestors,
          validations: [
            {
              expression: `images.containers.map(image, verifyImageSignatures(image, [${attestors.map((a) => `attestors.${a.name}`).join(', ')}])).all(e, e > 0)`,
              message: `Every container image must carry a cosign signature by a key Signet trusts${g.scope ? ` for ${g.scope}` : ''}.`,
            },
          ],
        },
      };
    });
    return {
      files: docs.length
        ? [{ path: 'kyverno-imagevalidatingpolicy.yaml', content: docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n') }]
        : [],
      notes: ['kubectl apply -f kyverno-imagevalidatingpolicy.yaml (Kyverno 1.14 or later)'],
      warnings,
    };
  },
};
