import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireCommand, tempDir } from '../tools';

/**
 * Verifies a signature with the openssl command line, the way a person would check a KMS
 * signature by hand. PSS is checked with salt length = digest length; SM2 with the standard
 * signer ID 1234567812345678 (OpenSSL's `dgst` uses an empty ID unless told).
 */
export function opensslVerify(publicKeyPem: string, data: Uint8Array, signature: Uint8Array, algorithm: string): boolean {
  const openssl = requireCommand('openssl', 'openssl');
  const dir = tempDir('kms-openssl');
  try {
    const pub = path.join(dir.path, 'pub.pem');
    const file = path.join(dir.path, 'data');
    const sig = path.join(dir.path, 'sig');
    writeFileSync(pub, publicKeyPem);
    writeFileSync(file, data);
    writeFileSync(sig, signature);
    const digest = algorithm === 'sm2-sm3' ? 'sm3' : algorithm.slice(-6);
    const args = ['dgst', `-${digest}`];
    if (algorithm.startsWith('rsa-pss')) args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest');
    if (algorithm === 'sm2-sm3') args.push('-sigopt', 'distid:1234567812345678');
    args.push('-verify', pub, '-signature', sig, file);
    try {
      return execFileSync(openssl, args, { stdio: ['ignore', 'pipe', 'pipe'] })
        .toString()
        .includes('Verified OK');
    } catch {
      return false;
    }
  } finally {
    dir.remove();
  }
}
