import { createHash } from 'node:crypto';
import type { SignatureHandle } from '../../../shared/models/signatures';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The SHA-256 of a signature file's bytes, lower-case hex. */
export const bytesSha256 = (bytes: Uint8Array) => sha256(bytes);

/**
 * A signature's short id: from what identifies it where it is stored, never from its position
 * (lookaside files renumber; layers move when another is removed). A cosign layer is its payload
 * digest and signature (two keys may sign the same payload); a referrer its manifest digest; a
 * file or object its bytes.
 */
export function signatureId(handle: SignatureHandle, signature = ''): string {
  const text =
    handle.kind === 'cosign-layer'
      ? `cosign\n${handle.layer}\n${signature}`
      : handle.kind === 'referrer'
        ? `referrer\n${handle.manifest}`
        : handle.kind === 'lookaside'
          ? `lookaside\n${handle.sha256}`
          : `object\n${handle.key}\n${handle.sha256}`;
  return sha256(text).slice(0, 12);
}

/** `{ id, handle }` for a report. */
export function identify(handle: SignatureHandle, signature = ''): { id: string; handle: SignatureHandle } {
  return { id: signatureId(handle, signature), handle };
}
