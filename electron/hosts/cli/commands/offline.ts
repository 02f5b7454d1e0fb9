import { existsSync } from 'node:fs';
import { MAX_BUNDLE_BYTES } from '../../../core/offline/check';
import { MAX_REQUEST_BYTES } from '../../../core/offline/request';
import { writeFileAtomic } from '../../../core/storage/atomic';
import type { RequestedSigner } from '../../../../shared/models/offline';
import { UsageError } from '../args';
import { readInputFile } from '../read-input';
import { parseImage } from '../resolve';
import { targetFrom } from './storage';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';

const FORMATS = ['cosign', 'simplesigning', 'asc', 'notation'] as const;

function readFile(path: string, what: 'request' | 'bundle'): string {
  return readInputFile(path, `The ${what}`, what === 'request' ? MAX_REQUEST_BYTES : MAX_BUNDLE_BYTES).toString('base64');
}

async function writeNew(ctx: CommandContext, path: string, bytes: Buffer): Promise<void> {
  if (existsSync(path))
    throw new UsageError(`${path} exists already; choose another --out (Signet never overwrites request or bundle files).`);
  await writeFileAtomic(path, bytes);
  ctx.err(`Wrote ${path}`);
}

const failed = reportFailure;

/** --key for a request: a SPKI SHA-256, an OpenPGP fingerprint, a KMS/PKCS#11 URI, or the name of a local key. */
async function requestedSigner(ctx: CommandContext, key: string): Promise<RequestedSigner> {
  if (/^[0-9a-f]{64}$/i.test(key)) return { kind: 'spki-sha256', value: key.toLowerCase() };
  if (/^[0-9a-f]{40}$/i.test(key)) return { kind: 'pgp-fingerprint', value: key.toUpperCase() };
  if (/^[a-z0-9]+:\/\//.test(key) || key.startsWith('pkcs11:')) return { kind: 'uri', value: key };
  const local = await ctx.call('keys.get', { key });
  if (!local.ok)
    throw new UsageError(
      `--key must be a SPKI SHA-256, an OpenPGP fingerprint, a KMS or pkcs11: URI, or a local key's name (${local.message})`,
    );
  if (local.value.info.pgpFingerprint) return { kind: 'pgp-fingerprint', value: local.value.info.pgpFingerprint };
  return { kind: 'spki-sha256', value: local.value.info.spkiSha256 as string };
}

/** The offline commands work on registry images only; a malformed one is a usage error before anything is written. */
function checkRegistryImages(references: readonly string[]): void {
  for (const text of references) {
    if (text.startsWith('oci:'))
      throw new UsageError(
        `${text}: offline requests and exports name registry images (host/repo:tag or host/repo@sha256:…); an OCI layout is already offline.`,
      );
    parseImage(text);
  }
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'offline request',
    summary: 'On the connected machine: resolve images once and write a signing request with the exact payloads to sign',
    positionals: [{ name: 'REFERENCE', description: 'registry/repository:tag or @sha256:… (several allowed)', variadic: true }],
    options: [
      { name: 'key', type: 'string', value: 'FINGERPRINT|URI|NAME', description: 'The key that must sign' },
      {
        name: 'format',
        type: 'strings',
        value: 'cosign|simplesigning|asc|notation',
        description:
          'Signature format (repeatable; default cosign, or simplesigning for an OpenPGP key; notation needs a key with an X.509 chain)',
      },
      { name: 'envelope', type: 'string', value: 'jws|cose', description: 'notation: the envelope (default jws)' },
      {
        name: 'chain',
        type: 'string',
        value: 'FILE',
        description: 'notation: the signing key’s X.509 chain, PEM leaf first (`signet key export KEY --format x509` on the station)',
      },
      { name: 'out', type: 'string', value: 'FILE', description: 'Where to write the request' },
      { name: 'index-only', type: 'boolean', description: 'Sign a multi-platform index without its platform manifests' },
      { name: 'note', type: 'string', value: 'TEXT', description: 'A note for the officer who signs' },
      {
        name: 'description',
        type: 'string',
        value: 'TEXT',
        description: 'A description signed into every payload (as signet sign --description)',
      },
      {
        name: 'metadata',
        type: 'string',
        value: 'JSON',
        description: 'A JSON object signed into every payload (as signet sign --metadata)',
      },
    ],
    examples: ['signet offline request registry.example.com/app:1.0 --key release-key --out app-1.0.request.json'],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.key || !o.out) throw new UsageError('--key and --out are required.');
      const signer = await requestedSigner(ctx, ctx.args.req('key'));
      const formats = (ctx.args.list('format') ?? [signer.kind === 'pgp-fingerprint' ? 'simplesigning' : 'cosign']) as Array<
        (typeof FORMATS)[number]
      >;
      for (const f of formats)
        if (!FORMATS.includes(f))
          throw new UsageError(`--format must be cosign, simplesigning, asc or notation, not ${JSON.stringify(f)}.`);
      if (o.envelope && o.envelope !== 'jws' && o.envelope !== 'cose') throw new UsageError('--envelope must be jws or cose.');
      checkRegistryImages(ctx.args.positionals);
      const result = await ctx.call('offline.createRequest', {
        references: ctx.args.positionals,
        signer,
        formats,
        ...(o.envelope ? { envelope: o.envelope as 'jws' | 'cose' } : {}),
        ...(o.chain ? { chain: readInputFile(ctx.args.req('chain'), 'The certificate chain').toString('utf8') } : {}),
        ...(o['index-only'] ? { indexOnly: true } : {}),
        ...(o.note ? { note: ctx.args.req('note') } : {}),
        ...(o.description !== undefined ? { description: ctx.args.req('description') } : {}),
        ...(o.metadata !== undefined ? { metadata: ctx.args.req('metadata') } : {}),
      });
      if (!result.ok) return failed(ctx, result);
      await writeNew(ctx, ctx.args.req('out'), Buffer.from(result.value.request, 'base64'));
      ctx.out(ctx.json ? JSON.stringify({ sha256: result.value.sha256, items: result.value.items, out: o.out }) : result.value.summary);
      return EXIT_OK;
    },
  },
  {
    name: 'offline sign',
    mayUnlockVault: true,
    summary:
      'On the offline station: show a request, sign the approved items over their exact bytes, write a bundle (offline mode on, or --allow-online)',
    positionals: [{ name: 'REQUEST', description: 'The request file' }],
    options: [
      { name: 'key', type: 'string', value: 'NAME|KMS-URI', description: 'The local key, or a KMS key URI, to sign with' },
      { name: 'out', type: 'string', value: 'BUNDLE', description: 'Where to write the signature bundle' },
      { name: 'approve', type: 'string', value: 'IDS', description: 'Only these item ids, comma-separated (default: all after review)' },
      { name: 'yes', type: 'boolean', description: 'Do not ask for confirmation after showing the request' },
      { name: 'allow-online', type: 'boolean', description: 'Sign although offline mode is off (the bundle and the audit log record it)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.key || !o.out) throw new UsageError('--key and --out are required.');
      const request = readFile(ctx.args.pos(0), 'request');
      const shown = await ctx.call('offline.inspectRequest', { request });
      if (!shown.ok) return failed(ctx, shown);
      if (!ctx.json) ctx.err(shown.value.summary);
      if (!o.yes) {
        const answer = await ctx.confirm('Sign these items? Type "sign" to go on: ', 'pass --yes after reading the request');
        if (answer.trim() !== 'sign') {
          ctx.err('Nothing signed.');
          return EXIT_FAILED;
        }
      }
      const approved = ctx.args
        .str('approve')
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const result = await ctx.call('offline.sign', {
        request,
        key: ctx.args.req('key'),
        ...(approved ? { approved } : {}),
        ...(o['allow-online'] ? { allowOnline: true } : {}),
      });
      if (!result.ok) return failed(ctx, result);
      await writeNew(ctx, ctx.args.req('out'), Buffer.from(result.value.bundle, 'base64'));
      ctx.out(
        ctx.json
          ? JSON.stringify({ sha256: result.value.sha256, signed: result.value.signed, declined: result.value.declined, out: o.out })
          : `Signed ${result.value.signed} item(s), declined ${result.value.declined}. Bundle SHA-256 ${result.value.sha256}.`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'offline check',
    summary: 'On the connected machine: check that a bundle answers a request, with the key it named, every signature over its exact bytes',
    positionals: [
      { name: 'REQUEST', description: 'The request file' },
      { name: 'BUNDLE', description: 'The bundle file' },
    ],
    async run(ctx) {
      const [requestPath, bundlePath] = ctx.args.positionals as [string, string];
      const result = await ctx.call('offline.checkBundle', {
        request: readFile(requestPath, 'request'),
        bundle: readFile(bundlePath, 'bundle'),
      });
      if (!result.ok) return failed(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : `The bundle answers this request: ${result.value.signatures.length} signature(s) by ${result.value.signer.fingerprint} verify over their payloads; ${result.value.declined.length} item(s) declined.${stationNote(result.value.station)}`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'offline attach',
    summary: 'On the connected machine: check a bundle against its request and the registry, then attach its signatures',
    positionals: [{ name: 'BUNDLE', description: 'The bundle file' }],
    options: [
      { name: 'request', type: 'string', value: 'FILE', description: 'The request the bundle answers' },
      { name: 'lookaside', type: 'string', value: 'DIR', description: 'Where simple signatures go (signature-N files)' },
      {
        name: 'asc-upload',
        type: 'string',
        value: 's3://BUCKET/PREFIX',
        description: 'Where .asc files go ({namespace}/{repo}/{sha256}.asc under PREFIX)',
      },
      { name: 'storage-profile', type: 'string', value: 'NAME', description: 'A saved storage profile for .asc files' },
      { name: 'endpoint', type: 'string', value: 'URL', description: 'With --asc-upload: the S3/OBS endpoint' },
      { name: 'region', type: 'string', value: 'REGION', description: 'With --asc-upload: the bucket region' },
      { name: 'storage-kind', type: 'string', value: 'aws|obs|s3-compatible', description: 'With --asc-upload: the kind of bucket' },
      { name: 'path-style', type: 'boolean', description: 'With --asc-upload: path-style addressing' },
    ],
    async run(ctx) {
      const requestPath = ctx.args.str('request');
      if (!requestPath) throw new UsageError('--request is required: the bundle is checked against the request it answers.');
      const lookaside = ctx.args.str('lookaside');
      const o = ctx.args.options;
      const asc = o['asc-upload'] || o['storage-profile'] ? targetFrom(ctx, ctx.args.str('asc-upload')) : undefined;
      const result = await ctx.call('offline.attach', {
        request: readFile(requestPath, 'request'),
        bundle: readFile(ctx.args.pos(0), 'bundle'),
        ...(lookaside ? { lookaside } : {}),
        ...(asc ? { asc } : {}),
      });
      if (!result.ok) return failed(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else
        for (const o of result.value.outcomes)
          ctx.out(
            `${o.itemId.padStart(3)}  ${o.result.padEnd(16)}${o.reference}${o.format !== 'cosign' ? ` (${o.format})` : ''}  ${o.detail}`,
          );
      return result.value.outcomes.some((o) => o.result === 'not-attached') ? EXIT_FAILED : EXIT_OK;
    },
  },
  {
    name: 'offline export',
    summary: 'Export images and their cosign signatures, byte-exact, to an OCI layout directory or .tar for the other side',
    positionals: [{ name: 'REFERENCE', description: 'registry/repository:tag (several allowed)', variadic: true }],
    options: [{ name: 'out', type: 'string', value: 'DIR|FILE.tar', description: 'Where to write the layout' }],
    async run(ctx) {
      const out = ctx.args.str('out');
      if (!out) throw new UsageError('--out is required.');
      checkRegistryImages(ctx.args.positionals);
      const result = await ctx.call('offline.export', { references: ctx.args.positionals, out });
      if (!result.ok) return failed(ctx, result);
      const v = result.value;
      ctx.out(
        ctx.json
          ? JSON.stringify(v)
          : `Exported to ${v.out}: ${v.images} image(s), ${v.platformManifests} platform manifest(s), ${v.signatures} signature(s).`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'offline import',
    summary: 'Import every image of an OCI layout (directory or .tar) with its signatures into a registry, byte-exact',
    positionals: [{ name: 'LAYOUT', description: 'Layout directory or .tar' }],
    options: [{ name: 'registry', type: 'string', value: 'HOST', description: 'The registry to import into' }],
    async run(ctx) {
      const registry = ctx.args.str('registry');
      if (!registry) throw new UsageError('--registry is required.');
      const result = await ctx.call('offline.import', { layout: ctx.args.pos(0), registry });
      if (!result.ok) return failed(ctx, result);
      const v = result.value;
      ctx.out(
        ctx.json
          ? JSON.stringify(v)
          : `Imported ${v.images} image(s), ${v.platformManifests} platform manifest(s), ${v.signatures} signature(s) into ${registry}.`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'offline mode',
    summary: 'Turn offline mode on or off, or show it: when on, Signet opens no network connection at all',
    positionals: [{ name: 'on|off|status', description: 'What to do (default: status)', optional: true }],
    examples: ['signet offline mode on', 'signet offline mode status --json'],
    async run(ctx) {
      const action = ctx.args.positionals[0] ?? 'status';
      if (!['on', 'off', 'status'].includes(action)) throw new UsageError(`Expected on, off or status, not ${JSON.stringify(action)}.`);
      const result =
        action === 'status' ? await ctx.call('settings.get', {}) : await ctx.call('settings.set', { offlineMode: action === 'on' });
      if (!result.ok) return failed(ctx, result);
      const on = result.value.offlineMode;
      ctx.out(
        ctx.json ? JSON.stringify({ offlineMode: on }) : `Offline mode is ${on ? 'on: Signet makes no network connections.' : 'off.'}`,
      );
      return EXIT_OK;
    },
  },
];

/** What the bundle says of the station: signed with offline mode off is worth a second look. */
function stationNote(station: { offlineMode: boolean; override: boolean } | undefined): string {
  if (!station) return '\nThe bundle does not say whether the station was in offline mode (made by an older Signet).';
  return station.offlineMode
    ? '\nThe station signed with offline mode on.'
    : '\nWarning: the station signed with offline mode OFF, by explicit override.';
}
