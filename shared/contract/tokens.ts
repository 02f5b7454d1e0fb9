import { z } from 'zod';
import { hostPath } from './host-path';
import {
  ModulePath,
  Pin,
  TestSignResult,
  TokenDiagnostics,
  TokenKey,
  TokenKeys,
  TokenKeyType,
  TokenModule,
  TokenRef,
  TokenSummary,
} from '../models/tokens';
import { call, JobId, NoInput } from './define';

/** How the user authenticates for one call: a PIN typed for this call (never stored), or the token's PIN pad. */
const PinFields = {
  pin: Pin.optional(),
  /** The token reports one try left: use it only when the person confirmed. */
  confirmFinalTry: z.boolean().optional(),
  /** Log in on the token's own PIN pad (protected authentication path). */
  pinPad: z.boolean().optional(),
};

const TokenAddress = { module: ModulePath, token: TokenRef };

const KeyLabel = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\0\r\n]+$/, 'a key label is one line of text');

export const TOKEN_ALGORITHMS = [
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ecdsa-p521-sha512',
  'rsa-pkcs1v15-sha256',
  'rsa-pkcs1v15-sha384',
  'rsa-pkcs1v15-sha512',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'rsa-pss-sha512',
] as const;

/** PKCS#11 tokens: modules, tokens by serial, keys, key generation on the token, test signatures. */
export const tokenCalls = {
  'tokens.modules': call({
    summary: 'The PKCS#11 modules Signet knows (usual install paths, p11-kit) and those added',
    effect: 'read',
    request: NoInput,
    response: z.array(TokenModule),
  }),
  'tokens.addModule': call({
    summary: 'Add a PKCS#11 module by its path (loading a module runs its code)',
    effect: 'trust',
    request: z.object({ path: hostPath(ModulePath.min(2), { choices: ['file'] }) }).strict(),
    response: z.array(TokenModule),
  }),
  'tokens.list': call({
    summary: 'The tokens of one module (or of every known module), by serial, with their flags',
    effect: 'read',
    request: z.object({ module: ModulePath.optional() }).strict(),
    response: z.array(TokenSummary),
  }),
  'tokens.keys': call({
    summary: 'The keys on a token with their attributes; private keys need the PIN',
    effect: 'secret-use',
    request: z.object({ ...TokenAddress, ...PinFields }).strict(),
    response: TokenKeys,
  }),
  'tokens.generate': call({
    summary: 'Generate an EC or RSA key pair on the token (private key non-extractable)',
    effect: 'remote-write',
    request: z.object({ ...TokenAddress, ...PinFields, label: KeyLabel, type: TokenKeyType, jobId: JobId.optional() }).strict(),
    response: TokenKey,
  }),
  'tokens.testSign': call({
    summary: 'Sign random data with a token key and verify the signature locally',
    effect: 'sign',
    request: z.object({ uri: z.string().min(7).max(4096), algorithm: z.enum(TOKEN_ALGORITHMS).optional(), ...PinFields }).strict(),
    response: TestSignResult,
  }),
  'tokens.diagnostics': call({
    summary: 'Every attribute of a token, its slot and module, and its mechanisms',
    effect: 'read',
    request: z.object(TokenAddress).strict(),
    response: TokenDiagnostics,
  }),
} as const;
