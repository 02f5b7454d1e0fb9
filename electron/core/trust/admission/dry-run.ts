import { parseAllDocuments } from 'yaml';
import { SignetError } from '../../../../shared/errors';
import type { PolicyEvaluation, RequirementOutcome, SignatureOutcome } from '../../../../shared/models/trust';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { COSIGN_PAYLOAD_MEDIA_TYPE } from '../../../../shared/payloads/payloads';
import { verifyAttachment, verifyWithHash } from '../../signatures/sigstore/attachment';
import type { PolicyImage } from '../evaluate';

type Doc = Record<string, unknown>;
const MAX_POLICY_BYTES = 1024 * 1024;

/**
 * Whether policy text is a Kubernetes admission policy Signet can dry-run (Kyverno ClusterPolicy, policy-controller ClusterImagePolicy).
 */
export function isKubernetesPolicyText(text: string): boolean {
  return (
    /^\s*(?:#.*\n|---\s*\n)*\s*apiVersion:\s*["']?(?:policy\.sigstore\.dev|kyverno\.io|policies\.kyverno\.io)\//m.test(
      text.slice(0, 4096),
    ) && !text.trimStart().startsWith('{')
  );
}

/** policy-controller's glob (pkg/apis/glob): `**` any characters, `*` any but `/`, matched against the whole reference. */
export function policyControllerGlobMatches(glob: string, reference: string): boolean {
  const pattern = glob === '*' ? 'index.docker.io/library/*' : glob === '*/*' ? 'index.docker.io/*/*' : glob;
  // Upstream refuses a glob outside these characters (no "@": a digest cannot be named).
  if (!/^[a-zA-Z0-9\-_:/*.]+$/.test(pattern)) return false;
  const source = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((t) => t.replace(/[.]/g, '\\.'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`).test(reference);
}

/** Kyverno's wildcard (pkg/utils/wildcard): `*` any characters, `/` included, `?` one character. */
export function kyvernoWildcardMatches(pattern: string, reference: string): boolean {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`).test(reference);
}

/** The reference as each controller spells it: Docker Hub as index.docker.io (policy-controller) or docker.io (Kyverno). */
function spelled(reference: string, hub: 'index.docker.io' | 'docker.io'): string {
  return reference.replace(/^(?:docker\.io|index\.docker\.io)\//, `${hub}/`);
}

/**
 * Whether one public key verifies a cosign signature over the image, as cosign verify does for
 * the controllers: the signature over the exact payload bytes with the hash the policy names
 * (SHA-256 by default), the one strict payload parser, and the payload's digest = the image's.
 * cosign checks no docker-reference by default, so neither does this.
 */
function keyVerifies(
  pem: string,
  image: PolicyImage,
  hash: 'sha256' | 'sha384' | 'sha512',
): { ok: boolean; signatures: SignatureOutcome[]; reason: string } {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return { ok: false, signatures: [], reason: 'the public key cannot be read' };
  }
  const signatures: SignatureOutcome[] = [];
  const reasons: string[] = [];
  for (const { source, signature } of image.signatures) {
    if (signature.kind !== 'sigstore' || signature.mimeType !== COSIGN_PAYLOAD_MEDIA_TYPE) continue;
    const result = verifyAttachment(signature, [key], {
      checkDigest: (d) => (d === image.manifestDigest ? undefined : `the signature is for ${d}, not ${image.manifestDigest}`),
      checkIdentity: () => undefined,
      verifySignature: verifyWithHash(hash),
    });
    if (result.ok) {
      signatures.push({
        source,
        format: 'cosign',
        outcome: 'accepted',
        code: 'SIG_VALID',
        reason: `Verified with the policy's key (${hash}).`,
      });
      return { ok: true, signatures, reason: 'verified' };
    }
    signatures.push({
      source,
      format: 'cosign',
      outcome: 'rejected',
      code: result.stage === 'digest' ? 'DIGEST_MISMATCH' : result.stage === 'payload' ? 'PAYLOAD_INVALID' : 'SIG_UNKNOWN_KEY',
      reason: result.reason,
    });
    reasons.push(result.reason);
  }
  return { ok: false, signatures, reason: reasons.length ? [...new Set(reasons)].join('; ') : 'no cosign signature was found (.sig tag)' };
}

const hashOf = (value: unknown): 'sha256' | 'sha384' | 'sha512' => (value === 'sha384' || value === 'sha512' ? value : 'sha256');

const keyOf = (o: unknown): string | undefined => (typeof o === 'string' && o.includes('-----BEGIN PUBLIC KEY-----') ? o : undefined);

