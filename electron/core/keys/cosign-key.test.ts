import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vector } from '../../../tests/vectors';
import { COSIGN_LABEL, cosignPublicKeyPem, decryptCosignKey, encryptCosignKey, readPem } from './cosign-key';

const enc = (s: string) => Buffer.from(s, 'utf8');
const read = (...p: string[]) => readFileSync(vector(...p), 'utf8');

describe('cosign encrypted private keys', () => {
  it('opens policy-controller’s key (COSIGN label, N=32768, empty password) and it matches cosign.pub', async () => {
    const { privateKey, label } = await decryptCosignKey(read('sigstore-policy-controller', 'cosign.key'), enc(''));
    expect(label).toBe(COSIGN_LABEL);
    const expected = createPublicKey(read('sigstore-policy-controller', 'cosign.pub')).export({ type: 'spki', format: 'der' });
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).equals(expected)).toBe(true);
  });

  it.each(['pemcosignkey.pem', 'pemsigstorekey.pem'])('opens cosign’s %s with its password', async (file) => {
    const { privateKey } = await decryptCosignKey(read('sigstore-cosign', 'extracted-from-keys_test.go', file), enc('hello'));
    expect(privateKey.asymmetricKeyType).toBe('ec');
  });

  it('refuses the SEC1-inner key, saying why, and a wrong password', async () => {
    await expect(
      decryptCosignKey(read('sigstore-cosign', 'extracted-from-keys_test.go', 'pemcosigneckey.pem'), enc('hello')),
    ).rejects.toThrow(/not PKCS#8/);
    await expect(
      decryptCosignKey(read('sigstore-cosign', 'extracted-from-keys_test.go', 'pemsigstorekey.pem'), enc('hello\n')),
    ).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
  });

  it('refuses a truncated PEM and one with its line breaks stripped', async () => {
    const good = read('sigstore-cosign', 'extracted-from-keys_test.go', 'pemsigstorekey.pem');
    await expect(decryptCosignKey(good.slice(0, good.length - 40), enc('hello'))).rejects.toThrow(/cut short/);
    const lines = good.trim().split('\n');
    const stripped = `${lines[0]}\n${lines.slice(1, -1).join('')}\n${lines.at(-1)}\n`;
    await expect(decryptCosignKey(stripped, enc('hello'))).rejects.toThrow(/line breaks/);
  });

  it('writes keys that an independent scrypt + NaCl (Python hashlib and PyNaCl) opens to the same key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const text = await encryptCosignKey(privateKey, enc('s3cret pw'));
    expect(text.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n')).toBe(true);
    const script = [
      'import sys, json, base64, hashlib, nacl.secret',
      'pem = sys.stdin.read().strip().splitlines()',
      'doc = json.loads(base64.b64decode("".join(pem[1:-1])))',
      'p = doc["kdf"]["params"]',
      'key = hashlib.scrypt(b"s3cret pw", salt=base64.b64decode(doc["kdf"]["salt"]), n=p["N"], r=p["r"], p=p["p"], dklen=32, maxmem=2**29)',
      'box = nacl.secret.SecretBox(key)',
      'sys.stdout.write(box.decrypt(base64.b64decode(doc["ciphertext"]), base64.b64decode(doc["cipher"]["nonce"])).hex())',
    ].join('\n');
    const pkcs8 = Buffer.from(execFileSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' }), 'hex');
    expect(pkcs8.equals(privateKey.export({ type: 'pkcs8', format: 'der' }))).toBe(true);
    const reopened = await decryptCosignKey(text, enc('s3cret pw'));
    const signature = sign('sha256', enc('payload'), reopened.privateKey);
    expect(verify('sha256', enc('payload'), cosignPublicKeyPem(privateKey), signature)).toBe(true);
    expect(readPem(text)?.label).toBe('ENCRYPTED SIGSTORE PRIVATE KEY');
  });
});
