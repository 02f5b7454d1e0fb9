import { readFileSync } from 'node:fs';
import type { VerificationReport } from '../../../../shared/models/signatures';
import { UsageError } from '../args';
import { resolve } from '../resolve';
import { EXIT_FAILED, EXIT_OK, type CommandContext, type CommandSpec } from '../command';

function printReport(ctx: CommandContext, report: VerificationReport): void {
  if (ctx.json) return ctx.out(JSON.stringify(report, null, 2));
  ctx.out(`${report.digest}: ${report.verdict}`);
  for (const s of report.signatures) {
    ctx.out(`  ${s.format} ${s.verdict}${s.signer ? ` by ${s.signer}` : ''}${s.algorithm ? ` (${s.algorithm})` : ''}`);
    for (const c of s.checks) ctx.out(`    ${c.status.padEnd(12)}${c.name}: ${c.reason}`);
  }
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'sign',
    summary: 'Sign an image in cosign format with a Signet key (the tag is resolved once; nothing is signed if it moves)',
    positionals: [{ name: 'REFERENCE', description: 'registry/repository:tag or @sha256:…' }],
    options: [
      { name: 'key', type: 'string', value: 'NAME|KMS-URI|PKCS11-URI', description: 'The Signet key to sign with, a KMS key URI (awskms://…, gcpkms://…, azurekms://…, hashivault://…, tencentkms://…, ocikms://…, huaweikms://…) or a pkcs11: URI' },
      { name: 'pin-env', type: 'string', value: 'VAR', description: 'pkcs11: keys: read the token PIN from this environment variable (else the URI’s pin-source, else a prompt)' },
      { name: 'format', type: 'string', value: 'cosign|simplesigning', description: 'Signature format (default cosign)' },
      { name: 'lookaside', type: 'string', value: 'DIR', description: 'simplesigning: the lookaside directory to store signature-N in' },
      { name: 'annotation', type: 'strings', value: 'KEY=VALUE', description: 'Signed annotation in the payload (repeatable)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.key) throw new UsageError('--key is required.');
      if (o.format && o.format !== 'cosign' && o.format !== 'simplesigning') throw new UsageError('--format must be cosign or simplesigning.');
      if (o.format === 'simplesigning' && !o.lookaside) throw new UsageError('--format simplesigning needs --lookaside DIR.');
      const annotations: Record<string, string> = {};
      for (const pair of (o.annotation as string[] | undefined) ?? []) {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new UsageError(`--annotation takes KEY=VALUE, not ${JSON.stringify(pair)}.`);
        annotations[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const target = await resolve(ctx, ctx.args.positionals[0] as string);
      const key = o.key as string;
      const needsPin = key.startsWith('pkcs11:') && !/[?&]pin-(value|source)=/.test(key);
      const pin = needsPin ? await ctx.readSecret('Token PIN: ', o['pin-env'] as string | undefined) : undefined;
      if (!ctx.json) ctx.err(`Signing ${target.repository}@${target.digest}`);
      const result = await ctx.call('signatures.sign', { id: target.id, repository: target.repository, digest: target.digest, key, ...(pin ? { pin } : {}), ...(o.format ? { format: o.format as 'cosign' | 'simplesigning' } : {}), ...(o.lookaside ? { lookaside: o.lookaside as string } : {}), ...(Object.keys(annotations).length ? { annotations } : {}), ...(target.tag ? { expectedTag: target.tag } : {}) });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      ctx.out(ctx.json ? JSON.stringify({ digest: target.digest, ...result.value }) : `Signed. The signature is at ${result.value.file ?? result.value.tag}.`);
      return EXIT_OK;
    },
  },
  {
    name: 'verify',
    summary: 'Verify an image’s signatures; exits 0 only when one verifies with a trusted key (Signet keys and --pubkey)',
    positionals: [{ name: 'REFERENCE', description: 'registry/repository:tag or @sha256:…' }],
    options: [
      { name: 'pubkey', type: 'strings', value: 'FILE', description: 'Also trust this PEM or armored OpenPGP public key (repeatable)' },
      { name: 'lookaside', type: 'string', value: 'DIR', description: 'Also read simple signatures from this lookaside directory' },
    ],
    async run(ctx) {
      const files = ((ctx.args.options.pubkey as string[] | undefined) ?? []).map((file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          throw new UsageError(`Cannot read ${file}.`);
        }
      });
      const publicKeys = files.filter((t) => t.includes('-----BEGIN PUBLIC KEY-----'));
      const pgpKeys = files.filter((t) => t.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----'));
      if (publicKeys.length + pgpKeys.length !== files.length) throw new UsageError('--pubkey takes PEM public keys or armored OpenPGP public keys.');
      const text = ctx.args.positionals[0] as string;
      const target = await resolve(ctx, text);
      const lookaside = ctx.args.options.lookaside as string | undefined;
      const result = await ctx.call('signatures.verify', { id: target.id, repository: target.repository, digest: target.digest, ...(publicKeys.length ? { publicKeys } : {}), ...(pgpKeys.length ? { pgpKeys } : {}), ...(lookaside ? { lookaside, ...(target.tag ? { reference: text } : {}) } : {}) });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      printReport(ctx, result.value);
      return result.value.verdict === 'verified' ? EXIT_OK : EXIT_FAILED;
    },
  },
  {
    name: 'signatures',
    summary: 'List an image’s signatures with every check (exit 0 whatever the verdict)',
    positionals: [{ name: 'REFERENCE', description: 'registry/repository:tag or @sha256:…' }],
    options: [{ name: 'lookaside', type: 'string', value: 'DIR', description: 'Also read simple signatures from this lookaside directory' }],
    async run(ctx) {
      const target = await resolve(ctx, ctx.args.positionals[0] as string);
      const lookaside = ctx.args.options.lookaside as string | undefined;
      const result = await ctx.call('signatures.verify', { id: target.id, repository: target.repository, digest: target.digest, ...(lookaside ? { lookaside } : {}) });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      printReport(ctx, result.value);
      return EXIT_OK;
    },
  },
];
