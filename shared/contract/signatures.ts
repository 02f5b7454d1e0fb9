import { z } from 'zod';
import { DigestString, RegistryId, Repository } from '../models/registry';
import { DeletePlan, KeyDetails, SignatureFormatId, SignatureId, VerificationReport } from '../models/signatures';
import { StorageTarget } from '../models/storage';
import { KmsAlgorithm } from '../models/kms';
import { DirectoryPath, LookasideReadPath } from './host-path';
import { call, JobId } from './define';
import { SIGNABLE_FORMATS } from '../formats';
import { MAX_DESCRIPTION_CHARS, MAX_METADATA_BYTES } from '../payloads/record';
import { MAX_SIGNATURE_TAGS, SignatureTagKey, SignatureTags } from '../models/signature-tags';

const PublicKeyPem = z
  .string()
  .max(20_000)
  .regex(/-----BEGIN PUBLIC KEY-----/, 'a PEM public key');

/** Where an image's signatures are looked for and what they are verified against. */
const VerifyRequest = z
  .object({
    id: RegistryId,
    repository: Repository,
    digest: DigestString,
    publicKeys: z.array(PublicKeyPem).max(50).optional(),
    /** Armored OpenPGP public keys also trusted for simple signatures. */
    pgpKeys: z.array(z.string().max(200_000)).max(50).optional(),
    /** Lookaside storage holding simple signatures (`<repository>@sha256=<hex>/signature-N`): a directory, file:// or http(s):// URL. */
    lookaside: LookasideReadPath.optional(),
    /** A registries.d directory naming the lookaside for this image (used when `lookaside` is not given). */
    registriesD: DirectoryPath.optional(),
    /** Trust only the keys given here, not the trust store or Signet's keys (`--key` / `--pubkey`). */
    trustOnly: z.boolean().optional(),
    /** Object storage holding Huawei SWR `.asc` files at `{repository}/{sha256}.asc`. */
    asc: StorageTarget.optional(),
    /** The full reference the image was named by (`host/repo:tag`); identities must name it (matchRepoDigestOrExact). */
    reference: z.string().max(1024).optional(),
    /** The tag the image was named by, when no full reference is given: identities must then name that tag. */
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/)
      .optional(),
    /** A person asked for this verification (the CLI, the Verify button): it is audited; a view's passive check is not. */
    requested: z.boolean().optional(),
  })
  .strict();

/** Where one signature is looked for again, to delete or tag it: the places a report looks at. */
const SignaturePlaces = VerifyRequest.pick({ id: true, repository: true, digest: true, lookaside: true, registriesD: true, asc: true });

