import { z } from 'zod';
import { DirectoryPath, LookasideReadPath } from './host-path';
import { RegistryId, Repository, TagOrDigest } from '../models/registry';
import { AdmissionTarget, NotationStore, PolicyEvaluation, TrustEntrySummary } from '../models/trust';
import { call, NoInput } from './define';

const IsoDate = z.iso.datetime({ offset: true });
const Scope = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s]+$/, 'a scope is host, host/namespace or host/namespace/repository');
const PolicyId = z.string().regex(/^[a-z0-9-]{1,64}$/);

export const StoredPolicySummary = z
  .object({
    id: PolicyId,
    name: z.string(),
    importedAt: z.string(),
    /** `transport scope → requirement types`, e.g. `docker "quay.io/team" → signedBy, sigstoreSigned`. */
    sections: z.array(z.string()),
    /** Key files the policy reads (keyPath/keyPaths), which must exist where it is evaluated. */
    keyFiles: z.array(z.string()),
    /** A Notation trust policy (trustpolicy.json); absent: a containers policy.json. */
    kind: z.enum(['containers', 'notation']).optional(),
  })
  .strict();
export type StoredPolicySummary = z.infer<typeof StoredPolicySummary>;

/** The Signet key a trust entry holds (same fingerprint), if any. */
export const TrustEntryListed = TrustEntrySummary.extend({
  signetKey: z.object({ id: z.string(), name: z.string() }).strict().optional(),
}).strict();
export type TrustEntryListed = z.infer<typeof TrustEntryListed>;

/**
 * What the one-time trust migration did: earlier versions trusted every Signet key implicitly;
 * it made each an explicit trust entry. Shown until acknowledged.
 */
export const TrustMigrationNote = z
  .object({
    at: z.string(),
    message: z.string(),
    /** The entries it added, and for which key. */
    entries: z.array(z.object({ keyId: z.string(), keyName: z.string(), entryId: z.string(), entryName: z.string() }).strict()),
    /** Keys it could not read yet (a locked vault): retried at start and when the vault is unlocked. */
    pending: z.array(z.object({ keyId: z.string(), keyName: z.string(), reason: z.string() }).strict()),
    /** Keys it could not make an entry for, and why (nothing to trust, or already trusted under another name). */
    skipped: z.array(z.object({ keyId: z.string(), keyName: z.string(), reason: z.string() }).strict()),
  })
  .strict();
export type TrustMigrationNote = z.infer<typeof TrustMigrationNote>;

