import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../trust/docker-reference';
import { loadRegistriesDir, lookasideFor, mergeRegistries, parseRegistriesYaml, useSigstoreAttachments } from './registries-d';

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
    expect(lookasideFor(config, ref('registry.example.com:5000/team/app:v1'), false)).toMatchObject({
      url: 'file:///only/v1',
      scope: 'registry.example.com:5000/team/app:v1',
    });
    expect(lookasideFor(config, ref('registry.example.com:5000/team/app:v2'), false)).toMatchObject({
      url: 'file:///mnt/team sigs',
      scope: 'registry.example.com:5000/team',
    });
    expect(lookasideFor(config, ref('eu.example.org/x/y:1'), false)).toMatchObject({
      url: 'https://legacy.example.org/sigs',
      field: 'sigstore',
      scope: '*.example.org',
    });
    expect(lookasideFor(config, ref('quay.io/x/y:1'), false)).toMatchObject({
      url: 'https://sigs.example.com/default',
      scope: 'default-docker',
    });
    expect(lookasideFor(config, ref('quay.io/x/y:1'), true)).toMatchObject({ url: 'file:///var/lib/sigs', field: 'lookaside-staging' });
    expect(lookasideFor({ docker: {}, sources: {} }, ref('quay.io/x/y:1'), false)).toBeUndefined();
    expect(
      lookasideFor({ docker: {}, sources: {} }, ref('quay.io/x/y:1'), false, 'file:///home/u/.local/share/containers/sigstore'),
    ).toMatchObject({ scope: 'built-in default' });
  });

  it('use-sigstore-attachments: the most specific scope that sets it', () => {
    const config = mergeRegistries([{ name: 'a.yaml', text }]);
    expect(useSigstoreAttachments(config, ref('registry.example.com:5000/team/app:v1'))).toBe(false);
    expect(useSigstoreAttachments(config, ref('registry.example.com:5000/team/other:v1'))).toBe(true);
    expect(useSigstoreAttachments(config, ref('quay.io/x:1'))).toBe(false);
  });

  it('refuses a scope or default-docker defined in two files', () => {
    expect(() =>
      mergeRegistries([
        { name: 'a.yaml', text },
        { name: 'b.yaml', text: 'docker:\n  registry.example.com:5000/team:\n    lookaside: file:///x\n' },
      ]),
    ).toThrow('defined both in a.yaml and b.yaml');
    expect(() =>
      mergeRegistries([
        { name: 'a.yaml', text },
        { name: 'b.yaml', text: 'default-docker:\n  lookaside: file:///x\n' },
      ]),
    ).toThrow('"default-docker" is defined both');
  });

  it.each([
    ['a sequence', 'docker:\n  - a\n'],
    ['an anchor', 'default-docker: &a\n  lookaside: x\n'],
    ['an alias', 'default-docker:\n  lookaside: &u file:///x\n  lookaside-staging: *u\n'],
    ['an alias as a whole scope', 'docker:\n  a.example: &ns\n    lookaside: file:///x\n  b.example: *ns\n'],
    ['a duplicate scope', 'docker:\n  a.example:\n    lookaside: file:///x\n  a.example:\n    lookaside: file:///y\n'],
    ['a duplicate key in a flow mapping', 'default-docker: { lookaside: file:///x, lookaside: file:///y }\n'],
    ['two documents', 'default-docker:\n  lookaside: file:///x\n---\ndocker:\n  a.example:\n    lookaside: file:///y\n'],
    ['a scalar document', 'just a string\n'],
    ['a sequence document', '- docker\n'],
    ['docker as a string', 'docker: registry.example.com\n'],
    ['a scope as a string', 'docker:\n  a.example: file:///x\n'],
    ['a lookaside mapping', 'default-docker:\n  lookaside:\n    url: file:///x\n'],
    ['a tag', 'default-docker:\n  lookaside: !!str file:///x\n'],
    ['a quoted boolean', 'default-docker:\n  use-sigstore-attachments: "true"\n'],
    ['a yes for a boolean', 'default-docker:\n  use-sigstore-attachments: yes\n'],
    ['a complex key', 'docker:\n  ? [a, b]\n  : {}\n'],
    ['a block scalar', 'default-docker:\n  lookaside: |\n    x\n'],
    ['a tab indent', 'default-docker:\n\tlookaside: x\n'],
    ['a repeated key', 'default-docker:\n  lookaside: x\n  lookaside: y\n'],
    ['a multi-line value', 'default-docker:\n  lookaside: x\n    y\n'],
    ['a bad boolean', 'default-docker:\n  use-sigstore-attachments: yes please\n'],
  ])('refuses %s with the line', (_what, yaml) => {
    expect(() => parseRegistriesYaml(yaml, 'bad.yaml')).toThrow(/bad\.yaml/);
  });

  it('quoted strings, comments after values, keys with ports', () => {
    const config = parseRegistriesYaml(
      `docker:\n  "k:1":\n    lookaside: 'it''s # not a comment' # comment\n  host:5000/ns:\n    lookaside: "file:///a\\u0020b"\n    sigstore: v\n`,
      't',
    );
    expect(config.docker).toEqual({
      'k:1': { lookaside: "it's # not a comment" },
      'host:5000/ns': { lookaside: 'file:///a b', sigstore: 'v' },
    });
  });

  it('flow mappings, as podman reads them', () => {
    const config = parseRegistriesYaml(
      '---\ndocker: {}\ndefault-docker: { lookaside: file:///x, use-sigstore-attachments: TRUE }\n',
      'flow.yaml',
    );
    expect(config).toEqual({ defaultDocker: { lookaside: 'file:///x', useSigstoreAttachments: true }, docker: {} });
    expect(parseRegistriesYaml('docker: { quay.io/a: { lookaside: "https://s.example/q" }, "localhost:5000": {} }\n', 'f').docker).toEqual({
      'quay.io/a': { lookaside: 'https://s.example/q' },
      'localhost:5000': {},
    });
  });

  it('empty, null and unknown values are absent, as in containers/image', () => {
    expect(parseRegistriesYaml('', 'e')).toEqual({ docker: {} });
    expect(parseRegistriesYaml('# only a comment\n---\n', 'e')).toEqual({ docker: {} });
    expect(parseRegistriesYaml('docker:\ndefault-docker: ~\n', 'e')).toEqual({ docker: {} });
    expect(
      parseRegistriesYaml(
        'docker:\n  a.example:\n  b.example: null\n  c.example:\n    lookaside: ""\n    use-sigstore-attachments:\n    future-field: later\n',
        'e',
      ),
    ).toEqual({ docker: { 'a.example': {}, 'b.example': {}, 'c.example': {} } });
  });

  it('the messages name the file and the line', () => {
    expect(() => parseRegistriesYaml('docker:\n  a: &x\n    lookaside: y\n', 'r.yaml')).toThrow(/^r\.yaml line 2 sets an anchor/);
    expect(() => parseRegistriesYaml('a: 1\na: 2\n', 'r.yaml')).toThrow(/^r\.yaml: Map keys must be unique at line 2/);
    expect(() => parseRegistriesYaml('docker:\n  a:\n    use-sigstore-attachments: maybe\n', 'r.yaml')).toThrow(
      'r.yaml: "docker" → "a" → "use-sigstore-attachments" must be true or false.',
    );
  });

  it('reads a registries.d file as podman ships it', () => {
    // containers-common's registries.d/default.yaml, with a site file's usual additions.
    const podman = `# This is a default registries.d configuration file.  You may
# add to this file or create additional files in registries.d/.
#
# lookaside: for reading/writing simple signing signatures
# lookaside-staging: for writing simple signing signatures, preferred over lookaside
#
# lookaside and lookaside-staging take a value of the following:
#   lookaside:  {schema}://location
#
# For reading signatures, schema may be http, https, or file.
# For writing signatures, schema may only be file.

# The default locations are built-in, for both reading and writing:
# /var/lib/containers/sigstore for root, or
# ~/.local/share/containers/sigstore for non-root users.
default-docker:
#  lookaside: https://…
#  lookaside-staging: file:///…
  use-sigstore-attachments: true

# The 'docker' indicator here is the start of the configuration
# for docker/distribution based registries.
docker:
  registry.access.redhat.com:
    lookaside: https://access.redhat.com/webassets/docker/content/sigstore
  registry.redhat.io:
    lookaside: https://registry.redhat.io/containers/sigstore
  'localhost:5000/team':
    lookaside-staging: file:///var/lib/containers/sigstore-staging
    sigstore: "https://old.example.com/sigs"
`;
    const config = parseRegistriesYaml(podman, 'default.yaml');
    expect(config.defaultDocker).toEqual({ useSigstoreAttachments: true });
    expect(config.docker).toEqual({
      'registry.access.redhat.com': { lookaside: 'https://access.redhat.com/webassets/docker/content/sigstore' },
      'registry.redhat.io': { lookaside: 'https://registry.redhat.io/containers/sigstore' },
      'localhost:5000/team': { lookasideStaging: 'file:///var/lib/containers/sigstore-staging', sigstore: 'https://old.example.com/sigs' },
    });
    const merged = mergeRegistries([{ name: 'default.yaml', text: podman }]);
    expect(lookasideFor(merged, ref('registry.redhat.io/ubi9/ubi:latest'), false)).toMatchObject({
      url: 'https://registry.redhat.io/containers/sigstore',
      scope: 'registry.redhat.io',
    });
    expect(useSigstoreAttachments(merged, ref('quay.io/x:1'))).toBe(true);
  });

  it('refuses a file over 1 MiB', () => {
    expect(() => parseRegistriesYaml(`# ${'x'.repeat(1024 * 1024)}\n`, 'big.yaml')).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
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
