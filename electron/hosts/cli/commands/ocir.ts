import type { OcirSignature } from '../../../../shared/contract/ocir';
import { UNSIGNED_TAGS_NOTE } from '../../../../shared/models/signature-tags';
import { UsageError } from '../args';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';
import { locate, REFERENCE_HELP, resolve } from '../resolve';

/** The image a REF names: a digest is taken as it is (OCIR keys signatures by digest); a tag is resolved at the registry. */
async function imageOf(ctx: CommandContext): Promise<{ id: string; repository: string; digest: string }> {
  const text = ctx.args.pos(0);
  const at = await locate(ctx, text);
  if (at.digest) return { id: at.id, repository: at.repository, digest: at.digest };
  const resolved = await resolve(ctx, text);
  return { id: resolved.id, repository: resolved.repository, digest: resolved.digest };
}

const REF = { name: 'REFERENCE', description: `${REFERENCE_HELP} on a registry marked as OCIR (signet registry edit ID --ocir-profile …)` };
const SIGNATURE = {
  name: 'signature',
  type: 'string',
  value: 'OCID',
  description: 'The signature’s OCID (ocid1.containerimagesignature…), as `signet ocir list` shows it',
} as const;

function pairs(list: readonly string[] | undefined, flag: string): Array<[string, string]> {
  return (list ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`${flag} takes KEY=VALUE, not ${JSON.stringify(pair)}.`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/** VERIFIED only when the signature verifies and its key is trusted for the image now. */
function verdictWords(s: OcirSignature): string {
  if (s.verdict.status !== 'valid') return s.verdict.status.toUpperCase();
  return s.trust.status === 'trusted' ? 'VERIFIED' : 'SIGNED, NOT TRUSTED';
}

function describeSignature(s: OcirSignature): string {
  const tags = Object.entries(s.freeformTags).map(([k, v]) => `${k}=${v}`);
  for (const [ns, values] of Object.entries(s.definedTags))
    for (const [k, v] of Object.entries(values)) tags.push(`${ns}.${k}=${String(v)}`);
  return [
    `${s.id}`,
    `  ${verdictWords(s)} (${s.verdict.reason}): ${s.verdict.detail}`,
    ...(s.trust.status !== 'not-checked' ? [`  trust: ${s.trust.detail}`] : []),
    ...(s.kmsVerdict ? [`  OCI Vault verify: ${s.kmsVerdict.status} — ${s.kmsVerdict.detail}`] : []),
    `  date ${s.timeCreated} (seen at the registry)  algorithm ${s.algorithm}`,
    `  key ${s.kmsKeyId}`,
    `  key version ${s.kmsKeyVersionId}`,
    ...(s.description !== undefined ? [`  description ${JSON.stringify(s.description)}`] : []),
    ...(s.metadata ? [`  metadata ${JSON.stringify(s.metadata)}`] : []),
    ...(tags.length ? [`  tags (${UNSIGNED_TAGS_NOTE}): ${tags.join(', ')}`] : []),
  ].join('\n');
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'ocir list',
    summary:
      'OCIR’s own image signatures of an image: key, key version, algorithm, date, description and metadata from the signed message, tags, and a local verdict',
    positionals: [REF],
    options: [
      {
        name: 'vault-host',
        type: 'string',
        value: 'HOST',
        description: 'The OCI Vault crypto endpoint host, to read the key versions’ public keys when no Signet key names the key',
      },
      { name: 'kms-verify', type: 'boolean', description: 'Also ask OCI Vault’s verify for each signature (as OCIR’s get-verify does)' },
    ],
    examples: ['signet ocir list iad.ocir.io/mytenancy/app:1.0', 'signet ocir list iad.ocir.io/mytenancy/app@sha256:… --json'],
    async run(ctx) {
      const image = await imageOf(ctx);
      const vaultHost = ctx.args.str('vault-host');
      const result = await ctx.call('ocir.list', {
        ...image,
        ...(vaultHost ? { vaultHost } : {}),
        ...(ctx.args.options['kms-verify'] ? { kmsVerify: true } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else {
        const { signatures } = result.value;
        ctx.out(
          `${signatures.length} OCIR signature${signatures.length === 1 ? '' : 's'} of ${result.value.repositoryName}@${image.digest} (${result.value.region})${result.value.complete ? '' : ', list cut short'}`,
        );
        for (const s of signatures) ctx.out(describeSignature(s));
      }
      return result.value.signatures.some((s) => s.verdict.status === 'invalid') ? EXIT_FAILED : EXIT_OK;
    },
  },
  {
    name: 'ocir sign',
    summary: 'Sign an image for OCIR as `oci artifacts container image-signature sign-upload` does, with an OCI Vault key version; audited',
    positionals: [REF],
    options: [
      { name: 'key', type: 'string', value: 'URI', description: 'ocikms://CRYPTO-HOST/KEY-OCID[/VERSION-OCID]' },
      {
        name: 'algorithm',
        type: 'string',
        value: 'ALG',
        description: 'SHA_224_RSA_PKCS_PSS, SHA_256_RSA_PKCS_PSS (default), SHA_384_RSA_PKCS_PSS or SHA_512_RSA_PKCS_PSS',
      },
      { name: 'description', type: 'string', value: 'TEXT', description: 'Signed into the message' },
      { name: 'metadata', type: 'string', value: 'JSON', description: 'A JSON object of strings, signed into the message' },
      { name: 'connection', type: 'string', value: 'NAME', description: 'The KMS connection to sign through' },
    ],
    examples: [
      'signet ocir sign iad.ocir.io/mytenancy/app:1.0 --key ocikms://…-crypto.kms.us-ashburn-1.oraclecloud.com/ocid1.key…/ocid1.keyversion… --description "release 1.0" --metadata \'{"buildNumber":"123"}\'',
    ],
    async run(ctx) {
      const key = ctx.args.str('key');
      if (!key) throw new UsageError('--key ocikms://… is required.');
      let metadata: Record<string, string> | undefined;
      const text = ctx.args.str('metadata');
      if (text !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new UsageError('--metadata takes a JSON object, e.g. {"buildNumber":"123"}.');
        }
        if (
          typeof parsed !== 'object' ||
          parsed === null ||
          Array.isArray(parsed) ||
          Object.values(parsed).some((v) => typeof v !== 'string')
        )
          throw new UsageError('--metadata takes a JSON object of strings.');
        metadata = parsed as Record<string, string>;
      }
      const algorithm = ctx.args.str('algorithm');
      const description = ctx.args.str('description');
      const connection = ctx.args.str('connection');
      const image = await imageOf(ctx);
      const result = await ctx.call('ocir.sign', {
        ...image,
        key,
        ...(algorithm ? { algorithm: algorithm as 'SHA_256_RSA_PKCS_PSS' } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(metadata ? { metadata } : {}),
        ...(connection ? { connection } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Signed for OCIR:\n${describeSignature(result.value)}`);
      return EXIT_OK;
    },
  },
  {
    name: 'ocir tag',
    summary: 'Add or remove tags of an OCIR image signature: key=value (free-form), namespace.key=value (defined); unsigned; audited',
    positionals: [REF],
    options: [
      SIGNATURE,
      {
        name: 'add',
        type: 'strings',
        value: 'KEY=VALUE',
        description: 'Add or change a tag (repeatable); namespace.key=value for a defined tag',
      },
      { name: 'remove', type: 'strings', value: 'KEY', description: 'Remove a tag (repeatable); namespace.key for a defined tag' },
    ],
    examples: [
      'signet ocir tag iad.ocir.io/mytenancy/app:1.0 --signature ocid1.containerimagesignature… --add stage=prod --add Ops.CostCenter=42',
    ],
    async run(ctx) {
      const signature = ctx.args.str('signature');
      if (!signature) throw new UsageError('--signature OCID is required.');
      const setFreeform: Record<string, string> = {};
      const setDefined: Record<string, Record<string, string>> = {};
      for (const [k, v] of pairs(ctx.args.list('add'), '--add')) {
        const dot = k.indexOf('.');
        if (dot === -1) setFreeform[k] = v;
        else (setDefined[k.slice(0, dot)] ??= {})[k.slice(dot + 1)] = v;
      }
      const removes = ctx.args.list('remove') ?? [];
      const removeFreeform = removes.filter((k) => !k.includes('.'));
      const removeDefined = removes.filter((k) => k.includes('.'));
      if (!Object.keys(setFreeform).length && !Object.keys(setDefined).length && !removes.length)
        throw new UsageError('Nothing to change: give --add KEY=VALUE or --remove KEY.');
      const image = await imageOf(ctx);
      const result = await ctx.call('ocir.tag', {
        ...image,
        signature,
        ...(Object.keys(setFreeform).length ? { setFreeform } : {}),
        ...(Object.keys(setDefined).length ? { setDefined } : {}),
        ...(removeFreeform.length ? { removeFreeform } : {}),
        ...(removeDefined.length ? { removeDefined } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else {
        const tags = Object.entries(result.value.freeformTags).map(([k, v]) => `${k}=${v}`);
        for (const [ns, values] of Object.entries(result.value.definedTags))
          for (const [k, v] of Object.entries(values)) tags.push(`${ns}.${k}=${String(v)}`);
        ctx.out(tags.length ? `Tags (${UNSIGNED_TAGS_NOTE}):\n${tags.map((t) => `  ${t}`).join('\n')}` : 'No tags.');
      }
      return EXIT_OK;
    },
  },
  {
    name: 'ocir delete',
    summary: 'Delete one OCIR image signature of this image (asks for its OCID unless --yes); audited',
    positionals: [REF],
    options: [SIGNATURE, { name: 'yes', type: 'boolean', description: 'Do not ask for the OCID to confirm' }],
    examples: ['signet ocir delete iad.ocir.io/mytenancy/app:1.0 --signature ocid1.containerimagesignature…'],
    async run(ctx) {
      const signature = ctx.args.str('signature');
      if (!signature) throw new UsageError('--signature OCID is required.');
      const image = await imageOf(ctx);
      if (!ctx.args.options.yes) {
        const answer = await ctx.confirm(`Type the signature OCID (${signature}) to delete it: `, 'pass --yes');
        if (answer.trim() !== signature) {
          ctx.err('Nothing deleted.');
          return EXIT_FAILED;
        }
      }
      const result = await ctx.call('ocir.delete', { ...image, signature });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value) : `Deleted ${result.value.deleted}.`);
      return EXIT_OK;
    },
  },
];
