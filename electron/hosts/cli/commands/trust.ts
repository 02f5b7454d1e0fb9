import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TrustMigrationNote } from '../../../../shared/contract/trust';
import { ADMISSION_TARGETS, type AdmissionTarget, type PolicyEvaluation, type TrustEntrySummary } from '../../../../shared/models/trust';
import { UsageError } from '../args';
import { readInputFile } from '../read-input';
import { looksLikeKeyUri } from '../../../../shared/models/kms';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';
import { locate, REFERENCE_HELP } from '../resolve';

function readText(file: string, what: string): string {
  return readInputFile(file, what).toString('utf8');
}

function describeEntry(e: TrustEntrySummary & { signetKey?: { id: string; name: string } }): string {
  const window =
    e.notAfter || e.notBefore
      ? ` (trusted for signatures${e.notBefore ? ` from ${e.notBefore}` : ''}${e.notAfter ? ` before ${e.notAfter}` : ''})`
      : '';
  return `${e.id}\t${e.kind}\t${e.name}\t${e.fingerprint}${e.userIds?.length ? `\t${e.userIds.join(', ')}` : ''}${window}${e.scopes?.length ? `\tscopes: ${e.scopes.join(', ')}` : ''}${e.stores?.length ? `\tstores: ${e.stores.join(', ')}` : ''}${e.signetKey ? `\tSignet key "${e.signetKey.name}"` : ''}`;
}

/** The migration note, for stderr: what earlier versions trusted implicitly and is now explicit. */
export function migrationNoteText(note: TrustMigrationNote): string {
  const lines = [`note: ${note.message}`];
  for (const e of note.entries) lines.push(`  ${e.entryId}\t"${e.entryName}"\t(Signet key "${e.keyName}")`);
  for (const p of note.pending)
    lines.push(`  not yet: Signet key "${p.keyName}": ${p.reason} It is trusted as soon as the vault is unlocked.`);
  for (const s of note.skipped) lines.push(`  not trusted: Signet key "${s.keyName}": ${s.reason}`);
  lines.push('  Remove an entry with `signet trust remove ID`; dismiss this note with `signet trust ack-migration`.');
  return lines.join('\n');
}

function dateOption(v: unknown, option: string): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v as string);
  if (Number.isNaN(t)) throw new UsageError(`--${option} takes a date such as 2027-01-01 or 2027-01-01T00:00:00Z.`);
  return new Date(t).toISOString();
}

function printEvaluation(ctx: CommandContext, result: PolicyEvaluation): void {
  if (ctx.json) return ctx.out(JSON.stringify(result, null, 2));
  ctx.out(`${result.allowed ? 'ADMITTED' : 'REJECTED'} ${result.transport}:${result.identity}`);
  ctx.out(`  policy section: ${result.section.scope ? `${result.section.kind} "${result.section.scope}"` : result.section.kind}`);
  for (const r of result.requirements) {
    ctx.out(`  ${r.outcome.padEnd(14)}${r.type}: ${r.reason}`);
    for (const s of r.signatures) ctx.out(`      ${s.outcome.padEnd(9)}${s.source}: ${s.reason}`);
  }
  ctx.out(`  ${result.reason}`);
}

