import type { AdmissionExporter } from './format';
import { policyControllerGlobs } from './policy-controller';
import { scopeGroups } from './groups';

/**
 * Huawei CCE's "Container Image Signature Verification" add-on (swr-cosign): its form takes a KMS
 * key (EC_P256, EC_P384 or SM2 in Huawei Cloud KMS), an image glob, and enforces in namespaces
 * labelled `policy.sigstore.dev/include: "true"` (it is policy-controller based). The values to
 * enter, per scope, for the trusted keys that are Huawei KMS keys in Signet.
 */
export const cceExporter: AdmissionExporter = {
  id: 'cce',
  label: 'Huawei CCE image signature add-on (form values)',
  export(entries, options) {
    const warnings: string[] = [];
    const groups = scopeGroups(entries, options, warnings, { sm2: true });
    const lines: string[] = [];
    for (const g of groups) {
      for (const k of g.keys) {
        const uri = options.kmsKeys?.get(k.fingerprint.toLowerCase());
        const huawei = uri && /^huaweikms:\/\/([^/]+)\/([^/]+)\/([^/?#]+)/.exec(uri);
        if (!huawei) {
          warnings.push(`"${k.name}" is not a Huawei Cloud KMS key in Signet: the CCE add-on verifies with KMS keys only.`);
          continue;
        }
        lines.push(
          `[${g.scope ?? 'all images'}] key "${k.name}"`,
          `  KMS key:          ${huawei[3]} (region ${huawei[1]}, project ${huawei[2]})`,
          ...policyControllerGlobs(g.scope).map((glob) => `  Image glob:       ${glob}`),
          '  Namespace label:  policy.sigstore.dev/include=true',
          '',
        );
      }
    }
    return {
      files: lines.length ? [{ path: 'cce-addon.txt', content: `${lines.join('\n').trimEnd()}\n` }] : [],
      notes: [
        'CCE console → Add-ons → Container Image Signature Verification: enter the KMS key and image glob; then label each namespace to enforce in: kubectl label namespace NAMESPACE policy.sigstore.dev/include=true',
      ],
      warnings: [...new Set(warnings)],
    };
  },
};
