import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignetError } from '../../../shared/errors';
import { loadModule } from '../../../electron/core/pkcs11/module';
import { TokenService } from '../../../electron/core/pkcs11/service';
import { requireCommand, startSoftHsm, type SoftHsmHandle } from '../../harness';

let hsm: SoftHsmHandle;
let service: TokenService;
let work: string;
let serial: string;
const openssl = requireCommand('openssl', 'openssl');

function opensslVerify(pem: string, data: Buffer, signature: Uint8Array, hash: string, extra: string[] = []): string {
  const dir = mkdtempSync(path.join(work, 'v-'));
  writeFileSync(path.join(dir, 'pub.pem'), pem);
  writeFileSync(path.join(dir, 'data'), data);
  writeFileSync(path.join(dir, 'sig'), signature);
  const run = spawnSync(
    openssl,
    ['dgst', `-${hash}`, ...extra, '-verify', path.join(dir, 'pub.pem'), '-signature', path.join(dir, 'sig'), path.join(dir, 'data')],
    { encoding: 'utf8' },
  );
  return `${run.stdout}${run.stderr}`.trim();
}

async function refusal(promise: Promise<unknown>): Promise<SignetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignetError);
    return error as SignetError;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  hsm = await startSoftHsm({ label: 'signet-a', pin: '246810' });
  // A second token with another PIN, initialised before the module loads (SoftHSM reads its token directory then).
  const second = spawnSync(
    requireCommand('softhsm2-util', 'softhsm2'),
    ['--init-token', '--free', '--label', 'signet-b', '--pin', '135790', '--so-pin', '12345678'],
    { env: { ...process.env, ...hsm.env }, encoding: 'utf8' },
  );
  if (second.status !== 0) throw new Error(second.stderr);
  Object.assign(process.env, hsm.env);
  work = mkdtempSync(path.join(tmpdir(), 'signet-p11-'));
  service = new TokenService(work, { findModules: async () => [{ path: hsm.modulePath, name: 'SoftHSM2', source: 'known-path' }] });
  serial = (await service.list(hsm.modulePath)).find((t) => t.label === 'signet-a')!.serial;
});

afterAll(async () => {
  await hsm?.stop();
});

