import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unprotectedKeychainReason } from './keychain';
import { KeychainSecretStore } from './secrets';

function dataHome(files: Record<string, string | Buffer>): string {
  const home = mkdtempSync(path.join(tmpdir(), 'signet-keyrings-'));
  mkdirSync(path.join(home, 'keyrings'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(home, 'keyrings', name), content);
  return home;
}

// gnome-keyring's two on-disk formats: the encrypted binary one (magic "GnomeKeyring\n\r\0\n") and
// the plain-text key file it writes for a keyring with an empty password (gkm-secret-textual.c).
const ENCRYPTED = Buffer.concat([Buffer.from('GnomeKeyring\n\r\0\n', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0])]);
const PLAIN =
  '[keyring]\ndisplay-name=Login\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n\n[1]\nitem-type=0\ndisplay-name=x\nsecret=hunter2\n';

describe('unprotected keychain detection (best effort, gnome-keyring)', () => {
  it('passes an encrypted login keyring and refuses a plain-text one, following the default alias', () => {
    expect(unprotectedKeychainReason({ XDG_DATA_HOME: dataHome({ 'login.keyring': ENCRYPTED }) }, 'linux')).toBeUndefined();
    expect(unprotectedKeychainReason({ XDG_DATA_HOME: dataHome({ 'login.keyring': PLAIN }) }, 'linux')).toMatch(
      /keeps the "login" keyring unencrypted \(it has an empty password\)/,
    );
    expect(
      unprotectedKeychainReason(
        { XDG_DATA_HOME: dataHome({ default: 'work\n', 'login.keyring': ENCRYPTED, 'work.keyring': PLAIN }) },
        'linux',
      ),
    ).toMatch(/"work" keyring unencrypted/);
  });

  it('says nothing when it cannot tell (no file, other platforms, odd alias)', () => {
    expect(unprotectedKeychainReason({ XDG_DATA_HOME: dataHome({}) }, 'linux')).toBeUndefined();
    expect(unprotectedKeychainReason({ XDG_DATA_HOME: dataHome({ 'login.keyring': PLAIN }) }, 'darwin')).toBeUndefined();
    expect(
      unprotectedKeychainReason({ XDG_DATA_HOME: dataHome({ default: '../../etc/passwd', 'login.keyring': PLAIN }) }, 'linux'),
    ).toBeUndefined();
  });

  it('the keychain store refuses before anything is written, pointing to the vault', async () => {
    const store = new KeychainSecretStore(() => 'gnome-keyring keeps the "login" keyring unencrypted');
    await expect(store.put('k-0000000000000001', 'secret')).rejects.toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
      message: expect.stringMatching(/refuses to store the key there: .*unencrypted.*--store vault/),
    });
  });
});
