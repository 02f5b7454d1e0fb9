import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import * as openpgp from 'openpgp';
import { SignetError } from '../../../shared/errors';
import type { PolicyEvaluation, RequirementOutcome, SignatureOutcome } from '../../../shared/models/trust';
import type { StoredSignature } from '../signatures/lookaside/blob';
import { verifyAttachment } from '../signatures/sigstore/attachment';
import { verifySimple } from '../signatures/simple';
import { readRegularFile } from '../storage/bounded-read';
import { DockerRefError, parseNormalizedNamed, policyIdentity, policyNamespaces, tagNameOnly, type DockerRef } from './docker-reference';
import { identityMatches } from './identity';
import type { ContainersPolicy, PolicyRequirement, SignedIdentity } from './policy';

/**
 * Evaluates a containers policy for one image the way podman/CRI-O do (containers/image
 * PolicyContext.IsRunningImageAllowed): pick the most specific scope of the image's transport
 * (exact identity, then each parent namespace, then the transport's "", then "default"), then
 * every requirement must allow the image; a signature requirement allows it when any one
 * signature is accepted. Each requirement's decision and each signature's reason are reported.
 */
export interface PolicyImage {
  /** `docker`, `dir`, `oci`, … */
  transport: string;
  /** docker: `host/repo:tag` or `host/repo@sha256:…` (name only means `:latest`); dir/oci: the absolute path. */
  reference: string;
  manifestDigest: string;
  /** The manifest bytes, when known: lets a signature naming another digest algorithm be checked. */
  manifest?: Uint8Array;
  signatures: ReadonlyArray<{ source: string; signature: StoredSignature }>;
}

/** How key files named by keyPath/keyPaths are read (tests and the sandbox can replace it). */
export interface KeyFileReader {
  read(file: string): Promise<Uint8Array>;
}

export const diskKeyFiles: KeyFileReader = {
  read: (file) => readRegularFile(file, { maxBytes: 4 * 1024 * 1024, what: 'The policy key file' }),
};

interface ImageContext {
  image: PolicyImage;
  docker?: DockerRef;
  label: string;
}

export async function evaluatePolicy(
  policy: ContainersPolicy,
  image: PolicyImage,
  keyFiles: KeyFileReader = diskKeyFiles,
): Promise<PolicyEvaluation> {
  const { identity, namespaces, docker } = imageScopes(image);
  const label = `${image.transport}:${identity}`;
  const ctx: ImageContext = { image, label, ...(docker ? { docker } : {}) };
  const section = chooseSection(policy, image.transport, identity, namespaces);
  const requirements: RequirementOutcome[] = section.requirements.map((r, index) => ({
    index,
    type: r.type,
    summary: summarize(r),
    outcome: 'not-evaluated',
    reason: 'Not evaluated: an earlier requirement already rejected the image.',
    signatures: [],
  }));
  let allowed = true;
  let reason = '';
  for (const [index, req] of section.requirements.entries()) {
    const result = await runRequirement(req, ctx, keyFiles);
    requirements[index] = { ...requirements[index]!, ...result };
    if (result.outcome === 'rejected') {
      allowed = false;
      reason = `Requirement ${index + 1} (${req.type}) rejected ${label}: ${result.reason}`;
      break;
    }
  }
  const where =
    section.kind === 'scope'
      ? `transports.${image.transport}["${section.scope}"]`
      : section.kind === 'transport-default'
        ? `transports.${image.transport}[""]`
        : 'default';
  if (allowed) reason = `Every requirement of ${where} admitted ${label}.`;
  return {
    allowed,
    transport: image.transport,
    identity,
    section: { kind: section.kind, ...(section.scope !== undefined ? { scope: section.scope } : {}) },
    requirements,
    reason,
  };
}

