import { z } from 'zod';
import { DryRun, Rule, RuleFields, RuleName, RuleRun } from '../models/rules';
import { Repository, TagOrDigest } from '../models/registry';
import { call, JobId, NoInput } from './define';

/** Whether a key can sign with nobody there (a rule triggered by pushes), and why. */
export const UnattendedKey = z.object({ key: z.string(), name: z.string(), unattended: z.boolean(), reason: z.string() }).strict();
export type UnattendedKey = z.infer<typeof UnattendedKey>;

const RuleSaved = z.object({ rule: Rule, warnings: z.array(z.string()) }).strict();

/** Signing rules: which images a key signs, by hand or on every push (issue #17). */
export const ruleCalls = {
  'rules.list': call({
    summary: 'The signing rules, and the recent runs of each',
    effect: 'read',
    request: NoInput,
    response: z.object({ rules: z.array(Rule), runs: z.array(RuleRun) }).strict(),
  }),
  'rules.get': call({
    summary: 'One signing rule',
    effect: 'read',
    request: z.object({ name: RuleName }).strict(),
    response: Rule,
  }),
  'rules.keys': call({
    summary: 'Which of Signet’s keys can sign unattended (for rules triggered by pushes), and why or why not',
    effect: 'read',
    request: NoInput,
    response: z.object({ keys: z.array(UnattendedKey) }).strict(),
  }),
  'rules.add': call({
    summary: 'Save a new signing rule (refused when TCR one-rule-per-namespace semantics forbid it)',
    effect: 'local-write',
    request: RuleFields,
    response: RuleSaved,
  }),
  'rules.edit': call({
    summary: 'Change a signing rule; `changes.name` renames it',
    effect: 'local-write',
    request: z.object({ name: RuleName, changes: RuleFields.partial().strict() }).strict(),
    response: RuleSaved,
  }),
  'rules.signatures': call({
    summary: 'How many signatures a rule’s runs made (what deleting the rule keeps, or deletes when asked)',
    effect: 'read',
    request: z.object({ name: RuleName }).strict(),
    response: z.object({ made: z.number().int().nonnegative() }).strict(),
  }),
  'rules.remove': call({
    summary:
      'Delete a signing rule; the signatures it made stay (their count is in the answer) unless `deleteSignatures` asks, as TCR does, to delete the cosign signatures that name the rule',
    effect: 'delete',
    request: z.object({ name: RuleName, deleteSignatures: z.boolean().optional() }).strict(),
    response: z
      .object({
        removed: z.string(),
        signaturesKept: z.number().int().nonnegative(),
        signaturesDeleted: z.number().int().nonnegative(),
        /** Signatures that could not be deleted, and why (they stay). */
        problems: z.array(z.string()),
      })
      .strict(),
  }),
  'rules.dryRun': call({
    summary: 'The images a rule matches now, and which of them a run would sign (not yet signed by its key in its formats)',
    effect: 'read',
    request: z.object({ name: RuleName, jobId: JobId.optional() }).strict(),
    response: DryRun,
  }),
  'rules.run': call({
    summary:
      'Sign every image a rule matches that its key has not signed in its formats: resumable, idempotent, audited per image; `image` limits it to one pushed image',
    effect: 'sign',
    request: z
      .object({
        name: RuleName,
        jobId: JobId.optional(),
        /** One image (a push): its repository and tag or digest, read again from the registry. */
        image: z.object({ repository: Repository, reference: TagOrDigest }).strict().optional(),
      })
      .strict(),
    response: RuleRun,
  }),
  'rules.cancel': call({
    summary: 'Stop a rule run between images; what it signed stays signed',
    effect: 'local-write',
    request: z.object({ jobId: JobId }).strict(),
    response: z.object({ cancelled: z.boolean() }).strict(),
  }),
} as const;
