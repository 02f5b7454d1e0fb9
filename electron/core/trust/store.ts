import { describeSystemError } from '../../../shared/system-errors';
import { createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import { TrustEntry, type TrustEntrySummary, type TrustKind } from '../../../shared/models/trust';
import { spkiSha256 } from '../keys/generate';
import { isBinaryOpenPgp, readOpenPgpPublicKey } from '../keys/openpgp-material';
import { pemSpkiSha256 } from '../signing/spki';
import { isSm2Spki, sm2PublicKeyFromSpki } from '../signing/sm2';
import { readJsonFile } from '../storage/atomic';
import { updateRecords } from '../storage/record-file';

const File = z.object({ version: z.literal(1), entries: z.array(TrustEntry) }).strict();
const MAX_ENTRIES = 1000;

export interface NewTrustEntry {
  name: string;
  /** PEM public key, PEM certificate, or ASCII-armored OpenPGP public key. */
  data: string;
  notBefore?: string;
  notAfter?: string;
  scopes?: string[];
  /** A leaf certificate (neither a CA nor self-signed), trusted as a single key, knowingly. */
  leaf?: boolean;
  /** Notation named stores (`ca:NAME`, `signingAuthority:NAME`, `tsa:NAME`). */
  stores?: string[];
}

/**
 * Binary public material as the text the store keeps: a binary OpenPGP key (gpg --export without
 * --armor) armored, a DER certificate or SPKI as PEM. Text is returned as it is.
 */
export async function materialText(bytes: Uint8Array): Promise<string> {
  if (isBinaryOpenPgp(bytes)) return (await readOpenPgpPublicKey(bytes)).armor();
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (bytes[0] !== 0x30 || head.includes('-----BEGIN')) return Buffer.from(bytes).toString('utf8');
  try {
    return new X509Certificate(bytes).toString();
  } catch {
    try {
      return createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
    } catch {
      throw new SignetError('MALFORMED', 'The binary file is neither an OpenPGP public key, a DER certificate nor a DER public key.');
    }
  }
}

/** What a piece of public material is, with its fingerprint; refuses private keys and junk. */
export async function describeMaterial(data: string): Promise<{
  kind: TrustKind;
  fingerprint: string;
  keyId?: string;
  userIds?: string[];
  algorithm?: string;
  key?: KeyObject;
  leaf?: boolean;
}> {
  const text = data.trim();
  if (/PRIVATE KEY/.test(text))
    throw new SignetError('INVALID_INPUT', 'This is a private key. Trust takes public keys only: export the public key and add that.');
  if (text.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    let keys: openpgp.Key[];
    try {
      keys = await openpgp.readKeys({ armoredKeys: text });
    } catch {
      throw new SignetError('MALFORMED', 'The OpenPGP public key cannot be read.');
    }
    if (keys.length !== 1)
      throw new SignetError('INVALID_INPUT', `The armored block holds ${keys.length} keys; add each key as its own trust entry.`);
    const key = keys[0]!;
    if (key.isPrivate()) throw new SignetError('INVALID_INPUT', 'This is an OpenPGP secret key. Trust takes public keys only.');
    return {
      kind: 'openpgp',
      fingerprint: key.getFingerprint().toUpperCase(),
      keyId: key.getKeyID().toHex().toUpperCase(),
      userIds: key.getUserIDs(),
      algorithm: key.getAlgorithmInfo().algorithm,
    };
  }
  if (text.startsWith('-----BEGIN CERTIFICATE-----')) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(text);
      // A certificate whose public key does not decode throws on first use (found by npm run fuzz).
      if (!cert.publicKey) throw new Error('no public key');
    } catch {
      throw new SignetError('MALFORMED', 'The certificate cannot be read.');
    }
    // notation-go and cosign accept only CA (or self-signed) certificates as trust anchors. Self-signed
    // is judged by name and signature, as notation does: OpenSSL's checkIssued also wants keyCertSign,
    // which a self-signed code-signing certificate (notation's test certificates) does not have.
    const selfSigned = cert.issuer === cert.subject && cert.verify(cert.publicKey);
    return {
      kind: 'certificate',
      fingerprint: spkiSha256(cert.publicKey),
      userIds: [cert.subject.replace(/\n/g, ', ')],
      algorithm: cert.publicKey.asymmetricKeyType ?? 'unknown',
      key: cert.publicKey,
      ...(!cert.ca && !selfSigned ? { leaf: true } : {}),
    };
  }
  if (text.startsWith('-----BEGIN PUBLIC KEY-----') && isSm2Spki(text)) {
    // SM2 is read in pure JS: Electron's BoringSSL cannot parse it (see signing/sm2.ts).
    if (!sm2PublicKeyFromSpki(text)) throw new SignetError('MALFORMED', 'The SM2 public key cannot be read.');
    return { kind: 'public-key', fingerprint: pemSpkiSha256(text), algorithm: 'sm2' };
  }
  if (text.startsWith('-----BEGIN PUBLIC KEY-----')) {
    let key: KeyObject;
    try {
      key = createPublicKey(text);
    } catch {
      throw new SignetError('MALFORMED', 'The PEM public key cannot be read.');
    }
    return { kind: 'public-key', fingerprint: spkiSha256(key), algorithm: key.asymmetricKeyType ?? 'unknown', key };
  }
  throw new SignetError('INVALID_INPUT', 'Give a PEM public key, a PEM certificate or an ASCII-armored OpenPGP public key.');
}

