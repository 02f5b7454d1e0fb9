import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readInputFile } from '../read-input';
import path from 'node:path';
import { KEY_TYPES, type KeyInfo } from '../../../../shared/models/keys';
import { writeFileAtomic } from '../../../core/storage/atomic';
import { UsageError } from '../args';
import { EXIT_OK, reportFailure, type CommandContext, type CommandSpec } from '../command';

function describe(k: KeyInfo): string {
  const fingerprint = k.spkiSha256 ?? k.pgpFingerprint ?? '';
  return `${k.name.padEnd(24)}${k.type.padEnd(14)}${fingerprint.slice(0, 24)}…${k.retired ? '  retired' : ''}`;
}

const fail = reportFailure;

async function writeNew(file: string, text: string, mode: number): Promise<void> {
  if (existsSync(file)) throw new UsageError(`${file} exists already; Signet does not overwrite key files.`);
  await writeFileAtomic(file, text, mode);
}

const COSIGN_LABELS = /-----BEGIN (ENCRYPTED SIGSTORE|ENCRYPTED COSIGN) PRIVATE KEY-----/;

/**
 * Where a cosign-format password comes from: `--password-env VAR` first, then COSIGN_PASSWORD when
 * it is set (an empty value is an empty password), as cosign reads it; else a prompt.
 */
function cosignPasswordEnv(ctx: { args: { str(name: string): string | undefined }; env: NodeJS.ProcessEnv }): string | undefined {
  return ctx.args.str('password-env') ?? (ctx.env.COSIGN_PASSWORD !== undefined ? 'COSIGN_PASSWORD' : undefined);
}

function storeOption(value: unknown): 'keychain' | 'vault' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'keychain' && value !== 'vault') throw new UsageError('--store is keychain or vault.');
  return value;
}

function refuseExisting(dir: string): { keyFile: string; pubFile: string } {
  const keyFile = path.join(dir, 'cosign.key');
  const pubFile = path.join(dir, 'cosign.pub');
  for (const file of [keyFile, pubFile])
    if (existsSync(file)) throw new UsageError(`${file} exists already; Signet does not overwrite key files.`);
  return { keyFile, pubFile };
}

