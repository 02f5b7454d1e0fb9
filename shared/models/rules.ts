import { z } from 'zod';
import { SIGNABLE_FORMATS } from '../formats';
import { globProblem } from '../glob';
import { DigestString, RegistryId } from './registry';
import { StorageTarget } from './storage';

/**
 * Signing rules (issue #17): which images of a registry namespace a key signs, in which formats,
 * by hand or on every push. Shared so the Rules view says what is wrong with a field before saving.
 */

export const RULE_NAME_MIN = 2;
export const RULE_NAME_MAX = 50;
const RULE_NAME = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/;

/** What is wrong with a rule name, in words (TCR's rule: 2–50 of a-z 0-9 . _ - /, separators only between letters or digits). */
export function ruleNameProblem(name: string): string | undefined {
  if (name.length < RULE_NAME_MIN) return `A rule name has at least ${RULE_NAME_MIN} characters.`;
  if (name.length > RULE_NAME_MAX) return `A rule name has at most ${RULE_NAME_MAX} characters.`;
  const bad = /[^a-z0-9._/-]/.exec(name);
  if (bad)
    return /[A-Z]/.test(bad[0])
      ? 'A rule name is lower case: use a-z, not A-Z.'
      : `"${bad[0]}" cannot be in a rule name: use lowercase letters, digits and . _ - /.`;
  if (/^[._/-]/.test(name)) return 'A rule name starts with a letter or digit, not a separator.';
  if (/[._/-]$/.test(name)) return 'A rule name ends with a letter or digit, not a separator.';
  if (/[._/-]{2}/.test(name)) return 'A rule name has letters or digits between its separators (no "--", "./" …).';
  return RULE_NAME.test(name) ? undefined : 'That is not a valid rule name.';
}

export const RuleName = z.string().superRefine((name, ctx) => {
  const problem = ruleNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The namespace (organisation, project) a rule covers: one or more repository path segments. */
export const RuleNamespace = z
  .string()
  .min(1, 'Name the namespace (organisation or project) the rule covers.')
  .max(200)
  .regex(
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    'A namespace is a repository path such as team or team/apps: lower-case letters, digits, . _ - and / between segments.',
  );

export const RulePattern = z.string().superRefine((pattern, ctx) => {
  const problem = globProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: `The pattern is not a glob Signet reads: ${problem}.` });
});

export const RuleTrigger = z.enum(['manual', 'event+manual']);
export type RuleTrigger = z.infer<typeof RuleTrigger>;
/** What a rule signs: every format `signatures.sign` writes into a registry, and `.asc` files (Huawei SWR) written to a storage profile. */
export const RuleFormat = z.enum([...SIGNABLE_FORMATS, 'asc']);
export type RuleFormat = z.infer<typeof RuleFormat>;

/** The fields a person writes; the store adds the times. */
export const RuleFields = z
  .object({
    name: RuleName,
    description: z.string().max(500),
    registry: RegistryId,
    namespace: RuleNamespace,
    /** Repositories below the namespace: `**` every one, `app-*` app-one but not app/one. */
    repositories: RulePattern,
    /** Tags: `**` every tag, `v{1,2}.*`, `release-*`. Signature tags (sha256-….sig) are never images. */
    tags: RulePattern,
    /** A Signet key (name or id), a KMS key URI, or a pkcs11: URI (never with its PIN). */
    key: z
      .string()
      .min(1, 'Choose the key that signs.')
      .max(1024)
      .refine((k) => !/pin-value=/i.test(k), 'A rule never keeps a PIN: give the pkcs11: URI without pin-value.'),
    formats: z
      .array(RuleFormat)
      .min(1, 'Choose at least one format.')
      .max(SIGNABLE_FORMATS.length + 1)
      .refine((f) => new Set(f).size === f.length, 'A format is listed twice.'),
    /**
     * Where `.asc` files go (the format `asc`): a storage profile and prefix, `{prefix}/{namespace}/{repo}/{sha256}.asc` as SWR reads them.
     */
    asc: StorageTarget.optional(),
    trigger: RuleTrigger,
    enabled: z.boolean(),
    /** TCR semantics: this rule is the only one for its registry and namespace. */
    exclusive: z.boolean(),
  })
  .strict();
export type RuleFields = z.infer<typeof RuleFields>;

export const Rule = RuleFields.extend({ created: z.string(), updated: z.string() }).strict();
export type Rule = z.infer<typeof Rule>;

/** One image a rule matches, and what it would do for it. */
export const RuleMatch = z
  .object({
    repository: z.string(),
    tag: z.string(),
    digest: DigestString,
    /** Formats the rule's key has signed it in already. */
    signed: z.array(RuleFormat),
    /** Formats a run would sign it in. */
    wouldSign: z.array(RuleFormat),
    /** The rules that made the key's cosign signatures on it (their annotation says so). */
    signedBy: z.array(z.string()).optional(),
  })
  .strict();
export type RuleMatch = z.infer<typeof RuleMatch>;

export const DryRun = z
  .object({
    rule: z.string(),
    matches: z.array(RuleMatch),
    /** Repositories looked at, and whether the registry listed them all. */
    repositories: z.number().int().nonnegative(),
    complete: z.boolean(),
    notes: z.array(z.string()),
    /** The namespace as TCR shows it: the images the rule covers, signed in every format of the rule, or not. */
    namespace: z.object({ name: z.string(), images: z.number().int(), signed: z.number().int(), unsigned: z.number().int() }).strict(),
  })
  .strict();
export type DryRun = z.infer<typeof DryRun>;

export const RunOutcome = z.enum(['signed', 'already-signed', 'failed', 'cancelled']);
export type RunOutcome = z.infer<typeof RunOutcome>;

export const RunItem = z
  .object({
    repository: z.string(),
    tag: z.string(),
    digest: DigestString,
    format: RuleFormat,
    outcome: RunOutcome,
    message: z.string().optional(),
  })
  .strict();
export type RunItem = z.infer<typeof RunItem>;

export const RunStatus = z.enum(['running', 'completed', 'cancelled', 'failed', 'interrupted']);

export const RuleRun = z
  .object({
    id: z.string(),
    rule: z.string(),
    /** `manual`: a person ran it (CLI, view); `event`: a registry push. */
    trigger: z.enum(['manual', 'event']),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    status: RunStatus,
    /** This run took over an earlier run that a crash, a cancel or a registry failure cut short. */
    resumed: z.string().optional(),
    counts: z
      .object({ signed: z.number().int(), alreadySigned: z.number().int(), failed: z.number().int(), cancelled: z.number().int() })
      .strict(),
    items: z.array(RunItem),
  })
  .strict();
export type RuleRun = z.infer<typeof RuleRun>;
