import { z } from 'zod';
import { AscFile, AscVerification, BuiltPayload, PayloadInput } from '../models/payload';
import { call } from './define';

/** Simple-signing payloads and Huawei SWR `.asc` files. */
export const payloadCalls = {
  'payload.build': call({
    summary: 'Build a simple-signing payload (atomic or cosign) byte for byte, with its SHA-256',
    effect: 'read',
    request: PayloadInput,
    response: BuiltPayload,
  }),
  'payload.sign': call({
    summary: 'Sign a payload with an OpenPGP key into a Huawei SWR .asc file ({sha256}.asc JSON)',
    effect: 'sign',
    request: PayloadInput.extend({ key: z.string().min(1).max(200) }).strict(),
    response: AscFile,
  }),
  'payload.verify': call({
    summary: 'Read an .asc file, verify its OpenPGP message against the given public keys and return the signed payload',
    effect: 'read',
    request: z
      .object({
        asc: z.string().min(1).max(8_000_000),
        publicKeys: z
          .array(z.object({ name: z.string().min(1).max(200), armored: z.string().min(1).max(200_000) }).strict())
          .min(1)
          .max(100),
        digest: PayloadInput.shape.digest.optional(),
      })
      .strict(),
    response: AscVerification,
  }),
} as const;
