/**
 * Docker references exactly as containers/image parses them (github.com/distribution/reference
 * `ParseNormalizedNamed`): policy identity rules compare these normalised strings, so Signet must
 * normalise the same way (e.g. `index.docker.io` → `docker.io`, `busybox` → `docker.io/library/busybox`,
 * but `registry-1.docker.io` stays as it is).
 */
export interface DockerRef {
  /** Domain and path, e.g. `docker.io/library/busybox`. */
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const HOST = `(?:${DOMAIN_NAME}|\\[[a-fA-F0-9:]+\\])`;
export const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
export const NAME = `(?:${DOMAIN_AND_PORT}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const WHOLE_DOMAIN_AND_PORT = new RegExp(`^${DOMAIN_AND_PORT}$`);
const WHOLE_NAME = new RegExp(`^${NAME}$`);
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export class DockerRefError extends Error {}

function splitDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = 'docker.io';
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** `ParseNormalizedNamed`: throws DockerRefError with distribution's reason when invalid. */
export function parseNormalizedNamed(input: string): DockerRef {
  if (IDENTIFIER.test(input)) throw new DockerRefError(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDomain(input);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) throw new DockerRefError('repository name must be lowercase');
  return parseCanonicalParts(`${domain}/${remainder}`);
}

/** `reference.ParseNamed`: the input must already be in normalised form. */
export function parseNamed(input: string): DockerRef {
  const ref = parseNormalizedNamed(input);
  if (refString(ref) !== input) throw new DockerRefError('repository name must be canonical');
  return ref;
}

function parseCanonicalParts(text: string): DockerRef {
  if (text.length > 4096) throw new DockerRefError('reference is too long');
  const m = REFERENCE.exec(text);
  if (!m) throw new DockerRefError('invalid reference format');
  const name = m[1] as string;
  if (name.length > 255) throw new DockerRefError('repository name must not be more than 255 characters');
  const digest = m[3];
  if (digest !== undefined) {
    const [algorithm, hex] = digest.split(':') as [string, string];
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) throw new DockerRefError('unsupported digest algorithm');
    if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) throw new DockerRefError('invalid checksum digest format');
  }
  const slash = name.indexOf('/');
  const hasDomain = slash !== -1 && WHOLE_DOMAIN_AND_PORT.test(name.slice(0, slash)) && WHOLE_NAME.test(name);
  return {
    name,
    domain: hasDomain ? name.slice(0, slash) : '',
    path: hasDomain ? name.slice(slash + 1) : name,
    ...(m[2] !== undefined ? { tag: m[2] } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

export function refString(ref: DockerRef): string {
  return `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

export function isNameOnly(ref: DockerRef): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** What the docker transport does with `docker://name`: a name-only reference means `:latest`. */
export function tagNameOnly(ref: DockerRef): DockerRef {
  return isNameOnly(ref) ? { ...ref, tag: 'latest' } : ref;
}

/** The docker transport's policy identity: `name:tag` or `name@digest`. */
export function policyIdentity(ref: DockerRef): string {
  if (ref.tag !== undefined && ref.digest !== undefined)
    throw new DockerRefError('Docker references with both a tag and digest are currently not supported');
  return refString(ref);
}

/**
 * The docker transport's policy namespaces, most specific first: the repository and each parent
 * path, then `*.domain` wildcards for every parent domain (port dropped).
 */
export function policyNamespaces(ref: DockerRef): string[] {
  const out: string[] = [];
  let name = ref.name;
  for (;;) {
    out.push(name);
    const slash = name.lastIndexOf('/');
    if (slash === -1) break;
    name = name.slice(0, slash);
  }
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  for (;;) {
    const dot = name.indexOf('.');
    if (dot === -1) break;
    name = name.slice(dot + 1);
    out.push(`*.${name}`);
  }
  return out;
}
