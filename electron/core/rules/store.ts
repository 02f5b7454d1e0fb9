import { SignetError } from '../../../shared/errors';
import { Rule, type RuleFields } from '../../../shared/models/rules';
import { NamedRecordStore } from '../storage/named-store';

/**
 * The signing rules of a data directory, in `rules.json` (`{ version: 1, rules: [...] }`): read
 * strictly, written atomically under the cross-process lock, as every other record store.
 */
export class RuleStore {
  private readonly records: NamedRecordStore<Rule>;

  constructor(dataDir: string) {
    this.records = new NamedRecordStore<Rule>(dataDir, 'rules.json', 'rules', Rule, 'signing rule');
  }

  list(): Promise<Rule[]> {
    return this.records.list();
  }

  get(name: string): Promise<Rule> {
    return this.records.get(name);
  }

  async add(fields: RuleFields, now = new Date()): Promise<Rule> {
    const rule: Rule = { ...fields, created: now.toISOString(), updated: now.toISOString() };
    checkExclusive(rule, await this.list());
    await this.records.put(rule, false);
    return rule;
  }

  /** Changes a rule; a new name renames it (refused when that name is taken). */
  async edit(name: string, changes: Partial<RuleFields>, now = new Date()): Promise<Rule> {
    const all = await this.list();
    const before = all.find((r) => r.name === name);
    if (!before) throw new SignetError('NOT_FOUND', `There is no signing rule named "${name}".`);
    const rule: Rule = Rule.parse({ ...before, ...changes, updated: now.toISOString() });
    const others = all.filter((r) => r.name !== name);
    if (rule.name !== name && others.some((r) => r.name === rule.name))
      throw new SignetError('CONFLICT', `A signing rule named "${rule.name}" exists already.`);
    checkExclusive(rule, others);
    if (rule.name !== name) {
      await this.records.put(rule, false);
      await this.records.remove(name);
    } else await this.records.put(rule, true);
    return rule;
  }

  remove(name: string): Promise<Rule> {
    return this.records.remove(name);
  }
}

/** TCR semantics: a rule that asks for them is the only rule of its registry namespace. */
export function checkExclusive(rule: Rule, others: readonly Rule[]): void {
  const same = others.filter((r) => r.name !== rule.name && r.registry === rule.registry && r.namespace === rule.namespace);
  const blocking = rule.exclusive ? same[0] : same.find((r) => r.exclusive);
  if (!blocking) return;
  throw new SignetError(
    'CONFLICT',
    rule.exclusive
      ? `The rule "${blocking.name}" already covers the namespace ${rule.namespace}; with one rule per namespace (TCR semantics) there can be no other. Edit that rule, or turn off one-rule-per-namespace.`
      : `The rule "${blocking.name}" is the only rule allowed for the namespace ${rule.namespace} (one rule per namespace, as TCR). Edit that rule instead.`,
  );
}
