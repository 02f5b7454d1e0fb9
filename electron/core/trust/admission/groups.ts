import { X509Certificate, createPublicKey } from 'node:crypto';
import type { TrustEntry } from '../../../../shared/models/trust';
import { isSm2Spki } from '../../signing/sm2';
import type { AdmissionOptions } from './format';

/** A set of images (a scope, or every image) and the keys trusted there. */
export interface ScopeGroup {
  /** `registry[/path]`, or undefined for the entries trusted everywhere. */
  scope?: string;
  keys: TrustEntry[];
}

/**
 * The trust store as the Kubernetes controllers see it: per scope, the public keys and
 * certificates trusted there (unscoped entries count in every scope), then one group for images
 * outside every scope with the unscoped entries. OpenPGP keys are not theirs: reported, skipped.
 */
export function scopeGroups(
  entries: readonly TrustEntry[],
  options: AdmissionOptions,
  warnings: string[],
  accepts: { sm2?: boolean } = {},
): ScopeGroup[] {
  const usable = entries.filter((e) => {
    if (e.kind === 'openpgp') {
      warnings.push(
        `"${e.name}" is an OpenPGP key: Kubernetes admission controllers verify cosign and Notation signatures, not simple signatures; it is left out.`,
      );
      return false;
    }
    if (e.kind === 'public-key' && isSm2Spki(e.data) && !accepts.sm2) {
      warnings.push(`"${e.name}" is an SM2 key: cosign's verifiers (Kyverno, policy-controller) cannot check it; it is left out.`);
      return false;
    }
    return true;
  });
  if (usable.some((e) => e.notAfter || e.notBefore))
    warnings.push('Validity windows are Signet’s own; the admission controllers do not apply them (certificate validity is theirs).');
  const unscoped = usable.filter((e) => !e.scopes?.length);
  const wanted = options.scopes?.length ? new Set(options.scopes) : undefined;
  const scopes = [...new Set(usable.flatMap((e) => e.scopes ?? []))].filter((s) => !wanted || wanted.has(s)).sort();
  const groups: ScopeGroup[] = scopes.map((scope) => ({ scope, keys: [...unscoped, ...usable.filter((e) => e.scopes?.includes(scope))] }));
  if (unscoped.length && !wanted) groups.push({ keys: unscoped });
  return groups.filter((g) => g.keys.length > 0);
}

/** The PEM public key a cosign verifier takes: the key itself, or a certificate's key. */
export function publicKeyPem(entry: TrustEntry): string {
  if (entry.kind === 'certificate') return new X509Certificate(entry.data).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return createPublicKey(entry.data).export({ type: 'spki', format: 'pem' }).toString();
}

/** The hash cosign signs with for this key, when it is not SHA-256 (Signet signs P-384 with SHA-384, P-521 with SHA-512). */
export function hashAlgorithmOf(entry: TrustEntry): 'sha384' | 'sha512' | undefined {
  try {
    const key = entry.kind === 'certificate' ? new X509Certificate(entry.data).publicKey : createPublicKey(entry.data);
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : undefined;
  } catch {
    return undefined;
  }
}

/** A Kubernetes object name from free text: lower-case, [a-z0-9-], at most `max` characters. */
export function dnsLabel(text: string, max = 63): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, max)
      .replace(/-$/, '') || 'signet'
  );
}
