import { createHash } from 'node:crypto';
import { SignetError } from '../../../shared/errors';
import type { TokenSummary } from '../../../shared/models/tokens';
import type { Signer, SignerDescription } from '../signing/signer';
import { diagnoseSignature, rawEcdsaToDer } from '../kms/verify';
import { ALGORITHM_HASH, algorithmsFor, digestInfo, planFor, type SignPlan, type TokenAlgorithm } from './mechanisms';
import type { LoadedModule } from './module';
import { findSigningKey, type KeyObjects } from './objects';
import { login, withSession, type TokenPin } from './session';
import { spkiSha256Hex } from './spki';
import { mechanismName, supportedMechanisms, tokenName, type FoundToken } from './tokens';
import { formatPkcs11Uri } from './uri';

export interface TokenSignature {
  signature: Uint8Array;
  algorithm: TokenAlgorithm;
  mechanism: string;
}

export interface TokenSigner extends Signer {
  readonly algorithm: TokenAlgorithm;
  readonly uri: string;
  readonly token: TokenSummary;
  signDetailed(data: Uint8Array): Promise<TokenSignature>;
  /** Zeroes the PIN this signer holds; it cannot sign afterwards. */
  close(): void;
}

export interface OpenTokenSignerOptions {
  mod: LoadedModule;
  token: FoundToken;
  key: { label?: string; id?: Uint8Array };
  /** Owned by the signer from here on (wiped by close()). */
  pin?: TokenPin;
  confirmFinalTry?: boolean;
  algorithm?: TokenAlgorithm;
}

/**
 * A `Signer` for a private key on a token. Each signature opens a session, logs in once (and
 * again, context-specifically, for CKA_ALWAYS_AUTHENTICATE keys), signs, and is verified locally
 * with the key's public key before it is returned.
 */
