import type { ruleCalls } from '../../../shared/contract/rules';
import { SignetError } from '../../../shared/errors';
import { signingFormats } from '../../../shared/models/keys';
import type { RuleFormat } from '../../../shared/models/rules';
import { looksLikeKeyUri } from '../kms/uri';
import type { AreaHandlers } from '../dispatch';
import type { CoreServices } from '../services';
import { RulesEngine } from './engine';

/** The Rules area: rules saved in rules.json, dry runs, runs (by hand, or for one pushed image). */
export function createRuleHandlers(services: CoreServices, engine = new RulesEngine(services)): AreaHandlers<typeof ruleCalls> {
  const registryKnown = async (id: string) => {
    await services.registries.saved.get(id).catch(() => {
      throw new SignetError('NOT_FOUND', `There is no saved registry "${id}"; add it under Registries first.`);
    });
  };
  /** A key in Signet's list must exist and make every format the rule asks for (URIs are checked when they sign). */
  const keyFits = async (rule: { key: string; formats: readonly RuleFormat[]; asc?: unknown }) => {
    if (rule.formats.includes('asc') && !rule.asc)
      throw new SignetError('INVALID_INPUT', 'A rule that makes .asc files needs a storage profile to put them in (asc).');
    if (rule.key.startsWith('pkcs11:') || looksLikeKeyUri(rule.key)) {
      if (rule.formats.includes('asc'))
        throw new SignetError('INVALID_INPUT', '.asc files are signed with an OpenPGP key of Signet’s, not a KMS or token key.');
      return;
    }
    const info = await services.keys.get(rule.key);
    const signs: readonly string[] = signingFormats(info).formats;
    // An OpenPGP key that makes simple signatures makes .asc files too (the same signed message, kept as a file).
    const can = signs.includes('simplesigning') ? [...signs, 'asc'] : signs;
    const cannot = rule.formats.filter((f) => !can.includes(f));
    if (cannot.length)
      throw new SignetError(
        'INVALID_INPUT',
        `The key "${info.name}" cannot sign ${cannot.join(' or ')}: it makes ${can.join(', ') || 'no image format'}${cannot.includes('notation') && info.kind !== 'openpgp' ? ' (Notation needs a key with an X.509 certificate chain)' : ''}.`,
      );
  };
  const warnings = async (rule: Parameters<RulesEngine['unattendedProblem']>[0]) => {
    const problem = await engine.unattendedProblem(rule);
    return problem ? [`This rule signs on push, but its key cannot sign unattended. ${problem}`] : [];
  };
  return {
    'rules.list': async () => {
      const rules = await engine.store.list();
      return { rules, runs: await engine.recentRuns(rules) };
    },
    'rules.get': async (input) => engine.store.get(input.name),
    'rules.keys': async () => ({ keys: await engine.unattendedKeys() }),
    'rules.add': async (input) => {
      await registryKnown(input.registry);
      await keyFits(input);
      const rule = await engine.store.add(input);
      await services.audit.append(
        'rule.changed',
        `Saved the signing rule "${rule.name}" (${rule.namespace}/${rule.repositories}:${rule.tags}, ${rule.formats.join(', ')}, ${rule.trigger})`,
        {
          rule: rule.name,
          registryId: rule.registry,
          namespace: rule.namespace,
          key: rule.key,
          trigger: rule.trigger,
          enabled: rule.enabled,
        },
      );
      return { rule, warnings: await warnings(rule) };
    },
    'rules.edit': async (input) => {
      if (input.changes.registry) await registryKnown(input.changes.registry);
      if (input.changes.key || input.changes.formats || input.changes.asc)
        await keyFits({ ...(await engine.store.get(input.name)), ...input.changes });
      const rule = await engine.store.edit(input.name, input.changes);
      if (rule.name !== input.name) await engine.renameJournals(input.name, rule.name);
      await services.audit.append(
        'rule.changed',
        `Changed the signing rule "${input.name}"${rule.name !== input.name ? ` (now "${rule.name}")` : ''}: ${Object.keys(input.changes).join(', ') || 'nothing'}`,
        {
          rule: rule.name,
          registryId: rule.registry,
          namespace: rule.namespace,
          key: rule.key,
          trigger: rule.trigger,
          enabled: rule.enabled,
        },
      );
      return { rule, warnings: await warnings(rule) };
    },
    'rules.signatures': async (input) => ({ made: await engine.signaturesMade(input.name) }),
    'rules.remove': async (input) => {
      const rule = await engine.store.get(input.name);
      const made = await engine.signaturesMade(rule.name);
      // As TCR does when asked: the rule's own signatures go first, then the rule (a failure leaves the rule, to try again).
      const gone = input.deleteSignatures ? await engine.deleteSignatures(rule) : { deleted: 0, kept: made, problems: [] };
      const kept = input.deleteSignatures ? Math.max(0, made - gone.deleted) : made;
      const removed = await engine.store.remove(input.name);
      await services.audit.append(
        'rule.changed',
        `Deleted the signing rule "${removed.name}"; ${input.deleteSignatures ? `deleted ${gone.deleted} signature(s) it made, ` : ''}${kept} signature(s) it made stay`,
        { rule: removed.name, signaturesKept: kept, signaturesDeleted: gone.deleted },
      );
      return { removed: removed.name, signaturesKept: kept, signaturesDeleted: gone.deleted, problems: gone.problems };
    },
    'rules.dryRun': async (input, ctx) => engine.dryRun(await engine.store.get(input.name), ctx),
    'rules.run': async (input, ctx) => engine.run(await engine.store.get(input.name), input, ctx),
    'rules.cancel': async (input) => ({ cancelled: engine.cancel(input.jobId) }),
  };
}
