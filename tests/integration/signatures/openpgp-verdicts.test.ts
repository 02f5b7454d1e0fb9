import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAtomicPayload } from '../../../shared/payloads/payloads';
import { createCore } from '../../../electron/core/core';
import { MemorySecretStore } from '../../../electron/core/keys/secrets';
import { evaluatePolicy } from '../../../electron/core/trust/evaluate';
import { parsePolicy } from '../../../electron/core/trust/policy';
import { GpgHome, pushTestImage, requireCommand, startRegistry, type PushedImage, type RegistryHandle } from '../../harness';

/**
 * Verdicts on OpenPGP simple signatures that real gpg (and skopeo) made: expired keys and subkeys,
 * clocks set back, revocations for every reason, several keys in trust, several signatures in one
 * message, trust windows and identities. Each case runs through the image report
 * (signatures.verify, what `signet verify` and the UI show) and through policy evaluation
 * (signedBy, what `signet policy evaluate` and podman decide), and asserts the reason code.
 */

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
interface Report {
  verdict: string;
  code: string;
  signatures: Array<{
    format: string;
    verdict: string;
    code: string;
    signer?: string;
    checks: Array<{ name: string; status: string; code: string; reason: string }>;
  }>;
}

const DAY = 86_400_000;
const now = Date.now();
const at = (offsetMs: number) => new Date(now + offsetMs);

