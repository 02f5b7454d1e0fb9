import type { Template } from 'pkcs11js';
import { SignetError } from '../../../shared/errors';
import type { TokenKey, TokenSummary } from '../../../shared/models/tokens';
import { algorithmsFor, planFor } from './mechanisms';
import type { Handle, LoadedModule } from './module';
import { curveOfParams, CURVES, ecPointBytes, ecSpkiPem, rsaSpkiPem, spkiSha256Hex, type CurveName } from './spki';
import { mechanismName, tokenName } from './tokens';
import { formatPkcs11Uri } from './uri';

/** One key on a token: its private and/or public object, with what Signet read from them. */
export interface KeyObjects {
  privateKey?: Handle;
  publicKey?: Handle;
  label: string;
  id: Buffer;
  keyType: 'EC' | 'RSA' | string;
  curve?: CurveName | string;
  modulusBits?: number;
  canSign: boolean;
  alwaysAuthenticate: boolean;
  allowedMechanisms?: number[];
  publicKeyPem?: string;
}

function attr(mod: LoadedModule, session: Handle, object: Handle, type: number): Buffer | undefined {
  try {
    const [value] = mod.p11.C_GetAttributeValue(session, object, [{ type }]);
    return Buffer.isBuffer(value?.value) ? value.value : undefined;
  } catch {
    return undefined; // CKR_ATTRIBUTE_TYPE_INVALID / SENSITIVE: the object has no such readable attribute
  }
}

function ulong(b: Buffer | undefined): number | undefined {
  if (!b || !b.length) return undefined;
  return b.length >= 8 ? Number(b.readBigUInt64LE(0)) : b.readUInt32LE(0);
}

function ulongs(b: Buffer | undefined): number[] | undefined {
  if (!b) return undefined;
  const size = process.arch === 'ia32' || process.arch === 'arm' ? 4 : 8;
  const out: number[] = [];
  for (let i = 0; i + size <= b.length; i += size) out.push(size === 8 ? Number(b.readBigUInt64LE(i)) : b.readUInt32LE(i));
  return out;
}

const bool = (b: Buffer | undefined) => b !== undefined && b.length > 0 && b[0] !== 0;

