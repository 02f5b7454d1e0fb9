import type { SignatureReport } from '../../../../shared/models/signatures';
import { checkCosignPayload, readCosignSignatures, signatureTag, signCosign, verifyWithKey } from '../cosign';
import { expiryCheck } from '../trusted';
import { noTrustedKey, type SignatureFormat } from './format';

/** cosign's key-based signatures: the simple-signing payload in the `sha256-<hex>.sig` signature image. */
export const cosignFormat: SignatureFormat = {
  id: 'cosign',
  async verifyAll(ctx) {
    const found = await readCosignSignatures(ctx.source, ctx.repository, ctx.digest);
    const keys = ctx.trust.keys;
    const storage = `${ctx.registryLabel}/${ctx.repository}:${signatureTag(ctx.digest)}`;
  return found.map((sig): SignatureReport => {
      const payload = checkCosignPayload(sig.payload, ctx.digest);
      const match = keys.map((k) => ({ k, algorithm: verifyWithKey(k.pem, sig.payload, sig.signature) })).find((m) => m.algorithm);
      const checks: SignatureReport['checks'] = [
        { name: 'digest binding', status: payload.ok ? 'passed' : 'failed', reason: payload.ok ? `The payload names ${ctx.digest}.` : (payload.reason ?? 'The payload is not valid.') },
        match ? { name: 'signature', status: 'passed', reason: `Verifies with ${match.k.name}.` } : { name: 'signature', status: 'failed', reason: keys.length ? 'Does not verify with any trusted key (signed by an unknown key, or altered).' : 'No trusted key to check it with: add the signer’s public key.' },
        match ? { name: 'key trust', status: 'passed', reason: `${match.k.name} is trusted here.` } : { name: 'key trust', status: 'not-checked', reason: 'No trusted key matched.' },
        { name: 'identity', status: 'not-checked', reason: payload.identity ? `The payload claims ${payload.identity}; cosign does not bind the identity.` : 'No identity in the payload.' },
        match ? expiryCheck(match.k.window, undefined) : noTrustedKey,
      ];
      const inWindow = checks[checks.length - 1]?.status !== 'failed';
      const verdict: SignatureReport['verdict'] = !payload.ok ? 'failed' : match && inWindow ? 'verified' : 'signed-untrusted';
      return {
        format: 'cosign',
        storage,
        ...(match ? { signer: match.k.name, fingerprint: match.k.fingerprint, algorithm: match.algorithm as string } : {}),
        ...(payload.identity ? { identity: payload.identity } : {}),
        annotations: payload.annotations ?? {},
        payload: sig.payload.toString('utf8').slice(0, 65_536),
        signature: sig.signature.toString('base64'),
        checks,
        verdict,
      };
    });
  },
  async sign(ctx) {
    if (!ctx.signer) throw new Error('cosign signing needs a Signer');
    const result = await signCosign({ source: ctx.source, registryHost: ctx.registryHost, repository: ctx.repository, digest: ctx.digest, signer: ctx.signer, ...(ctx.annotations ? { annotations: ctx.annotations } : {}) });
    return { where: `${ctx.repository}:${result.tag}`, payload: result.payload, tag: result.tag, signatureManifest: result.signatureManifest };
  },
};
