import { describe, expect, it } from 'vitest';
import { isKubernetesPolicyText, kyvernoWildcardMatches, policyControllerGlobMatches } from './dry-run';
import { policyControllerGlobs } from './policy-controller';

describe('controller matching', () => {
  it('policy-controller globs: * stops at /, ** crosses it, bare * means Docker Hub library images, @ is not allowed', () => {
    expect(policyControllerGlobMatches('reg.example/team/*', 'reg.example/team/app:1.0')).toBe(true);
    expect(policyControllerGlobMatches('reg.example/team/*', 'reg.example/team/sub/app:1.0')).toBe(false);
    expect(policyControllerGlobMatches('reg.example/team/**', 'reg.example/team/sub/app:1.0')).toBe(true);
    expect(policyControllerGlobMatches('*', 'index.docker.io/library/busybox:latest')).toBe(true);
    expect(policyControllerGlobMatches('*', 'ghcr.io/x:1')).toBe(false);
    expect(policyControllerGlobMatches('reg.example/team@**', 'reg.example/team@sha256:00')).toBe(false);
    expect(policyControllerGlobMatches('reg.example/te.m/**', 'reg.example/teXm/app:1')).toBe(false);
  });

  it('the globs Signet writes for a repository scope cover its tags and sub-repositories, not a longer sibling name', () => {
    const globs = policyControllerGlobs('reg.example/team/app');
    const matches = (ref: string) => globs.some((g) => policyControllerGlobMatches(g, ref));
    expect(matches('reg.example/team/app:1.0')).toBe(true);
    expect(matches('reg.example/team/app/sub:1.0')).toBe(true);
    expect(matches('reg.example/team/application:1.0')).toBe(false);
    expect(policyControllerGlobs('docker.io/library/nginx')).toEqual([
      'index.docker.io/library/nginx:**',
      'index.docker.io/library/nginx/**',
    ]);
  });

  it('Kyverno wildcards: * matches any characters, / included; ? one', () => {
    expect(kyvernoWildcardMatches('reg.example/team/*', 'reg.example/team/sub/app:1.0')).toBe(true);
    expect(kyvernoWildcardMatches('reg.example/team:?', 'reg.example/team:1')).toBe(true);
    expect(kyvernoWildcardMatches('reg.example/team:?', 'reg.example/team:12')).toBe(false);
    expect(kyvernoWildcardMatches('reg.example/t.am/*', 'reg.example/tXam/app')).toBe(false);
  });

  it('recognises the Kubernetes kinds it dry-runs, not a containers policy.json', () => {
    expect(isKubernetesPolicyText('apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n')).toBe(true);
    expect(isKubernetesPolicyText('# c\n---\napiVersion: policy.sigstore.dev/v1beta1\n')).toBe(true);
    expect(isKubernetesPolicyText('{"default":[{"type":"reject"}]}')).toBe(false);
  });
});
