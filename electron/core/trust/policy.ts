import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';
import { DOMAIN_AND_PORT, DockerRefError, isNameOnly, NAME, parseNormalizedNamed } from './docker-reference';

/**
 * containers-policy.json(5), parsed the way containers/image does (signature/policy_config*.go):
 * every object is "paranoid" (unknown or repeated keys reject the whole file), requirement lists
 * are non-empty, exactly one key source per requirement, and `signedIdentity` defaults to
 * matchRepoDigestOrExact. Requirement kinds that parse upstream but are not implemented there
 * (other keyTypes, signedBaseLayer) parse here too and are rejected at evaluation, as upstream.
 */

export type SignedIdentity =
  | { type: 'matchExact' }
  | { type: 'matchRepoDigestOrExact' }
  | { type: 'matchRepository' }
  | { type: 'exactReference'; dockerReference: string }
  | { type: 'exactRepository'; dockerRepository: string }
  | { type: 'remapIdentity'; prefix: string; signedPrefix: string };

export type GpgKeyType = 'GPGKeys' | 'signedByGPGKeys' | 'X509Certificates' | 'signedByX509CAs';

export type PolicyRequirement =
  | { type: 'insecureAcceptAnything' }
  | { type: 'reject' }
  | { type: 'signedBy'; keyType: GpgKeyType; keyPath?: string; keyPaths?: string[]; keyData?: string; signedIdentity: SignedIdentity }
  | { type: 'signedBaseLayer'; baseLayerIdentity: SignedIdentity }
  | {
      type: 'sigstoreSigned';
      keyPath?: string;
      keyPaths?: string[];
      keyData?: string;
      keyDatas?: string[];
      /** Kept as given; Signet does not evaluate Fulcio or PKI roots. */
      fulcio?: Record<string, unknown>;
      pki?: Record<string, unknown>;
      rekorPublicKeyPath?: string;
      rekorPublicKeyPaths?: string[];
      rekorPublicKeyData?: string;
      rekorPublicKeyDatas?: string[];
      signedIdentity: SignedIdentity;
    };

export interface ContainersPolicy {
  default: PolicyRequirement[];
  transports: Record<string, Record<string, PolicyRequirement[]>>;
}

const MAX_POLICY_BYTES = 1024 * 1024;
const KNOWN_TRANSPORTS = new Set([
  'docker',
  'atomic',
  'containers-storage',
  'dir',
  'oci',
  'oci-archive',
  'docker-archive',
  'docker-daemon',
  'sif',
  'tarball',
]);

class PolicyFormatError extends Error {}

function fail(message: string): never {
  throw new PolicyFormatError(message);
}

type Obj = Record<string, unknown>;