/** Kyverno, policy-controller or KBS files: printed, or written under --out, with how to apply them. */
async function exportAdmission(ctx: CommandContext, target: AdmissionTarget): Promise<number> {
  const scopes = ctx.args.list('scope');
  const result = await ctx.call('trust.exportAdmission', {
    for: target,
    ...(scopes?.length ? { scopes } : {}),
    ...(ctx.args.options.audit ? { failureAction: 'Audit' as const } : {}),
  });
  if (!result.ok) return reportFailure(ctx, result);
  for (const w of result.value.warnings) ctx.err(`warning: ${w}`);
  if (!result.value.files.length) throw new UsageError('The trust store has no key these controllers can use (for the scopes given).');
  const out = ctx.args.str('out');
  if (out) {
    for (const f of result.value.files) {
      const file = path.join(out, ...f.path.split('/'));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, f.content);
    }
  }
  if (ctx.json)
    ctx.out(JSON.stringify(out ? { out, files: result.value.files.map((f) => f.path), notes: result.value.notes } : result.value, null, 2));
  else {
    if (out) ctx.out(`Wrote ${result.value.files.map((f) => f.path).join(', ')} into ${out}.`);
    else for (const f of result.value.files) ctx.out(result.value.files.length > 1 ? `# ${f.path}\n${f.content}` : f.content.trimEnd());
    ctx.err(result.value.notes.map((n) => `note: ${n}`).join('\n'));
  }
  return EXIT_OK;
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'trust add',
    summary: 'Trust a public key (PEM or DER), an OpenPGP public key (armored or binary), a certificate, or a KMS key by URI',
    positionals: [
      {
        name: 'FILE|KMS-URI',
        description: 'The key or certificate file, or a KMS key URI (awskms://…, ocikms://…): its public key is read from the KMS',
      },
    ],
    options: [
      { name: 'name', type: 'string', value: 'NAME', description: 'A name people recognise (default: the file name)' },
      { name: 'not-after', type: 'string', value: 'DATE', description: 'Trusted only for signatures made before this date (ISO 8601)' },
      { name: 'not-before', type: 'string', value: 'DATE', description: 'Trusted only for signatures made from this date' },
      {
        name: 'scope',
        type: 'strings',
        value: 'REGISTRY[/NS[/REPO]]',
        description: 'Trust (and export) this key for these scopes only (repeatable)',
      },
      { name: 'leaf', type: 'boolean', description: 'The file is a leaf certificate: trust only its key, not as a CA (use with care)' },
      {
        name: 'store',
        type: 'strings',
        value: 'ca:NAME|signingAuthority:NAME|tsa:NAME',
        description: 'Put the certificate in this Notation named trust store (repeatable; a certificate trusted already joins it)',
      },
    ],
    examples: ['signet trust add e2e.crt --store ca:e2e'],
    async run(ctx) {
      const o = ctx.args.options;
      const file = ctx.args.pos(0);
      const notAfter = dateOption(o['not-after'], 'not-after');
      const notBefore = dateOption(o['not-before'], 'not-before');
      let material: { data: string; encoding?: 'base64' };
      if (looksLikeKeyUri(file)) {
        // A KMS key URI: trust the public key the KMS holds for it.
        const kms = await ctx.call('kms.publicKey', { key: file });
        if (!kms.ok) return reportFailure(ctx, kms);
        material = { data: kms.value.publicKeyPem };
      } else {
        const bytes = readInputFile(file, 'the key file');
        // Binary material (gpg --export without --armor, DER) travels as base64; the core converts it.
        const binary = bytes.length > 0 && ((bytes[0]! & 0x80) !== 0 || bytes.includes(0));
        material = binary ? { data: bytes.toString('base64'), encoding: 'base64' } : { data: bytes.toString('utf8') };
      }
      const result = await ctx.call('trust.add', {
        name: ctx.args.str('name') ?? (looksLikeKeyUri(file) ? file.replace(/^[a-z]+:\/\//, '').slice(-100) : path.basename(file)),
        ...material,
        ...(notAfter ? { notAfter } : {}),
        ...(notBefore ? { notBefore } : {}),
        ...(ctx.args.list('scope')?.length ? { scopes: ctx.args.list('scope') ?? [] } : {}),
        ...(o.leaf ? { leaf: true } : {}),
        ...(ctx.args.list('store')?.length ? { stores: ctx.args.list('store') ?? [] } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Trusted: ${describeEntry(result.value)}`);
      return EXIT_OK;
    },
  },
  {
    name: 'trust list',
    summary: 'The trust store and the imported policies',
    async run(ctx) {
      const result = await ctx.call('trust.list', {});
      if (!result.ok) return reportFailure(ctx, result);
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else {
        if (result.value.migration) ctx.err(migrationNoteText(result.value.migration));
        ctx.out(
          result.value.entries.map(describeEntry).join('\n') ||
            'The trust store is empty. Add keys with `signet trust add FILE`, or one of Signet’s keys with `signet trust add-key NAME`.',
        );
        for (const p of result.value.policies) ctx.out(`policy ${p.id}\t${p.name}\t${p.sections.join('; ')}`);
      }
      return EXIT_OK;
    },
  },
  {
    name: 'trust add-key',
    summary: 'Trust one of Signet’s own keys for verification (its public key becomes a trust entry)',
    positionals: [{ name: 'KEY', description: 'The Signet key’s name or id' }],
    options: [
      { name: 'name', type: 'string', value: 'NAME', description: 'The trust entry’s name (default: the key’s name)' },
      { name: 'not-after', type: 'string', value: 'DATE', description: 'Trusted only for signatures made before this date (ISO 8601)' },
      { name: 'not-before', type: 'string', value: 'DATE', description: 'Trusted only for signatures made from this date' },
      { name: 'scope', type: 'strings', value: 'REGISTRY[/NS[/REPO]]', description: 'Export this key for these scopes only (repeatable)' },
    ],
    examples: ['signet trust add-key release --not-after 2028-01-01'],
    async run(ctx) {
      const o = ctx.args.options;
      const notAfter = dateOption(o['not-after'], 'not-after');
      const notBefore = dateOption(o['not-before'], 'not-before');
      const result = await ctx.call('trust.addKey', {
        key: ctx.args.pos(0),
        ...(o.name ? { name: ctx.args.req('name') } : {}),
        ...(notAfter ? { notAfter } : {}),
        ...(notBefore ? { notBefore } : {}),
        ...(ctx.args.list('scope')?.length ? { scopes: ctx.args.list('scope') ?? [] } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Trusted: ${describeEntry(result.value)}`);
      return EXIT_OK;
    },
  },
  {
    name: 'trust ack-migration',
    summary: 'Dismiss the note on keys that earlier versions trusted implicitly (now explicit trust entries)',
    async run(ctx) {
      const result = await ctx.call('trust.ackMigration', {});
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value)
          : result.value.acknowledged
            ? 'Dismissed the note. The migrated entries stay trusted until you remove them.'
            : 'There was no note to dismiss.',
      );
      return EXIT_OK;
    },
  },
  {
    name: 'trust remove',
    summary: 'Stop trusting a key, or forget an imported policy',
    positionals: [{ name: 'ID', description: 'The entry or policy id (see `signet trust list`)' }],
    async run(ctx) {
      const result = await ctx.call('trust.remove', { id: ctx.args.pos(0) });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value) : `Removed ${result.value.kind} ${result.value.removed}.`);
      return EXIT_OK;
    },
  },
  {
    name: 'policy import',
    summary:
      'Import a containers policy.json (checked strictly, as podman reads it) or a Notation trust policy (checked as notation checks it)',
    positionals: [{ name: 'FILE', description: 'policy.json or trustpolicy.json' }],
    options: [{ name: 'name', type: 'string', value: 'NAME', description: 'A name for it (default: the file name)' }],
    async run(ctx) {
      const file = ctx.args.pos(0);
      const result = await ctx.call('trust.importPolicy', {
        name: ctx.args.str('name') ?? path.basename(file),
        policy: readText(file, 'the policy'),
      });
      if (!result.ok) return reportFailure(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Imported ${result.value.id}: ${result.value.sections.join('; ')}`);
      return EXIT_OK;
    },
  },
  {
    name: 'policy export',
    summary:
      'Write the admission policy that trusts exactly the trust store: containers policy.json (default), Kyverno, policy-controller or a CoCo KBS tree',
    options: [
      {
        name: 'for',
        type: 'string',
        value: `containers|${ADMISSION_TARGETS.join('|')}`,
        description: 'Which admission controller (default containers: podman, CRI-O, skopeo); notation: see policy export-notation',
      },
      {
        name: 'scope',
        type: 'strings',
        value: 'REGISTRY[/NS[/REPO]]',
        description: 'Kubernetes and KBS targets: only keys trusted for these scopes (repeatable)',
      },
      {
        name: 'audit',
        type: 'boolean',
        description: 'Kubernetes targets: report violations instead of denying (Kyverno failureAction Audit, policy-controller mode warn)',
      },
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        description: 'Write policy.json, registries.d/signet.yaml and keys/ here (else print the policy)',
      },
      {
        name: 'key-dir',
        type: 'string',
        value: 'DIR',
        description: 'Where the key files will live on the target machine (default /etc/containers/keys/signet)',
      },
      { name: 'embed', type: 'boolean', description: 'Embed keys as keyData instead of key files' },
      {
        name: 'fallback',
        type: 'string',
        value: 'reject|insecureAcceptAnything',
        description: 'Policy for images outside every scope (default reject)',
      },
      { name: 'lookaside', type: 'string', value: 'URL', description: 'The lookaside URL the registries.d snippet names' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const target = ctx.args.str('for') ?? 'containers';
      if (target === 'notation') throw new UsageError('Notation’s trust policy and stores are written by `signet policy export-notation`.');
      if (target !== 'containers') {
        if (!(ADMISSION_TARGETS as readonly string[]).includes(target))
          throw new UsageError(`--for must be containers, ${ADMISSION_TARGETS.join(', ')}.`);
        return exportAdmission(ctx, target as AdmissionTarget);
      }
      if (o.fallback && o.fallback !== 'reject' && o.fallback !== 'insecureAcceptAnything')
        throw new UsageError('--fallback is reject or insecureAcceptAnything.');
      const result = await ctx.call('trust.exportPolicy', {
        ...(o['key-dir'] ? { keyDir: ctx.args.req('key-dir') } : {}),
        ...(o.embed ? { embed: true } : {}),
        ...(o.fallback ? { fallback: o.fallback as 'reject' } : {}),
        ...(o.lookaside ? { lookaside: ctx.args.req('lookaside') } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      for (const w of result.value.warnings) ctx.err(`warning: ${w}`);
      if (!o.out) {
        ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : result.value.policy);
        return EXIT_OK;
      }
      const out = ctx.args.req('out');
      mkdirSync(path.join(out, 'registries.d'), { recursive: true });
      writeFileSync(path.join(out, 'policy.json'), result.value.policy);
      writeFileSync(path.join(out, 'registries.d', 'signet.yaml'), result.value.registriesD);
      for (const k of result.value.keyFiles) {
        const target = path.join(out, 'keys', path.basename(k.path));
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, k.content);
      }
      ctx.out(
        ctx.json
          ? JSON.stringify({ out, keyFiles: result.value.keyFiles.map((k) => k.path) })
          : `Wrote ${out}/policy.json, registries.d/signet.yaml and ${result.value.keyFiles.length} key file(s) (install them at ${ctx.args.str('key-dir') ?? '/etc/containers/keys/signet'}).`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'policy export-notation',
    summary:
      'Write the imported Notation trust policy and the named trust stores as notation reads them (trustpolicy.json, truststore/x509/…)',
    options: [
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        description: 'The notation configuration directory to write into (else list the files)',
      },
    ],
    examples: ['signet policy export-notation --out ~/.config/notation'],
    async run(ctx) {
      const result = await ctx.call('trust.exportNotation', {});
      if (!result.ok) return reportFailure(ctx, result);
      for (const w of result.value.warnings) ctx.err(`warning: ${w}`);
      const out = ctx.args.str('out');
      if (!out) {
        ctx.out(
          ctx.json
            ? JSON.stringify(result.value, null, 2)
            : [...(result.value.trustPolicy ? ['trustpolicy.json'] : []), ...result.value.files.map((f) => f.path)].join('\n'),
        );
        return EXIT_OK;
      }
      if (result.value.trustPolicy) {
        mkdirSync(out, { recursive: true });
        writeFileSync(path.join(out, 'trustpolicy.json'), result.value.trustPolicy);
      }
      for (const f of result.value.files) {
        mkdirSync(path.dirname(path.join(out, f.path)), { recursive: true });
        writeFileSync(path.join(out, f.path), f.content);
      }
      ctx.out(
        ctx.json
          ? JSON.stringify({ out, files: result.value.files.map((f) => f.path) })
          : `Wrote ${result.value.trustPolicy ? 'trustpolicy.json and ' : ''}${result.value.files.length} certificate file(s) into ${out}.`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'policy evaluate',
    summary:
      'Decide, as podman/CRI-O would, whether a policy admits an image, and say which requirement decided it (exit 0 only when admitted)',
    positionals: [{ name: 'REFERENCE', description: REFERENCE_HELP }],
    options: [
      {
        name: 'policy',
        type: 'string',
        value: 'FILE|ID',
        description:
          'A policy.json, a Notation trustpolicy.json, a Kyverno ClusterPolicy or policy-controller ClusterImagePolicy (YAML, dry run), or an imported policy id',
      },
      { name: 'lookaside', type: 'string', value: 'DIR|URL', description: 'Where simple signatures live' },
      { name: 'registries-d', type: 'string', value: 'DIR', description: 'A registries.d directory to find the lookaside in' },
      {
        name: 'kbs-dir',
        type: 'string',
        value: 'DIR',
        description: 'Confidential Containers: the KBS resource directory kbs:///REPO/TYPE/TAG key paths are read from',
      },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.policy) throw new UsageError('--policy FILE|ID is required.');
      const p = ctx.args.req('policy');
      const fromFile = p.includes('/') || /\.(?:json|ya?ml)$/.test(p);
      const { id, repository, reference } = await locate(ctx, ctx.args.pos(0));
      const image = { id, repository, reference };
      const result = await ctx.call('trust.evaluate', {
        ...(fromFile ? { policy: readText(p, 'the policy') } : { policyId: p }),
        ...image,
        ...(o.lookaside ? { lookaside: ctx.args.req('lookaside') } : {}),
        ...(o['registries-d'] ? { registriesD: ctx.args.req('registries-d') } : {}),
        ...(o['kbs-dir'] ? { kbsDir: ctx.args.req('kbs-dir') } : {}),
      });
      if (!result.ok) return reportFailure(ctx, result);
      printEvaluation(ctx, result.value);
      return result.value.allowed ? EXIT_OK : EXIT_FAILED;
    },
  },
];