/** The trust store and containers policies: who may sign what. */
export const trustCalls = {
  'trust.list': call({
    summary: 'The trust store (public keys, OpenPGP keys, certificates) and the imported policies',
    effect: 'read',
    request: NoInput,
    response: z
      .object({ entries: z.array(TrustEntryListed), policies: z.array(StoredPolicySummary), migration: TrustMigrationNote.optional() })
      .strict(),
  }),
  'trust.addKey': call({
    summary: 'Trust one of Signet’s own keys for verification: a trust entry with its public key (PEM, or armored OpenPGP)',
    effect: 'trust',
    request: z
      .object({
        key: z.string().min(1).max(100),
        /** The entry's name; default the key's name. */
        name: z.string().min(1).max(100).optional(),
        notBefore: IsoDate.optional(),
        notAfter: IsoDate.optional(),
        scopes: z.array(Scope).max(100).optional(),
      })
      .strict(),
    response: TrustEntrySummary,
  }),
  'trust.ackMigration': call({
    summary: 'Dismiss the note about keys that earlier versions trusted implicitly and that are now explicit trust entries',
    // Accepting (or not removing) what was trusted is a trust decision: refused in read-only mode.
    effect: 'trust',
    request: NoInput,
    response: z.object({ acknowledged: z.boolean() }).strict(),
  }),
  'trust.add': call({
    summary: 'Trust a public key, OpenPGP public key or certificate, optionally only for a time window and for some scopes',
    effect: 'trust',
    request: z
      .object({
        name: z.string().min(1).max(100),
        /**
         * PEM public key, PEM certificate, or ASCII-armored OpenPGP public key; with `encoding: base64`, a binary OpenPGP key, DER
         * certificate or DER public key.
         */
        data: z.string().min(1).max(280_000),
        encoding: z.enum(['text', 'base64']).optional(),
        notBefore: IsoDate.optional(),
        /** "Trusted for signatures before …". */
        notAfter: IsoDate.optional(),
        scopes: z.array(Scope).max(100).optional(),
        /** A leaf certificate (not a CA, not self-signed) is refused unless this says to trust only its key. */
        leaf: z.boolean().optional(),
        /**
         * Notation named stores for a certificate (`ca:NAME`, `signingAuthority:NAME`, `tsa:NAME`); a certificate trusted already joins
         * them.
         */
        stores: z.array(NotationStore).min(1).max(20).optional(),
      })
      .strict(),
    response: TrustEntrySummary,
  }),
  'trust.remove': call({
    summary: 'Stop trusting a key, or forget an imported policy',
    effect: 'trust',
    request: z.object({ id: z.string().min(1).max(100) }).strict(),
    response: z.object({ removed: z.string(), kind: z.enum(['entry', 'policy']) }).strict(),
  }),
  'trust.importPolicy': call({
    summary:
      'Import a containers policy.json (checked strictly, as podman would read it) or a Notation trust policy (checked as notation checks it; one at a time)',
    effect: 'trust',
    request: z
      .object({
        name: z.string().min(1).max(100),
        policy: z
          .string()
          .min(2)
          .max(1024 * 1024),
      })
      .strict(),
    response: StoredPolicySummary,
  }),
  'trust.exportPolicy': call({
    summary:
      'A policy.json and registries.d snippet that trust exactly the trust store’s keys, for podman, CRI-O, skopeo and Confidential Containers',
    effect: 'read',
    request: z
      .object({
        keyDir: z.string().min(1).max(1024).optional(),
        embed: z.boolean().optional(),
        fallback: z.enum(['reject', 'insecureAcceptAnything']).optional(),
        lookaside: z.string().min(1).max(2048).optional(),
      })
      .strict(),
    response: z
      .object({
        policy: z.string(),
        registriesD: z.string(),
        keyFiles: z.array(z.object({ path: z.string(), content: z.string() }).strict()),
        warnings: z.array(z.string()),
      })
      .strict(),
  }),
  'trust.exportAdmission': call({
    summary:
      'Admission policies that trust exactly the trust store’s keys in their scopes: Kyverno ClusterPolicy, policy-controller ClusterImagePolicy, or a Confidential Containers KBS tree',
    effect: 'read',
    request: z
      .object({
        for: AdmissionTarget,
        scopes: z.array(z.string().min(1).max(255)).max(100).optional(),
        failureAction: z.enum(['Enforce', 'Audit']).optional(),
        name: z.string().min(1).max(63).optional(),
      })
      .strict(),
    response: z
      .object({
        files: z.array(z.object({ path: z.string(), content: z.string() }).strict()),
        notes: z.array(z.string()),
        warnings: z.array(z.string()),
      })
      .strict(),
  }),
  'trust.exportNotation': call({
    summary:
      'The imported Notation trust policy and the named trust stores, laid out as notation reads them (trustpolicy.json, truststore/x509/<type>/<name>/<file>.crt)',
    effect: 'read',
    request: NoInput,
    response: z
      .object({
        trustPolicy: z.string().optional(),
        files: z.array(z.object({ path: z.string(), content: z.string() }).strict()),
        warnings: z.array(z.string()),
      })
      .strict(),
  }),
  'trust.evaluate': call({
    summary: 'Decide, as podman/CRI-O would, whether a policy admits an image, and which requirement admitted or rejected it',
    effect: 'read',
    request: z
      .object({
        /** An imported policy, or a policy.json given inline. */
        policyId: PolicyId.optional(),
        policy: z
          .string()
          .min(2)
          .max(1024 * 1024)
          .optional(),
        /** A registry image … */
        id: RegistryId.optional(),
        repository: Repository.optional(),
        reference: TagOrDigest.optional(),
        /** … or a containers `dir:` image on this machine (absolute path). */
        dir: DirectoryPath.optional(),
        /** Where simple signatures live: a directory or URL, or a registries.d directory to look it up in. */
        lookaside: LookasideReadPath.optional(),
        registriesD: DirectoryPath.optional(),
        /** A Confidential Containers KBS resource directory: `kbs:///repo/type/tag` key paths are read from it. */
        kbsDir: DirectoryPath.optional(),
      })
      .strict()
      .refine((r) => (r.policyId === undefined) !== (r.policy === undefined), 'give an imported policy id or a policy, not both')
      .refine((r) => (r.dir === undefined) !== (r.id === undefined), 'give a registry image (id, repository, reference) or a dir: path')
      .refine(
        (r) => r.id === undefined || (r.repository !== undefined && r.reference !== undefined),
        'a registry image needs its repository and a tag or digest',
      ),
    response: PolicyEvaluation,
  }),
} as const;