function object(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be a JSON object`);
  return value as Obj;
}

/** Only these keys; each at most once (duplicates were already refused by the strict parser). */
function onlyKeys(o: Obj, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`Unknown key ${JSON.stringify(key)} in ${what}`);
}

function exactKeys(o: Obj, fields: readonly string[], what: string): void {
  onlyKeys(o, fields, what);
  for (const key of fields) if (!(key in o)) fail(`Key ${JSON.stringify(key)} missing in ${what}`);
}

/** Go decodes JSON null into a string as "". */
function str(value: unknown, what: string): string {
  if (value === null) return '';
  if (typeof value !== 'string') fail(`${what} must be a string`);
  return value;
}

function strList(value: unknown, what: string): string[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) fail(`${what} must be an array of strings`);
  return value.map((v, i) => str(v, `${what}[${i}]`));
}

/** Go's []byte: standard base64 with padding. Kept as the base64 text. */
function bytes(value: unknown, what: string): string | undefined {
  if (value === null) return undefined;
  const text = str(value, what);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text.replace(/[\r\n]/g, '')))
    fail(`${what} is not valid base64`);
  return text;
}

function bytesList(value: unknown, what: string): string[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) fail(`${what} must be an array of base64 strings`);
  return value.map((v, i) => bytes(v, `${what}[${i}]`) ?? '');
}

const DOMAIN_ONLY = new RegExp(`^${DOMAIN_AND_PORT}$`);
const DOMAIN_PREFIX = new RegExp(`^${DOMAIN_AND_PORT}/`);
const NAME_ONLY = new RegExp(`^${NAME}$`);

function validRemapPrefix(s: string): boolean {
  return DOMAIN_ONLY.test(s) || (NAME_ONLY.test(s) && DOMAIN_PREFIX.test(s));
}

export function parseSignedIdentity(value: unknown): SignedIdentity {
  const o = object(value, 'signedIdentity');
  const type = typeof o.type === 'string' ? o.type : '';
  switch (type) {
    case 'matchExact':
    case 'matchRepoDigestOrExact':
    case 'matchRepository':
      exactKeys(o, ['type'], type);
      return { type };
    case 'exactReference': {
      exactKeys(o, ['type', 'dockerReference'], type);
      const dockerReference = str(o.dockerReference, 'dockerReference');
      try {
        if (isNameOnly(parseNormalizedNamed(dockerReference)))
          fail(`dockerReference ${JSON.stringify(dockerReference)} contains neither a tag nor digest`);
      } catch (error) {
        if (error instanceof DockerRefError) fail(`Invalid format of dockerReference ${JSON.stringify(dockerReference)}: ${error.message}`);
        throw error;
      }
      return { type, dockerReference };
    }
    case 'exactRepository': {
      exactKeys(o, ['type', 'dockerRepository'], type);
      const dockerRepository = str(o.dockerRepository, 'dockerRepository');
      try {
        parseNormalizedNamed(dockerRepository);
      } catch (error) {
        if (error instanceof DockerRefError)
          fail(`Invalid format of dockerRepository ${JSON.stringify(dockerRepository)}: ${error.message}`);
        throw error;
      }
      return { type, dockerRepository };
    }
    case 'remapIdentity': {
      exactKeys(o, ['type', 'prefix', 'signedPrefix'], type);
      const prefix = str(o.prefix, 'prefix');
      const signedPrefix = str(o.signedPrefix, 'signedPrefix');
      for (const p of [prefix, signedPrefix]) if (!validRemapPrefix(p)) fail(`prefix ${JSON.stringify(p)} is not valid`);
      return { type, prefix, signedPrefix };
    }
    default:
      return fail(`Unknown policy reference match type ${JSON.stringify(type)}`);
  }
}

function identityOrDefault(o: Obj): SignedIdentity {
  return 'signedIdentity' in o ? parseSignedIdentity(o.signedIdentity) : { type: 'matchRepoDigestOrExact' };
}

const KEY_TYPES: readonly GpgKeyType[] = ['GPGKeys', 'signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'];

function parseFulcio(value: unknown): Obj {
  const o = object(value, 'fulcio');
  onlyKeys(o, ['caPath', 'caData', 'oidcIssuer', 'subjectEmail'], 'fulcio');
  const caPath = 'caPath' in o ? str(o.caPath, 'caPath') : '';
  const caData = 'caData' in o ? bytes(o.caData, 'caData') : undefined;
  if (caPath !== '' && caData !== undefined) fail('caPath and caData cannot be used simultaneously');
  if (caPath === '' && caData === undefined) fail('At least one of caPath and caData must be specified');
  if (!('oidcIssuer' in o) || str(o.oidcIssuer, 'oidcIssuer') === '') fail('oidcIssuer not specified');
  if (!('subjectEmail' in o) || str(o.subjectEmail, 'subjectEmail') === '') fail('subjectEmail not specified');
  return o;
}

function parsePki(value: unknown): Obj {
  const o = object(value, 'pki');
  onlyKeys(o, ['caRootsPath', 'caRootsData', 'caIntermediatesPath', 'caIntermediatesData', 'subjectEmail', 'subjectHostname'], 'pki');
  const rootsPath = 'caRootsPath' in o ? str(o.caRootsPath, 'caRootsPath') : '';
  const rootsData = 'caRootsData' in o ? bytes(o.caRootsData, 'caRootsData') : undefined;
  if (rootsPath !== '' && rootsData !== undefined) fail('caRootsPath and caRootsData cannot be used simultaneously');
  if (rootsPath === '' && rootsData === undefined) fail('At least one of caRootsPath and caRootsData must be specified');
  const interPath = 'caIntermediatesPath' in o ? str(o.caIntermediatesPath, 'caIntermediatesPath') : '';
  const interData = 'caIntermediatesData' in o ? bytes(o.caIntermediatesData, 'caIntermediatesData') : undefined;
  if (interPath !== '' && interData !== undefined) fail('caIntermediatesPath and caIntermediatesData cannot be used simultaneously');
  const email = 'subjectEmail' in o ? str(o.subjectEmail, 'subjectEmail') : '';
  const host = 'subjectHostname' in o ? str(o.subjectHostname, 'subjectHostname') : '';
  if (email === '' && host === '') fail('At least one of subjectEmail, subjectHostname must be specified');
  return o;
}

export function parseRequirement(value: unknown): PolicyRequirement {
  const o = object(value, 'A policy requirement');
  const type = typeof o.type === 'string' ? o.type : '';
  switch (type) {
    case 'insecureAcceptAnything':
    case 'reject':
      exactKeys(o, ['type'], type);
      return { type };
    case 'signedBy': {
      onlyKeys(o, ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity'], type);
      const keyType = str(o.keyType ?? null, 'keyType');
      if ('keyType' in o && !KEY_TYPES.includes(keyType as GpgKeyType)) fail(`Unrecognized keyType value ${JSON.stringify(keyType)}`);
      const signedIdentity = identityOrDefault(o);
      const got = ['keyPath', 'keyPaths', 'keyData'].filter((k) => k in o);
      if (got.length === 0) fail('Exactly one of keyPath, keyPaths and keyData must be specified, none of them present');
      if (got.length > 1) fail('Exactly one of keyPath, keyPaths and keyData must be specified, more than one present');
      if (!KEY_TYPES.includes(keyType as GpgKeyType)) fail(`invalid keyType ${JSON.stringify(keyType)}`);
      const keyPath = 'keyPath' in o ? str(o.keyPath, 'keyPath') : undefined;
      const keyPaths = 'keyPaths' in o ? strList(o.keyPaths, 'keyPaths') : undefined;
      const keyData = 'keyData' in o ? bytes(o.keyData, 'keyData') : undefined;
      if (!keyPath && keyPaths === undefined && keyData === undefined)
        fail('exactly one of keyPath, keyPaths and keyData must be specified');
      return {
        type,
        keyType: keyType as GpgKeyType,
        ...(keyPath ? { keyPath } : {}),
        ...(keyPaths ? { keyPaths } : {}),
        ...(keyData !== undefined ? { keyData } : {}),
        signedIdentity,
      };
    }
    case 'signedBaseLayer':
      exactKeys(o, ['type', 'baseLayerIdentity'], type);
      return { type, baseLayerIdentity: parseSignedIdentity(o.baseLayerIdentity) };
    case 'sigstoreSigned': {
      const fields = [
        'type',
        'keyPath',
        'keyPaths',
        'keyData',
        'keyDatas',
        'fulcio',
        'rekorPublicKeyPath',
        'rekorPublicKeyPaths',
        'rekorPublicKeyData',
        'rekorPublicKeyDatas',
        'pki',
        'signedIdentity',
      ];
      onlyKeys(o, fields, type);
      const signedIdentity = identityOrDefault(o);
      const keyPath = 'keyPath' in o ? str(o.keyPath, 'keyPath') : '';
      const keyPaths = 'keyPaths' in o ? strList(o.keyPaths, 'keyPaths') : undefined;
      const keyData = 'keyData' in o ? bytes(o.keyData, 'keyData') : undefined;
      const keyDatas = 'keyDatas' in o ? bytesList(o.keyDatas, 'keyDatas') : undefined;
      const fulcio = 'fulcio' in o ? parseFulcio(o.fulcio) : undefined;
      const pki = 'pki' in o ? parsePki(o.pki) : undefined;
      const rekorPublicKeyPath = 'rekorPublicKeyPath' in o ? str(o.rekorPublicKeyPath, 'rekorPublicKeyPath') : '';
      const rekorPublicKeyPaths = 'rekorPublicKeyPaths' in o ? strList(o.rekorPublicKeyPaths, 'rekorPublicKeyPaths') : undefined;
      const rekorPublicKeyData = 'rekorPublicKeyData' in o ? bytes(o.rekorPublicKeyData, 'rekorPublicKeyData') : undefined;
      const rekorPublicKeyDatas = 'rekorPublicKeyDatas' in o ? bytesList(o.rekorPublicKeyDatas, 'rekorPublicKeyDatas') : undefined;
      if ('keyPaths' in o && keyPaths !== undefined && keyPaths.length === 0) fail('keyPaths must not be empty');
      if ('keyDatas' in o && keyDatas !== undefined && keyDatas.length === 0) fail('keyDatas must not be empty');
      const keySources = [
        keyPath !== '',
        keyPaths !== undefined,
        keyData !== undefined,
        keyDatas !== undefined,
        fulcio !== undefined,
        pki !== undefined,
      ].filter(Boolean).length;
      if (keySources !== 1) fail('exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified');
      const rekorSources = [
        rekorPublicKeyPath !== '',
        rekorPublicKeyPaths !== undefined,
        rekorPublicKeyData !== undefined,
        rekorPublicKeyDatas !== undefined,
      ].filter(Boolean).length;
      if (rekorSources > 1)
        fail(
          'at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously',
        );
      if (fulcio && rekorSources === 0)
        fail(
          'At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used',
        );
      if (pki && rekorSources > 0)
        fail('rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas are not supported for pki');
      return {
        type,
        ...(keyPath ? { keyPath } : {}),
        ...(keyPaths ? { keyPaths } : {}),
        ...(keyData !== undefined ? { keyData } : {}),
        ...(keyDatas ? { keyDatas } : {}),
        ...(fulcio ? { fulcio } : {}),
        ...(pki ? { pki } : {}),
        ...(rekorPublicKeyPath ? { rekorPublicKeyPath } : {}),
        ...(rekorPublicKeyPaths ? { rekorPublicKeyPaths } : {}),
        ...(rekorPublicKeyData !== undefined ? { rekorPublicKeyData } : {}),
        ...(rekorPublicKeyDatas ? { rekorPublicKeyDatas } : {}),
        signedIdentity,
      };
    }
    default:
      return fail(`Unknown policy requirement type ${JSON.stringify(type)}`);
  }
}

function parseRequirements(value: unknown, what: string): PolicyRequirement[] {
  if (!Array.isArray(value)) fail(`${what} must be an array of requirements`);
  if (value.length === 0) fail('List of verification policy requirements must not be empty');
  return value.map(parseRequirement);
}

/** Scope keys each transport accepts (an invalid scope is an "Unknown key" upstream). */
function validScope(transport: string, scope: string): boolean {
  if (scope === '' || (transport !== 'dir' && transport !== 'oci')) return true;
  return scope.startsWith('/') && scope !== '/' && cleanPath(scope) === scope;
}

function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return `/${parts.join('/')}`;
}

/** Parses a policy.json; MALFORMED with containers/image's reason when it would reject the file. */
export function parsePolicy(input: string | Uint8Array): ContainersPolicy {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_POLICY_BYTES) throw new SignetError('TOO_LARGE', 'The policy file is larger than 1 MiB.');
  const doc = parseStrictJson(input, 'The policy file');
  try {
    const o = object(doc, 'The policy');
    onlyKeys(o, ['default', 'transports'], 'the policy');
    if (!('default' in o) || o.default === null) fail('Default policy is missing');
    const policy: ContainersPolicy = { default: parseRequirements(o.default, 'default'), transports: {} };
    if ('transports' in o) {
      const transports = object(o.transports, 'transports');
      for (const [name, scopesValue] of Object.entries(transports)) {
        const scopes = object(scopesValue, `transports.${name}`);
        const out: Record<string, PolicyRequirement[]> = {};
        for (const [scope, reqs] of Object.entries(scopes)) {
          if (KNOWN_TRANSPORTS.has(name) && !validScope(name, scope))
            fail(`Unknown key ${JSON.stringify(scope)} (not a valid ${name} scope)`);
          out[scope] = parseRequirements(reqs, `transports.${name}.${JSON.stringify(scope)}`);
        }
        policy.transports[name] = out;
      }
    }
    return policy;
  } catch (error) {
    if (error instanceof PolicyFormatError)
      throw new SignetError('MALFORMED', `The policy file is not a valid containers policy.json: ${error.message}.`);
    throw error;
  }
}

/** Serialises a policy in the field order podman writes (stable, so exports diff cleanly). */
export function serializePolicy(policy: ContainersPolicy): string {
  return `${JSON.stringify(policy, null, 4)}\n`;
}
