import { describe, expect, it } from 'vitest';
import { compatibilityOf } from './compat';

describe('compatibility of a signature with its consumers', () => {
  it('a cosign .sig signature is for the cosign family and podman with sigstoreSigned, never without settings (no tlog entry)', () => {
    const c = compatibilityOf('cosign');
    expect(c.map((v) => v.consumer)).toEqual([
      'cosign 2.x',
      'cosign 3.x',
      'podman / skopeo / CRI-O',
      'Kyverno',
      'sigstore policy-controller',
    ]);
    expect(c.every((v) => v.accepts === 'with-settings')).toBe(true);
    expect(c[0]?.why).toContain('--insecure-ignore-tlog');
  });
  it('simple signatures are for podman only; .asc files for SWR only', () => {
    expect(
      compatibilityOf('simplesigning')
        .filter((v) => v.accepts !== 'no')
        .map((v) => v.consumer),
    ).toEqual(['podman / skopeo / CRI-O']);
    expect(
      compatibilityOf('asc')
        .filter((v) => v.accepts !== 'no')
        .map((v) => v.consumer),
    ).toEqual(['Huawei SWR']);
  });
});