/**
 * The trust store: named public keys, OpenPGP keys and certificates, each with an optional
 * validity window, in `<dataDir>/trust.json`, written atomically under a cross-process lock.
 */
export class TrustStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'trust.json');
  }

  async entries(): Promise<TrustEntry[]> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.file);
    } catch (error) {
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${describeSystemError(error)}`);
    }
    if (raw === undefined) return [];
    const parsed = File.safeParse(raw);
    if (!parsed.success) throw new SignetError('IO_ERROR', `${this.file} is not a valid trust store; fix or move it aside.`);
    return parsed.data.entries;
  }

  async list(): Promise<TrustEntrySummary[]> {
    return (await this.entries()).map(({ data, ...rest }) => ({ ...rest, ...algorithmOf(data) }));
  }

  async get(idOrName: string): Promise<TrustEntry> {
    const found = (await this.entries()).find((e) => e.id === idOrName || e.name === idOrName);
    if (!found) throw new SignetError('NOT_FOUND', `There is no trust entry ${JSON.stringify(idOrName.slice(0, 100))}.`);
    return found;
  }

  async add(input: NewTrustEntry, now = new Date()): Promise<TrustEntry> {
    const material = await describeMaterial(input.data);
    if (input.notBefore && input.notAfter && Date.parse(input.notBefore) >= Date.parse(input.notAfter))
      throw new SignetError('INVALID_INPUT', 'The validity window ends before it starts.');
    if (material.leaf && !input.leaf)
      throw new SignetError(
        'INVALID_INPUT',
        'This is a leaf certificate (not a CA, not self-signed), not a trust anchor. Add its issuing CA instead, or trust only this certificate’s key, knowingly, as a single key (CLI: --leaf; the Trust dialog: "Trust only this certificate’s key").',
      );
    if (input.leaf && material.kind !== 'certificate') throw new SignetError('INVALID_INPUT', 'Only a certificate can be added as a leaf.');
    const stores = input.stores?.length ? [...new Set(input.stores)] : undefined;
    if (stores) checkNotationStores(input.data, material, stores, input.leaf === true);
    return this.update((entries) => {
      const same = entries.find((e) => e.fingerprint === material.fingerprint);
      // A certificate trusted already joins the named stores (notation keeps one file per store; Signet one entry).
      if (same && stores && same.kind === 'certificate' && sameCertificate(same.data, input.data)) {
        const joined = TrustEntry.parse({ ...same, stores: [...new Set([...(same.stores ?? []), ...stores])] });
        return { entries: entries.map((e) => (e === same ? joined : e)), result: joined };
      }
      if (entries.length >= MAX_ENTRIES) throw new SignetError('TOO_LARGE', `The trust store already holds ${MAX_ENTRIES} entries.`);
      if (entries.some((e) => e.name === input.name))
        throw new SignetError('CONFLICT', `A trust entry named ${JSON.stringify(input.name)} exists already.`);
      if (same) throw new SignetError('CONFLICT', `This key is trusted already as ${JSON.stringify(same.name)}.`);
      const entry = TrustEntry.parse({
        id: `${material.kind === 'openpgp' ? 'pgp' : material.kind === 'certificate' ? 'cert' : 'key'}-${randomBytes(6).toString('hex')}`,
        name: input.name,
        kind: material.kind,
        fingerprint: material.fingerprint,
        ...(material.keyId ? { keyId: material.keyId } : {}),
        ...(material.userIds ? { userIds: material.userIds } : {}),
        data: `${input.data.trim()}\n`,
        ...(input.notBefore ? { notBefore: input.notBefore } : {}),
        ...(input.notAfter ? { notAfter: input.notAfter } : {}),
        ...(input.scopes?.length ? { scopes: input.scopes } : {}),
        ...(material.leaf ? { leaf: true } : {}),
        ...(stores ? { stores } : {}),
        addedAt: now.toISOString(),
      });
      return { entries: [...entries, entry], result: entry };
    });
  }

  remove(idOrName: string): Promise<TrustEntry> {
    return this.update((entries) => {
      const found = entries.find((e) => e.id === idOrName || e.name === idOrName);
      if (!found) throw new SignetError('NOT_FOUND', `There is no trust entry ${JSON.stringify(idOrName.slice(0, 100))}.`);
      return { entries: entries.filter((e) => e !== found), result: found };
    });
  }

  private update<T>(change: (entries: TrustEntry[]) => { entries: TrustEntry[]; result: T }): Promise<T> {
    return updateRecords(
      this.file,
      'entries',
      () => this.entries(),
      (records) => {
        const { entries, result } = change(records);
        return { records: entries, result };
      },
    );
  }
}

function sameCertificate(a: string, b: string): boolean {
  try {
    return new X509Certificate(a).raw.equals(new X509Certificate(b).raw);
  } catch {
    return false;
  }
}

/**
 * What notation-go's trust store accepts in a named store: certificates only; in `ca` and
 * `signingAuthority`, CA certificates or self-signed ones (never a leaf issued by someone else,
 * refusal N19); in `tsa`, self-signed root CA certificates.
 */
function checkNotationStores(
  data: string,
  material: { kind: TrustKind; leaf?: boolean },
  stores: readonly string[],
  leafWanted: boolean,
): void {
  if (material.kind !== 'certificate') throw new SignetError('INVALID_INPUT', 'Only certificates go into Notation trust stores.');
  if (material.leaf || leafWanted)
    throw new SignetError(
      'INVALID_INPUT',
      'A Notation trust store holds CA or self-signed certificates; this is a leaf certificate issued by another. Add its root CA instead.',
    );
  if (stores.some((s) => s.startsWith('tsa:'))) {
    const cert = new X509Certificate(data.trim());
    if (!cert.ca || cert.issuer !== cert.subject || !cert.verify(cert.publicKey))
      throw new SignetError('INVALID_INPUT', 'A tsa trust store holds self-signed root CA certificates only.');
  }
}

/** Key types and curves as people name them ("ECDSA P-256", not "ec prime256v1"). */
const CURVE_WORDS: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
};
const KEY_TYPE_WORDS: Readonly<Record<string, string>> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
  dsa: 'DSA',
};

function algorithmOf(data: string): { algorithm?: string } {
  if (!data.includes('BEGIN PUBLIC KEY')) return {};
  if (isSm2Spki(data)) return { algorithm: 'SM2' };
  try {
    const key = createPublicKey(data);
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const bits = key.asymmetricKeyDetails?.modulusLength;
    const type = key.asymmetricKeyType ?? 'unknown';
    if (type === 'ec') return { algorithm: `ECDSA ${CURVE_WORDS[curve ?? ''] ?? curve ?? ''}`.trim() };
    return { algorithm: `${KEY_TYPE_WORDS[type] ?? type}${bits ? ` ${bits}` : ''}` };
  } catch {
    return {};
  }
}

/**
 * Whether a trust entry may vouch for a signature claiming `claimed` as its time. A signature
 * without a claimed time is judged at `now`. The claim is the signer's own, so a window only
 * narrows trust, never widens it.
 */
export function withinWindow(
  entry: Pick<TrustEntry, 'notBefore' | 'notAfter'>,
  claimed: Date | undefined,
  now = new Date(),
): { ok: boolean; reason: string } {
  const at = claimed ?? now;
  if (entry.notAfter && at.getTime() >= Date.parse(entry.notAfter))
    return {
      ok: false,
      reason: `Trusted only for signatures before ${entry.notAfter}; this one ${claimed ? `claims ${at.toISOString()}` : 'has no claimed time and it is later now'}.`,
    };
  if (entry.notBefore && at.getTime() < Date.parse(entry.notBefore))
    return { ok: false, reason: `Trusted only for signatures from ${entry.notBefore}; this one claims ${at.toISOString()}.` };
  return {
    ok: true,
    reason:
      entry.notAfter || entry.notBefore
        ? `Within the trust window${entry.notAfter ? ` (before ${entry.notAfter})` : ''}.`
        : 'No validity window.',
  };
}
