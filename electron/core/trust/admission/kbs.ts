import type { TrustEntry } from '../../../../shared/models/trust';
import { exportPolicy } from '../export';
import type { AdmissionExporter } from './format';

/**
 * Confidential Containers: a KBS resource tree holding the keys (`default/cosign-key/1`, one
 * resource per key) and the image security policy that names them by `kbs:///` URI
 * (`default/security-policy/NAME`), as image-rs fetches them from the KBS inside the guest.
 */
export const kbsExporter: AdmissionExporter = {
  id: 'kbs',
  label: 'Confidential Containers KBS (security policy and keys)',
  export(entries, options) {
    const scoped = options.scopes?.length
      ? entries.filter((e) => !e.scopes?.length || e.scopes.some((s) => options.scopes?.includes(s)))
      : entries;
    const cosignKeys = scoped.filter((e) => e.kind !== 'openpgp');
    const gpgKeys = scoped.filter((e) => e.kind === 'openpgp');
    const resource = (entry: TrustEntry, slug: string): string => {
      const only = entry.kind === 'openpgp' ? gpgKeys.length === 1 : cosignKeys.length === 1;
      const type = entry.kind === 'openpgp' ? (only ? 'gpg-key' : `gpg-key-${slug}`) : only ? 'cosign-key' : `cosign-key-${slug}`;
      return `kbs:///default/${type}/1`;
    };
    const exported = exportPolicy(scoped, { keyDir: 'kbs:///default', embed: false, fallback: 'reject', keyPathFor: resource });
    const name = (options.name ?? 'signet').replace(/[^A-Za-z0-9._-]+/g, '-');
    const files = [
      ...exported.keyFiles.map((k) => ({ path: `kbs-storage/${k.path.slice('kbs:///'.length)}`, content: k.content })),
      { path: `kbs-storage/default/security-policy/${name}`, content: exported.policy },
    ];
    return {
      files,
      notes: [
        'Copy kbs-storage/ into the KBS resource directory (the local-fs repository, e.g. /opt/confidential-containers/kbs/repository/), or upload each file:',
        ...files.map(
          (f) =>
            `kbs-client --url KBS_URL config --auth-private-key KBS_ADMIN_KEY set-resource --path ${f.path.slice('kbs-storage/'.length)} --resource-file ${f.path}`,
        ),
        `Point the guest at the policy: agent.image_policy_file=kbs:///default/security-policy/${name} (and agent.enable_signature_verification=true) in the kernel parameters or the pod annotation io.katacontainers.config.hypervisor.kernel_params.`,
        ...(exported.registriesD.includes('use-sigstore-attachments')
          ? [
              'image-rs reads cosign signatures from the registry (sigstore attachments); simple signatures need the registries.d lookaside.',
            ]
          : []),
      ],
      warnings: exported.warnings,
    };
  },
};
