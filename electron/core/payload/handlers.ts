import type { payloadCalls } from '../../../shared/contract/payload';
import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { ascObjectKey, buildAsc, payloadSha256, readAsc } from '../signatures/asc';
import { verifyPgpMessage } from '../signatures/simple';
import { parseReference } from '../registry/reference';
import { buildPayload } from './build';

/** The payload builder and Huawei SWR `.asc` files. */
export function createPayloadHandlers(services: CoreServices): AreaHandlers<typeof payloadCalls> {
  return {
    'payload.build': async (input) => buildPayload(input),
    'payload.sign': async (input) => {
      const { key, ...payloadInput } = input;
      const payload = buildPayload(payloadInput);
      const pgp = await services.keys.pgpSigner(key);
      const { text } = await buildAsc(pgp, Buffer.from(payload.text, 'utf8'));
      const ref = parseReference(input.reference);
      const objectKey = ascObjectKey(ref.repository, input.digest);
      await services.audit.append('image.signed', `Made ${objectKey} (.asc) for ${payload.identity} with "${key}"`, {
        digest: input.digest,
        key,
        fingerprint: pgp.fingerprint,
        payloadSha256: payload.sha256,
      });
      return {
        fileName: objectKey.slice(objectKey.lastIndexOf('/') + 1),
        objectKey,
        text,
        payload,
        fingerprint: pgp.fingerprint,
        keyId: pgp.keyId,
      };
    },
    'payload.verify': async (input) => {
      const asc = readAsc(Buffer.from(input.asc, 'utf8'));
      const verified = await verifyPgpMessage(
        asc.message,
        input.publicKeys.map((k) => ({ name: k.name, key: k.armored })),
      );
      if (!verified.ok) throw new SignetError('VERIFICATION_FAILED', verified.reason);
      if (!verified.fingerprint.endsWith(asc.publicKeyId))
        throw new SignetError('VERIFICATION_FAILED', `The .asc file names key ${asc.publicKeyId}, but ${verified.fingerprint} signed it.`);
      let digestMatches: boolean | undefined;
      if (input.digest) {
        const doc = parseStrictJson(verified.data, 'The signed payload') as {
          critical?: { image?: { 'docker-manifest-digest'?: unknown } };
        } | null;
        digestMatches = doc?.critical?.image?.['docker-manifest-digest'] === input.digest;
      }
      return {
        payload: Buffer.from(verified.data).toString('utf8'),
        payloadSha256: payloadSha256(verified.data),
        publicKeyId: asc.publicKeyId,
        signer: verified.signer,
        fingerprint: verified.fingerprint,
        keyId: verified.keyId,
        ...(verified.created ? { created: verified.created.toISOString() } : {}),
        ...(digestMatches !== undefined ? { digestMatches } : {}),
      };
    },
  };
}