/** Signatures on an image: discover and verify them, and sign. */
export const signatureCalls = {
  'signatures.verify': call({
    summary:
      'Every signature of a manifest in every format (cosign, Sigstore bundles, Notation, simple signing, .asc), each verified against the trust store and the keys given, with reason codes and the places looked at',
    effect: 'read',
    request: VerifyRequest,
    response: VerificationReport,
  }),
  'signatures.status': call({
    summary:
      'The cosign and Notation verdict of many tags at once (unsigned / signed but untrusted / verified / failed), against the trust store (and the Notation trust policy), with progress',
    effect: 'read',
    request: z
      .object({
        id: RegistryId,
        repository: Repository,
        tags: z.array(z.string().min(1).max(128)).min(1).max(10_000),
        jobId: JobId.optional(),
      })
      .strict(),
    response: z
      .object({
        results: z.array(
          z
            .object({
              tag: z.string(),
              digest: DigestString,
              verdict: z.enum(['unsigned', 'signed-untrusted', 'verified', 'failed', 'unknown']),
            })
            .strict(),
        ),
      })
      .strict(),
  }),
  'signatures.delete': call({
    summary:
      'Delete exactly one signature, named by its id: a cosign layer (the signature image pushed again), a Notation or bundle referrer manifest, a lookaside signature-N (the later ones renumbered) or an .asc object; dryRun shows what would go, with an export of it',
    effect: 'delete',
    request: SignaturePlaces.extend({ signature: SignatureId, dryRun: z.boolean().optional() }).strict(),
    response: z.object({ deleted: z.boolean(), plan: DeletePlan, outcome: z.string().optional() }).strict(),
  }),
  'signatures.deleteByKey': call({
    summary:
      'Delete every signature by one key on the tagged images (and their platforms) of a repository, or of every repository of the registry; dryRun counts them first, and expectedCount refuses when the count changed since',
    effect: 'delete',
    request: z
      .object({
        id: RegistryId,
        /** One repository; none: every repository the registry's catalog lists. */
        repository: Repository.optional(),
        /** A Signet key (name or id), a trust entry (name or id), or a fingerprint (SPKI SHA-256 or OpenPGP). */
        key: z.string().min(1).max(200),
        /** Only these tags (default: every tag of the repository, signature artifacts aside). */
        tags: z.array(z.string().min(1).max(128)).min(1).max(10_000).optional(),
        lookaside: LookasideReadPath.optional(),
        registriesD: DirectoryPath.optional(),
        dryRun: z.boolean().optional(),
        expectedCount: z.number().int().nonnegative().optional(),
        jobId: JobId.optional(),
      })
      .strict(),
    response: z
      .object({
        fingerprint: z.string(),
        keyName: z.string().optional(),
        repositories: z.number().int(),
        images: z.number().int(),
        signatures: z.array(
          z
            .object({
              repository: Repository,
              digest: DigestString,
              tags: z.array(z.string()),
              id: SignatureId,
              format: SignatureFormatId,
              storage: z.string(),
              deleted: z.boolean(),
              outcome: z.string().optional(),
            })
            .strict(),
        ),
        deleted: z.number().int(),
      })
      .strict(),
  }),
  'signatures.tag': call({
    summary:
      'Add and remove tags (key=value, namespace.key=value) on one signature, stored unsigned on its descriptor in the registry (dev.signet.tags): the cosign layer, or its referrers-index entry',
    effect: 'remote-write',
    request: SignaturePlaces.extend({
      signature: SignatureId,
      add: SignatureTags.optional(),
      remove: z.array(SignatureTagKey).max(MAX_SIGNATURE_TAGS).optional(),
    })
      .strict()
      .refine((r) => Object.keys(r.add ?? {}).length <= MAX_SIGNATURE_TAGS, { message: `at most ${MAX_SIGNATURE_TAGS} tags` }),
    response: z.object({ tags: SignatureTags, where: z.string() }).strict(),
  }),
  'signatures.keyDetails': call({
    summary:
      'The key behind a signature, by fingerprint: Signet’s keys and trust entries with it (to link to), its algorithm and padding, and — asked — whether its KMS key version is still enabled',
    effect: 'read',
    request: z
      .object({
        /** SPKI SHA-256 (hex) or OpenPGP fingerprint, as a signature report names it (Notation: its keySpki). */
        fingerprint: z.string().regex(/^[0-9A-Fa-f]{16,128}$/, 'a hex fingerprint'),
        algorithm: z.string().max(100).optional(),
        /**
         * The image the signature is over: the audit log's record of signing it with this key is looked up (KMS key version, token serial).
         */
        digest: DigestString.optional(),
        /** Ask the KMS whether the key version that made the signature is still enabled (a KMS key only). */
        askKms: z.boolean().optional(),
      })
      .strict(),
    response: KeyDetails,
  }),
  'signatures.sign': call({
    summary:
      'Sign a manifest with a Signet key: cosign (appending to its signature image), simple signing, or Notation (a referrer, with a key that has an X.509 chain)',
    effect: 'sign',
    request: z
      .object({
        id: RegistryId,
        repository: Repository,
        digest: DigestString,
        /** A key's name or id, a KMS key URI, or a PKCS#11 URI. */
        key: z.string().min(1).max(1024),
        /** The token PIN, for a PKCS#11 key (never stored or logged). */
        pin: z.string().min(1).max(256).optional(),
        /** The signature algorithm and padding (a KMS key's choice, or PSS for a software RSA key); default: the key's own. */
        algorithm: KmsAlgorithm.optional(),
        format: z.enum(SIGNABLE_FORMATS).optional(),
        /** For simple signing: the lookaside directory to write signature-N into. */
        lookaside: DirectoryPath.optional(),
        /**
         * For simple signing without `lookaside`: the registries.d directory whose lookaside-staging (or file:// lookaside) receives it.
         */
        registriesD: DirectoryPath.optional(),
        annotations: z.record(z.string().min(1).max(128), z.string().max(1024)).optional(),
        /** A description signed into the payload (OCIR's --description): the `description` annotation. */
        description: z.string().min(1).max(MAX_DESCRIPTION_CHARS).optional(),
        /**
         * A JSON object signed into the payload (OCIR's --metadata), as JSON text: the `metadata` annotation, compacted with sorted keys.
         */
        metadata: z
          .string()
          .min(1)
          .max(4 * MAX_METADATA_BYTES)
          .optional(),
        /** For an index: sign only the index, not each platform manifest (default: both). */
        indexOnly: z.boolean().optional(),
        /** Notation: the envelope (default JWS, as notation) and how long the signature stays valid (a duration such as 720h). */
        envelope: z.enum(['jws', 'cose']).optional(),
        /**
         * Notation: the signing key's X.509 chain (PEM, leaf first), for keys whose chain is not in the key list (PKCS#11 URIs, KMS key
         * URIs).
         */
        certificateChain: z.string().min(1).max(100_000).optional(),
        expiry: z
          .string()
          .regex(/^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/, 'a duration such as 720h, 1h30m or 3600s')
          .min(2)
          .max(32)
          .optional(),
        jobId: JobId.optional(),
        /** The tag the user chose, checked again just before writing. */
        expectedTag: z.string().max(128).optional(),
      })
      .strict(),
    response: z
      .object({
        tag: z.string(),
        payload: z.string(),
        signatureManifest: DigestString.optional(),
        file: z.string().optional(),
        /** The signature algorithm used (`openpgp` for simple signing). */
        algorithm: z.string().optional(),
        /** Every manifest signed: the one asked for, then (for an index) each platform's. */
        signed: z.array(z.object({ digest: DigestString, platform: z.string().optional(), where: z.string() }).strict()),
      })
      .strict(),
  }),
} as const;
