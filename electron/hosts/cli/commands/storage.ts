import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StorageKind, StorageProfile, StorageTarget } from '../../../../shared/models/storage';
import { STORAGE_KINDS } from '../../../../shared/models/storage';
import { UsageError } from '../args';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';
import { parseImage, resolve } from '../resolve';

/** `s3://BUCKET/PREFIX` plus --endpoint / --region / --storage-kind / --storage-profile into a storage target. */
export function targetFrom(ctx: CommandContext, url: string | undefined): StorageTarget {
  const o = ctx.args.options;
  const target: Record<string, string> = {};
  if (url) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
    if (!m) throw new UsageError(`${url} is not s3://BUCKET[/PREFIX].`);
    target.bucket = m[1] as string;
    if (m[2]) target.prefix = m[2].replace(/\/+$/, '');
  }
  if (o['storage-profile']) target.profile = ctx.args.req('storage-profile');
  if (o.endpoint) target.endpoint = ctx.args.req('endpoint');
  if (o.region) target.region = ctx.args.req('region');
  if (o['aws-profile']) target.awsProfile = ctx.args.req('aws-profile');
  if (o['storage-kind']) {
    if (!STORAGE_KINDS.includes(o['storage-kind'] as StorageKind))
      throw new UsageError(`--storage-kind is one of ${STORAGE_KINDS.join(', ')}.`);
    target.kind = ctx.args.req('storage-kind');
  }
  if (o['path-style']) target.addressing = 'path';
  if (!target.bucket && !target.profile) throw new UsageError('Name where to upload: s3://BUCKET/PREFIX, or --storage-profile NAME.');
  return target as StorageTarget;
}

const TARGET_OPTIONS = [
  { name: 'storage-profile', type: 'string', value: 'NAME', description: 'A saved storage profile (see `signet storage list`)' },
  { name: 'endpoint', type: 'string', value: 'URL', description: 'S3 endpoint (Huawei OBS: https://obs.REGION.myhuaweicloud.com)' },
  { name: 'region', type: 'string', value: 'REGION', description: 'Bucket region' },
  {
    name: 'storage-kind',
    type: 'string',
    value: STORAGE_KINDS.join('|'),
    description: 'aws, obs (UNSIGNED-PAYLOAD signing) or s3-compatible',
  },
  { name: 'aws-profile', type: 'string', value: 'NAME', description: 'Credentials from this ~/.aws/credentials profile' },
  { name: 'path-style', type: 'boolean', description: 'Path-style addressing (endpoint/bucket/key)' },
] as const;

function describeProfile(p: StorageProfile): string {
  const where = p.kind === 'directory' ? p.path : `s3://${p.bucket}${p.prefix ? `/${p.prefix}` : ''} at ${p.endpoint ?? p.region ?? 'AWS'}`;
  return `${p.name}\t${p.kind}\t${where}\tcredentials: ${p.credential.source}${p.credential.profile ? ` (${p.credential.profile})` : ''}${p.credential.identity ? ` ${p.credential.identity}` : ''}`;
}

