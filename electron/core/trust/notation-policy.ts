import { SignetError } from '../../../shared/errors';
import type { NotationLevel } from '../../../shared/models/signatures';
import { parseStrictJson } from '../json/strict';
import { dnOverlap, parseDn, type DnMap } from '../signatures/notation/dn';
import { LEVEL_ACTIONS, type NotationAction, type NotationCheckType } from '../signatures/notation/trust';

/**
 * Notation's OCI trust policy (`trustpolicy.json` / `trustpolicy.oci.json`, version 1.0), checked
 * with the rules of notation-go's OCIDocument.Validate, in its order and with its sentences, so a
 * policy notation refuses is refused here for the same reason. Stricter than notation in one way,
 * on purpose: the JSON is parsed strictly (duplicate keys, unknown members and wrong types are
 * refused; notation's Go decoder ignores unknown members and matches names case-insensitively).
 */
export interface NotationStatement {
  name: string;
  registryScopes: string[];
  level: NotationLevel;
  /** The level's actions with the statement's overrides applied. */
  actions: Readonly<Record<NotationCheckType, NotationAction>>;
  /** Whether `override` changed any action (notation then calls the level "custom"). */
  overridden: boolean;
  verifyTimestamp: 'always' | 'afterCertExpiry';
  trustStores: string[];
  trustedIdentities: string[];
}

export interface NotationPolicyDocument {
  version: '1.0';
  statements: NotationStatement[];
}

export const STORE_TYPES = ['ca', 'signingAuthority', 'tsa'] as const;
export type StoreType = (typeof STORE_TYPES)[number];
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const CHECK_TYPES: readonly NotationCheckType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
const ACTIONS: readonly NotationAction[] = ['enforce', 'log', 'skip'];
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;

class Invalid extends Error {}
const fail = (message: string): never => {
  throw new Invalid(message);
};
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function members(o: Obj, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${what} has an unknown member ${JSON.stringify(k.slice(0, 60))}`);
}
function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) return fail(`${what} must be a list of strings`);
  return v;
}

/** Whether a parsed JSON document is meant as a Notation trust policy (rather than a containers policy.json). */
export function looksLikeNotationPolicy(doc: unknown): boolean {
  return isObject(doc) && ('trustPolicies' in doc || ('version' in doc && !('default' in doc)));
}

export function validateRegistryScope(scope: string): void {
  const message = `registry scope ${JSON.stringify(scope)} ${scope.length > 1 && scope.includes('*') ? 'with wild card(s) ' : ''}is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout`;
  if (scope.length > 1 && scope.includes('*')) fail(message);
  const slash = scope.indexOf('/');
  if (slash < 0) fail(message);
  const domain = scope.slice(0, slash);
  const repository = scope.slice(slash + 1);
  if (!domain || !repository || !DOMAIN.test(domain) || !REPOSITORY.test(repository)) fail(message);
}

function actionsOf(
  name: string,
  sv: Obj,
): { level: NotationLevel; actions: Record<NotationCheckType, NotationAction>; overridden: boolean } {
  const bad = (why: string) => fail(`trust policy statement ${JSON.stringify(name)} has invalid signatureVerification: ${why}`);
  const level = sv.level;
  if (level === undefined || level === '') bad('signature verification level is empty or missing in the trust policy statement');
  if (typeof level !== 'string' || !(level in LEVEL_ACTIONS))
    return bad(`invalid signature verification level ${JSON.stringify(String(level))}`);
  const base = level as NotationLevel;
  const actions = { ...LEVEL_ACTIONS[base] };
  const override = sv.override;
  if (override === undefined || override === null) return { level: base, actions, overridden: false };
  if (!isObject(override)) return bad('override must be an object');
  if (Object.keys(override).length === 0) return { level: base, actions, overridden: false };
  if (base === 'skip') bad(`signature verification level "skip" can't be used to customize signature verification`);
  for (const [key, value] of Object.entries(override)) {
    if (!(CHECK_TYPES as readonly string[]).includes(key))
      bad(
        `verification type ${JSON.stringify(key)} in custom signature verification is not supported, supported values are ${JSON.stringify(CHECK_TYPES)}`,
      );
    if (typeof value !== 'string' || !(ACTIONS as readonly string[]).includes(value))
      bad(
        `verification action ${JSON.stringify(String(value))} in custom signature verification is not supported, supported values are ${JSON.stringify(ACTIONS)}`,
      );
    if (key === 'integrity') bad(`"integrity" verification can not be overridden in custom signature verification`);
    if (key !== 'revocation' && value === 'skip')
      bad(`${JSON.stringify(key)} verification can not be skipped in custom signature verification`);
    actions[key as NotationCheckType] = value as NotationAction;
  }
  return { level: base, actions, overridden: true };
}

