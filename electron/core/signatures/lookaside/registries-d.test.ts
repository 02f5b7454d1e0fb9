import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../trust/docker-reference';
import { loadRegistriesDir, lookasideFor, mergeRegistries, parseRegistriesYaml, useSigstoreAttachments } from './registries-d';
import { parseYamlSubset } from './yaml-subset';

const ref = (s: string) => parseNormalizedNamed(s);

describe('registries.d (containers-registries.d(5))', () => {
  const text = `# signatures for our registries
default-docker:
  lookaside: https://sigs.example.com/default   # read
  lookaside-staging: file:///var/lib/sigs

docker:
  registry.example.com:5000/team:
    lookaside: "file:///mnt/team sigs"
    use-sigstore-attachments: true
  registry.example.com:5000/team/app:
    use-sigstore-attachments: false
  '*.example.org':
    sigstore: https://legacy.example.org/sigs
  registry.example.com:5000/team/app:v1:
    lookaside: file:///only/v1
`;

  it('parses the documented subset', () => {
    const config = parseRegistriesYaml(text, 'a.yaml');
    expect(config.defaultDocker).toEqual({ lookaside: 'https://sigs.example.com/default', lookasideStaging: 'file:///var/lib/sigs' });
    expect(config.docker['registry.example.com:5000/team']).toEqual({ lookaside: 'file:///mnt/team sigs', useSigstoreAttachments: true });
    expect(Object.keys(config.docker)).toContain('registry.example.com:5000/team/app:v1');
  });

  it('asks the exact identity, then each namespace, then default-docker; a scope without the field falls through', () => {
    const config = mergeRegistries([{ name: 'a.yaml', text }]);
    expect(lookasideFor(config, ref('registry.example.com:5000/team/app:v1'), false)).toMatchObject({ url: 'file:///only/v1', scope: 'registry.example.com:5000/team/app:v1' });
    expect(lookasideFor(config, ref('registry.example.com:5000/team/app:v2'), false)).toMatchObject({ url: 'file:///mnt/team sigs', scope: 'registry.example.com:5000/team' });
    expect(lookasideFor(config, ref('eu.example.org/x/y:1'), false)).toMatchObject({ url: 'https://legacy.example.org/sigs', field: 'sigstore', scope: '*.example.org' });
    expect(lookasideFor(config, ref('quay.io/x/y:1'), false)).toMatchObject({ url: 'https://sigs.example.com/default', scope: 'default-docker' });
    expect(lookasideFor(config, ref('quay.io/x/y:1'), true)).toMatchObject({ url: 'file:///var/lib/sigs', field: 'lookaside-staging' });
    expect(lookasideFor({ docker: {}, sources: {} }, ref('quay.io/x/y:1'), false)).toBeUndefined();
    expect(lookasideFor({ docker: {}, sources: {} }, ref('quay.io/x/y:1'), false, 'file:///home/u/.local/share/containers/sigstore')).toMatchObject({ scope: 'built-in default' });
  });

  it('use-sigstore-attachments: the most specific scope that sets it', () => {
    const config = mergeRegistries([{ name: 'a.yaml', text }]);
    expect(useSigstoreAttachments(config, ref('registry.example.com:5000/team/app:v1'))).toBe(false);
    expect(useSigstoreAttachments(config, ref('registry.example.com:5000/team/other:v1'))).toBe(true);
    expect(useSigstoreAttachments(config, ref('quay.io/x:1'))).toBe(false);
  });

  it('refuses a scope or default-docker defined in two files', () => {
    expect(() => mergeRegistries([{ name: 'a.yaml', text }, { name: 'b.yaml', text: 'docker:\n  registry.example.com:5000/team:\n    lookaside: file:///x\n' }])).toThrow('defined both in a.yaml and b.yaml');
    expect(() => mergeRegistries([{ name: 'a.yaml', text }, { name: 'b.yaml', text: 'default-docker:\n  lookaside: file:///x\n' }])).toThrow('"default-docker" is defined both');
  });

  it.each([
    ['a sequence', 'docker:\n  - a\n'],
    ['a flow mapping', 'default-docker: {lookaside: x}\n'],
    ['an anchor', 'default-docker: &a\n  lookaside: x\n'],
    ['a block scalar', 'default-docker:\n  lookaside: |\n    x\n'],
    ['a tab indent', 'default-docker:\n\tlookaside: x\n'],
    ['a repeated key', 'default-docker:\n  lookaside: x\n  lookaside: y\n'],
    ['a multi-line value', 'default-docker:\n  lookaside: x\n    y\n'],
    ['a bad boolean', 'default-docker:\n  use-sigstore-attachments: yes please\n'],
  ])('refuses %s with the line', (_what, yaml) => {
    expect(() => parseRegistriesYaml(yaml, 'bad.yaml')).toThrow(/bad\.yaml/);
  });

  it('quoted strings, comments after values, keys with ports', () => {
    const root = parseYamlSubset(`a:\n  "k:1": 'it''s # not a comment' # comment\n  host:5000/ns: v\n`, 't');
    const a = root.entries.get('a');
    expect(a?.kind === 'map' && [...a.entries].map(([k, v]) => [k, v.kind === 'scalar' ? v.value : v.kind])).toEqual([
      ['k:1', "it's # not a comment"],
      ['host:5000/ns', 'v'],
    ]);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'signet-registries-d-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('loads only *.yaml files of a directory; a missing directory is an empty configuration', async () => {
    writeFileSync(path.join(dir, 'a.yaml'), text);
    writeFileSync(path.join(dir, 'ignored.yml'), 'default-docker:\n  lookaside: file:///ignored\n');
    const config = await loadRegistriesDir(dir);
    expect(config.sources['default-docker']).toBe(path.join(dir, 'a.yaml'));
    expect(await loadRegistriesDir(path.join(dir, 'missing'))).toEqual({ docker: {}, sources: {} });
  });
});