export function openTokenSigner(options: OpenTokenSignerOptions): TokenSigner {
  const { mod, token } = options;
  const name = tokenName(token.summary);
  const needsLogin = token.summary.flags.loginRequired || options.pin !== undefined;
  const key: KeyObjects = withSession(
    mod,
    token,
    { login: needsLogin, pin: options.pin, confirmFinalTry: options.confirmFinalTry, doing: 'finding the key' },
    (session) => findSigningKey(mod, session, token.summary, options.key),
  );
  const where = `key "${key.label}" on ${name}`;
  if (!key.canSign) throw new SignetError('UNSUPPORTED', `The ${where} may not sign (CKA_SIGN is false).`);
  const publicKeyPem = key.publicKeyPem;
  if (!publicKeyPem)
    throw new SignetError(
      'UNSUPPORTED',
      `Signet cannot read the public key of the ${where} (no public key object, CKA_EC_POINT or CKA_MODULUS), so it cannot check its signatures and will not sign with it.`,
    );
  const possible = algorithmsFor(key);
  const supported = supportedMechanisms(mod, token.slot);
  // Unless one is asked, the first algorithm the key and token allow (else the first, to say why not).
  const algorithm = options.algorithm ?? possible.find((a) => planFor(mod.lib, a, key.allowedMechanisms, supported)) ?? possible[0];
  if (!algorithm || !possible.includes(algorithm)) {
    throw new SignetError(
      'UNSUPPORTED',
      `The ${where} is ${key.keyType}${key.curve ? ` ${key.curve}` : ''}; it can sign with ${possible.join(', ') || 'no algorithm Signet supports'}${options.algorithm ? `, not ${options.algorithm}` : ''}.`,
    );
  }
  const plan = planFor(mod.lib, algorithm, key.allowedMechanisms, supported);
  if (!plan) {
    const allowed = key.allowedMechanisms
      ? `the key allows only ${key.allowedMechanisms.map((m) => mechanismName(mod, m)).join(', ')} (CKA_ALLOWED_MECHANISMS)`
      : undefined;
    const why = allowed
      ? planFor(mod.lib, algorithm, key.allowedMechanisms)
        ? `${allowed}, which this token does not implement`
        : allowed
      : 'the token implements no mechanism for it';
    throw new SignetError('UNSUPPORTED', `The token does not allow ${algorithm} for the ${where}: ${why}.`);
  }
  const uri = formatPkcs11Uri({
    token: token.summary.label,
    serial: token.summary.serial,
    object: key.label,
    ...(key.id.length ? { id: key.id } : {}),
    type: 'private',
    modulePath: mod.path,
  });
  const description: SignerDescription = {
    keyId: uri,
    provider: 'pkcs11',
    algorithm,
    label: `${token.summary.label} / ${key.label}`,
    spkiSha256: spkiSha256Hex(publicKeyPem),
    tokenSerial: token.summary.serial,
  };
  let pin = options.pin;
  let closed = false;

  const signChecked = async (digest: Uint8Array, data?: Uint8Array): Promise<TokenSignature> => {
    if (closed) throw new SignetError('AUTH_REQUIRED', `The signer for the ${where} was closed; open it again with the PIN.`);
    if (plan.input === 'data' && !data)
      throw new SignetError(
        'UNSUPPORTED',
        `The ${where} only allows ${plan.name}, which hashes on the token, so it cannot sign a precomputed digest.`,
      );
    const input =
      plan.input === 'data'
        ? Buffer.from(data as Uint8Array)
        : plan.family === 'rsa-pkcs1'
          ? digestInfo(plan.hash, digest)
          : Buffer.from(digest);
    const raw = withSession(
      mod,
      token,
      {
        login: needsLogin,
        pin,
        confirmFinalTry: options.confirmFinalTry,
        doing: `signing with key "${key.label}"`,
        fallback: 'SIGNING_FAILED',
      },
      (session) => {
        // Handles of private objects do not outlive the login that found them: find the key again.
        const current = findSigningKey(mod, session, token.summary, key.id.length ? { id: key.id } : { label: key.label });
        mod.p11.C_SignInit(session, plan.mechanism, current.privateKey as Buffer);
        if (key.alwaysAuthenticate)
          login(mod, token, session, { pin, confirmFinalTry: options.confirmFinalTry }, mod.lib.CKU_CONTEXT_SPECIFIC);
        return mod.p11.C_Sign(session, input, Buffer.alloc(signatureSize(key, plan)));
      },
    );
    const signature = plan.family === 'ecdsa' ? rawEcdsaToDer(raw) : new Uint8Array(raw);
    const problem = diagnoseSignature({ algorithm, publicKeyPem, digest, signature, ...(data ? { data } : {}) });
    if (problem)
      throw new SignetError(
        'SIGNING_FAILED',
        `The ${where}: ${problem.replace(/\bKMS\b/g, 'token')}. Signet refused the signature; nothing was published.`,
        { reason: 'self-check' },
      );
    return { signature, algorithm, mechanism: plan.name };
  };
  const digestOf = (data: Uint8Array) => createHash(ALGORITHM_HASH[algorithm]).update(data).digest();

  return {
    algorithm,
    uri,
    token: token.summary,
    describe: () => description,
    publicKeyPem: async () => publicKeyPem,
    sign: async (data) => (await signChecked(digestOf(data), data)).signature,
    signDigest: async (digest) => {
      if (digest.length !== createHash(ALGORITHM_HASH[algorithm]).digest().length)
        throw new SignetError('INVALID_INPUT', `A ${ALGORITHM_HASH[algorithm]} digest was expected for ${algorithm}.`);
      return (await signChecked(digest)).signature;
    },
    signDetailed: (data) => signChecked(digestOf(data), data),
    close: () => {
      closed = true;
      pin?.wipe();
      pin = undefined;
    },
  };
}

function signatureSize(key: KeyObjects, plan: SignPlan): number {
  if (plan.family !== 'ecdsa') return Math.ceil((key.modulusBits ?? 4096) / 8);
  return key.curve === 'P-384' ? 96 : key.curve === 'P-521' ? 132 : 64;
}