async function clusterImagePolicy(doc: Doc, index: number, image: PolicyImage): Promise<RequirementOutcome | undefined> {
  const name = String((doc.metadata as Doc | undefined)?.name ?? `policy ${index + 1}`);
  const spec = (doc.spec ?? {}) as {
    images?: Array<{ glob?: string }>;
    authorities?: Array<{ name?: string; key?: { data?: unknown; kms?: string } }>;
    mode?: string;
  };
  const reference = spelled(image.reference, 'index.docker.io');
  const glob = (spec.images ?? []).map((i) => i.glob ?? '').find((g) => policyControllerGlobMatches(g, reference));
  if (glob === undefined) return undefined;
  const signatures: SignatureOutcome[] = [];
  const tried: string[] = [];
  for (const [i, authority] of (spec.authorities ?? []).entries()) {
    const label = authority.name ?? `authority ${i + 1}`;
    const pem = keyOf(authority.key?.data);
    if (!pem) {
      tried.push(
        `${label}: ${authority.key?.kms ? `KMS key ${authority.key.kms} is not read in a dry run; give its public key as key.data` : 'not a key authority (keyless and others are not dry-run)'}`,
      );
      continue;
    }
    const verified = keyVerifies(pem, image, hashOf((authority.key as { hashAlgorithm?: unknown } | undefined)?.hashAlgorithm));
    signatures.push(...verified.signatures);
    if (verified.ok)
      return {
        index,
        type: 'ClusterImagePolicy',
        summary: `${name}: glob ${glob}`,
        outcome: 'admitted',
        reason: `Authority "${label}" verified a cosign signature.`,
        signatures,
      };
    tried.push(`${label}: ${verified.reason}`);
  }
  const warnOnly = spec.mode === 'warn';
  return {
    index,
    type: 'ClusterImagePolicy',
    summary: `${name}: glob ${glob}${warnOnly ? ' (mode warn)' : ''}`,
    outcome: warnOnly ? 'admitted' : 'rejected',
    reason: `No authority verified a signature${warnOnly ? ' (mode: warn only reports it)' : ''}: ${tried.join('; ') || 'the policy has no authorities'}.`,
    signatures,
  };
}

async function kyvernoRules(doc: Doc, image: PolicyImage): Promise<RequirementOutcome[]> {
  const reference = spelled(image.reference, 'docker.io');
  const rules = (((doc.spec ?? {}) as Doc).rules ?? []) as Array<{
    name?: string;
    verifyImages?: Array<{
      imageReferences?: string[];
      failureAction?: string;
      attestors?: Array<{ count?: number; entries?: Array<{ keys?: { publicKeys?: unknown } }> }>;
    }>;
  }>;
  const out: RequirementOutcome[] = [];
  for (const rule of rules) {
    for (const verify of rule.verifyImages ?? []) {
      const pattern = (verify.imageReferences ?? []).find((p) => kyvernoWildcardMatches(p, reference));
      if (pattern === undefined) continue;
      const signatures: SignatureOutcome[] = [];
      const failed: string[] = [];
      for (const [a, attestor] of (verify.attestors ?? []).entries()) {
        const entries = attestor.entries ?? [];
        const needed = attestor.count ?? entries.length;
        let passed = 0;
        for (const entry of entries) {
          const pem = keyOf(entry.keys?.publicKeys);
          if (!pem) continue;
          const verified = keyVerifies(
            pem,
            image,
            hashOf((entry.keys as { signatureAlgorithm?: unknown } | undefined)?.signatureAlgorithm),
          );
          signatures.push(...verified.signatures);
          if (verified.ok) passed += 1;
        }
        if (passed < needed) failed.push(`attestor set ${a + 1}: ${passed} of the ${needed} required keys verified a signature`);
      }
      const audit = verify.failureAction === 'Audit';
      out.push({
        index: out.length,
        type: 'verifyImages',
        summary: `rule ${rule.name ?? '(unnamed)'}: imageReferences ${pattern}${audit ? ' (Audit)' : ''}`,
        outcome: failed.length && !audit ? 'rejected' : 'admitted',
        reason: failed.length
          ? `${failed.join('; ')}${audit ? ' (failureAction Audit only reports it)' : ''}.`
          : 'Every attestor set verified.',
        signatures,
      });
    }
  }
  return out;
}

/**
 * An ImageValidatingPolicy as Signet writes it: the image matches a glob, and at least one cosign
 * key attestor verifies (`verifyImageSignatures(image, [attestors…]) > 0`). Other CEL is not
 * evaluated: the outcome says so.
 */
