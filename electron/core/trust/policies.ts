import { describeSystemError } from '../../../shared/system-errors';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { SignetError } from '../../../shared/errors';
import type { StoredPolicySummary } from '../../../shared/contract/trust';
import { readJsonFile } from '../storage/atomic';
import { parsePolicy, type ContainersPolicy } from './policy';
import { parseStrictJson } from '../json/strict';
import { levelLabel, looksLikeNotationPolicy, parseNotationPolicy, type NotationPolicyDocument } from './notation-policy';
import { updateRecords } from '../storage/record-file';

/** `kind` absent: a containers policy.json (files written before Notation trust policies). */
const Stored = z
  .object({
    id: z.string(),
    name: z.string(),
    importedAt: z.string(),
    text: z.string(),
    kind: z.enum(['containers', 'notation']).optional(),
  })
  .strict();
type Stored = z.infer<typeof Stored>;
const File = z.object({ version: z.literal(1), policies: z.array(Stored) }).strict();
const MAX_POLICIES = 100;

/** Imported containers policies, kept verbatim in `<dataDir>/policies.json` (atomic writes). */
export class PolicyStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'policies.json');
  }

  private async all(): Promise<Stored[]> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.file);
    } catch (error) {
      throw new SignetError('IO_ERROR', `Cannot read ${this.file}: ${describeSystemError(error)}`);
    }
    if (raw === undefined) return [];
    const parsed = File.safeParse(raw);
    if (!parsed.success) throw new SignetError('IO_ERROR', `${this.file} is not a valid policy list; fix or move it aside.`);
    return parsed.data.policies;
  }

  async list(): Promise<StoredPolicySummary[]> {
    return (await this.all()).map(summarize);
  }

  async get(id: string): Promise<{ policy: ContainersPolicy; name: string }> {
    const found = (await this.all()).find((p) => p.id === id);
    if (!found) throw new SignetError('NOT_FOUND', `There is no imported policy ${id}.`);
    if (found.kind === 'notation')
      throw new SignetError(
        'UNSUPPORTED',
        `${found.name} is a Notation trust policy, not a containers policy.json: \`signet verify\` applies it to Notation signatures.`,
      );
    return { policy: parsePolicy(found.text), name: found.name };
  }

  /** The imported Notation trust policy (at most one is kept, as notation keeps one trustpolicy.json). */
  async notation(): Promise<{ id: string; name: string; text: string; policy: NotationPolicyDocument } | undefined> {
    const found = (await this.all()).find((p) => p.kind === 'notation');
    return found ? { id: found.id, name: found.name, text: found.text, policy: parseNotationPolicy(found.text) } : undefined;
  }

  /** An imported Notation trust policy by id or name; undefined when that policy is a containers one. */
  async notationById(id: string): Promise<{ name: string; policy: NotationPolicyDocument } | undefined> {
    const found = (await this.all()).find((p) => p.id === id || p.name === id);
    if (!found) throw new SignetError('NOT_FOUND', `There is no imported policy ${id}.`);
    return found.kind === 'notation' ? { name: found.name, policy: parseNotationPolicy(found.text) } : undefined;
  }

  /**
   * Checks the policy strictly before anything is stored: a Notation trust policy (it has
   * `trustPolicies`, or a `version` and no `default`) by notation's rules, anything else as a
   * containers policy.json.
   */
  import(name: string, text: string, now = new Date()): Promise<StoredPolicySummary> {
    const kind = policyKind(text);
    if (kind === 'notation') parseNotationPolicy(text);
    else parsePolicy(text);
    return this.update((policies) => {
      if (policies.length >= MAX_POLICIES) throw new SignetError('TOO_LARGE', `Signet keeps at most ${MAX_POLICIES} policies.`);
      if (policies.some((p) => p.name === name))
        throw new SignetError('CONFLICT', `A policy named ${JSON.stringify(name)} exists already; remove it first.`);
      const other = kind === 'notation' ? policies.find((p) => p.kind === 'notation') : undefined;
      if (other)
        throw new SignetError(
          'CONFLICT',
          `The Notation trust policy ${JSON.stringify(other.name)} is imported already; notation keeps one trust policy: remove it first.`,
        );
      const stored: Stored = {
        id: `policy-${randomBytes(6).toString('hex')}`,
        name,
        importedAt: now.toISOString(),
        text,
        ...(kind === 'notation' ? { kind } : {}),
      };
      return { policies: [...policies, stored], result: summarize(stored) };
    });
  }

  remove(id: string): Promise<StoredPolicySummary | undefined> {
    return this.update((policies) => {
      const found = policies.find((p) => p.id === id || p.name === id);
      return { policies: policies.filter((p) => p !== found), result: found ? summarize(found) : undefined };
    });
  }

  private update<T>(change: (policies: Stored[]) => { policies: Stored[]; result: T }): Promise<T> {
    return updateRecords(
      this.file,
      'policies',
      () => this.all(),
      (records) => {
        const { policies, result } = change(records);
        return { records: policies, result };
      },
    );
  }
}

export function isNotationPolicyText(text: string): boolean {
  return policyKind(text) === 'notation';
}

function policyKind(text: string): 'containers' | 'notation' {
  try {
    return looksLikeNotationPolicy(parseStrictJson(text, 'The policy')) ? 'notation' : 'containers';
  } catch {
    return 'containers';
  }
}

function summarize(stored: Stored): StoredPolicySummary {
  if (stored.kind === 'notation') {
    const doc = parseNotationPolicy(stored.text);
    const sections = doc.statements.map(
      (s) =>
        `notation "${s.name}" ${s.registryScopes.join(', ')} → ${levelLabel(s)}${s.trustStores.length ? `; stores ${s.trustStores.join(', ')}` : ''}${s.trustedIdentities.length ? `; identities ${s.trustedIdentities.join(' | ')}` : ''}`,
    );
    return { id: stored.id, name: stored.name, importedAt: stored.importedAt, sections, keyFiles: [], kind: 'notation' };
  }
  const policy = parsePolicy(stored.text);
  const sections = [`default → ${policy.default.map((r) => r.type).join(', ')}`];
  const keyFiles = new Set<string>();
  const visit = (reqs: ContainersPolicy['default']) => {
    for (const r of reqs) {
      if (r.type === 'signedBy' || r.type === 'sigstoreSigned') {
        if (r.keyPath) keyFiles.add(r.keyPath);
        for (const p of r.keyPaths ?? []) keyFiles.add(p);
      }
      if (r.type === 'sigstoreSigned') {
        if (r.rekorPublicKeyPath) keyFiles.add(r.rekorPublicKeyPath);
        for (const p of r.rekorPublicKeyPaths ?? []) keyFiles.add(p);
      }
    }
  };
  visit(policy.default);
  for (const [transport, scopes] of Object.entries(policy.transports)) {
    for (const [scope, reqs] of Object.entries(scopes)) {
      sections.push(`${transport} ${JSON.stringify(scope)} → ${reqs.map((r) => r.type).join(', ')}`);
      visit(reqs);
    }
  }
  return { id: stored.id, name: stored.name, importedAt: stored.importedAt, sections, keyFiles: [...keyFiles] };
}
