import { z } from 'zod';
import { DigestString, Ocid, RegistryHost, RegistryId, Repository } from '../models/registry';
import { ReasonCode } from '../models/verdict';
import { call } from './define';

/** OCIR's signing algorithms (the only ones `sign-upload` and CreateContainerImageSignature take). */
export const OcirAlgorithm = z.enum(['SHA_224_RSA_PKCS_PSS', 'SHA_256_RSA_PKCS_PSS', 'SHA_384_RSA_PKCS_PSS', 'SHA_512_RSA_PKCS_PSS']);
export type OcirAlgorithm = z.infer<typeof OcirAlgorithm>;

const TagKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s.=]+$/, 'a tag key has no spaces, dots or =');
const TagValue = z.string().max(256);
const FreeformTags = z.record(TagKey, TagValue);
const DefinedTags = z.record(TagKey, z.record(TagKey, TagValue));
/** A metadata object signed into the message (its JSON text, keys sorted). */
const Metadata = z.record(z.string().min(1).max(100), z.string().max(1000));

export const OcirVerdict = z
  .object({
    /** `valid`: the message names this image and the RSA-PSS signature verifies with the key version's public key. */
    status: z.enum(['valid', 'invalid', 'unknown']),
    reason: ReasonCode,
    detail: z.string(),
  })
  .strict();

export const OcirSignature = z
  .object({
    id: z.string(),
    displayName: z.string(),
    imageId: z.string(),
    kmsKeyId: z.string(),
    kmsKeyVersionId: z.string(),
    algorithm: z.string(),
    /** When OCIR recorded it ("seen at the registry": the message carries no time). */
    timeCreated: z.string(),
    lifecycleState: z.string(),
    /** From the signed message (absent when the message cannot be decoded). */
    description: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    region: z.string().optional(),
    /** Unsigned: anyone allowed to manage the signature can change them. */
    freeformTags: z.record(z.string(), z.string()),
    definedTags: z.record(z.string(), z.record(z.string(), z.unknown())),
    verdict: OcirVerdict,
    /**
     * Whether the key version's public key is a trust-store key that covers this image and is valid
     * now (`not-checked` when the signature does not verify). Only `valid` and `trusted` together are
     * a verified signature.
     */
    trust: z.object({ status: z.enum(['trusted', 'untrusted', 'not-checked']), detail: z.string() }).strict(),
    /** The key's URI when Signet could name the vault (ocikms://CRYPTO-HOST/KEY/VERSION). */
    keyUri: z.string().optional(),
    /** OCI Vault's own answer, when asked: `valid`, `invalid`, or `error` (the KMS could not be asked). */
    kmsVerdict: z
      .object({ status: z.enum(['valid', 'invalid', 'error']), detail: z.string() })
      .strict()
      .optional(),
  })
  .strict();
export type OcirSignature = z.infer<typeof OcirSignature>;

/** The image as the registry names it (on OCIR: NAMESPACE/REPOSITORY) and its digest. */
const Image = { id: RegistryId, repository: Repository, digest: DigestString };
const SignatureId = Ocid;

/** Oracle OCIR's own image signatures (ContainerImageSignature API resources), for a registry marked as OCIR. */
export const ocirCalls = {
  'ocir.list': call({
    summary: 'OCIR’s image signatures of an image, each decoded and verified locally with its KMS key version’s public key',
    effect: 'read',
    request: z
      .object({
        ...Image,
        /** The vault's crypto endpoint host, when no Signet key names this OCI key (to read its public key). */
        vaultHost: RegistryHost.optional(),
        /** Also ask OCI Vault's verify for each signature (as OCIR's get-verify does), beside the local verdict. */
        kmsVerify: z.boolean().optional(),
      })
      .strict(),
    response: z
      .object({
        signatures: z.array(OcirSignature),
        complete: z.boolean(),
        region: z.string(),
        /** OCIR's name of the repository (the path without the tenancy namespace). */
        repositoryName: z.string(),
      })
      .strict(),
  }),
  'ocir.sign': call({
    summary:
      'Sign an image for OCIR: the exact sign-upload message, signed by an OCI Vault key version, created as a ContainerImageSignature',
    effect: 'sign',
    request: z
      .object({
        ...Image,
        /** An ocikms://CRYPTO-HOST/KEY-OCID[/VERSION-OCID] URI. */
        key: z
          .string()
          .max(1024)
          .regex(/^ocikms:\/\//, 'an ocikms:// key URI'),
        connection: z.string().min(1).max(64).optional(),
        algorithm: OcirAlgorithm.default('SHA_256_RSA_PKCS_PSS'),
        description: z.string().max(2000).optional(),
        metadata: Metadata.optional(),
        freeformTags: FreeformTags.optional(),
      })
      .strict(),
    response: OcirSignature,
  }),
  'ocir.tag': call({
    summary: 'Add or remove free-form and defined tags of an OCIR image signature (unsigned metadata)',
    effect: 'remote-write',
    request: z
      .object({
        ...Image,
        signature: SignatureId,
        setFreeform: FreeformTags.optional(),
        removeFreeform: z.array(TagKey).max(50).optional(),
        setDefined: DefinedTags.optional(),
        /** NAMESPACE.KEY */
        removeDefined: z
          .array(z.string().regex(/^[^\s.=]+\.[^\s.=]+$/, 'NAMESPACE.KEY'))
          .max(50)
          .optional(),
      })
      .strict(),
    response: z
      .object({
        id: z.string(),
        freeformTags: z.record(z.string(), z.string()),
        definedTags: z.record(z.string(), z.record(z.string(), z.unknown())),
      })
      .strict(),
  }),
  'ocir.delete': call({
    summary: 'Delete one OCIR image signature of this image (the image is no longer to be considered as trusted by it)',
    effect: 'delete',
    request: z.object({ ...Image, signature: SignatureId }).strict(),
    response: z.object({ deleted: z.string() }).strict(),
  }),
} as const;
