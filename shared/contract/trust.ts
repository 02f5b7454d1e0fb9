import { z } from 'zod';
import { RegistryId, Repository, TagOrDigest } from '../models/registry';
import { PolicyEvaluation, TrustEntrySummary } from '../models/trust';
import { call, NoInput } from './define';

const IsoDate = z.iso.datetime({ offset: true });
const Scope = z.string().min(1).max(255).regex(/^[^\s]+$/, 'a scope is host, host/namespace or host/namespace/repository');
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
  })
  .strict();
export type StoredPolicySummary = z.infer<typeof StoredPolicySummary>;

/** The trust store and containers policies: who may sign what. */
export const trustCalls = {
  'trust.list': call({
    summary: 'The trust store (public keys, OpenPGP keys, certificates) and the imported policies',
    effect: 'read',
    request: NoInput,
    response: z.object({ entries: z.array(TrustEntrySummary), policies: z.array(StoredPolicySummary) }).strict(),
  }),
  'trust.add': call({
    summary: 'Trust a public key, OpenPGP public key or certificate, optionally only for a time window and for some scopes',
    effect: 'trust',
    request: z
      .object({
        name: z.string().min(1).max(100),
        /** PEM public key, PEM certificate, or ASCII-armored OpenPGP public key. */
        data: z.string().min(1).max(200_000),
        notBefore: IsoDate.optional(),
        /** "Trusted for signatures before …". */
        notAfter: IsoDate.optional(),
        scopes: z.array(Scope).max(100).optional(),
        /** A leaf certificate (not a CA, not self-signed) is refused unless this says to trust only its key. */
        leaf: z.boolean().optional(),
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
    summary: 'Import a containers policy.json (checked strictly, as podman would read it)',
    effect: 'trust',
    request: z.object({ name: z.string().min(1).max(100), policy: z.string().min(2).max(1024 * 1024) }).strict(),
    response: StoredPolicySummary,
  }),
  'trust.exportPolicy': call({
    summary: 'A policy.json and registries.d snippet that trust exactly the trust store’s keys, for podman, CRI-O, skopeo and Confidential Containers',
    effect: 'read',
    request: z
      .object({
        keyDir: z.string().min(1).max(1024).optional(),
        embed: z.boolean().optional(),
        fallback: z.enum(['reject', 'insecureAcceptAnything']).optional(),
        lookaside: z.string().min(1).max(2048).optional(),
      })
      .strict(),
    response: z.object({ policy: z.string(), registriesD: z.string(), keyFiles: z.array(z.object({ path: z.string(), content: z.string() }).strict()), warnings: z.array(z.string()) }).strict(),
  }),
  'trust.evaluate': call({
    summary: 'Decide, as podman/CRI-O would, whether a policy admits an image, and which requirement admitted or rejected it',
    effect: 'read',
    request: z
      .object({
        /** An imported policy, or a policy.json given inline. */
        policyId: PolicyId.optional(),
        policy: z.string().min(2).max(1024 * 1024).optional(),
        /** A registry image … */
        id: RegistryId.optional(),
        repository: Repository.optional(),
        reference: TagOrDigest.optional(),
        /** … or a containers `dir:` image on this machine (absolute path). */
        dir: z.string().min(2).max(4096).optional(),
        /** Where simple signatures live: a directory or URL, or a registries.d directory to look it up in. */
        lookaside: z.string().min(1).max(4096).optional(),
        registriesD: z.string().min(1).max(4096).optional(),
      })
      .strict()
      .refine((r) => (r.policyId === undefined) !== (r.policy === undefined), 'give an imported policy id or a policy, not both')
      .refine((r) => (r.dir === undefined) !== (r.id === undefined), 'give a registry image (id, repository, reference) or a dir: path')
      .refine((r) => r.id === undefined || (r.repository !== undefined && r.reference !== undefined), 'a registry image needs its repository and a tag or digest'),
    response: PolicyEvaluation,
  }),
} as const;
