import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { parseImage, parseLayoutReference } from './resolve';

const D = `sha256:${'a'.repeat(64)}`;

describe('image arguments', () => {
  it('splits oci: references as skopeo does (the directory ends at the first colon)', () => {
    expect(parseLayoutReference('oci:./layout')).toEqual({ dir: './layout' });
    expect(parseLayoutReference('oci:/tmp/l:1.0')).toEqual({ dir: '/tmp/l', tag: '1.0' });
    expect(parseLayoutReference('oci:/tmp/l:team/app:1.0')).toEqual({ dir: '/tmp/l', repository: 'team/app', tag: '1.0' });
    expect(parseLayoutReference(`oci:/tmp/l@${D}`)).toEqual({ dir: '/tmp/l', digest: D });
    expect(parseLayoutReference(`oci:/tmp/l:team/app@${D}`)).toEqual({ dir: '/tmp/l', repository: 'team/app', digest: D });
    expect(parseLayoutReference('oci:/tmp/a@b:v1')).toEqual({ dir: '/tmp/a@b', tag: 'v1' });
  });

  it.each(['oci:', 'oci::1.0', 'oci:/tmp/l:', 'oci:/tmp/l:Bad Tag', 'oci:/tmp/l@sha256:12', `oci:/tmp/l:UPPER@${D}`])(
    'refuses %s as a usage error',
    (text) => {
      expect(() => parseLayoutReference(text)).toThrow(UsageError);
    },
  );

  it('a malformed registry reference is a usage error that says what an image looks like', () => {
    expect(parseImage('registry.example.com/team/app@' + D)).toMatchObject({
      registry: 'registry.example.com',
      repository: 'team/app',
      digest: D,
    });
    expect(() => parseImage('Registry.example.com/Team/App')).toThrow(/not a valid repository name.*oci:DIR/);
    expect(() => parseImage('registry.example.com/app@sha256:12')).toThrow(UsageError);
  });
});
