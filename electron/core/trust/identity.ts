import type { SignedIdentity } from './policy';
import { isNameOnly, parseNamed, parseNormalizedNamed, refString, type DockerRef } from './docker-reference';

/**
 * The `signedIdentity` rules of containers-policy.json, as containers/image's
 * signature/policy_reference_match.go applies them. `image` is the Docker reference the image
 * was pulled by (undefined for transports without one, e.g. dir: and oci:).
 */
export function identityMatches(rule: SignedIdentity, image: DockerRef | undefined, signed: string): { ok: boolean; reason: string } {
  const signedRef = tryParse(signed);
  const no = (why: string) => ({
    ok: false,
    reason: `Signature for identity ${JSON.stringify(signed)} is not accepted (${rule.type}: ${why})`,
  });
  if (!signedRef) return no('the signed identity is not a valid reference');
  const yes = { ok: true, reason: `The signed identity ${refString(signedRef)} is accepted by ${rule.type}.` };

  if (rule.type === 'exactReference' || rule.type === 'exactRepository') {
    const intended = tryParse(rule.type === 'exactReference' ? rule.dockerReference : rule.dockerRepository);
    if (!intended) return no('the policy reference is not valid');
    if (rule.type === 'exactRepository') return signedRef.name === intended.name ? yes : no(`${signedRef.name} is not ${intended.name}`);
    if (isNameOnly(intended) || isNameOnly(signedRef)) return no('the signed identity has neither a tag nor a digest');
    return refString(signedRef) === refString(intended) ? yes : no(`${refString(signedRef)} is not ${refString(intended)}`);
  }

  if (!image) return no('the image has no Docker reference (only exactReference and exactRepository apply here)');
  switch (rule.type) {
    case 'matchExact':
      if (isNameOnly(image) || isNameOnly(signedRef)) return no('the signed identity has neither a tag nor a digest');
      return refString(signedRef) === refString(image) ? yes : no(`${refString(signedRef)} is not ${refString(image)}`);
    case 'matchRepoDigestOrExact':
      return repoDigestOrExact(image, signedRef)
        ? yes
        : no(`it does not name ${refString(image)}${image.digest ? ` or ${image.name}` : ''}`);
    case 'matchRepository':
      return signedRef.name === image.name ? yes : no(`${signedRef.name} is not ${image.name}`);
    case 'remapIdentity': {
      let intended: DockerRef = image;
      if (refMatchesPrefix(image, rule.prefix)) {
        const rewritten = refString(image).replace(rule.prefix, rule.signedPrefix);
        const parsed = tryParseNamed(rewritten);
        if (!parsed) return no(`rewriting ${refString(image)} gives the invalid ${rewritten}`);
        intended = parsed;
      }
      return repoDigestOrExact(intended, signedRef) ? yes : no(`it does not name ${refString(intended)}`);
    }
  }
}

function repoDigestOrExact(intended: DockerRef, signed: DockerRef): boolean {
  if (isNameOnly(signed)) return false;
  if (intended.tag !== undefined) return refString(signed) === refString(intended);
  if (intended.digest !== undefined) return signed.name === intended.name;
  return false;
}

function refMatchesPrefix(ref: DockerRef, prefix: string): boolean {
  const name = ref.name;
  if (name.length < prefix.length) return false;
  if (name.length === prefix.length) return name === prefix;
  return name.startsWith(prefix) && name[prefix.length] === '/';
}

/** Signed identities already parsed: a repository's signatures name the same few references. Emptied when it holds 1,024. */
const parsedIdentities = new Map<string, DockerRef | undefined>();

function tryParse(text: string): DockerRef | undefined {
  if (parsedIdentities.has(text)) return parsedIdentities.get(text);
  let ref: DockerRef | undefined;
  try {
    ref = parseNormalizedNamed(text);
  } catch {
    ref = undefined;
  }
  if (parsedIdentities.size >= 1024) parsedIdentities.clear();
  // Only short texts are kept: a reference is at most 4,096 characters, most far fewer.
  if (text.length <= 512) parsedIdentities.set(text, ref);
  return ref;
}

function tryParseNamed(text: string): DockerRef | undefined {
  try {
    return parseNamed(text);
  } catch {
    return undefined;
  }
}