function statementOf(raw: unknown, index: number): NotationStatement {
  if (!isObject(raw)) return fail(`trust policy statement ${index + 1} is not an object`);
  // globalPolicy belongs to blob policies; it is let through here so that such a file is refused for what notation refuses it for (no
  // registry scopes).
  members(
    raw,
    ['name', 'registryScopes', 'signatureVerification', 'trustStores', 'trustedIdentities', 'globalPolicy'],
    `trust policy statement ${index + 1}`,
  );
  const name = raw.name ?? '';
  if (typeof name !== 'string') return fail(`trust policy statement ${index + 1} has a name that is not a string`);
  if (name === '') fail('a trust policy statement is missing a name, every statement requires a name');
  const sv = raw.signatureVerification ?? {};
  if (!isObject(sv)) return fail(`trust policy statement ${JSON.stringify(name)} has a signatureVerification that is not an object`);
  members(sv, ['level', 'override', 'verifyTimestamp'], `signatureVerification of ${JSON.stringify(name)}`);
  const { level, actions, overridden } = actionsOf(name, sv);
  const verifyTimestamp = sv.verifyTimestamp ?? '';
  if (verifyTimestamp !== '' && verifyTimestamp !== 'always' && verifyTimestamp !== 'afterCertExpiry')
    fail(
      `trust policy statement ${JSON.stringify(name)} has invalid signatureVerification: verifyTimestamp must be "always" or "afterCertExpiry", but got ${JSON.stringify(String(verifyTimestamp))}`,
    );
  const trustStores = strings(raw.trustStores, `trustStores of ${JSON.stringify(name)}`);
  const trustedIdentities = strings(raw.trustedIdentities, `trustedIdentities of ${JSON.stringify(name)}`);
  if (level === 'skip') {
    if (trustStores.length || trustedIdentities.length)
      fail(
        `trust policy statement ${JSON.stringify(name)} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`,
      );
  } else {
    if (!trustStores.length || !trustedIdentities.length)
      fail(`trust policy statement ${JSON.stringify(name)} is either missing trust stores or trusted identities, both must be specified`);
    for (const store of trustStores) {
      const colon = store.indexOf(':');
      if (colon < 0)
        fail(
          `trust policy statement ${JSON.stringify(name)} has malformed trust store value ${JSON.stringify(store)}. The required format is <TrustStoreType>:<TrustStoreName>`,
        );
      const type = store.slice(0, colon);
      const storeName = store.slice(colon + 1);
      if (!(STORE_TYPES as readonly string[]).includes(type))
        fail(
          `trust policy statement ${JSON.stringify(name)} uses an unsupported trust store type ${JSON.stringify(type)} in trust store value ${JSON.stringify(store)}`,
        );
      if (!STORE_NAME.test(storeName))
        fail(
          `trust policy statement ${JSON.stringify(name)} uses an unsupported trust store name ${JSON.stringify(storeName)} in trust store value ${JSON.stringify(store)}. Named store name needs to follow [a-zA-Z0-9_.-]+ format`,
        );
    }
    validateIdentities(name, trustedIdentities);
  }
  return {
    name,
    registryScopes: strings(raw.registryScopes, `registryScopes of ${JSON.stringify(name)}`),
    level,
    actions,
    overridden,
    verifyTimestamp: verifyTimestamp === 'afterCertExpiry' ? 'afterCertExpiry' : 'always',
    trustStores,
    trustedIdentities,
  };
}

