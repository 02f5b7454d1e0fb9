import type { NotationLevel } from '../../../../shared/models/signatures';

/** notation's verification checks, and what a level does with each one's failure. */
export type NotationCheckType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type NotationAction = 'enforce' | 'log' | 'skip';

/** The trust policy specification's table of levels (trust-store-trust-policy.md, "signatureVerification"). */
export const LEVEL_ACTIONS: Readonly<Record<NotationLevel, Readonly<Record<NotationCheckType, NotationAction>>>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

/** A trusted certificate of a named store (`ca:NAME`, `signingAuthority:NAME`, `tsa:NAME`). */
export interface NotationAnchor {
  /** The store it came from, `type:name`. */
  store: string;
  /** What a person calls it (the trust entry's name). */
  name: string;
  der: Buffer;
  /** The trust entry's window ("trusted for signatures before …"), judged now like every trust entry's. */
  window?: { notBefore?: string; notAfter?: string };
}

/** Everything a Notation signature is judged against: the policy statement that applies, with its stores. */
export interface NotationTrust {
  policy: { name: string; level: NotationLevel; source: 'trust-store' | 'trust-policy' };
  actions: Readonly<Record<NotationCheckType, NotationAction>>;
  verifyTimestamp: 'always' | 'afterCertExpiry';
  /** `*`, or `x509.subject: <DN>` entries. */
  trustedIdentities: readonly string[];
  stores: { ca: NotationAnchor[]; signingAuthority: NotationAnchor[]; tsa: NotationAnchor[] };
  /** Whether the statement names any tsa store: notation verifies timestamps only then. */
  tsaConfigured: boolean;
  /**
   * Signet's default only (no Notation trust policy): public keys the trust store vouches for,
   * which vouch for a signing certificate holding exactly that key, as a single key.
   */
  leafKeys?: Array<{ name: string; spkiSha256: string; window?: { notBefore?: string; notAfter?: string } }>;
}

/**
 * Signet's own default when no Notation trust policy applies: the trust store's certificates
 * (CAs and self-signed roots, not single-key leaves) in scope for the image are the CA store,
 * any identity, level strict — but revocation is logged, since Signet queries no OCSP or CRL
 * service and says so in the report rather than refusing every CA-issued signature.
 */
export function defaultNotationTrust(ca: NotationAnchor[], leafKeys: NonNullable<NotationTrust['leafKeys']> = []): NotationTrust {
  return {
    policy: { name: 'Signet trust store (no Notation trust policy)', level: 'strict', source: 'trust-store' },
    actions: { ...LEVEL_ACTIONS.strict, revocation: 'log' },
    verifyTimestamp: 'always',
    trustedIdentities: ['*'],
    stores: { ca, signingAuthority: [], tsa: [] },
    tsaConfigured: false,
    ...(leafKeys.length ? { leafKeys } : {}),
  };
}