function imageScopes(image: PolicyImage): { identity: string; namespaces: string[]; docker?: DockerRef } {
  if (image.transport === 'docker') {
    let ref: DockerRef;
    try {
      ref = tagNameOnly(parseNormalizedNamed(image.reference.replace(/^\/\//, '')));
      const identity = policyIdentity(ref);
      return { identity, namespaces: policyNamespaces(ref), docker: ref };
    } catch (error) {
      if (error instanceof DockerRefError)
        throw new SignetError('INVALID_INPUT', `${image.reference.slice(0, 200)} is not a Docker reference: ${error.message}.`);
      throw error;
    }
  }
  if (image.transport === 'dir' || image.transport === 'oci') {
    const dir = image.transport === 'oci' ? image.reference.replace(/:[^/]*$/, '') : image.reference;
    if (!dir.startsWith('/')) throw new SignetError('INVALID_INPUT', `The ${image.transport}: path must be absolute.`);
    const namespaces: string[] = [];
    let p = dir;
    if (image.transport === 'oci') {
      while (p !== '/' && p.lastIndexOf('/') !== -1) {
        namespaces.push(p);
        p = p.slice(0, p.lastIndexOf('/')) || '/';
      }
    } else {
      for (;;) {
        const slash = p.lastIndexOf('/');
        if (slash <= 0) break;
        p = p.slice(0, slash);
        namespaces.push(p);
      }
    }
    return { identity: dir, namespaces };
  }
  return { identity: image.reference, namespaces: [] };
}

function chooseSection(
  policy: ContainersPolicy,
  transport: string,
  identity: string,
  namespaces: string[],
): { kind: 'scope' | 'transport-default' | 'default'; scope?: string; requirements: PolicyRequirement[] } {
  const scopes = Object.hasOwn(policy.transports, transport) ? policy.transports[transport] : undefined;
  if (scopes) {
    for (const name of [identity, ...namespaces])
      if (Object.hasOwn(scopes, name)) return { kind: 'scope', scope: name, requirements: scopes[name]! };
    if (Object.hasOwn(scopes, '')) return { kind: 'transport-default', requirements: scopes['']! };
  }
  return { kind: 'default', requirements: policy.default };
}

function summarize(r: PolicyRequirement): string {
  const short = (s: string) => (s.length > 24 ? `${s.slice(0, 20)}…` : s);
  const identity = (i: SignedIdentity) =>
    i.type === 'exactReference'
      ? `exactReference ${i.dockerReference}`
      : i.type === 'exactRepository'
        ? `exactRepository ${i.dockerRepository}`
        : i.type === 'remapIdentity'
          ? `remapIdentity ${i.prefix} → ${i.signedPrefix}`
          : i.type;
  switch (r.type) {
    case 'signedBy':
      return `signedBy ${r.keyType} ${r.keyPath ?? (r.keyPaths ? r.keyPaths.join(', ') : `keyData ${short(r.keyData ?? '')}`)}, identity ${identity(r.signedIdentity)}`;
    case 'sigstoreSigned':
      return `sigstoreSigned ${r.keyPath ?? r.keyPaths?.join(', ') ?? (r.keyData !== undefined ? `keyData ${short(r.keyData)}` : r.keyDatas ? `${r.keyDatas.length} keyDatas` : r.fulcio ? 'fulcio' : 'pki')}${r.rekorPublicKeyPath || r.rekorPublicKeyData || r.rekorPublicKeyPaths || r.rekorPublicKeyDatas ? ' with Rekor' : ''}, identity ${identity(r.signedIdentity)}`;
    case 'signedBaseLayer':
      return `signedBaseLayer ${identity(r.baseLayerIdentity)}`;
    default:
      return r.type;
  }
}

type Result = Pick<RequirementOutcome, 'outcome' | 'reason' | 'signatures'>;

async function runRequirement(req: PolicyRequirement, ctx: ImageContext, keyFiles: KeyFileReader): Promise<Result> {
  switch (req.type) {
    case 'insecureAcceptAnything':
      return { outcome: 'admitted', reason: 'insecureAcceptAnything admits any image, signed or not.', signatures: [] };
    case 'reject':
      return { outcome: 'rejected', reason: `Running image ${ctx.label} is rejected by policy.`, signatures: [] };
    case 'signedBaseLayer':
      return { outcome: 'rejected', reason: 'signedBaseLayer not implemented yet! (containers/image rejects it too)', signatures: [] };
    case 'signedBy':
      return signedBy(req, ctx, keyFiles);
    case 'sigstoreSigned':
      return sigstoreSigned(req, ctx, keyFiles);
  }
}

function summaryOf(rejections: string[], counts?: { nonMatching: number; nonSignature: number }, kind = 'signature'): string {
  if (rejections.length === 0) {
    if (counts && (counts.nonMatching || counts.nonSignature))
      return `A ${kind} was required, but no signature exists (${counts.nonMatching} non-sigstore signatures, ${counts.nonSignature} sigstore non-signature attachments)`;
    return 'A signature was required, but no signature exists';
  }
  if (rejections.length === 1) return rejections[0]!;
  return `None of the signatures were accepted, reasons: ${rejections.join('; ')}`;
}

async function loadConfigBytes(source: { path?: string; paths?: string[]; data?: string }, keyFiles: KeyFileReader): Promise<Buffer> {
  if (source.path) return Buffer.from(await keyFiles.read(source.path));
  if (source.paths) return Buffer.concat(await Promise.all(source.paths.map(async (p) => Buffer.from(await keyFiles.read(p)))));
  return Buffer.from(source.data ?? '', 'base64');
}

/** Every OpenPGP public key in a keyring blob (binary, armored, or several armored blocks). */
export async function readKeyring(data: Uint8Array): Promise<openpgp.PublicKey[]> {
  const text = Buffer.from(data).toString('latin1');
  const keys: openpgp.PublicKey[] = [];
  if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    for (const block of text.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g) ?? []) {
      keys.push(...(await openpgp.readKeys({ armoredKeys: block })).map((k) => k.toPublic()));
    }
    return keys;
  }
  try {
    return (await openpgp.readKeys({ binaryKeys: data })).map((k) => k.toPublic());
  } catch {
    return [];
  }
}

async function signedBy(
  req: Extract<PolicyRequirement, { type: 'signedBy' }>,
  ctx: ImageContext,
  keyFiles: KeyFileReader,
): Promise<Result> {
  if (req.keyType !== 'GPGKeys')
    return {
      outcome: 'rejected',
      reason: `Unimplemented "keyType" value "${req.keyType}" (containers/image implements only GPGKeys)`,
      signatures: [],
    };
  let keys: openpgp.PublicKey[];
  try {
    keys = await readKeyring(
      await loadConfigBytes(
        {
          ...(req.keyPath ? { path: req.keyPath } : {}),
          ...(req.keyPaths ? { paths: req.keyPaths } : {}),
          ...(req.keyData !== undefined ? { data: req.keyData } : {}),
        },
        keyFiles,
      ),
    );
  } catch (error) {
    return { outcome: 'rejected', reason: `The keys could not be read: ${(error as Error).message}`, signatures: [] };
  }
  if (keys.length === 0) return { outcome: 'rejected', reason: 'No public keys imported', signatures: [] };
  const trusted = keys.map((k) => ({ name: k.getFingerprint().toUpperCase(), key: k.armor() }));
  const outcomes: SignatureOutcome[] = [];
  const rejections: string[] = [];
  for (const { source, signature } of ctx.image.signatures) {
    if (signature.kind !== 'simple') {
      outcomes.push({ source, format: 'cosign', outcome: 'ignored', reason: 'signedBy reads only simple (OpenPGP) signatures.' });
      continue;
    }
    // The same verifier as the image report: one signature, a key valid now, the strict payload.
    const v = await verifySimple(signature.message, ctx.image.manifestDigest, trusted);
    let reason = v.reason;
    let ok = v.ok;
    let code = v.code;
    if (ok) {
      const id = identityMatches(req.signedIdentity, ctx.docker, v.identity ?? '');
      ok = id.ok;
      reason = ok ? `Signed by ${v.signer}; ${id.reason}` : id.reason;
      code = ok ? 'SIG_VALID' : 'IDENTITY_MISMATCH';
    }
    outcomes.push({
      source,
      format: 'simplesigning',
      outcome: ok ? 'accepted' : 'rejected',
      code,
      reason,
      ...(v.signer ? { signer: v.signer } : {}),
    });
    if (ok) return { outcome: 'admitted', reason: `The signature in ${source} is accepted: ${reason}`, signatures: outcomes };
    rejections.push(reason);
  }
  return { outcome: 'rejected', reason: summaryOf(rejections), signatures: outcomes };
}

function pemKeys(data: Buffer, what: string): KeyObject[] {
  const text = data.toString('utf8');
  const blocks = text.match(/-----BEGIN [A-Z ]*PUBLIC KEY-----[\s\S]*?-----END [A-Z ]*PUBLIC KEY-----/g);
  if (!blocks || blocks.length !== 1) throw new Error(`${what} must hold exactly one PEM public key`);
  return [createPublicKey(blocks[0]!)];
}

async function sigstoreKeys(
  req: Extract<PolicyRequirement, { type: 'sigstoreSigned' }>,
  keyFiles: KeyFileReader,
): Promise<{ keys: KeyObject[]; rekor?: KeyObject[] }> {
  const keys: KeyObject[] = [];
  if (req.keyPath) keys.push(...pemKeys(Buffer.from(await keyFiles.read(req.keyPath)), req.keyPath));
  for (const p of req.keyPaths ?? []) keys.push(...pemKeys(Buffer.from(await keyFiles.read(p)), p));
  if (req.keyData !== undefined) keys.push(...pemKeys(Buffer.from(req.keyData, 'base64'), 'keyData'));
  for (const d of req.keyDatas ?? []) keys.push(...pemKeys(Buffer.from(d, 'base64'), 'keyDatas'));
  const rekor: KeyObject[] = [];
  if (req.rekorPublicKeyPath) rekor.push(...pemKeys(Buffer.from(await keyFiles.read(req.rekorPublicKeyPath)), req.rekorPublicKeyPath));
  for (const p of req.rekorPublicKeyPaths ?? []) rekor.push(...pemKeys(Buffer.from(await keyFiles.read(p)), p));
  if (req.rekorPublicKeyData !== undefined) rekor.push(...pemKeys(Buffer.from(req.rekorPublicKeyData, 'base64'), 'rekorPublicKeyData'));
  for (const d of req.rekorPublicKeyDatas ?? []) rekor.push(...pemKeys(Buffer.from(d, 'base64'), 'rekorPublicKeyDatas'));
  if (rekor.some((k) => k.asymmetricKeyType !== 'ec')) throw new Error('Rekor public keys must be ECDSA');
  return { keys, ...(rekor.length ? { rekor } : {}) };
}

function digestMatches(image: PolicyImage, signed: string): boolean {
  if (signed === image.manifestDigest) return true;
  const m = /^(sha256|sha384|sha512):([0-9a-f]+)$/.exec(signed);
  if (!m || !image.manifest) return false;
  return createHash(m[1]!).update(image.manifest).digest('hex') === m[2];
}

async function sigstoreSigned(
  req: Extract<PolicyRequirement, { type: 'sigstoreSigned' }>,
  ctx: ImageContext,
  keyFiles: KeyFileReader,
): Promise<Result> {
  if (req.fulcio || req.pki)
    return {
      outcome: 'rejected',
      reason: `Signet does not evaluate ${req.fulcio ? 'Fulcio' : 'PKI'} roots; use a public-key sigstoreSigned requirement.`,
      signatures: [],
    };
  let material: { keys: KeyObject[]; rekor?: KeyObject[] };
  try {
    material = await sigstoreKeys(req, keyFiles);
  } catch (error) {
    return { outcome: 'rejected', reason: `The keys could not be read: ${(error as Error).message}`, signatures: [] };
  }
  const outcomes: SignatureOutcome[] = [];
  const rejections: string[] = [];
  const counts = { nonMatching: 0, nonSignature: 0 };
  for (const { source, signature } of ctx.image.signatures) {
    if (signature.kind !== 'sigstore') {
      counts.nonMatching += 1;
      outcomes.push({ source, format: 'simplesigning', outcome: 'ignored', reason: 'sigstoreSigned reads only cosign-format signatures.' });
      continue;
    }
    if (signature.mimeType !== 'application/vnd.dev.cosign.simplesigning.v1+json') {
      counts.nonSignature += 1;
      outcomes.push({ source, format: 'cosign', outcome: 'ignored', reason: `A ${signature.mimeType} attachment, not a signature.` });
      continue;
    }
    const result = verifyAttachment(
      signature,
      material.keys,
      {
        checkDigest: (d) => (digestMatches(ctx.image, d) ? undefined : `Signature for digest ${d} does not match`),
        checkIdentity: (ref) => {
          const id = identityMatches(req.signedIdentity, ctx.docker, ref);
          return id.ok ? undefined : id.reason;
        },
      },
      material.rekor,
    );
    const signer =
      result.ok || result.keyIndex !== undefined
        ? fingerprintOf(material.keys[result.ok ? result.keyIndex : result.keyIndex!]!)
        : undefined;
    if (result.ok) {
      outcomes.push({
        source,
        format: 'cosign',
        outcome: 'accepted',
        code: 'SIG_VALID',
        reason: `Verified with key ${signer?.slice(0, 16)}…; identity ${result.payload.dockerReference} accepted by ${req.signedIdentity.type}.`,
        ...(signer ? { signer } : {}),
      });
      return { outcome: 'admitted', reason: `The signature in ${source} is accepted.`, signatures: outcomes };
    }
    outcomes.push({
      source,
      format: 'cosign',
      outcome: 'rejected',
      code: ATTACHMENT_CODES[result.stage],
      reason: result.reason,
      ...(signer ? { signer } : {}),
    });
    rejections.push(result.reason);
  }
  return { outcome: 'rejected', reason: summaryOf(rejections, counts), signatures: outcomes };
}

const ATTACHMENT_CODES = {
  signature: 'SIG_UNKNOWN_KEY',
  rekor: 'TLOG_NOT_VERIFIED',
  payload: 'PAYLOAD_INVALID',
  digest: 'DIGEST_MISMATCH',
  identity: 'IDENTITY_MISMATCH',
} as const;

function fingerprintOf(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}
