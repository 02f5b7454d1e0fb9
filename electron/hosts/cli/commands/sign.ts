import { readInputFile } from '../read-input';
import { DATE_KIND_TEXT, payloadDataLabel, type VerificationReport } from '../../../../shared/models/signatures';
import { UNSIGNED_TAGS_NOTE } from '../../../../shared/models/signature-tags';
import { compatibilityOf } from '../../../../shared/compat';
import { KMS_ALGORITHMS, looksLikeKeyUri, type KmsAlgorithm } from '../../../../shared/models/kms';
import { UsageError } from '../args';
import { locate, REFERENCE_HELP, resolve } from '../resolve';
import { isSignatureArtifactTag } from '../../../../shared/formats';
import { EXIT_FAILED, EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';

function printReport(ctx: CommandContext, report: VerificationReport): void {
  if (ctx.json) return ctx.out(JSON.stringify(report, null, 2));
  ctx.out(`${report.digest}: ${report.verdict} (${report.code})`);
  ctx.out(`  ${report.reason}`);
  const list = (title: string, rows: VerificationReport['signatures']) => {
    if (rows.length) ctx.out(title);
    for (const s of rows) {
      ctx.out(
        `  ${s.id ? `${s.id}  ` : ''}${s.format} ${s.verdict} (${s.code})${s.signer ? ` by ${s.signer}` : ''}${s.algorithm ? ` (${s.algorithm})` : ''}`,
      );
      if (s.date) ctx.out(`    date ${s.date.at} (${DATE_KIND_TEXT[s.date.kind]})`);
      if (s.description !== undefined) ctx.out(`    description (${payloadDataLabel(s)}): ${s.description}`);
      if (s.metadata !== undefined) ctx.out(`    metadata (${payloadDataLabel(s)}): ${s.metadata}`);
      if (s.tags && Object.keys(s.tags).length)
        ctx.out(
          `    tags (${UNSIGNED_TAGS_NOTE}): ${Object.entries(s.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        );
      const n = s.notation;
      if (n) {
        ctx.out(
          `    Notation ${n.envelope ? n.envelope.toUpperCase() : n.mediaType}${n.signingScheme ? `, ${n.signingScheme}` : ''}; trust policy "${n.policy.name}" (${n.policy.source}), level ${n.policy.level}${n.policy.decidingCheck ? `; decided by the ${n.policy.decidingCheck} check` : ''}`,
        );
        if (n.signingTime)
          ctx.out(
            `    signing time ${n.signingTime.at} (${n.signingTime.authenticated ? 'authenticated' : 'claimed'})${n.expiry ? `; expires ${n.expiry}` : ''}`,
          );
        for (const [i, c] of n.chain.entries())
          ctx.out(`    chain ${i}: ${c.subject} (SHA-256 ${c.sha256}, ${c.notBefore} – ${c.notAfter})`);
      }
      for (const c of s.checks) ctx.out(`    ${c.status.padEnd(12)}${c.name}: ${c.reason} [${c.code}]`);
      if (s.judgedAt)
        ctx.out(
          `    judged at ${s.judgedAt.at} (${s.judgedAt.source === 'now' ? 'verification time' : s.judgedAt.source})${s.judgedAt.claimed !== undefined ? `; the signer claims ${new Date(s.judgedAt.claimed * 1000).toISOString()} (not verified)` : ''}`,
        );
    }
  };
  list('signatures:', report.signatures);
  list('attestations (not signatures over the image):', report.attestations);
  ctx.out('looked at:');
  for (const l of report.looked) ctx.out(`  ${l.outcome.padEnd(11)}${l.kind} ${l.place}${l.reason ? `: ${l.reason}` : ''}`);
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'sign',
    mayUnlockVault: true,
    summary:
      'Sign an image with a Signet key, in cosign, simple-signing or Notation format (the tag is resolved once; nothing is signed if it moves)',
    positionals: [{ name: 'REFERENCE', description: REFERENCE_HELP }],
    options: [
      {
        name: 'key',
        type: 'string',
        value: 'NAME|KMS-URI|PKCS11-URI',
        description:
          'The Signet key to sign with, a KMS key URI (awskms://…, gcpkms://…, azurekms://…, hashivault://…, tencentkms://…, ocikms://…, huaweikms://…) or a pkcs11: URI',
      },
      {
        name: 'pin-env',
        type: 'string',
        value: 'VAR',
        description: 'pkcs11: keys: read the token PIN from this environment variable (else the URI’s pin-source, else a prompt)',
      },
      {
        name: 'format',
        type: 'string',
        value: 'cosign|simplesigning|notation',
        description: 'Signature format (default cosign); notation needs a key with an X.509 chain',
      },
      {
        name: 'algorithm',
        type: 'string',
        value: 'ALG',
        description: `cosign: the signature algorithm and padding, e.g. rsa-pss-sha256 for a KMS or software RSA key (default: the key's own; one of ${KMS_ALGORITHMS.join(', ')})`,
      },
      { name: 'envelope', type: 'string', value: 'jws|cose', description: 'notation: the envelope (default jws, as notation)' },
      {
        name: 'expiry',
        type: 'string',
        value: 'DURATION',
        description: 'notation: the signature expires this long after signing (720h, 1h30m)',
      },
      {
        name: 'chain',
        type: 'string',
        value: 'FILE',
        description: 'notation: the key’s X.509 chain (PEM, leaf first), for a pkcs11: or KMS URI whose chain Signet does not keep',
      },
      { name: 'lookaside', type: 'string', value: 'DIR', description: 'simplesigning: the lookaside directory to store signature-N in' },
      {
        name: 'registries-d',
        type: 'string',
        value: 'DIR',
        description: 'simplesigning: use the lookaside-staging (or file:// lookaside) this registries.d names',
      },
      { name: 'index-only', type: 'boolean', description: 'For a multi-platform index: sign only the index, not each platform manifest' },
      {
        name: 'annotation',
        type: 'strings',
        value: 'KEY=VALUE',
        description: 'Signed annotation in the payload (repeatable; notation: user metadata in targetArtifact.annotations)',
      },
      {
        name: 'description',
        type: 'string',
        value: 'TEXT',
        description: 'A description signed into the payload (the "description" annotation), as OCIR’s sign-upload --description',
      },
      {
        name: 'metadata',
        type: 'string',
        value: 'JSON',
        description:
          'A JSON object signed into the payload (the "metadata" annotation, compact JSON, at most 8 KiB), as OCIR’s sign-upload --metadata',
      },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.key) throw new UsageError('--key is required.');
      if (o.format && o.format !== 'cosign' && o.format !== 'simplesigning' && o.format !== 'notation')
        throw new UsageError('--format must be cosign, simplesigning or notation.');
      if ((o.envelope || o.expiry || o.chain) && o.format !== 'notation')
        throw new UsageError('--envelope, --expiry and --chain are for --format notation.');
      if (o.envelope && o.envelope !== 'jws' && o.envelope !== 'cose') throw new UsageError('--envelope must be jws or cose.');
      if (o.format === 'simplesigning' && !o.lookaside && !o['registries-d'])
        throw new UsageError('--format simplesigning needs --lookaside DIR or --registries-d DIR.');
      const annotations: Record<string, string> = {};
      for (const pair of ctx.args.list('annotation') ?? []) {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new UsageError(`--annotation takes KEY=VALUE, not ${JSON.stringify(pair)}.`);
        annotations[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const target = await resolve(ctx, ctx.args.pos(0));
      const key = ctx.args.req('key');
      const needsPin = key.startsWith('pkcs11:') && !/[?&]pin-(value|source)=/.test(key);
      const pin = needsPin ? await ctx.readSecret('Token PIN: ', ctx.args.str('pin-env')) : undefined;
      if (!ctx.json) ctx.err(`Signing ${target.repository}@${target.digest}`);
      const algorithm = ctx.args.str('algorithm');
      if (algorithm !== undefined && !(KMS_ALGORITHMS as readonly string[]).includes(algorithm))
        throw new UsageError(`--algorithm must be one of ${KMS_ALGORITHMS.join(', ')}.`);
      const result = await ctx.call('signatures.sign', {
        id: target.id,
        repository: target.repository,
        digest: target.digest,
        key,
        ...(pin ? { pin } : {}),
        ...(algorithm ? { algorithm: algorithm as KmsAlgorithm } : {}),
        ...(o.format ? { format: o.format as 'cosign' | 'simplesigning' | 'notation' } : {}),
        ...(o.envelope ? { envelope: o.envelope as 'jws' | 'cose' } : {}),
        ...(o.expiry ? { expiry: ctx.args.req('expiry') } : {}),
        ...(o.chain ? { certificateChain: readInputFile(ctx.args.req('chain'), 'The certificate chain').toString('utf8') } : {}),
        ...(o.lookaside ? { lookaside: ctx.args.req('lookaside') } : {}),
        ...(o['registries-d'] ? { registriesD: ctx.args.req('registries-d') } : {}),
        ...(o['index-only'] ? { indexOnly: true } : {}),
        ...(Object.keys(annotations).length ? { annotations } : {}),
        ...(o.description !== undefined ? { description: ctx.args.req('description') } : {}),
        ...(o.metadata !== undefined ? { metadata: ctx.args.req('metadata') } : {}),
        ...(target.tag ? { expectedTag: target.tag } : {}),
      });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      const kind = o.format === 'simplesigning' || o.format === 'notation' ? o.format : 'cosign';
      if (ctx.json)
        ctx.out(JSON.stringify({ digest: target.digest, ...result.value, compatibility: compatibilityOf(kind, result.value.algorithm) }));
      else {
        for (const s of result.value.signed)
          ctx.out(
            `Signed ${s.platform ?? 'the image'} ${s.digest} → ${s.where}${result.value.algorithm ? ` (${result.value.algorithm})` : ''}`,
          );
        ctx.out('Who will accept it:');
        for (const c of compatibilityOf(kind, result.value.algorithm)) ctx.out(`  ${c.accepts.padEnd(14)}${c.consumer}: ${c.why}`);
      }
      return EXIT_OK;
    },
  },
  {
    name: 'verify',
    summary:
      'Verify an image’s signatures; exits 0 only when a signature over it verifies with a key trusted for it (the trust store, or only --key/--pubkey)',
    positionals: [{ name: 'REFERENCE', description: REFERENCE_HELP }],
    options: [
      {
        name: 'key',
        type: 'string',
        value: 'NAME|KMS-URI',
        description: 'Trust only this Signet key, or this KMS key (its public key is read from the KMS)',
      },
      { name: 'pubkey', type: 'strings', value: 'FILE', description: 'Trust only these PEM or armored OpenPGP public keys (repeatable)' },
      {
        name: 'policy',
        type: 'string',
        value: 'FILE|ID',
        description: 'Decide with a containers policy.json, as podman would, or a Notation trust policy, as notation would',
      },
      {
        name: 'lookaside',
        type: 'string',
        value: 'DIR|URL',
        description: 'Also read simple signatures from this lookaside (directory, file:// or http(s)://)',
      },
      { name: 'registries-d', type: 'string', value: 'DIR', description: 'Find the lookaside in this registries.d directory' },
      {
        name: 'asc-from',
        type: 'string',
        value: 'PROFILE|DIR',
        description: 'Also read the SWR .asc file ({namespace}/{repo}/{sha256}.asc) from this storage profile or folder',
      },
    ],
    async run(ctx) {
      const files = (ctx.args.list('pubkey') ?? []).map((file) => {
        return readInputFile(file, 'The public key file').toString('utf8');
      });
      const publicKeys = files.filter((t) => t.includes('-----BEGIN PUBLIC KEY-----'));
      const pgpKeys = files.filter((t) => t.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----'));
      if (publicKeys.length + pgpKeys.length !== files.length)
        throw new UsageError('--pubkey takes PEM public keys or armored OpenPGP public keys.');
      const o = ctx.args.options;
      const text = ctx.args.pos(0);
      if (o.policy && (o.key || files.length))
        throw new UsageError('Give --policy, or --key/--pubkey, not both: a policy names its own keys.');
      const target = await resolve(ctx, text);
      const lookaside = ctx.args.str('lookaside');
      const registriesD = ctx.args.str('registries-d');
      if (o.policy) {
        const p = ctx.args.req('policy');
        const fromFile = p.includes('/') || p.endsWith('.json');
        let policyText: string | undefined;
        if (fromFile) {
          policyText = readInputFile(p, 'The policy file').toString('utf8');
        }
        const decided = await ctx.call('trust.evaluate', {
          ...(policyText !== undefined ? { policy: policyText } : { policyId: p }),
          id: target.id,
          repository: target.repository,
          reference: target.tag ?? target.digest,
          ...(lookaside ? { lookaside } : {}),
          ...(registriesD ? { registriesD } : {}),
        });
        if (!decided.ok) return reportFailure(ctx, decided);
        if (ctx.json) ctx.out(JSON.stringify(decided.value, null, 2));
        else {
          ctx.out(`${target.digest}: ${decided.value.allowed ? 'admitted' : 'rejected'} by the policy`);
          for (const r of decided.value.requirements) {
            ctx.out(`  ${r.outcome.padEnd(14)}${r.type}: ${r.reason}`);
            for (const sig of r.signatures) ctx.out(`      ${sig.outcome.padEnd(9)}${sig.source}: ${sig.reason}`);
          }
        }
        return decided.value.allowed ? EXIT_OK : EXIT_FAILED;
      }
      if (o.key && looksLikeKeyUri(ctx.args.req('key'))) {
        // A KMS key URI: its public key is read from the KMS, as cosign verify --key awskms://… does.
        const kms = await ctx.call('kms.publicKey', { key: ctx.args.req('key') });
        if (!kms.ok) return reportFailure(ctx, kms);
        publicKeys.push(kms.value.publicKeyPem);
      } else if (o.key) {
        const key = await ctx.call('keys.get', { key: ctx.args.req('key') });
        if (!key.ok) return reportFailure(ctx, key);
        if (key.value.exports.pem) publicKeys.push(key.value.exports.pem);
        if (key.value.exports.pgp) pgpKeys.push(key.value.exports.pgp);
      }
      const only = Boolean(o.key) || files.length > 0;
      const ascFrom = ctx.args.str('asc-from');
      const asc = ascFrom === undefined ? undefined : /[/\\.]/.test(ascFrom) ? { path: ascFrom } : { profile: ascFrom };
      const result = await ctx.call('signatures.verify', {
        id: target.id,
        repository: target.repository,
        digest: target.digest,
        ...(publicKeys.length ? { publicKeys } : {}),
        ...(pgpKeys.length ? { pgpKeys } : {}),
        ...(only ? { trustOnly: true } : {}),
        ...(lookaside ? { lookaside } : {}),
        ...(asc ? { asc } : {}),
        ...(registriesD ? { registriesD } : {}),
        ...(target.tag ? { tag: target.tag } : {}),
        requested: true,
      });
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
    positionals: [{ name: 'REFERENCE', description: REFERENCE_HELP }],
    options: [
      { name: 'lookaside', type: 'string', value: 'DIR', description: 'Also read simple signatures from this lookaside directory' },
    ],
    async run(ctx) {
      const target = await resolve(ctx, ctx.args.pos(0));
      const lookaside = ctx.args.str('lookaside');
      const result = await ctx.call('signatures.verify', {
        id: target.id,
        repository: target.repository,
        digest: target.digest,
        ...(lookaside ? { lookaside } : {}),
        ...(target.tag ? { tag: target.tag } : {}),
        requested: true,
      });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      printReport(ctx, result.value);
      return EXIT_OK;
    },
  },
  {
    name: 'tags',
    summary:
      'Every tag of a repository with its digest and signed state (verified / untrusted / failing / unknown / unsigned), against the trust store; signature artifacts hidden unless --all',
    positionals: [{ name: 'REPOSITORY', description: 'registry.example.com/team/app (a saved registry, or saved on first use)' }],
    options: [
      {
        name: 'all',
        type: 'boolean',
        description: 'Also list signature artifacts (sha256-….sig/.att, referrers tag-schema indexes), marked as such',
      },
    ],
    examples: ['signet tags registry.example.com/team/app', 'signet tags registry.example.com/team/app --all --json'],
    async run(ctx) {
      const at = await locate(ctx, ctx.args.pos(0));
      if (at.tag || at.digest)
        throw new UsageError(`${ctx.args.pos(0)} names an image; tags takes a repository such as ${at.display.replace(/[:@][^/]*$/, '')}.`);
      const listed = await ctx.call('registry.tags', { id: at.id, repository: at.repository });
      if (!listed.ok) return reportFailure(ctx, listed);
      const all = ctx.args.options.all === true;
      const ordered = [...listed.value.tags].sort(new Intl.Collator('en', { numeric: true }).compare);
      const images = ordered.filter((t) => !isSignatureArtifactTag(t));
      const artifacts = all ? ordered.filter(isSignatureArtifactTag) : [];
      const states = new Map<string, { digest: string; verdict: string }>();
      for (let i = 0; i < images.length; i += 10_000) {
        const result = await ctx.call('signatures.status', { id: at.id, repository: at.repository, tags: images.slice(i, i + 10_000) });
        if (!result.ok) return reportFailure(ctx, result);
        for (const r of result.value.results) states.set(r.tag, { digest: r.digest, verdict: r.verdict });
      }
      const rows = [
        ...images.map((tag) => ({ tag, ...(states.get(tag) ?? { digest: '', verdict: 'unknown' }) })),
        ...artifacts.map((tag) => ({ tag, artifact: true as const })),
      ];
      if (ctx.json) ctx.out(JSON.stringify({ repository: at.repository, tags: rows }, null, 2));
      else {
        for (const r of rows)
          ctx.out('artifact' in r ? `${r.tag.padEnd(32)}  signature artifact` : `${r.tag.padEnd(32)}  ${r.digest}  ${r.verdict}`);
        const counts = new Map<string, number>();
        for (const s of states.values()) counts.set(s.verdict, (counts.get(s.verdict) ?? 0) + 1);
        ctx.err([...counts].map(([v, n]) => `${n} ${v}`).join(', ') || 'no tags');
      }
      return EXIT_OK;
    },
  },
];