describe('OpenPGP verdicts against signatures made by gpg and skopeo', () => {
  let registry: RegistryHandle;
  let image: PushedImage;
  let gpg: GpgHome;
  let reference: string;

  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushTestImage(registry.url, 'team/app', '1.0', { seed: 'openpgp-verdicts' });
    reference = `${registry.host}/team/app:1.0`;
    gpg = new GpgHome();
  });
  afterAll(async () => {
    gpg?.stop();
    await registry?.stop();
  });

  const payloadFor = (options: { identity?: string; timestamp?: Date } = {}) =>
    buildAtomicPayload({
      dockerReference: options.identity ?? reference,
      manifestDigest: image.digest,
      creator: 'gpg test',
      timestamp: Math.floor((options.timestamp ?? new Date()).getTime() / 1000),
    });

  /** Verifies `message` through the image report, with the given keys in the trust store (in order). */
  async function report(
    message: Buffer,
    trusted: Array<{ name: string; armored: string; notAfter?: string }>,
    options: { tag?: string } = { tag: '1.0' },
  ): Promise<Report> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'signet-pgp-verdict-'));
    const core = createCore({ dataDir, host: 'cli', keySecrets: new MemorySecretStore() });
    const call = async <T>(name: string, input: unknown): Promise<T> => {
      const r = (await core.dispatch(name as never, input as never)) as unknown as Outcome<T>;
      if (!r.ok) throw new Error(`${name}: ${r.code}: ${r.message}`);
      return r.value;
    };
    const id = (await call<{ id: string }>('registry.add', { host: registry.host })).id;
    for (const t of trusted) await call('trust.add', { name: t.name, data: t.armored, ...(t.notAfter ? { notAfter: t.notAfter } : {}) });
    const lookaside = path.join(dataDir, 'lookaside');
    const dir = path.join(lookaside, `team/app@${image.digest.replace(':', '=')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'signature-1'), message);
    return call<Report>('signatures.verify', {
      id,
      repository: 'team/app',
      digest: image.digest,
      lookaside,
      ...(options.tag ? { tag: options.tag } : {}),
    });
  }

  /** Evaluates a signedBy policy holding `keys` (binary keyring) for the image with this signature. */
  async function policy(message: Buffer, keys: Buffer, imageReference = reference) {
    const parsed = parsePolicy(
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: {
          docker: {
            '': [
              {
                type: 'signedBy',
                keyType: 'GPGKeys',
                keyData: keys.toString('base64'),
                signedIdentity: { type: 'matchRepoDigestOrExact' },
              },
            ],
          },
        },
      }),
    );
    const decided = await evaluatePolicy(parsed, {
      transport: 'docker',
      reference: imageReference,
      manifestDigest: image.digest,
      signatures: [{ source: 'signature-1', signature: { kind: 'simple', message } }],
    });
    return { allowed: decided.allowed, signature: decided.requirements[0]?.signatures[0] };
  }

  it('a valid signature by a trusted key verifies, in the report and under policy (control)', async () => {
    const fpr = gpg.generate('Valid <valid@example.com>');
    const message = gpg.sign(payloadFor(), [fpr]);
    const r = await report(message, [{ name: 'valid', armored: gpg.exportPublic(fpr).toString() }]);
    expect(r).toMatchObject({
      verdict: 'verified',
      code: 'VERIFIED',
      signatures: [expect.objectContaining({ verdict: 'verified', code: 'SIG_VALID' })],
    });
    expect(await policy(message, gpg.exportPublic(fpr, false))).toMatchObject({
      allowed: true,
      signature: expect.objectContaining({ code: 'SIG_VALID' }),
    });
  });

  it('a signature made before the key expired is refused now (KEY_EXPIRED)', async () => {
    const fpr = gpg.generate('Expired <expired@example.com>', { expire: '1d', at: at(-3 * DAY) });
    const message = gpg.sign(payloadFor({ timestamp: at(-3 * DAY + 3_600_000) }), [fpr], at(-3 * DAY + 3_600_000));
    const r = await report(message, [{ name: 'expired', armored: gpg.exportPublic(fpr).toString() }]);
    expect(r).toMatchObject({ verdict: 'failed', signatures: [expect.objectContaining({ verdict: 'failed', code: 'KEY_EXPIRED' })] });
    expect(await policy(message, gpg.exportPublic(fpr, false))).toMatchObject({
      allowed: false,
      signature: expect.objectContaining({ code: 'KEY_EXPIRED' }),
    });
  });

  it('a signature with the clock set back to when the key was still valid is refused (KEY_EXPIRED)', async () => {
    const fpr = gpg.generate('Clock <clock@example.com>', { expire: '1d', at: at(-2 * DAY) });
    // Made today, by a signer whose clock says the key is still valid.
    const backdated = gpg.sign(payloadFor({ timestamp: at(-2 * DAY + 60_000) }), [fpr], at(-2 * DAY + 60_000));
    const armored = gpg.exportPublic(fpr).toString();
    expect((await report(backdated, [{ name: 'clock', armored }])).signatures[0]).toMatchObject({ verdict: 'failed', code: 'KEY_EXPIRED' });
  });

  it('a signature by an expired signing subkey is refused (KEY_EXPIRED), the primary still valid', async () => {
    const fpr = gpg.generate('Subkey <subkey@example.com>', { usage: 'cert', at: at(-3 * DAY) });
    const [sub] = gpg.addSubkey(fpr, { expire: '1d', at: at(-3 * DAY) });
    const message = gpg.sign(payloadFor({ timestamp: at(-3 * DAY + 3_600_000) }), [`${sub}!`], at(-3 * DAY + 3_600_000));
    const r = await report(message, [{ name: 'subkey', armored: gpg.exportPublic(fpr).toString() }]);
    expect(r.signatures[0]).toMatchObject({
      verdict: 'failed',
      code: 'KEY_EXPIRED',
      checks: expect.arrayContaining([expect.objectContaining({ reason: expect.stringContaining('subkey') })]),
    });
    expect(await policy(message, gpg.exportPublic(fpr, false))).toMatchObject({
      allowed: false,
      signature: expect.objectContaining({ code: 'KEY_EXPIRED' }),
    });
  });

  it('a one-pass packet rewritten to name the valid primary does not launder an expired subkey’s signature', async () => {
    const fpr = gpg.generate('Onepass <onepass@example.com>', { usage: 'cert', at: at(-30 * DAY) });
    const [sub] = gpg.addSubkey(fpr, { expire: '1d', at: at(-30 * DAY) });
    const message = gpg.sign(payloadFor({ timestamp: at(-30 * DAY + 3_600_000) }), [`${sub}!`], at(-30 * DAY + 3_600_000), {
      compress: false,
    });
    // The one-pass packet (not covered by the signature) comes first: tag 4, old or new format.
    expect([0x90, 0xc4]).toContain(message[0]);
    // Its header is the tag byte and a one-byte length in either format; the key id follows version, type, hash and key algorithm.
    const patched = Buffer.from(message);
    Buffer.from(fpr.slice(-16), 'hex').copy(patched, 2 + 4);
    const armored = gpg.exportPublic(fpr).toString();
    expect((await report(message, [{ name: 'onepass', armored }])).signatures[0]).toMatchObject({ verdict: 'failed', code: 'KEY_EXPIRED' });
    const r = await report(patched, [{ name: 'onepass', armored }]);
    expect(r.verdict).toBe('failed');
    expect(['SIG_INVALID', 'KEY_EXPIRED']).toContain(r.signatures[0]?.code);
    expect((await policy(patched, gpg.exportPublic(fpr, false))).allowed).toBe(false);
  });

  it('a compressed message that expands past 4 MiB is refused without being expanded whole', async () => {
    const bomb = gpg.store(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().rss;
    const r = await report(bomb, [{ name: 'any', armored: gpg.exportPublic(gpg.generate('Bomb <bomb@example.com>')).toString() }]);
    expect(r.signatures[0]).toMatchObject({ verdict: 'failed', code: 'SIG_UNREADABLE' });
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it.each([
    [0, 'no reason'],
    [1, 'superseded'],
    [2, 'compromised'],
    [3, 'retired'],
  ] as const)('a key revoked with reason %i (%s) refuses its signatures, whatever date they claim (KEY_REVOKED)', async (reason, word) => {
    const fpr = gpg.generate(`Revoked ${reason} <revoked${reason}@example.com>`, { at: at(-3 * DAY) });
    const message = gpg.sign(payloadFor({ timestamp: at(-2 * DAY) }), [fpr], at(-2 * DAY));
    gpg.revoke(fpr, reason);
    const r = await report(message, [{ name: `revoked-${reason}`, armored: gpg.exportPublic(fpr).toString() }]);
    expect(r).toMatchObject({
      verdict: 'failed',
      signatures: [
        expect.objectContaining({
          code: 'KEY_REVOKED',
          checks: expect.arrayContaining([
            expect.objectContaining({ code: 'KEY_REVOKED', reason: expect.stringContaining(word === 'no reason' ? 'no reason' : word) }),
          ]),
        }),
      ],
    });
    expect(await policy(message, gpg.exportPublic(fpr, false))).toMatchObject({
      allowed: false,
      signature: expect.objectContaining({ code: 'KEY_REVOKED' }),
    });
  });

  it('a signing subkey revoked as superseded refuses its earlier signatures (KEY_REVOKED)', async () => {
    const fpr = gpg.generate('Subrev <subrev@example.com>', { usage: 'cert', at: at(-3 * DAY) });
    const [sub] = gpg.addSubkey(fpr, { at: at(-3 * DAY) });
    const message = gpg.sign(payloadFor({ timestamp: at(-2 * DAY) }), [`${sub}!`], at(-2 * DAY));
    gpg.revoke(fpr, 1, 1);
    const r = await report(message, [{ name: 'subrev', armored: gpg.exportPublic(fpr).toString() }]);
    expect(r.signatures[0]).toMatchObject({ verdict: 'failed', code: 'KEY_REVOKED' });
  });

  it('with several trusted keys, a signature by the second (or third) verifies, in any order', async () => {
    const a = gpg.generate('First <first@example.com>');
    const b = gpg.generate('Second <second@example.com>', { algo: 'rsa2048' });
    const c = gpg.generate('Third <third@example.com>', { algo: 'nistp256' });
    const keys = { a: gpg.exportPublic(a).toString(), b: gpg.exportPublic(b).toString(), c: gpg.exportPublic(c).toString() };
    const byB = gpg.sign(payloadFor(), [b]);
    for (const order of [
      ['a', 'b', 'c'],
      ['c', 'a', 'b'],
      ['b', 'c', 'a'],
    ] as const) {
      const r = await report(
        byB,
        order.map((k) => ({ name: `key-${k}`, armored: keys[k] })),
      );
      expect(r).toMatchObject({ verdict: 'verified', signatures: [expect.objectContaining({ signer: 'key-b (trusted)' })] });
    }
    const ring = Buffer.concat([gpg.exportPublic(a, false), gpg.exportPublic(c, false), gpg.exportPublic(b, false)]);
    expect((await policy(byB, ring)).allowed).toBe(true);
  });

  it('one message with two signatures is refused, as containers/image requires exactly one (SIG_MULTIPLE)', async () => {
    const a = gpg.generate('Multi A <multi-a@example.com>');
    const b = gpg.generate('Multi B <multi-b@example.com>');
    const message = gpg.sign(payloadFor(), [a, b]);
    const r = await report(message, [{ name: 'multi-a', armored: gpg.exportPublic(a).toString() }]);
    expect(r.signatures[0]).toMatchObject({ verdict: 'failed', code: 'SIG_MULTIPLE' });
    expect(await policy(message, gpg.exportPublic(a, false))).toMatchObject({
      allowed: false,
      signature: expect.objectContaining({ code: 'SIG_MULTIPLE' }),
    });
  });

  it('a payload timestamp that claims a date inside an ended trust window does not place the signature there (WINDOW_ENDED)', async () => {
    const fpr = gpg.generate('Window <window@example.com>');
    const message = gpg.sign(payloadFor({ timestamp: new Date('2019-06-01T00:00:00Z') }), [fpr]);
    const r = await report(message, [{ name: 'window', armored: gpg.exportPublic(fpr).toString(), notAfter: '2020-01-01T00:00:00Z' }]);
    expect(r.signatures[0]).toMatchObject({ verdict: 'failed', code: 'WINDOW_ENDED' });
  });

  it('a signature naming another repository is refused for this image, by digest as by tag (IDENTITY_MISMATCH)', async () => {
    const fpr = gpg.generate('Identity <identity@example.com>');
    const message = gpg.sign(payloadFor({ identity: `${registry.host}/team/other:1.0` }), [fpr]);
    const armored = gpg.exportPublic(fpr).toString();
    expect((await report(message, [{ name: 'identity', armored }], {})).signatures[0]).toMatchObject({
      verdict: 'failed',
      code: 'IDENTITY_MISMATCH',
    });
    expect((await report(message, [{ name: 'identity', armored }])).signatures[0]).toMatchObject({
      verdict: 'failed',
      code: 'IDENTITY_MISMATCH',
    });
    expect((await policy(message, gpg.exportPublic(fpr, false), `${registry.host}/team/app@${image.digest}`)).allowed).toBe(false);
  });

  it('a signature by a key not in the trust store is signed but untrusted (SIG_UNKNOWN_KEY)', async () => {
    const fpr = gpg.generate('Stranger <stranger@example.com>');
    const other = gpg.generate('Trusted <trusted@example.com>');
    const r = await report(gpg.sign(payloadFor(), [fpr]), [{ name: 'trusted', armored: gpg.exportPublic(other).toString() }]);
    expect(r).toMatchObject({
      verdict: 'signed-untrusted',
      code: 'SIGNED_UNTRUSTED',
      signatures: [expect.objectContaining({ code: 'SIG_UNKNOWN_KEY' })],
    });
  });

  it('skopeo standalone-sign with gpg’s default RSA key (compressed, partial lengths) verifies, and skopeo agrees', async () => {
    requireCommand('skopeo', 'skopeo');
    const fpr = gpg.generate('Skopeo RSA <skopeo@example.com>', { algo: 'rsa3072' });
    const work = mkdtempSync(path.join(tmpdir(), 'signet-skopeo-sign-'));
    const manifest = path.join(work, 'manifest.json');
    writeFileSync(manifest, execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]));
    const out = path.join(work, 'signature-1');
    const signed = spawnSync('skopeo', ['standalone-sign', '--output', out, manifest, reference, fpr], {
      env: { ...process.env, GNUPGHOME: gpg.dir },
    });
    expect(signed.status, signed.stderr.toString()).toBe(0);
    const message = execFileSync('cat', [out]);
    const verified = spawnSync('skopeo', ['standalone-verify', manifest, reference, fpr, out], {
      env: { ...process.env, GNUPGHOME: gpg.dir },
    });
    expect(verified.status, verified.stderr.toString()).toBe(0);
    const r = await report(message, [
      { name: 'decoy', armored: gpg.exportPublic(gpg.generate('Decoy <decoy@example.com>')).toString() },
      { name: 'skopeo', armored: gpg.exportPublic(fpr).toString() },
    ]);
    expect(r).toMatchObject({
      verdict: 'verified',
      signatures: [expect.objectContaining({ signer: 'skopeo (trusted)', code: 'SIG_VALID' })],
    });
  });
});
