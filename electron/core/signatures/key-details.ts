import { X509Certificate } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import type { KeyInfo } from '../../../shared/models/keys';
import type { KeyDetails } from '../../../shared/models/signatures';
import type { CoreServices } from '../services';
import { ALGORITHMS } from '../signing/algorithms';
import type { SignatureAlgorithm } from '../signing/signer';
import { pemSpkiSha256 } from '../signing/spki';
import { TrustStore } from '../trust/store';

const NOTARY_PADDING: Readonly<Record<string, string>> = {
  ES256: 'ECDSA P-256 with SHA-256, raw r‖s (JWS/COSE)',
  ES384: 'ECDSA P-384 with SHA-384, raw r‖s (JWS/COSE)',
  ES512: 'ECDSA P-521 with SHA-512, raw r‖s (JWS/COSE)',
  PS256: 'RSASSA-PSS with SHA-256 (MGF1, salt = hash length)',
  PS384: 'RSASSA-PSS with SHA-384 (MGF1, salt = hash length)',
  PS512: 'RSASSA-PSS with SHA-512 (MGF1, salt = hash length)',
};

/** How a report's algorithm pads or encodes its signature, in words. */
export function paddingOf(algorithm: string | undefined): string | undefined {
  if (!algorithm) return undefined;
  if (algorithm === 'openpgp') return 'OpenPGP signature packet (the key decides the algorithm)';
  const notary = /\b(ES|PS)(256|384|512)$/.exec(algorithm);
  if (notary) return NOTARY_PADDING[`${notary[1]}${notary[2]}`];
  return (ALGORITHMS as Readonly<Record<string, { padding: string }>>)[algorithm as SignatureAlgorithm]?.padding;
}

function chainSubjects(pem: string | undefined): string[] | undefined {
  if (!pem) return undefined;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  try {
    return blocks.slice(0, 10).map((b) => new X509Certificate(b).subject.replace(/\n/g, ', '));
  } catch {
    return undefined;
  }
}

function keyFingerprints(k: KeyInfo): string[] {
  const out = [k.spkiSha256, k.pgpFingerprint, k.pgpSigningSubkey].filter((f): f is string => Boolean(f));
  if (!k.spkiSha256 && k.publicKeyPem) {
    try {
      out.push(pemSpkiSha256(k.publicKeyPem));
    } catch {
      // a key whose public half no longer parses matches nothing
    }
  }
  return out.map((f) => f.toLowerCase());
}

/**
 * The key behind a signature, found by fingerprint among Signet's keys and the trust store, with
 * its algorithm and padding; asked, the KMS says whether the key and the version that made the
 * signature are still enabled (OCIR asks its Vault the same). The local verdict is never changed
 * by that answer: it is shown beside it.
 */
/** The audit log's newest record of signing this image with the key of this fingerprint. */
async function recordedSigning(services: CoreServices, fingerprint: string, digest: string): Promise<KeyDetails['recorded']> {
  const { entries } = await services.audit
    .list({ kind: 'image.signed', key: fingerprint, image: digest, outcome: 'succeeded', limit: 20 })
    .catch(() => ({ entries: [] }));
  const entry = entries.find(
    (e) =>
      e.details.digest === digest &&
      [e.details.spkiSha256, e.details.fingerprint, e.details.signer].some((f) => typeof f === 'string' && f.toLowerCase() === fingerprint),
  );
  if (!entry) return undefined;
  const text = (k: string) => (typeof entry.details[k] === 'string' ? { [k]: entry.details[k] as string } : {});
  return { at: entry.time, ...text('key'), ...text('keyName'), ...text('provider'), ...text('keyVersion'), ...text('tokenSerial') };
}

export async function keyDetails(
  services: CoreServices,
  input: { fingerprint: string; algorithm?: string | undefined; digest?: string | undefined; askKms?: boolean | undefined },
): Promise<KeyDetails> {
  const want = input.fingerprint.toLowerCase();
  const keys = (await services.keys.list()).filter((k) => keyFingerprints(k).includes(want));
  const trust = (await new TrustStore(services.dataDir).entries()).filter((e) => e.fingerprint.toLowerCase() === want);
  const padding = paddingOf(input.algorithm);
  const details: KeyDetails = {
    fingerprint: input.fingerprint,
    ...(input.algorithm ? { algorithm: input.algorithm } : {}),
    ...(padding ? { padding } : {}),
    keys: keys.map((k) => {
      const chain = chainSubjects(k.certificateChain);
      return {
        id: k.id,
        name: k.name,
        kind: k.kind,
        type: k.type,
        algorithm: k.algorithm,
        store: k.store,
        ...(k.uri ? { uri: k.uri } : {}),
        ...(k.connection ? { connection: k.connection } : {}),
        ...(chain ? { chain } : {}),
        retired: k.retired,
      };
    }),
    trust: trust.map((e) => ({
      id: e.id,
      name: e.name,
      kind: e.kind,
      ...(e.scopes ? { scopes: e.scopes } : {}),
      ...(e.notAfter ? { notAfter: e.notAfter } : {}),
      ...(e.notBefore ? { notBefore: e.notBefore } : {}),
    })),
  };
  const recorded = input.digest ? await recordedSigning(services, want, input.digest) : undefined;
  if (recorded) details.recorded = recorded;
  const kmsKey = keys.find((k) => k.kind === 'kms' && k.uri);
  if (input.askKms && kmsKey?.uri) {
    try {
      const s = await services.kms.versionStatus(kmsKey.uri, want, kmsKey.connection);
      const reason = s.version
        ? s.enabled
          ? `The KMS says the key is ${s.keyState} and version ${s.version}, which made this signature, is ${s.versionState}.`
          : `The KMS says the key is ${s.keyState} and version ${s.version}, which made this signature, is ${s.versionState}: it can no longer sign.`
        : `The KMS says the key is ${s.keyState}, but none of its versions has this public key: the version that made the signature is gone.`;
      details.kms = {
        uri: kmsKey.uri,
        keyState: s.keyState,
        ...(s.version ? { version: s.version } : {}),
        ...(s.versionState ? { versionState: s.versionState } : {}),
        enabled: s.enabled,
        reason,
      };
    } catch (error) {
      details.kms = {
        uri: kmsKey.uri,
        enabled: false,
        reason: `The KMS could not be asked: ${error instanceof SignetError || error instanceof Error ? error.message.slice(0, 300) : 'unknown error'}`,
      };
    }
  }
  return details;
}
