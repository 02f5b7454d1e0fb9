import { randomBytes } from 'node:crypto';
import type { Template } from 'pkcs11js';
import { SignetError } from '../../../shared/errors';
import type { TokenKeyType } from '../../../shared/models/tokens';
import type { LoadedModule } from './module';
import { readKeys, type KeyObjects } from './objects';
import type { Handle } from './module';
import { CURVES } from './spki';

/**
 * Generates a key pair on the token: the private key sensitive, never extractable, signing only;
 * labelled `label` with a fresh random 16-byte CKA_ID (so a URI can name it even if labels repeat).
 */
export function generateKeyPair(mod: LoadedModule, session: Handle, label: string, type: TokenKeyType): KeyObjects {
  const { lib, p11 } = mod;
  if (readKeys(mod, session, { label }).some((k) => k.privateKey)) {
    throw new SignetError('CONFLICT', `The token already holds a private key labelled "${label}"; choose another label.`);
  }
  const id = randomBytes(16);
  const common = (cls: number): Template => [
    { type: lib.CKA_CLASS, value: cls },
    { type: lib.CKA_TOKEN, value: true },
    { type: lib.CKA_LABEL, value: label },
    { type: lib.CKA_ID, value: id },
  ];
  const publicTemplate: Template = [
    ...common(lib.CKO_PUBLIC_KEY),
    { type: lib.CKA_VERIFY, value: true },
    { type: lib.CKA_ENCRYPT, value: false },
    { type: lib.CKA_WRAP, value: false },
  ];
  const privateTemplate: Template = [
    ...common(lib.CKO_PRIVATE_KEY),
    { type: lib.CKA_PRIVATE, value: true },
    { type: lib.CKA_SENSITIVE, value: true },
    { type: lib.CKA_EXTRACTABLE, value: false },
    { type: lib.CKA_SIGN, value: true },
    { type: lib.CKA_DECRYPT, value: false },
    { type: lib.CKA_UNWRAP, value: false },
    { type: lib.CKA_DERIVE, value: false },
  ];
  let mechanism: number;
  if (type === 'ecdsa-p256' || type === 'ecdsa-p384') {
    mechanism = lib.CKM_EC_KEY_PAIR_GEN;
    const curve = type === 'ecdsa-p256' ? CURVES['P-256'] : CURVES['P-384'];
    publicTemplate.push({ type: lib.CKA_KEY_TYPE, value: lib.CKK_EC }, { type: lib.CKA_EC_PARAMS, value: Buffer.from(curve.oid, 'hex') });
    privateTemplate.push({ type: lib.CKA_KEY_TYPE, value: lib.CKK_EC });
  } else {
    mechanism = lib.CKM_RSA_PKCS_KEY_PAIR_GEN;
    publicTemplate.push(
      { type: lib.CKA_KEY_TYPE, value: lib.CKK_RSA },
      { type: lib.CKA_MODULUS_BITS, value: type === 'rsa-2048' ? 2048 : 3072 },
      { type: lib.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    );
    privateTemplate.push({ type: lib.CKA_KEY_TYPE, value: lib.CKK_RSA });
  }
  p11.C_GenerateKeyPair(session, { mechanism }, publicTemplate, privateTemplate);
  const made = readKeys(mod, session, { id }).find((k) => k.privateKey);
  if (!made) throw new SignetError('SIGNING_FAILED', 'The token reported a new key pair but Signet cannot find it afterwards.');
  return made;
}