async function imageValidatingPolicy(doc: Doc, index: number, image: PolicyImage): Promise<RequirementOutcome | undefined> {
  const name = String((doc.metadata as Doc | undefined)?.name ?? `policy ${index + 1}`);
  const spec = (doc.spec ?? {}) as {
    matchImageReferences?: Array<{ glob?: string }>;
    attestors?: Array<{ name?: string; cosign?: { key?: { data?: unknown; hashAlgorithm?: unknown } } }>;
    validationActions?: string[];
  };
  const reference = spelled(image.reference, 'docker.io');
  const glob = (spec.matchImageReferences ?? []).map((m) => m.glob ?? '').find((g) => kyvernoWildcardMatches(g, reference));
  if (glob === undefined) return undefined;
  const signatures: SignatureOutcome[] = [];
  const tried: string[] = [];
  const audit = !(spec.validationActions ?? []).includes('Deny');
  for (const attestor of spec.attestors ?? []) {
    const pem = keyOf(attestor.cosign?.key?.data);
    if (!pem) continue;
    const verified = keyVerifies(pem, image, hashOf(attestor.cosign?.key?.hashAlgorithm));
    signatures.push(...verified.signatures);
    if (verified.ok)
      return {
        index,
        type: 'ImageValidatingPolicy',
        summary: `${name}: glob ${glob}`,
        outcome: 'admitted',
        reason: `Attestor ${attestor.name ?? '(unnamed)'} verified a cosign signature.`,
        signatures,
      };
    tried.push(`${attestor.name ?? '(unnamed)'}: ${verified.reason}`);
  }
  return {
    index,
    type: 'ImageValidatingPolicy',
    summary: `${name}: glob ${glob}${audit ? ' (no Deny action)' : ''}`,
    outcome: audit ? 'admitted' : 'rejected',
    reason: `No key attestor verified a signature: ${tried.join('; ') || 'no key attestors'}.`,
    signatures,
  };
}

/**
 * A dry run of Kubernetes admission policies for one image, with each controller's matching:
 * every ClusterImagePolicy whose glob matches must be satisfied by one of its authorities, and
 * every Kyverno verifyImages rule whose imageReferences match by all its attestor sets. What no
 * policy matches is left to the controller's default (policy-controller: its no-match-policy).
 */
export async function dryRunKubernetes(text: string, image: PolicyImage): Promise<PolicyEvaluation> {
  if (text.length > MAX_POLICY_BYTES) throw new SignetError('TOO_LARGE', 'The policy is larger than 1 MiB.');
  const docs = parseAllDocuments(text, { prettyErrors: false })
    .map((d) => {
      if (d.errors.length) throw new SignetError('MALFORMED', `The policy is not valid YAML: ${d.errors[0]!.message.slice(0, 200)}`);
      return d.toJS({ maxAliasCount: 0 }) as Doc | null;
    })
    .filter((d): d is Doc => d !== null && typeof d === 'object');
  const requirements: RequirementOutcome[] = [];
  let kinds = 0;
  for (const [i, doc] of docs.entries()) {
    const apiVersion = String(doc.apiVersion ?? '');
    if (doc.kind === 'ClusterImagePolicy' && apiVersion.startsWith('policy.sigstore.dev/')) {
      kinds += 1;
      const r = await clusterImagePolicy(doc, i, image);
      if (r) requirements.push({ ...r, index: requirements.length });
    } else if (doc.kind === 'ImageValidatingPolicy' && apiVersion.startsWith('policies.kyverno.io/')) {
      kinds += 1;
      const r = await imageValidatingPolicy(doc, i, image);
      if (r) requirements.push({ ...r, index: requirements.length });
    } else if ((doc.kind === 'ClusterPolicy' || doc.kind === 'Policy') && apiVersion.startsWith('kyverno.io/')) {
      kinds += 1;
      for (const r of await kyvernoRules(doc, image)) requirements.push({ ...r, index: requirements.length });
    }
  }
  if (!kinds)
    throw new SignetError(
      'UNSUPPORTED',
      'The file holds no Kyverno ClusterPolicy or ImageValidatingPolicy, or policy-controller ClusterImagePolicy, to dry-run.',
    );
  const rejected = requirements.find((r) => r.outcome === 'rejected');
  const allowed = requirements.length > 0 && !rejected;
  return {
    allowed,
    transport: 'docker',
    identity: image.reference,
    section: { kind: 'scope', ...(requirements[0] ? { scope: requirements[0].summary } : {}) },
    requirements,
    reason: rejected
      ? `Denied by ${rejected.summary}: ${rejected.reason}`
      : requirements.length
        ? `Admitted: ${requirements.map((r) => r.summary).join('; ')}.`
        : `No policy or rule matches ${image.reference}: Kyverno admits it, policy-controller applies its no-match-policy (deny by default); counted here as not admitted.`,
  };
}