describe('PKCS#11 tokens through SoftHSM2', () => {
  it('lists the module and its tokens by serial, with their flags', async () => {
    expect((await service.modules()).map((m) => m.path)).toEqual([hsm.modulePath]);
    const all = await service.list();
    // SoftHSM always offers one more slot with a fresh, uninitialised token.
    expect(all.filter((t) => !t.flags.tokenInitialized)).toHaveLength(1);
    const tokens = all.filter((t) => t.flags.tokenInitialized);
    expect(tokens.map((t) => t.label).sort()).toEqual(['signet-a', 'signet-b']);
    const a = tokens.find((t) => t.label === 'signet-a')!;
    expect(a).toMatchObject({
      module: hsm.modulePath,
      manufacturer: 'SoftHSM project',
      flags: { loginRequired: true, userPinInitialized: true, userPinLocked: false },
    });
    expect(a.serial).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a module that is neither known nor added', async () => {
    const error = await refusal(service.list('/usr/lib/not-a-module.so'));
    expect(error.code).toBe('FORBIDDEN');
  });

  it('generates EC and RSA keys on the token and signs; openssl verifies every signature', async () => {
    for (const [type, algorithm, hash] of [
      ['ecdsa-p256', 'ecdsa-p256-sha256', 'sha256'],
      ['ecdsa-p384', 'ecdsa-p384-sha384', 'sha384'],
      ['rsa-2048', 'rsa-pkcs1v15-sha256', 'sha256'],
      ['rsa-3072', 'rsa-pkcs1v15-sha256', 'sha256'],
    ] as const) {
      const key = await service.generate({ module: hsm.modulePath, token: serial, pin: '246810', label: `release-${type}`, type });
      expect(key).toMatchObject({
        label: `release-${type}`,
        hasPrivateKey: true,
        hasPublicKey: true,
        canSign: true,
        alwaysAuthenticate: false,
      });
      expect(key.idHex).toMatch(/^[0-9a-f]{32}$/);
      expect(key.algorithms).toContain(algorithm);
      const signer = await service.openSigner(key.uri, { pin: '246810' });
      try {
        expect(signer.describe()).toMatchObject({ provider: 'pkcs11', algorithm, spkiSha256: key.spkiSha256 });
        const data = Buffer.from(`signed by ${type} on a token`);
        const signature = await signer.sign(data);
        expect(opensslVerify(await signer.publicKeyPem(), data, signature, hash)).toBe('Verified OK');
        expect(opensslVerify(await signer.publicKeyPem(), Buffer.from('other data'), signature, hash)).toMatch(/Verification failure/);
      } finally {
        signer.close();
      }
    }
  });

  it('signs RSA-PSS and PKCS#1 v1.5 SHA-384 with one RSA key; openssl verifies', async () => {
    const key = (await service.keys({ module: hsm.modulePath, token: serial, pin: '246810' })).keys.find(
      (k) => k.label === 'release-rsa-2048',
    )!;
    expect(key.modulusBits).toBe(2048);
    const data = Buffer.from('PSS over a token key');
    const pss = await service.openSigner(key.uri, { pin: '246810', algorithm: 'rsa-pss-sha256' });
    const signature = await pss.sign(data);
    pss.close();
    expect(
      opensslVerify(key.publicKeyPem!, data, signature, 'sha256', ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']),
    ).toBe('Verified OK');
    const pkcs1 = await service.openSigner(key.uri, { pin: '246810', algorithm: 'rsa-pkcs1v15-sha384' });
    expect(opensslVerify(key.publicKeyPem!, data, await pkcs1.sign(data), 'sha384')).toBe('Verified OK');
    pkcs1.close();
    await expect(pkcs1.sign(data)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('lists keys with their attributes; without a PIN the private keys stay hidden', async () => {
    const withPin = await service.keys({ module: hsm.modulePath, token: serial, pin: '246810' });
    expect(withPin.loggedIn).toBe(true);
    const ec = withPin.keys.find((k) => k.label === 'release-ecdsa-p384')!;
    expect(ec).toMatchObject({ keyType: 'EC', curve: 'P-384', algorithms: ['ecdsa-p384-sha384'] });
    expect(ec.uri).toContain(`serial=${serial}`);
    expect(ec.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    const without = await service.keys({ module: hsm.modulePath, token: 'signet-a' });
    expect(without.loggedIn).toBe(false);
    expect(without.keys.every((k) => !k.hasPrivateKey)).toBe(true);
    expect(without.keys.map((k) => k.label)).toContain('release-ecdsa-p384');
  });

  it('test-signs through a cosign-style URI with pin-value in the query, and with a pin-source file', async () => {
    const uri = `pkcs11:token=signet-a;object=release-ecdsa-p256?module-path=${hsm.modulePath}&pin-value=246810`;
    const result = await service.testSign({ uri });
    expect(result).toMatchObject({ ok: true, algorithm: 'ecdsa-p256-sha256', mechanism: 'CKM_ECDSA' });
    expect(result.uri).not.toContain('246810');
    const pinFile = path.join(work, 'pin.txt');
    writeFileSync(pinFile, '246810\n', { mode: 0o600 });
    const viaFile = await service.testSign({
      uri: `pkcs11:token=signet-a;object=release-rsa-2048?module-path=${hsm.modulePath}&pin-source=file://${pinFile}`,
    });
    expect(viaFile).toMatchObject({ ok: true, algorithm: 'rsa-pkcs1v15-sha256' });
    // In the desktop app the URI comes from the page, which must not make Signet read a file it names.
    const desktop = new TokenService(work, {
      findModules: async () => [{ path: hsm.modulePath, name: 'SoftHSM2', source: 'known-path' }],
      refusePinSource: true,
    });
    const refused = await refusal(
      desktop.testSign({ uri: `pkcs11:token=signet-a;object=release-rsa-2048?module-path=${hsm.modulePath}&pin-source=file://${pinFile}` }),
    );
    expect(refused).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/PIN is typed in its field/) });
    expect(await desktop.testSign({ uri, pin: '246810' })).toMatchObject({ ok: true });
  });

  it('stops after a wrong PIN: one C_Login, a clear error, no PIN in the message', async () => {
    const mod = await loadModule(hsm.modulePath);
    const spy = vi.spyOn(mod.p11, 'C_Login');
    try {
      const error = await refusal(service.keys({ module: hsm.modulePath, token: serial, pin: '999999' }));
      expect(error.code).toBe('BAD_PASSPHRASE');
      expect(error.message).toMatch(/wrong.*did not try again/);
      expect(error.message).not.toContain('999999');
      expect(spy).toHaveBeenCalledTimes(1);
      const viaUri = await refusal(
        service.testSign({ uri: `pkcs11:token=signet-a;object=release-ecdsa-p256?module-path=${hsm.modulePath}&pin-value=888888` }),
      );
      expect(viaUri.code).toBe('BAD_PASSPHRASE');
      expect(viaUri.message).not.toContain('888888');
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('never sends one PIN to several tokens: a URI matching two tokens is refused before any login', async () => {
    const mod = await loadModule(hsm.modulePath);
    const spy = vi.spyOn(mod.p11, 'C_Login');
    try {
      const error = await refusal(
        service.testSign({ uri: `pkcs11:object=release-ecdsa-p256?module-path=${hsm.modulePath}`, pin: '246810' }),
      );
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toMatch(/2 tokens match/);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    // The other token's own PIN works there, and signet-a's PIN does not.
    const b = (await service.list(hsm.modulePath)).find((t) => t.label === 'signet-b')!;
    expect((await service.keys({ module: hsm.modulePath, token: b.serial, pin: '135790' })).loggedIn).toBe(true);
    expect((await refusal(service.keys({ module: hsm.modulePath, token: b.serial, pin: '246810' }))).code).toBe('BAD_PASSPHRASE');
  });

  it('honours CKA_ALWAYS_AUTHENTICATE (context-specific login) and CKA_ALLOWED_MECHANISMS', async () => {
    const mod = await loadModule(hsm.modulePath);
    const { lib, p11 } = mod;
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).serialNumber.trim() === serial)!;
    const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
    const ulongs = (...values: number[]) => {
      const b = Buffer.alloc(8 * values.length);
      values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 8 * i));
      return b;
    };
    p11.C_Login(session, lib.CKU_USER, '246810');
    try {
      p11.C_GenerateKeyPair(
        session,
        { mechanism: lib.CKM_EC_KEY_PAIR_GEN },
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'guarded' },
          { type: lib.CKA_ID, value: Buffer.from([0x47]) },
          { type: lib.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
          { type: lib.CKA_VERIFY, value: true },
        ],
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'guarded' },
          { type: lib.CKA_ID, value: Buffer.from([0x47]) },
          { type: lib.CKA_PRIVATE, value: true },
          { type: lib.CKA_SENSITIVE, value: true },
          { type: lib.CKA_SIGN, value: true },
          { type: lib.CKA_ALWAYS_AUTHENTICATE, value: true },
          { type: lib.CKA_ALLOWED_MECHANISMS, value: ulongs(lib.CKM_ECDSA) },
        ],
      );
      // Allowed only a mechanism SoftHSM 2.6 does not implement: no algorithm is usable.
      p11.C_GenerateKeyPair(
        session,
        { mechanism: lib.CKM_EC_KEY_PAIR_GEN },
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'unusable' },
          { type: lib.CKA_ID, value: Buffer.from([0x55]) },
          { type: lib.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
        ],
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'unusable' },
          { type: lib.CKA_ID, value: Buffer.from([0x55]) },
          { type: lib.CKA_PRIVATE, value: true },
          { type: lib.CKA_SIGN, value: true },
          { type: lib.CKA_ALLOWED_MECHANISMS, value: ulongs(lib.CKM_ECDSA_SHA256) },
        ],
      );
      p11.C_GenerateKeyPair(
        session,
        { mechanism: lib.CKM_RSA_PKCS_KEY_PAIR_GEN },
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'pss-only' },
          { type: lib.CKA_ID, value: Buffer.from([0x50]) },
          { type: lib.CKA_MODULUS_BITS, value: 2048 },
          { type: lib.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          { type: lib.CKA_VERIFY, value: true },
        ],
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'pss-only' },
          { type: lib.CKA_ID, value: Buffer.from([0x50]) },
          { type: lib.CKA_PRIVATE, value: true },
          { type: lib.CKA_SENSITIVE, value: true },
          { type: lib.CKA_SIGN, value: true },
          { type: lib.CKA_ALLOWED_MECHANISMS, value: ulongs(lib.CKM_SHA256_RSA_PKCS_PSS) },
        ],
      );
    } finally {
      p11.C_Logout(session);
      p11.C_CloseSession(session);
    }
    const listed = (await service.keys({ module: hsm.modulePath, token: serial, pin: '246810' })).keys;
    const guarded = listed.find((k) => k.label === 'guarded')!;
    expect(guarded).toMatchObject({ alwaysAuthenticate: true, allowedMechanisms: ['CKM_ECDSA'], algorithms: ['ecdsa-p256-sha256'] });
    const unusable = listed.find((k) => k.label === 'unusable')!;
    expect(unusable).toMatchObject({ allowedMechanisms: ['CKM_ECDSA_SHA256'], algorithms: [] });
    expect((await refusal(service.openSigner(unusable.uri, { pin: '246810' }))).message).toMatch(/allows only CKM_ECDSA_SHA256/);
    const pssOnly = listed.find((k) => k.label === 'pss-only')!;
    expect(pssOnly).toMatchObject({ allowedMechanisms: ['CKM_SHA256_RSA_PKCS_PSS'], algorithms: ['rsa-pss-sha256'] });

    const login = vi.spyOn(p11, 'C_Login');
    const data = Buffer.from('always-authenticate');
    const signer = await service.openSigner(guarded.uri, { pin: '246810' });
    login.mockClear();
    const signature = await signer.sign(data);
    // One session login, then the context-specific one the key demands.
    expect(login.mock.calls.map((c) => c[1])).toEqual([lib.CKU_USER, lib.CKU_CONTEXT_SPECIFIC]);
    login.mockRestore();
    expect(opensslVerify(guarded.publicKeyPem!, data, signature, 'sha256')).toBe('Verified OK');
    signer.close();

    expect((await refusal(service.openSigner(pssOnly.uri, { pin: '246810', algorithm: 'rsa-pkcs1v15-sha256' }))).message).toMatch(
      /does not allow/,
    );
    const pss = await service.openSigner(pssOnly.uri, { pin: '246810' });
    expect(pss.describe().algorithm).toBe('rsa-pss-sha256');
    const pssSig = await pss.sign(data);
    // CKM_SHA256_RSA_PKCS_PSS hashes on the token, so a precomputed digest cannot be signed.
    await expect(pss.signDigest!(new Uint8Array(32))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    pss.close();
    expect(
      opensslVerify(pssOnly.publicKeyPem!, data, pssSig, 'sha256', ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']),
    ).toBe('Verified OK');
  });

  it('refuses a token signature that does not verify with the key’s public key', async () => {
    const mod = await loadModule(hsm.modulePath);
    const real = mod.p11.C_Sign.bind(mod.p11);
    const sign = vi.spyOn(mod.p11, 'C_Sign').mockImplementation(((session: Buffer, data: Buffer, out: Buffer) => {
      const signature = real(session, data, out);
      signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 0x01, signature.length - 1);
      return signature;
    }) as typeof mod.p11.C_Sign);
    try {
      for (const label of ['release-ecdsa-p256', 'release-rsa-2048']) {
        const error = await refusal(
          service.testSign({ uri: `pkcs11:serial=${serial};object=${label}?module-path=${hsm.modulePath}`, pin: '246810' }),
        );
        expect(error.code).toBe('SIGNING_FAILED');
        expect(error.message).toMatch(/does not verify.*refused the signature/);
      }
    } finally {
      sign.mockRestore();
    }
  });

  it('refuses a pkcs11: URI with the PIN in its path, and never echoes it', async () => {
    const error = await refusal(
      service.testSign({ uri: `pkcs11:token=signet-a;object=release-ecdsa-p256;pin-value=246810?module-path=${hsm.modulePath}` }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/pin-value.*path/);
    expect(error.message).not.toContain('246810');
  });

  it('refuses a second key with the same label', async () => {
    const error = await refusal(
      service.generate({ module: hsm.modulePath, token: serial, pin: '246810', label: 'release-ecdsa-p256', type: 'ecdsa-p256' }),
    );
    expect(error.code).toBe('CONFLICT');
  });

  it('shows every attribute of a token, its slot and module, and the mechanisms', async () => {
    const diag = await service.diagnostics({ module: hsm.modulePath, token: serial });
    const row = (group: string, name: string) => diag.attributes.find((a) => a.group === group && a.name === name)?.value;
    expect(row('token', 'serialNumber')).toBe(serial);
    expect(row('token', 'flags')).toMatch(/LOGIN_REQUIRED/);
    expect(row('module', 'manufacturerID')).toBe('SoftHSM');
    expect(row('mechanism', 'CKM_ECDSA')).toMatch(/SIGN/);
    expect(row('mechanism', 'CKM_RSA_PKCS_PSS')).toMatch(/SIGN/);
  });

  it('openssl cross-check of the SPKI fingerprint', async () => {
    const key = (await service.keys({ module: hsm.modulePath, token: serial })).keys.find((k) => k.label === 'release-ecdsa-p256')!;
    const file = path.join(work, 'fp.pem');
    writeFileSync(file, key.publicKeyPem!);
    const der = execFileSync(openssl, ['pkey', '-pubin', '-in', file, '-outform', 'DER']);
    const sha = execFileSync(openssl, ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0];
    expect(sha).toBe(key.spkiSha256);
  });
});
