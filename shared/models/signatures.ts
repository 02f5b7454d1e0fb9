import { z } from 'zod';

export const CheckStatus = z.enum(['passed', 'failed', 'not-checked']);
export const SignatureCheck = z.object({ name: z.enum(['digest binding', 'signature', 'key trust', 'identity', 'expiry', 'transparency log']), status: CheckStatus, reason: z.string() }).strict();

export const SignatureVerdict = z.enum(['verified', 'signed-untrusted', 'failed']);
export const ImageVerdict = z.enum(['unsigned', 'signed-untrusted', 'verified', 'failed']);

export const SignatureReport = z
  .object({
    format: z.enum(['cosign', 'simplesigning', 'asc', 'sigstore-bundle']),
    storage: z.string(),
    signer: z.string().optional(),
    fingerprint: z.string().optional(),
    algorithm: z.string().optional(),
    identity: z.string().optional(),
    annotations: z.record(z.string(), z.string()),
    payload: z.string(),
    signature: z.string(),
    timestamp: z.number().optional(),
    checks: z.array(SignatureCheck),
    verdict: SignatureVerdict,
    knownKey: z.object({ id: z.string(), name: z.string() }).strict().optional(),
  })
  .strict();
export type SignatureReport = z.infer<typeof SignatureReport>;

export const VerificationReport = z.object({ digest: z.string(), verdict: ImageVerdict, signatures: z.array(SignatureReport) }).strict();
export type VerificationReport = z.infer<typeof VerificationReport>;