function find(mod: LoadedModule, session: Handle, template: Template): Handle[] {
  const { p11 } = mod;
  p11.C_FindObjectsInit(session, template);
  try {
    const out: Handle[] = [];
    for (;;) {
      const batch = p11.C_FindObjects(session, 64);
      out.push(...batch);
      if (batch.length < 64) return out;
    }
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

/** Every private and public key on the token (what the session may see), paired by CKA_ID and label. */
export function readKeys(mod: LoadedModule, session: Handle, filter: { label?: string; id?: Uint8Array } = {}): KeyObjects[] {
  const { lib } = mod;
  const template: Template = [];
  if (filter.label !== undefined) template.push({ type: lib.CKA_LABEL, value: filter.label });
  if (filter.id !== undefined) template.push({ type: lib.CKA_ID, value: Buffer.from(filter.id) });
  const keys = new Map<string, KeyObjects>();
  for (const cls of [lib.CKO_PRIVATE_KEY, lib.CKO_PUBLIC_KEY]) {
    for (const handle of find(mod, session, [{ type: lib.CKA_CLASS, value: cls }, ...template])) {
      const label = attr(mod, session, handle, lib.CKA_LABEL)?.toString('utf8') ?? '';
      const id = attr(mod, session, handle, lib.CKA_ID) ?? Buffer.alloc(0);
      const pairKey = id.length ? `id:${id.toString('hex')}` : `label:${label}`;
      let entry = keys.get(pairKey);
      if (!entry) {
        entry = { label, id, keyType: 'unknown', canSign: false, alwaysAuthenticate: false };
        keys.set(pairKey, entry);
      }
      if (!entry.label && label) entry.label = label;
      const type = ulong(attr(mod, session, handle, lib.CKA_KEY_TYPE));
      entry.keyType =
        type === lib.CKK_EC ? 'EC' : type === lib.CKK_RSA ? 'RSA' : type !== undefined ? `0x${type.toString(16)}` : entry.keyType;
      if (cls === lib.CKO_PRIVATE_KEY) {
        entry.privateKey = handle;
        entry.canSign = bool(attr(mod, session, handle, lib.CKA_SIGN));
        entry.alwaysAuthenticate = bool(attr(mod, session, handle, lib.CKA_ALWAYS_AUTHENTICATE));
        const allowed = ulongs(attr(mod, session, handle, lib.CKA_ALLOWED_MECHANISMS));
        if (allowed && allowed.length) entry.allowedMechanisms = allowed;
      } else {
        entry.publicKey = handle;
      }
      readPublicParts(mod, session, handle, entry);
    }
  }
  return [...keys.values()];
}

function readPublicParts(mod: LoadedModule, session: Handle, handle: Handle, entry: KeyObjects): void {
  const { lib } = mod;
  if (entry.keyType === 'EC') {
    const params = attr(mod, session, handle, lib.CKA_EC_PARAMS);
    if (params) entry.curve = curveOfParams(params) ?? `OID ${params.toString('hex')}`;
    const point = attr(mod, session, handle, lib.CKA_EC_POINT);
    const curve = entry.curve as CurveName;
    if (point && !entry.publicKeyPem && curve in CURVES) {
      const raw = ecPointBytes(point, CURVES[curve].size);
      if (raw) entry.publicKeyPem = ecSpkiPem(curve, raw);
    }
  } else if (entry.keyType === 'RSA') {
    const modulus = attr(mod, session, handle, lib.CKA_MODULUS);
    const exponent = attr(mod, session, handle, lib.CKA_PUBLIC_EXPONENT);
    if (modulus && exponent && !entry.publicKeyPem) {
      entry.publicKeyPem = rsaSpkiPem(modulus, exponent);
      let bits = modulus.length * 8;
      for (let i = 0; i < modulus.length && modulus[i] === 0; i += 1) bits -= 8;
      entry.modulusBits = bits;
    }
  }
}

/** The one private key a URI or a listing names; several matches are an error, never a guess. */
export function findSigningKey(
  mod: LoadedModule,
  session: Handle,
  token: TokenSummary,
  ref: { label?: string; id?: Uint8Array },
): KeyObjects {
  if (ref.label === undefined && ref.id === undefined)
    throw new SignetError('INVALID_INPUT', 'Name the key by its label (object=) or id (id=).');
  const matches = readKeys(mod, session, ref).filter((k) => k.privateKey);
  const what = [ref.label !== undefined ? `label "${ref.label}"` : '', ref.id ? `id ${Buffer.from(ref.id).toString('hex')}` : '']
    .filter(Boolean)
    .join(' and ');
  if (!matches.length)
    throw new SignetError(
      'KEY_NOT_FOUND',
      `No private key with ${what} on ${tokenName(token)} (is the PIN right, and is it a private key?).`,
    );
  if (matches.length > 1)
    throw new SignetError(
      'CONFLICT',
      `${matches.length} private keys match ${what} on ${tokenName(token)}; add id= to the pkcs11: URI to name one.`,
    );
  return matches[0] as KeyObjects;
}

export function describeKey(mod: LoadedModule, token: TokenSummary, key: KeyObjects, supported?: readonly number[]): TokenKey {
  const algorithms = algorithmsFor(key).filter((a) => planFor(mod.lib, a, key.allowedMechanisms, supported));
  return {
    label: key.label,
    idHex: key.id.toString('hex'),
    keyType: key.keyType,
    ...(key.curve ? { curve: key.curve } : {}),
    ...(key.modulusBits ? { modulusBits: key.modulusBits } : {}),
    hasPrivateKey: key.privateKey !== undefined,
    hasPublicKey: key.publicKey !== undefined,
    canSign: key.canSign,
    alwaysAuthenticate: key.alwaysAuthenticate,
    ...(key.allowedMechanisms ? { allowedMechanisms: key.allowedMechanisms.map((m) => mechanismName(mod, m)) } : {}),
    algorithms,
    uri: formatPkcs11Uri({
      token: token.label,
      serial: token.serial,
      object: key.label,
      ...(key.id.length ? { id: key.id } : {}),
      type: 'private',
      modulePath: mod.path,
    }),
    ...(key.publicKeyPem ? { spkiSha256: spkiSha256Hex(key.publicKeyPem), publicKeyPem: key.publicKeyPem } : {}),
  };
}
