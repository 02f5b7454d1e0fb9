import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../tests/vectors';
import { applicableStatement, levelLabel, parseNotationPolicy } from './notation-policy';

const read = (name: string) => readFileSync(vector('notation', 'trustpolicies', name));
const policy = (statement: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: '1.0',
    trustPolicies: [
      {
        name: 'p',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:s'],
        trustedIdentities: ['*'],
        ...statement,
      },
    ],
    ...extra,
  });

describe('Notation trust policies (the vectors)', () => {
  it.each([
    'multiple_trusted_identity_trustpolicy.json',
    'invalid_trusted_identity_trustpolicy.json',
    'registry_scope_trustpolicy.json',
    'quickstart_trustpolicy.json',
  ])('%s is a valid policy', (name) => {
    expect(parseNotationPolicy(read(name)).statements.length).toBeGreaterThan(0);
  });

  it('override_integrity_for_permissive_trustpolicy.json is refused as notation refuses it', () => {
    expect(() => parseNotationPolicy(read('override_integrity_for_permissive_trustpolicy.json'))).toThrow(
      '"integrity" verification can not be overridden in custom signature verification',
    );
  });

  it('trustpolicy.blob.json is refused as an image policy: its statements have no registry scopes', () => {
    expect(() => parseNotationPolicy(read('trustpolicy.blob.json'))).toThrow(/has zero registry scopes.*blob trust policy/);
  });

  it('selects the exact scope first, then "*"; registry_scope applies only to its repository', () => {
    const scoped = parseNotationPolicy(read('registry_scope_trustpolicy.json'));
    expect(applicableStatement(scoped, 'localhost:5000/test-repo')?.name).toBe('e2e');
    expect(applicableStatement(scoped, 'localhost:5000/other')).toBeUndefined();
    const doc = parseNotationPolicy(
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          JSON.parse(policy({ name: 'any' })).trustPolicies[0],
          { ...JSON.parse(policy({})).trustPolicies[0], name: 'exact', registryScopes: ['r.io/a'] },
        ],
      }),
    );
    expect(applicableStatement(doc, 'r.io/a')?.name).toBe('exact');
    expect(applicableStatement(doc, 'r.io/b')?.name).toBe('any');
  });

  it('applies overrides on top of the level', () => {
    const [s] = parseNotationPolicy(
      policy({ signatureVerification: { level: 'strict', override: { revocation: 'skip', expiry: 'log' } } }),
    ).statements;
    expect(s?.actions).toMatchObject({ integrity: 'enforce', authenticity: 'enforce', expiry: 'log', revocation: 'skip' });
    expect(levelLabel(s!)).toBe('strict with overrides (expiry: log, revocation: skip)');
  });
});

describe('Notation trust policy validation (notation-go rules)', () => {
  it.each([
    ['a missing version', { version: undefined }, {}, 'empty version'],
    ['version 2.0', { version: '2.0' }, {}, 'unsupported version "2.0"'],
    ['no statements', { trustPolicies: [] }, {}, 'zero trust policy statements'],
    ['an unknown level', {}, { signatureVerification: { level: 'lenient' } }, 'invalid signature verification level "lenient"'],
    [
      'an override on skip',
      {},
      { signatureVerification: { level: 'skip', override: { expiry: 'log' } }, trustStores: [], trustedIdentities: [] },
      `can't be used to customize`,
    ],
    [
      'skipping authenticity',
      {},
      { signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } },
      '"authenticity" verification can not be skipped',
    ],
    ['an unknown check', {}, { signatureVerification: { level: 'strict', override: { color: 'log' } } }, 'verification type "color"'],
    [
      'skip with trust stores',
      {},
      { signatureVerification: { level: 'skip' } },
      'is set to skip signature verification but configured with trust stores',
    ],
    ['no trust stores', {}, { trustStores: [] }, 'missing trust stores or trusted identities'],
    ['a malformed store', {}, { trustStores: ['e2e'] }, 'malformed trust store value "e2e"'],
    ['an unknown store type', {}, { trustStores: ['x509:e2e'] }, 'unsupported trust store type "x509"'],
    ['a bad store name', {}, { trustStores: ['ca:a/b'] }, 'unsupported trust store name "a/b"'],
    ['"*" with other identities', {}, { trustedIdentities: ['*', 'x509.subject: C=US, ST=WA, O=N'] }, "wildcard trusted identity '*'"],
    ['an identity without C', {}, { trustedIdentities: ['x509.subject: ST=WA, O=N'] }, 'C is missing'],
    [
      'overlapping identities',
      {},
      { trustedIdentities: ['x509.subject: C=US, ST=WA, O=N', 'x509.subject: C=US, ST=WA, O=N, CN=x'] },
      'overlapping x509 trustedIdentities',
    ],
    ['"*" with another scope', {}, { registryScopes: ['*', 'r.io/a'] }, "wildcard registry scope '*'"],
    ['a scope with a tag', {}, { registryScopes: ['r.io/a:1'] }, 'registry scope "r.io/a:1" is not valid'],
    ['a scope with no repository', {}, { registryScopes: ['r.io'] }, 'registry scope "r.io" is not valid'],
    ['an invalid verifyTimestamp', {}, { signatureVerification: { level: 'strict', verifyTimestamp: 'never' } }, 'verifyTimestamp must be'],
    ['an unknown member (Signet is strict)', {}, { color: 'red' }, 'unknown member "color"'],
  ])('refuses %s', (_, doc, statement, message) => {
    const text = JSON.stringify({ ...JSON.parse(policy(statement)), ...doc });
    expect(() => parseNotationPolicy(text)).toThrow(message);
  });

  it('refuses two statements with one name or one scope', () => {
    const s = JSON.parse(policy({})).trustPolicies[0];
    expect(() => parseNotationPolicy(JSON.stringify({ version: '1.0', trustPolicies: [s, s] }))).toThrow('use the same name "p"');
    expect(() => parseNotationPolicy(JSON.stringify({ version: '1.0', trustPolicies: [s, { ...s, name: 'q' }] }))).toThrow(
      'registry scope "*" is present in multiple',
    );
  });

  it('refuses duplicate JSON keys', () => {
    expect(() => parseNotationPolicy('{"version":"1.0","version":"1.0","trustPolicies":[]}')).toThrow(/repeats the key/);
  });
});
