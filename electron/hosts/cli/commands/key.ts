import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readInputFile } from '../read-input';
import path from 'node:path';
import { KEY_TYPES, type KeyInfo } from '../../../../shared/models/keys';
import { writeFileAtomic } from '../../../core/storage/atomic';
import { UsageError } from '../args';
import { EXIT_OK, reportFailure, type CommandSpec } from '../command';

function describe(k: KeyInfo): string {
  const fingerprint = k.spkiSha256 ?? k.pgpFingerprint ?? '';
  return `${k.name.padEnd(24)}${k.type.padEnd(14)}${fingerprint.slice(0, 24)}…${k.retired ? '  retired' : ''}`;
}

const fail = reportFailure;

async function writeNew(file: string, text: string, mode: number): Promise<void> {
  if (existsSync(file)) throw new UsageError(`${file} exists already; Signet does not overwrite key files.`);
  await writeFileAtomic(file, text, mode);
}

function storeOption(value: unknown): 'keychain' | 'vault' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'keychain' && value !== 'vault') throw new UsageError('--store is keychain or vault.');
  return value;
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
      { name: 'store', type: 'string', value: 'keychain|vault', description: 'Where the private key goes (default keychain; vault asks for the vault passphrase, see --vault-password-env)' },
      { name: 'no-trust', type: 'boolean', description: 'Do not trust the new key for verification (by default it gets a trust entry named after it)' },
    ],
    examples: ['signet key generate release --type ecdsa-p256', 'signet key generate scratch --no-trust', 'signet key generate release-pgp --type pgp-ed25519 --uid "Release <release@example.com>"'],
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
      const result = await ctx.call('keys.generate', { name: ctx.args.pos(0), type: type as (typeof KEY_TYPES)[number], ...(o.uid ? { userId: ctx.args.req('uid') } : {}), ...(expires ? { expires } : {}), ...(store ? { store } : {}), trust: o['no-trust'] !== true });
      if (!result.ok) return fail(ctx, result);
      const k = result.value;
      if (ctx.json) ctx.out(JSON.stringify(k, null, 2));
      else {
        ctx.out(`Generated ${k.type} key "${k.name}" (${k.spkiSha256 ?? k.pgpFingerprint}).`);
        ctx.out(k.trusted ? `Trusted for verification as trust entry "${k.trusted.name}" (${k.trusted.id}); \`signet trust remove ${k.trusted.id}\` undoes it.` : (k.trustNote ?? 'Not trusted for verification (--no-trust): signatures it makes verify only once you trust it (`signet trust add-key`).'));
      }
      return EXIT_OK;
    },
  },
  {
    name: 'key import',
    mayUnlockVault: true,
    summary: 'Import a key file: cosign.key, PKCS#8 (plain or encrypted), PKCS#1, SEC1 or an OpenPGP secret key',
    positionals: [{ name: 'FILE', description: 'The key file' }],
    options: [
      { name: 'name', type: 'string', value: 'NAME', description: 'A name for the key' },
      { name: 'password-env', type: 'string', value: 'VAR', description: 'Read the key file’s password from environment variable VAR (else a prompt; empty is allowed)' },
      { name: 'store', type: 'string', value: 'keychain|vault', description: 'Where the private key goes (default keychain)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      if (!o.name) throw new UsageError('--name is required.');
      const store = storeOption(o.store);
      const text = readInputFile(ctx.args.pos(0), 'The key file').toString('utf8');
      const needsPassword = /ENCRYPTED|PGP PRIVATE KEY/.test(text);
      const password = needsPassword ? await ctx.readSecret('Password for the key file (empty for none): ', ctx.args.str('password-env')) : '';
      const result = await ctx.call('keys.import', { name: ctx.args.req('name'), text, password, ...(store ? { store } : {}) });
      if (!result.ok) return fail(ctx, result);
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : `Imported ${result.value.found} as "${result.value.info.name}" (${result.value.info.spkiSha256 ?? result.value.info.pgpFingerprint}).`);
      return EXIT_OK;
    },
  },
  {
    name: 'key attach-cert',
    summary: 'Attach an X.509 certificate chain (PEM or DER) to a key; the leaf must hold the key’s public key',
    positionals: [{ name: 'NAME', description: 'The key' }, { name: 'FILE', description: 'The certificate chain, leaf first' }],
    async run(ctx) {
      const bytes = readInputFile(ctx.args.pos(1), 'The certificate file');
      const pem = bytes.toString('latin1').includes('-----BEGIN');
      const result = await ctx.call('keys.attachCertificate', { key: ctx.args.pos(0), chain: pem ? bytes.toString('utf8') : bytes.toString('base64'), encoding: pem ? 'pem' : 'der-base64' });
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
      const result = await ctx.call('keys.csr', { key, commonName: ctx.args.str('cn') ?? key, ...(o.org ? { organization: ctx.args.req('org') } : {}) });
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
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : result.value.length ? result.value.map(describe).join('\n') : 'No keys yet: `signet key generate NAME`.');
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
          : [`${info.name} (${info.id})`, `type        ${info.type}`, `algorithm   ${info.algorithm}`, ...(info.spkiSha256 ? [`SPKI SHA-256 ${info.spkiSha256}`] : []), ...(info.pgpFingerprint ? [`fingerprint ${info.pgpFingerprint}`, `key id      ${info.pgpKeyId}`] : []), `created     ${info.created}`, ...(info.expires ? [`expires     ${info.expires}`] : []), ...(info.retired ? ['retired     yes'] : []), '', exports.pem ?? exports.pgp ?? ''].join('\n'),
      );
      return EXIT_OK;
    },
  },
  {
    name: 'key export',
    mayUnlockVault: true,
    summary: 'Export a key: public (pem, pgp) freely; --format cosign writes cosign.key (encrypted) and cosign.pub into a directory',
    positionals: [{ name: 'NAME', description: 'Key name or id' }],
    options: [
      { name: 'format', type: 'string', value: 'cosign|pem|pgp|x509', description: 'What to write (x509: the certificate chain, leaf first)' },
      { name: 'out', type: 'string', value: 'PATH', description: 'File (pem, pgp) or directory (cosign)' },
      { name: 'password-env', type: 'string', value: 'VAR', description: 'cosign: the password for cosign.key from environment variable VAR (else a prompt)' },
    ],
    async run(ctx) {
      const o = ctx.args.options;
      const key = ctx.args.pos(0);
      if (!o.out || !o.format) throw new UsageError('--format and --out are required.');
      if (o.format === 'cosign') {
        const password = await ctx.readSecret('Password for cosign.key: ', ctx.args.str('password-env'));
        const result = await ctx.call('keys.exportCosign', { key, password });
        if (!result.ok) return fail(ctx, result);
        mkdirSync(ctx.args.req('out'), { recursive: true });
        await writeNew(path.join(ctx.args.req('out'), 'cosign.key'), result.value.key, 0o600);
        await writeNew(path.join(ctx.args.req('out'), 'cosign.pub'), result.value.pub, 0o644);
        ctx.out(ctx.json ? JSON.stringify({ key: path.join(ctx.args.req('out'), 'cosign.key'), pub: path.join(ctx.args.req('out'), 'cosign.pub') }) : `Wrote cosign.key and cosign.pub into ${o.out}.`);
        return EXIT_OK;
      }
      if (o.format !== 'pem' && o.format !== 'pgp' && o.format !== 'x509') throw new UsageError('--format must be cosign, pem, pgp or x509.');
      const result = await ctx.call('keys.get', { key });
      if (!result.ok) return fail(ctx, result);
      const text = o.format === 'pem' ? result.value.exports.pem : o.format === 'x509' ? result.value.exports.x509 : result.value.exports.pgp;
      if (!text) throw new UsageError(`"${key}" has no ${o.format === 'x509' ? 'certificate' : `${o.format} public key`}; use ${result.value.exports.pem ? 'pem' : 'pgp'}.`);
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
