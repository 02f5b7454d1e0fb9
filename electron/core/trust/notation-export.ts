import { X509Certificate } from 'node:crypto';
import type { TrustEntry } from '../../../shared/models/trust';

/** A file name notation reads in a store (`.crt`), from the entry's name: safe characters only, unique within its store. */
function fileName(entry: TrustEntry, taken: Set<string>): string {
  const base =
    entry.name
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .replace(/\.(crt|pem|cer)$/i, '') || entry.id;
  let name = `${base}.crt`;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}.crt`;
  taken.add(name);
  return name;
}

/**
 * What notation needs to verify as Signet does: the imported trust policy verbatim (as
 * `trustpolicy.json`), and each named store's certificates as PEM files under
 * `truststore/x509/<type>/<name>/`, the layout notation reads from its configuration directory.
 */
export function exportNotation(
  entries: readonly TrustEntry[],
  imported: { name: string; text: string; policy: { statements: Array<{ trustStores: string[] }> } } | undefined,
): { trustPolicy?: string; files: Array<{ path: string; content: string }>; warnings: string[] } {
  const files: Array<{ path: string; content: string }> = [];
  const warnings: string[] = [];
  const names = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (entry.kind !== 'certificate' || !entry.stores?.length) continue;
    let pem: string;
    try {
      pem = new X509Certificate(entry.data).toString();
    } catch {
      warnings.push(`The trust entry "${entry.name}" no longer parses as a certificate; it is left out.`);
      continue;
    }
    for (const store of entry.stores) {
      const [type, name] = store.split(':') as [string, string];
      const taken = names.get(store) ?? new Set<string>();
      names.set(store, taken);
      files.push({ path: `truststore/x509/${type}/${name}/${fileName(entry, taken)}`, content: pem });
    }
  }
  if (!imported)
    warnings.push(
      'No Notation trust policy is imported: only the trust stores are exported. Import one with `signet policy import trustpolicy.json`.',
    );
  else
    for (const store of new Set(imported.policy.statements.flatMap((s) => s.trustStores)))
      if (!names.has(store))
        warnings.push(`The trust policy names the store ${store}, which holds no certificate in Signet's trust store.`);
  return { ...(imported ? { trustPolicy: imported.text } : {}), files, warnings };
}
