import { X509Certificate } from 'node:crypto';
import type { TrustEntry } from '../../../shared/models/trust';
import type { NotationAnchor, NotationTrust } from '../signatures/notation/trust';
import { applicableStatement, type NotationPolicyDocument } from './notation-policy';
import { PolicyStore } from './policies';
import { TrustStore } from './store';

function anchorsOf(entries: readonly TrustEntry[], stores: readonly string[], type: 'ca' | 'signingAuthority' | 'tsa'): NotationAnchor[] {
  const out: NotationAnchor[] = [];
  for (const store of stores.filter((s) => s.startsWith(`${type}:`))) {
    for (const e of entries) {
      if (e.kind !== 'certificate' || !e.stores?.includes(store)) continue;
      try {
        const window =
          e.notBefore || e.notAfter
            ? { ...(e.notBefore ? { notBefore: e.notBefore } : {}), ...(e.notAfter ? { notAfter: e.notAfter } : {}) }
            : undefined;
        out.push({ store, name: e.name, der: new X509Certificate(e.data).raw, ...(window ? { window } : {}) });
      } catch {
        // An entry that no longer parses vouches for nothing.
      }
    }
  }
  return out;
}

/**
 * The Notation trust a signature on `artifactPath` (`host/repository`) is judged by, from the
 * imported Notation trust policy and the trust store's named stores: the applicable statement's
 * level, overrides, identities and the certificates of the stores it names. Undefined when no
 * Notation trust policy is imported; `none` when one is but no statement covers the repository.
 */
export async function notationTrustFor(dataDir: string, artifactPath: string): Promise<NotationTrust | { none: string } | undefined> {
  const imported = await new PolicyStore(dataDir).notation();
  if (!imported) return undefined;
  return notationTrustFrom(imported.policy, imported.name, await new TrustStore(dataDir).entries(), artifactPath);
}

/** The trust of one policy document (imported or given) for `host/repository`, with the trust store's named stores. */
export function notationTrustFrom(
  doc: NotationPolicyDocument,
  policyName: string,
  entries: readonly TrustEntry[],
  artifactPath: string,
): NotationTrust | { none: string } {
  const statement = applicableStatement(doc, artifactPath);
  if (!statement)
    return {
      none: `The Notation trust policy "${policyName}" has no statement whose registryScopes cover ${artifactPath}; notation refuses an image no statement applies to.`,
    };
  return {
    policy: { name: `${policyName}: ${statement.name}`, level: statement.level, source: 'trust-policy' },
    actions: statement.actions,
    verifyTimestamp: statement.verifyTimestamp,
    trustedIdentities: statement.trustedIdentities,
    stores: {
      ca: anchorsOf(entries, statement.trustStores, 'ca'),
      signingAuthority: anchorsOf(entries, statement.trustStores, 'signingAuthority'),
      tsa: anchorsOf(entries, statement.trustStores, 'tsa'),
    },
    tsaConfigured: statement.trustStores.some((s) => s.startsWith('tsa:')),
  };
}
