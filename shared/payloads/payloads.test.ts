import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoStruct, goJson } from './go-json';
import { buildAtomicPayload, buildCosignPayload, PayloadInputError } from './payloads';

const golden = (name: string) => readFileSync(path.join(import.meta.dirname, 'golden', name), 'utf8');

describe('payload builders (golden files from skopeo and cosign)', () => {
  it('rebuilds skopeo 1.9.3’s atomic payload byte for byte', () => {
    const expected = golden('atomic-skopeo-1.9.3.json');
    const parsed = JSON.parse(expected) as {
      critical: { identity: { 'docker-reference': string }; image: { 'docker-manifest-digest': string } };
      optional: { creator: string; timestamp: number };
    };
    expect(
      buildAtomicPayload({
        dockerReference: parsed.critical.identity['docker-reference'],
        manifestDigest: parsed.critical.image['docker-manifest-digest'],
        creator: parsed.optional.creator,
        timestamp: parsed.optional.timestamp,
      }),
    ).toBe(expected);
  });

  it('rebuilds cosign’s payload byte for byte', () => {
    const expected = golden('cosign-payload.json');
    const parsed = JSON.parse(expected) as {
      critical: { identity: { 'docker-reference': string }; image: { 'docker-manifest-digest': string } };
    };
    expect(
      buildCosignPayload({
        repository: parsed.critical.identity['docker-reference'],
        manifestDigest: parsed.critical.image['docker-manifest-digest'],
      }),
    ).toBe(expected);
  });

  it('sorts optional entries and annotations as Go maps do', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(
      buildAtomicPayload({
        dockerReference: 'r/x:1',
        manifestDigest: digest,
        extra: { zeta: '1', alpha: '2' },
        creator: 'Signet 0.1.0',
        timestamp: 5,
      }),
    ).toBe(
      `{"critical":{"identity":{"docker-reference":"r/x:1"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"},"optional":{"alpha":"2","creator":"Signet 0.1.0","timestamp":5,"zeta":"1"}}`,
    );
    expect(buildCosignPayload({ repository: 'r/x', manifestDigest: digest, annotations: { b: '1', a: '<&>' } })).toBe(
      `{"critical":{"identity":{"docker-reference":"r/x"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":{"a":"\\u003c\\u0026\\u003e","b":"1"}}`,
    );
    expect(buildAtomicPayload({ dockerReference: 'r/x:1', manifestDigest: digest })).toContain('"optional":{}');
  });

  it('escapes strings as Go does', () => {
    expect(goJson('a"b\\c\n\u0001<>&\u2028é')).toBe('"a\\"b\\\\c\\n\\u0001\\u003c\\u003e\\u0026\\u2028é"');
    expect(
      goJson(
        new GoStruct([
          ['b', 1],
          ['a', [true, null]],
        ]),
      ),
    ).toBe('{"b":1,"a":[true,null]}');
  });

  it.each([
    [{ dockerReference: 'r/x:1', manifestDigest: 'sha256:../..' }, 'not a manifest digest'],
    [{ dockerReference: 'r/x:1', manifestDigest: `SHA256:${'a'.repeat(64)}` }, 'not a manifest digest'],
    [{ dockerReference: 'r/x:1', manifestDigest: `sha256:${'a'.repeat(63)}` }, 'not a manifest digest'],
    [{ dockerReference: 'r x', manifestDigest: `sha256:${'a'.repeat(64)}` }, 'spaces'],
    [{ dockerReference: 'r/x', manifestDigest: `sha256:${'a'.repeat(64)}`, timestamp: 1.5 }, 'whole seconds'],
    [{ dockerReference: 'r/x', manifestDigest: `sha256:${'a'.repeat(64)}`, extra: { creator: 'x' } }, 'own field'],
  ])('refuses bad input %#', (input, message) => {
    expect(() => buildAtomicPayload(input)).toThrow(PayloadInputError);
    expect(() => buildAtomicPayload(input)).toThrow(message);
  });

  it('refuses a tag or digest in a cosign repository', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(() => buildCosignPayload({ repository: 'reg:5000/x:tag', manifestDigest: digest })).toThrow('without a tag');
    expect(() => buildCosignPayload({ repository: `reg/x@${digest}`, manifestDigest: digest })).toThrow('without a tag');
    expect(buildCosignPayload({ repository: 'reg:5000/x', manifestDigest: digest })).toContain('"reg:5000/x"');
  });
});