function validateIdentities(name: string, identities: readonly string[]): void {
  if (identities.length > 1 && identities.includes('*'))
    fail(
      `trust policy statement ${JSON.stringify(name)} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`,
    );
  const parsed: Array<{ raw: string; dn: DnMap }> = [];
  for (const identity of identities) {
    if (identity === '') fail(`trust policy statement ${JSON.stringify(name)} has an empty trusted identity`);
    if (identity === '*') continue;
    const colon = identity.indexOf(':');
    if (colon < 0)
      fail(`trust policy statement ${JSON.stringify(name)} has trusted identity ${JSON.stringify(identity)} missing separator`);
    if (identity.slice(0, colon) !== 'x509.subject') continue;
    const value = identity.slice(colon + 1);
    if (value === '')
      fail(`trust policy statement ${JSON.stringify(name)} has trusted identity ${JSON.stringify(identity)} without an identity value`);
    try {
      parsed.push({ raw: identity, dn: parseDn(value.trim()) });
    } catch (error) {
      fail(
        `trust policy statement ${JSON.stringify(name)} has trusted identity ${JSON.stringify(identity)} with invalid identity value: ${error instanceof Error ? error.message : 'malformed'}`,
      );
    }
  }
  for (const [i, a] of parsed.entries())
    for (const [j, b] of parsed.entries())
      if (i !== j && dnOverlap(a.dn, b.dn))
        fail(
          `trust policy statement ${JSON.stringify(name)} has overlapping x509 trustedIdentities, ${JSON.stringify(a.raw)} overlaps with ${JSON.stringify(b.raw)}`,
        );
}

/** Parses and validates a Notation OCI trust policy; refuses with INVALID_INPUT and notation's reason. */
export function parseNotationPolicy(text: string | Uint8Array): NotationPolicyDocument {
  try {
    const doc = parseStrictJson(text, 'The trust policy');
    if (!isObject(doc)) return fail('the trust policy is not a JSON object');
    members(doc, ['version', 'trustPolicies'], 'the trust policy document');
    const version = doc.version ?? '';
    if (version === '') fail('oci trust policy document has empty version, version must be specified');
    if (version !== '1.0') fail(`oci trust policy document uses unsupported version ${JSON.stringify(String(version))}`);
    const list = doc.trustPolicies ?? [];
    if (!Array.isArray(list)) return fail('trustPolicies must be a list');
    if (list.length === 0) fail('oci trust policy document can not have zero trust policy statements');
    if (list.length > 1000) fail('the trust policy has more than 1000 statements');
    const statements: NotationStatement[] = [];
    const names = new Set<string>();
    for (const [i, raw] of list.entries()) {
      const s = statementOf(raw, i);
      if (names.has(s.name))
        fail(`multiple oci trust policy statements use the same name ${JSON.stringify(s.name)}, statement names must be unique`);
      names.add(s.name);
      statements.push(s);
    }
    const count = new Map<string, number>();
    for (const s of statements) {
      const blob = statements.every((x) => x.registryScopes.length === 0)
        ? ' (this is a blob trust policy, trustpolicy.blob.json: it applies to files, not to images)'
        : '';
      if (s.registryScopes.length === 0)
        fail(
          `oci trust policy statement ${JSON.stringify(s.name)} has zero registry scopes, it must specify registry scopes with at least one value${blob}`,
        );
      if (s.registryScopes.length > 1 && s.registryScopes.includes('*'))
        fail(
          `oci trust policy statement ${JSON.stringify(s.name)} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`,
        );
      for (const scope of s.registryScopes) {
        if (scope !== '*') validateRegistryScope(scope);
        count.set(scope, (count.get(scope) ?? 0) + 1);
      }
    }
    for (const [scope, n] of count)
      if (n > 1)
        fail(
          `registry scope ${JSON.stringify(scope)} is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement`,
        );
    return { version: '1.0', statements };
  } catch (error) {
    if (error instanceof Invalid) throw new SignetError('INVALID_INPUT', `Not a valid Notation trust policy: ${error.message}.`);
    if (error instanceof SignetError) throw new SignetError('INVALID_INPUT', `Not a valid Notation trust policy: ${error.message}`);
    throw error;
  }
}

/** The statement that applies to `host/repository` (no tag or digest): an exact scope first, then `*`; notation does no normalisation. */
export function applicableStatement(doc: NotationPolicyDocument, artifactPath: string): NotationStatement | undefined {
  return doc.statements.find((s) => s.registryScopes.includes(artifactPath)) ?? doc.statements.find((s) => s.registryScopes.includes('*'));
}

/** The level as notation names it (with overrides, "custom" on top of a level). */
export function levelLabel(s: NotationStatement): string {
  return s.overridden
    ? `${s.level} with overrides (${Object.entries(s.actions)
        .filter(([k, v]) => LEVEL_ACTIONS[s.level][k as NotationCheckType] !== v)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')})`
    : s.level;
}
