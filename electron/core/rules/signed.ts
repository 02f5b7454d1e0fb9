import { X509Certificate } from 'node:crypto';
import type { RuleFormat } from '../../../shared/models/rules';
import type { SignatureReport } from '../../../shared/models/signatures';
import { checkCosignPayload, readCosignSignatureImage, verifyWithKey } from '../signatures/cosign';
import type { RegistrySource } from '../registry/source';

/** Who a rule's key is, as its signatures show it: its public key, OpenPGP fingerprints, certificate, Signet id. */
export interface KeyIdentity {
  /** SPKI PEM (cosign, Notation). */
  pem?: string;
  /** Upper-case hex OpenPGP fingerprints: the key's and its signing subkey's (simple signing). */
  pgp?: string[];
  /** Lower-case hex SHA-256 of the leaf certificate (Notation). */
  leafSha256?: string;
  /** The Signet key id, when the key is in Signet's key list. */
  keyId?: string;
}

const norm = (text: string) => text.replace(/[^0-9a-f]/gi, '').toLowerCase();

export function leafSha256(chainPem: string): string | undefined {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chainPem)?.[0];
  if (!first) return undefined;
  try {
    return norm(new X509Certificate(first).fingerprint256);
  } catch {
    return undefined;
  }
}

/**
 * Whether the registry holds a cosign signature of exactly this digest that verifies with the key:
 * read afresh from the signature image (never a cache), payload bound to the digest. `rules`: the
 * rules those signatures name in their `annotation` (which rule signed the image).
 */
export async function cosignSignedBy(
  source: RegistrySource,
  repository: string,
  digest: string,
  pem: string,
  annotation: string,
): Promise<{ signed: boolean; rules: string[] }> {
  const { signatures } = await readCosignSignatureImage(source, repository, digest);
  const rules = new Set<string>();
  let signed = false;
  for (const sig of signatures) {
    const check = checkCosignPayload(sig.payload, digest);
    if (!check.ok || verifyWithKey(pem, sig.payload, sig.signature) === undefined) continue;
    signed = true;
    const rule = check.annotations?.[annotation];
    if (typeof rule === 'string') rules.add(rule);
  }
  return { signed, rules: [...rules] };
}

/** Whether one of an image's signature reports (signatures.verify) is this key's, in this format, bound to the image. */
export function reportSignedBy(reports: readonly SignatureReport[], format: RuleFormat, key: KeyIdentity): boolean {
  return reports.some((r) => {
    if (r.format !== format || r.kind !== 'signature') return false;
    if (r.checks.some((c) => c.name === 'digest binding' && c.status === 'failed')) return false;
    if (!r.checks.some((c) => c.name === 'signature' && c.status === 'passed') && !r.knownKey) return false;
    if (key.keyId && r.knownKey?.id === key.keyId) return true;
    const fp = r.fingerprint ? norm(r.fingerprint) : undefined;
    if (!fp) return false;
    if (format === 'simplesigning' || format === 'asc') return (key.pgp ?? []).some((k) => norm(k) === fp || norm(k).endsWith(fp));
    return key.leafSha256 === fp;
  });
}