/** cosign.key (encrypted with the password given) and cosign.pub, into DIR; the files written, or the failed call. */
async function writeCosignPair(
  ctx: CommandContext,
  key: string,
  dir: string,
  password: string,
): Promise<{ ok: true; keyFile: string; pubFile: string } | { ok: false; code: string; message: string }> {
  const { keyFile, pubFile } = refuseExisting(dir);
  const result = await ctx.call('keys.exportCosign', { key, password });
  if (!result.ok) return result;
  mkdirSync(dir, { recursive: true });
  await writeNew(keyFile, result.value.key, 0o600);
  await writeNew(pubFile, result.value.pub, 0o644);
  return { ok: true, keyFile, pubFile };
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'key generate',
    mayUnlockVault: true,
    summary: 'Generate a signing key; its private part goes to the OS keychain or the encrypted vault',
    positionals: [{ name: 'NAME', description: 'A name for the key' }],
    options: [
      { name: 'type', type: 'string', value: KEY_TYPES.join('|'), description: 'Key type (default ecdsa-p256)' },
      { name: 'uid', type: 'string', value: '"Name <mail>"', description: 'User id (OpenPGP keys)' },
      { name: 'expires', type: 'string', value: 'DATE', description: 'Expiry date, e.g. 2028-01-01' },
      {
        name: 'store',
        type: 'string',
        value: 'keychain|vault',
        description: 'Where the private key goes (default keychain; vault asks for the vault passphrase, see --vault-password-env)',
      },
      {
        name: 'no-trust',
        type: 'boolean',
        description: 'Do not trust the new key for verification (by default it gets a trust entry named after it)',
      },
      {
        name: 'cosign-out',
        type: 'string',
        value: 'DIR',
        description: 'Also write cosign.key (encrypted) and cosign.pub into DIR, as cosign generate-key-pair does',
      },
      {
        name: 'password-env',
        type: 'string',
        value: 'VAR',
        description: '--cosign-out: the cosign.key password from environment variable VAR (else COSIGN_PASSWORD when set, else a prompt)',
      },
    ],
    examples: [
      'signet key generate release --type ecdsa-p256',
      'COSIGN_PASSWORD=… signet key generate release --cosign-out .',
      'signet key generate scratch --no-trust',
      'signet key generate release-pgp --type pgp-ed25519 --uid "Release <release@example.com>"',
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const type = ctx.args.str('type') ?? 'ecdsa-p256';
      if (!(KEY_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${KEY_TYPES.join(', ')}.`);
      let expires: string | undefined;
      if (o.expires) {
        const date = new Date(ctx.args.req('expires'));
        if (Number.isNaN(date.getTime())) throw new UsageError('--expires must be a date such as 2028-01-01.');
        expires = date.toISOString();
      }
      const store = storeOption(o.store);
      const cosignOut = ctx.args.str('cosign-out');
      let cosignPassword: string | undefined;
      if (cosignOut !== undefined) {
        if (type.startsWith('pgp-'))
          throw new UsageError('--cosign-out writes cosign.key, which holds ECDSA, RSA or Ed25519 keys, not OpenPGP keys.');
        refuseExisting(cosignOut);
        // Asked before the key is made, as cosign generate-key-pair does: no key is left without its files.
        cosignPassword = await ctx.readSecret('Password for cosign.key: ', cosignPasswordEnv(ctx));
      }
      const result = await ctx.call('keys.generate', {
        name: ctx.args.pos(0),
        type: type as (typeof KEY_TYPES)[number],
        ...(o.uid ? { userId: ctx.args.req('uid') } : {}),
        ...(expires ? { expires } : {}),
        ...(store ? { store } : {}),
        trust: o['no-trust'] !== true,
      });
      if (!result.ok) return fail(ctx, result);
      const k = result.value;
      const written = cosignOut !== undefined ? await writeCosignPair(ctx, k.id, cosignOut, cosignPassword ?? '') : undefined;
      if (ctx.json) ctx.out(JSON.stringify(written?.ok ? { ...k, cosignKey: written.keyFile, cosignPub: written.pubFile } : k, null, 2));
      else {
        ctx.out(`Generated ${k.type} key "${k.name}" (${k.spkiSha256 ?? k.pgpFingerprint}).`);
        ctx.out(
          k.trusted
            ? `Trusted for verification as trust entry "${k.trusted.name}" (${k.trusted.id}); \`signet trust remove ${k.trusted.id}\` undoes it.`
            : (k.trustNote ??
                'Not trusted for verification (--no-trust): signatures it makes verify only once you trust it (`signet trust add-key`).'),
        );
      }
      if (written && !written.ok) return fail(ctx, written);
      if (written?.ok && !ctx.json) ctx.out(`Wrote cosign.key and cosign.pub into ${cosignOut}.`);
      return EXIT_OK;
    },
  },
  {
    name: 'key import',
    mayUnlockVault: true,
    summary: 'Import a key file: cosign.key, PKCS#8 (plain or encrypted), PKCS#1, SEC1 or an OpenPGP secret key (armored or binary)',
    positionals: [{ name: 'FILE', description: 'The key file' }],
    options: [
      { name: 'name', type: 'string', value: 'NAME', description: 'A name for the key' },
      {
        name: 'password-env',
        type: 'string',
        value: 'VAR',
        description:
          'Read the key file’s password from environment variable VAR (for cosign.key, COSIGN_PASSWORD when set; else a prompt; empty is allowed)',
      },
      { name: 'store', type: 'string', value: 'keychain|vault', description: 'Where the private key goes (default keychain)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.name) throw new UsageError('--name is required.');
      const store = storeOption(o.store);
      const file = readInputFile(ctx.args.pos(0), 'The key file');
      // gpg --export-secret-key without --armor: an OpenPGP packet stream (its first byte has the top bit set).
      const binary = file.length > 0 && (file[0]! & 0x80) !== 0;
      const text = binary ? file.toString('base64') : file.toString('utf8');
      const needsPassword = binary || /ENCRYPTED|PGP PRIVATE KEY/.test(text);
      const password = needsPassword
        ? await ctx.readSecret(
            'Password for the key file (empty for none): ',
            COSIGN_LABELS.test(text) ? cosignPasswordEnv(ctx) : ctx.args.str('password-env'),
          )
        : '';
      const result = await ctx.call('keys.import', {
        name: ctx.args.req('name'),
        text,
        encoding: binary ? 'base64' : 'text',
        password,
        ...(store ? { store } : {}),
      });
      if (!result.ok) return fail(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : `Imported ${result.value.found} as "${result.value.info.name}" (${result.value.info.spkiSha256 ?? result.value.info.pgpFingerprint}).`,
      );
      return EXIT_OK;
    },
  },
  {
    name: 'key attach-cert',
    summary: 'Attach an X.509 certificate chain (PEM or DER) to a key; the leaf must hold the key’s public key',
    positionals: [
      { name: 'NAME', description: 'The key' },
      { name: 'FILE', description: 'The certificate chain, leaf first' },
    ],
    async run(ctx) {
      const bytes = readInputFile(ctx.args.pos(1), 'The certificate file');
      const pem = bytes.toString('latin1').includes('-----BEGIN');
      const result = await ctx.call('keys.attachCertificate', {
        key: ctx.args.pos(0),
        chain: pem ? bytes.toString('utf8') : bytes.toString('base64'),
        encoding: pem ? 'pem' : 'der-base64',
      });
      if (!result.ok) return fail(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Attached the certificate chain to "${result.value.name}".`);
      return EXIT_OK;
    },
  },
  {
    name: 'key csr',
    mayUnlockVault: true,
    summary: 'Write a PKCS#10 certificate signing request (code signing) for a software key',
    positionals: [{ name: 'NAME', description: 'The key' }],
    options: [
      { name: 'cn', type: 'string', value: 'NAME', description: 'Subject common name (default: the key name)' },
      { name: 'org', type: 'string', value: 'ORG', description: 'Subject organization' },
      { name: 'out', type: 'string', value: 'FILE', description: 'Write the request here (else stdout)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const key = ctx.args.pos(0);
      const result = await ctx.call('keys.csr', {
        key,
        commonName: ctx.args.str('cn') ?? key,
        ...(o.org ? { organization: ctx.args.req('org') } : {}),
      });
      if (!result.ok) return fail(ctx, result);
      if (o.out) writeFileSync(ctx.args.req('out'), result.value.csr);
      ctx.out(ctx.json ? JSON.stringify(result.value) : o.out ? `Wrote ${ctx.args.req('out')}.` : result.value.csr.trimEnd());
      return EXIT_OK;
    },
  },
  {
    name: 'key list',
    summary: 'The signing keys',
    async run(ctx) {
      const result = await ctx.call('keys.list', {});
      if (!result.ok) return fail(ctx, result);
      ctx.out(
        ctx.json
          ? JSON.stringify(result.value, null, 2)
          : result.value.length
            ? result.value.map(describe).join('\n')
            : 'No keys yet: `signet key generate NAME`.',
      );
      return EXIT_OK;
    },
  },
  {
    name: 'key show',
    summary: 'A key: fingerprints, algorithm, dates and its public key',
    positionals: [{ name: 'NAME', description: 'Key name or id' }],
    async run(ctx) {
      const result = await ctx.call('keys.get', { key: ctx.args.pos(0) });
      if (!result.ok) return fail(ctx, result);
      const { info, exports } = result.value;
      ctx.out(
        ctx.json
          ? JSON.stringify({ ...info, publicKey: exports.pem ?? exports.pgp }, null, 2)
          : [
              `${info.name} (${info.id})`,
              `type        ${info.type}`,
              `algorithm   ${info.algorithm}`,
              ...(info.spkiSha256 ? [`SPKI SHA-256 ${info.spkiSha256}`] : []),
              ...(info.pgpFingerprint ? [`fingerprint ${info.pgpFingerprint}`, `key id      ${info.pgpKeyId}`] : []),
              `created     ${info.created}`,
              ...(info.expires ? [`expires     ${info.expires}`] : []),
              ...(info.retired ? ['retired     yes'] : []),
              '',
              exports.pem ?? exports.pgp ?? '',
            ].join('\n'),
      );
      return EXIT_OK;
    },
  },
  {
    name: 'key export',
    mayUnlockVault: true,
    summary:
      'Export a key: public (pem, pgp, x509) freely; --format cosign writes cosign.key (encrypted) and cosign.pub into a directory; --format pgp-secret an encrypted OpenPGP secret key',
    positionals: [{ name: 'NAME', description: 'Key name or id' }],
    options: [
      {
        name: 'format',
        type: 'string',
        value: 'cosign|pgp-secret|pem|pgp|x509',
        description: 'What to write (x509: the certificate chain, leaf first; pgp-secret: armored, passphrase-protected, for gpg --import)',
      },
      { name: 'out', type: 'string', value: 'PATH', description: 'File (pem, pgp, x509, pgp-secret) or directory (cosign)' },
      {
        name: 'password-env',
        type: 'string',
        value: 'VAR',
        description: 'cosign, pgp-secret: the password from environment variable VAR (cosign: COSIGN_PASSWORD when set; else a prompt)',
      },
    ],
    examples: [
      'COSIGN_PASSWORD=… signet key export release --format cosign --out ./keys',
      'signet key export release-pgp --format pgp-secret --password-env PGP_PASS --out release.sec.asc',
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const key = ctx.args.pos(0);
      if (!o.out || !o.format) throw new UsageError('--format and --out are required.');
      if (o.format === 'cosign') {
        const dir = ctx.args.req('out');
        refuseExisting(dir);
        const written = await writeCosignPair(ctx, key, dir, await ctx.readSecret('Password for cosign.key: ', cosignPasswordEnv(ctx)));
        if (!written.ok) return fail(ctx, written);
        ctx.out(ctx.json ? JSON.stringify({ key: written.keyFile, pub: written.pubFile }) : `Wrote cosign.key and cosign.pub into ${dir}.`);
        return EXIT_OK;
      }
      if (o.format === 'pgp-secret') {
        const out = ctx.args.req('out');
        if (existsSync(out)) throw new UsageError(`${out} exists already; Signet does not overwrite key files.`);
        const passphrase = await ctx.readSecret('Passphrase for the exported secret key: ', ctx.args.str('password-env'));
        if (!passphrase) throw new UsageError('The exported OpenPGP secret key needs a passphrase (an empty one is refused).');
        const result = await ctx.call('keys.exportPgpSecret', { key, passphrase });
        if (!result.ok) return fail(ctx, result);
        await writeNew(out, result.value.armored, 0o600);
        ctx.out(ctx.json ? JSON.stringify({ out }) : `Wrote ${out} (armored, passphrase-protected; gpg --import reads it).`);
        return EXIT_OK;
      }
      if (o.format !== 'pem' && o.format !== 'pgp' && o.format !== 'x509')
        throw new UsageError('--format must be cosign, pgp-secret, pem, pgp or x509.');
      const result = await ctx.call('keys.get', { key });
      if (!result.ok) return fail(ctx, result);
      const text =
        o.format === 'pem' ? result.value.exports.pem : o.format === 'x509' ? result.value.exports.x509 : result.value.exports.pgp;
      if (!text)
        throw new UsageError(
          `"${key}" has no ${o.format === 'x509' ? 'certificate' : `${o.format} public key`}; use ${result.value.exports.pem ? 'pem' : 'pgp'}.`,
        );
      await writeNew(ctx.args.req('out'), text, 0o644);
      ctx.out(ctx.json ? JSON.stringify({ out: o.out }) : `Wrote ${o.out}.`);
      return EXIT_OK;
    },
  },
  {
    name: 'key retire',
    summary: 'Retire a key: kept for verification, refused for signing',
    positionals: [{ name: 'NAME', description: 'Key name or id' }],
    async run(ctx) {
      const result = await ctx.call('keys.retire', { key: ctx.args.pos(0) });
      if (!result.ok) return fail(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value) : `Retired "${result.value.name}".`);
      return EXIT_OK;
    },
  },
  {
    name: 'key delete',
    summary: 'Delete a key and its keychain entry (asks for its name to be typed, or --confirm NAME)',
    positionals: [{ name: 'NAME', description: 'Key name or id' }],
    options: [{ name: 'confirm', type: 'string', value: 'NAME', description: 'The key’s name, typed again' }],
    async run(ctx) {
      const key = ctx.args.pos(0);
      const confirmName = ctx.args.str('confirm') ?? (await ctx.confirm(`Type the key's name to delete it: `, 'pass --confirm NAME'));
      const result = await ctx.call('keys.delete', { key, confirmName });
      if (!result.ok) return fail(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value) : 'Deleted.');
      return EXIT_OK;
    },
  },
];