async function digestOf(ctx: CommandContext, reference: string): Promise<{ reference: string; digest: string; repository: string }> {
  if (reference.startsWith('oci:'))
    throw new UsageError(
      `A payload names a registry image (host/repo:tag or host/repo@sha256:…), not ${reference}: an OCI layout has no registry identity.`,
    );
  const ref = parseImage(reference);
  if (ref.digest) return { reference, digest: ref.digest, repository: ref.repository };
  const resolved = await resolve(ctx, reference);
  return { reference, digest: resolved.digest, repository: resolved.repository };
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'storage add',
    summary: 'Save a storage profile: an S3 bucket, a Huawei OBS bucket, or a folder',
    positionals: [{ name: 'NAME', description: 'A name for the profile' }],
    options: [
      { name: 'kind', type: 'string', value: STORAGE_KINDS.join('|'), description: 'What it is' },
      { name: 'bucket', type: 'string', value: 'BUCKET', description: 'The bucket' },
      { name: 'prefix', type: 'string', value: 'PREFIX', description: 'Key prefix every object goes under' },
      { name: 'endpoint', type: 'string', value: 'URL', description: 'Endpoint (required for s3-compatible)' },
      { name: 'region', type: 'string', value: 'REGION', description: 'Region (OBS: e.g. cn-north-4)' },
      { name: 'path-style', type: 'boolean', description: 'Path-style addressing' },
      { name: 'dir', type: 'string', value: 'DIR', description: 'directory profiles: the folder' },
      {
        name: 'public-url',
        type: 'string',
        value: 'URL',
        description: 'Where the objects are readable over HTTP(S) (for links and registries.d)',
      },
      {
        name: 'credentials',
        type: 'string',
        value: 'default|environment|profile|keychain',
        description: 'Where credentials come from (default: environment, then ~/.aws/credentials)',
      },
      { name: 'aws-profile', type: 'string', value: 'NAME', description: 'With --credentials profile: the ~/.aws/credentials profile' },
      {
        name: 'access-key-env',
        type: 'string',
        value: 'VAR',
        description: 'With --credentials keychain: read the access key id from this variable (else a prompt)',
      },
      {
        name: 'secret-key-env',
        type: 'string',
        value: 'VAR',
        description: 'With --credentials keychain: read the secret access key from this variable (else a prompt)',
      },
      { name: 'replace', type: 'boolean', description: 'Replace a profile of the same name' },
    ],
    examples: ['signet storage add swr-obs --kind obs --region cn-north-4 --bucket swr-signatures --credentials keychain'],
    async run(ctx) {
      const o = ctx.args.options;
      const kind = (o.kind as StorageKind | undefined) ?? (o.dir ? 'directory' : o.endpoint ? 's3-compatible' : 'aws');
      if (!STORAGE_KINDS.includes(kind)) throw new UsageError(`--kind is one of ${STORAGE_KINDS.join(', ')}.`);
      const source = ctx.args.str('credentials') ?? (kind === 'directory' ? 'none' : 'default');
      if (!['default', 'environment', 'profile', 'keychain', 'none'].includes(source))
        throw new UsageError('--credentials is default, environment, profile or keychain.');
      const secret =
        source === 'keychain'
          ? {
              accessKeyId: await ctx.readSecret('Access key id: ', ctx.args.str('access-key-env')),
              secretAccessKey: await ctx.readSecret('Secret access key: ', ctx.args.str('secret-key-env')),
            }
          : undefined;
      const result = await ctx.call('storage.add', {
        name: ctx.args.pos(0),
        kind,
        ...(o.bucket ? { bucket: ctx.args.req('bucket') } : {}),
        ...(o.prefix ? { prefix: ctx.args.req('prefix') } : {}),
        ...(o.endpoint ? { endpoint: ctx.args.req('endpoint') } : {}),
        ...(o.region ? { region: ctx.args.req('region') } : {}),
        ...(o['path-style'] ? { addressing: 'path' as const } : {}),
        ...(o.dir ? { path: path.resolve(ctx.args.req('dir')) } : {}),
        ...(o['public-url'] ? { publicUrl: ctx.args.req('public-url') } : {}),
        credential: {
          source: source as 'default',
          ...(o['aws-profile'] ? { profile: ctx.args.req('aws-profile') } : {}),
          ...(secret ? { secret } : {}),
        },
        ...(o.replace ? { replace: true } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Saved ${describeProfile(result.value)}`);
      return EXIT_OK;
    },
  },
  {
    name: 'storage list',
    summary: 'The saved storage profiles (no secrets)',
    async run(ctx) {
      const result = await ctx.call('storage.list', {});
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : result.value.map(describeProfile).join('\n') || 'No storage profiles. Add one with `signet storage add`.',
      );
      return EXIT_OK;
    },
  },
  {
    name: 'storage remove',
    summary: 'Forget a storage profile and its keychain entry (the bucket is not touched)',
    positionals: [{ name: 'NAME', description: 'The profile' }],
    async run(ctx) {
      const result = await ctx.call('storage.remove', { name: ctx.args.pos(0) });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value) : 'Removed.');
      return EXIT_OK;
    },
  },
  {
    name: 'storage test',
    summary: 'Test a profile: list, write a probe under .signet-probe/, read it back, delete it',
    positionals: [{ name: 'NAME', description: 'The profile' }],
    options: [{ name: 'list-only', type: 'boolean', description: 'Only list (for read-only credentials)' }],
    async run(ctx) {
      const result = await ctx.call('storage.test', {
        target: { profile: ctx.args.pos(0) },
        ...(ctx.args.options['list-only'] ? { mode: 'list' as const } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else for (const s of result.value.steps) ctx.out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step}${s.detail ? `: ${s.detail}` : ''}`);
      return result.value.ok ? EXIT_OK : EXIT_FAILED;
    },
  },
  {
    name: 'payload',
    summary: 'Build a simple-signing payload byte for byte (atomic for containers/image, or cosign) and print or save it',
    positionals: [{ name: 'REFERENCE', description: 'registry/repository:tag (resolved to its digest) or …@sha256:…' }],
    options: [
      { name: 'type', type: 'string', value: 'atomic|cosign', description: 'Payload type (default atomic)' },
      { name: 'creator', type: 'string', value: 'TEXT', description: 'atomic: optional.creator' },
      { name: 'timestamp', type: 'string', value: 'SECONDS', description: 'atomic: optional.timestamp (seconds since 1970)' },
      { name: 'out', type: 'string', value: 'FILE', description: 'Write the payload bytes to FILE (else stdout)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (o.type && o.type !== 'atomic' && o.type !== 'cosign') throw new UsageError('--type is atomic or cosign.');
      if (o.timestamp && !/^\d{1,12}$/.test(ctx.args.req('timestamp'))) throw new UsageError('--timestamp is whole seconds since 1970.');
      const target = await digestOf(ctx, ctx.args.pos(0));
      const result = await ctx.call('payload.build', {
        reference: target.reference,
        digest: target.digest,
        ...(o.type ? { type: o.type as 'atomic' | 'cosign' } : {}),
        ...(o.creator ? { creator: ctx.args.req('creator') } : {}),
        ...(o.timestamp ? { timestamp: Number(o.timestamp) } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      if (o.out) {
        writeFileSync(ctx.args.req('out'), result.value.text);
        ctx.err(`Wrote ${result.value.size} bytes to ${ctx.args.req('out')} (SHA-256 ${result.value.sha256}).`);
      }
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else if (!o.out) ctx.out(result.value.text);
      return EXIT_OK;
    },
  },
  {
    name: 'asc',
    mayUnlockVault: true,
    summary: 'Sign an image’s payload with an OpenPGP key into a Huawei SWR {sha256}.asc file; save it and/or upload it',
    positionals: [{ name: 'REFERENCE', description: 'registry/namespace/repository:tag or …@sha256:…' }],
    options: [
      { name: 'key', type: 'string', value: 'NAME', description: 'The OpenPGP key to sign with' },
      { name: 'out', type: 'string', value: 'DIR', description: 'Save {sha256}.asc into DIR' },
      { name: 'upload', type: 'string', value: 's3://BUCKET/PREFIX', description: 'Upload to {PREFIX/}{namespace}/{repo}/{sha256}.asc' },
      { name: 'overwrite', type: 'boolean', description: 'Replace an existing .asc object (otherwise refused)' },
      {
        name: 'swr-payload',
        type: 'boolean',
        description:
          'Sign SWR’s payload form: identity namespace/repository, no optional section, byte for byte as its echo command writes it (containers/image does not accept this form)',
      },
      ...TARGET_OPTIONS,
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.key) throw new UsageError('--key is required.');
      if (!o.out && !o.upload && !o['storage-profile'])
        throw new UsageError('Give --out DIR, --upload s3://BUCKET/PREFIX or --storage-profile NAME.');
      const target = o.upload || o['storage-profile'] ? targetFrom(ctx, ctx.args.str('upload')) : undefined;
      const image = await digestOf(ctx, ctx.args.pos(0));
      const made = await ctx.call('payload.sign', {
        reference: image.reference,
        digest: image.digest,
        key: ctx.args.req('key'),
        ...(o['swr-payload'] ? { type: 'swr' as const } : {}),
      });
      if (!made.ok) return reportFailure(ctx, made);
      const out: Record<string, unknown> = {
        objectKey: made.value.objectKey,
        fingerprint: made.value.fingerprint,
        payloadSha256: made.value.payload.sha256,
      };
      if (o.out) {
        mkdirSync(ctx.args.req('out'), { recursive: true });
        const file = path.join(ctx.args.req('out'), made.value.fileName);
        writeFileSync(file, made.value.text, { flag: o.overwrite ? 'w' : 'wx' });
        out.file = file;
        if (!ctx.json) ctx.out(`Saved ${file}`);
      }
      if (target) {
        const put = await ctx.call('storage.upload', {
          target,
          key: made.value.objectKey,
          content: Buffer.from(made.value.text).toString('base64'),
          contentType: 'application/json',
          ...(o.overwrite ? { overwrite: true } : {}),
        });
        if (!put.ok) return reportFailure(ctx, put);
        out.url = put.value.url;
        if (!ctx.json) ctx.out(`Uploaded and read back: ${put.value.url}`);
      }
      if (ctx.json) ctx.out(JSON.stringify(out, null, 2));
      return EXIT_OK;
    },
  },
  {
    name: 'publish',
    summary:
      'Publish a lookaside staging directory to a bucket: uploads what is missing, never overwrites; prints the registries.d snippet',
    positionals: [
      { name: 'STAGING_DIR', description: 'A folder of <repository>@sha256=<hex>/signature-N files' },
      { name: 'DESTINATION', description: 's3://BUCKET/PREFIX (or --storage-profile NAME)', optional: true },
    ],
    options: [
      {
        name: 'scope',
        type: 'string',
        value: 'REGISTRY[/NAMESPACE]',
        description: 'The registries.d scope the snippet names (default: default-docker)',
      },
      { name: 'public-url', type: 'string', value: 'URL', description: 'Where podman reads the published objects (a website or CDN URL)' },
      ...TARGET_OPTIONS,
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const target = { ...targetFrom(ctx, ctx.args.positionals[1]), ...(o['public-url'] ? { publicUrl: ctx.args.req('public-url') } : {}) };
      const result = await ctx.call('storage.publish', {
        directory: path.resolve(ctx.args.pos(0)),
        target,
        ...(o.scope ? { scope: ctx.args.req('scope') } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else {
        ctx.out(
          `Published to ${result.value.target}: ${result.value.uploaded.length} uploaded, ${result.value.identical.length} already there.`,
        );
        for (const i of result.value.ignored) ctx.out(`  skipped ${i.path}: ${i.reason}`);
        ctx.out(`\nPoint podman at it:\n${result.value.registriesD}`);
      }
      return EXIT_OK;
    },
  },
];
