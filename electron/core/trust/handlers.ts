import path from 'node:path';
import type { trustCalls } from '../../../shared/contract/trust';
import { SignetError } from '../../../shared/errors';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { type RegistryConnections } from '../registry/handlers';
import { diskKeyFiles, evaluatePolicy, type KeyFileReader } from './evaluate';
import { exportPolicy } from './export';
import { loadDirImage, loadRegistryImage } from './images';
import { isNotationPolicyText, PolicyStore } from './policies';
import { parseNotationPolicy } from './notation-policy';
import { evaluateNotationPolicy } from './notation-evaluate';
import { exportNotation } from './notation-export';
import { parsePolicy } from './policy';
import { materialText, TrustStore } from './store';
import { ADMISSION_EXPORTERS } from './admission';
import { dryRunKubernetes, isKubernetesPolicyText } from './admission/dry-run';
import { entryForKey, trustSignetKey } from './own-keys';

export interface TrustDeps {
  connections?: RegistryConnections;
  keyFiles?: KeyFileReader;
  fetchImpl?: typeof fetch;
}

export function createTrustHandlers(services: CoreServices, deps: TrustDeps = {}): AreaHandlers<typeof trustCalls> {
  const store = new TrustStore(services.dataDir);
  const policies = new PolicyStore(services.dataDir);
  const connections = deps.connections ?? services.registries;

  return {
    'trust.list': async () => {
      const [entries, summaries, keys, migration] = await Promise.all([
        store.entries(),
        store.list(),
        services.keys.list(),
        services.trustMigration?.note(),
      ]);
      // Which entries hold one of Signet's own keys (same fingerprint).
      const owner = new Map<string, { id: string; name: string }>();
      for (const key of keys) {
        const entry = entryForKey(entries, key);
        if (entry && !owner.has(entry.id)) owner.set(entry.id, { id: key.id, name: key.name });
      }
      return {
        entries: summaries.map((e) => ({ ...e, ...(owner.has(e.id) ? { signetKey: owner.get(e.id) } : {}) })),
        policies: await policies.list(),
        ...(migration ? { migration } : {}),
      };
    },
    'trust.addKey': async (input) => {
      const info = await services.keys.get(input.key);
      const entry = await trustSignetKey(store, services.keys, services.audit, info, {
        via: 'user',
        ...(input.name ? { name: input.name } : {}),
        ...(input.notBefore ? { notBefore: input.notBefore } : {}),
        ...(input.notAfter ? { notAfter: input.notAfter } : {}),
        ...(input.scopes?.length ? { scopes: input.scopes } : {}),
      });
      const { data: _data, ...summary } = entry;
      return summary;
    },
    'trust.ackMigration': async () => {
      if (!services.trustMigration) throw new SignetError('UNSUPPORTED', 'This host keeps no trust migration record.');
      return { acknowledged: await services.trustMigration.acknowledge() };
    },
    'trust.add': async ({ encoding, ...input }) => {
      const entry = await store.add({
        ...input,
        data: encoding === 'base64' ? await materialText(Buffer.from(input.data, 'base64')) : input.data,
      });
      await services.audit.append('trust.changed', `Trusted ${entry.kind} "${entry.name}"`, {
        id: entry.id,
        fingerprint: entry.fingerprint,
        kind: entry.kind,
        ...(entry.notAfter ? { notAfter: entry.notAfter } : {}),
      });
      const { data: _data, ...summary } = entry;
      return summary;
    },
    'trust.remove': async (input) => {
      const policy = await policies.remove(input.id);
      if (policy) {
        await services.audit.append('trust.changed', `Removed the policy "${policy.name}"`, { id: policy.id });
        return { removed: policy.id, kind: 'policy' as const };
      }
      const entry = await store.remove(input.id);
      await services.audit.append('trust.changed', `Stopped trusting "${entry.name}"`, { id: entry.id, fingerprint: entry.fingerprint });
      return { removed: entry.id, kind: 'entry' as const };
    },
    'trust.importPolicy': async (input) => {
      const summary = await policies.import(input.name, input.policy);
      await services.audit.append('trust.changed', `Imported the policy "${summary.name}"`, {
        id: summary.id,
        sections: summary.sections.length,
      });
      return summary;
    },
    'trust.exportPolicy': async (input) =>
      exportPolicy(await store.entries(), {
        keyDir: input.keyDir ?? '/etc/containers/keys/signet',
        embed: input.embed ?? false,
        fallback: input.fallback ?? 'reject',
        ...(input.lookaside ? { lookaside: input.lookaside } : {}),
      }),
    'trust.exportAdmission': async (input) => {
      const kmsKeys = new Map(
        (await services.keys.list()).flatMap((k) =>
          k.kind === 'kms' && k.uri && k.spkiSha256 ? [[k.spkiSha256.toLowerCase(), k.uri] as const] : [],
        ),
      );
      return ADMISSION_EXPORTERS[input.for].export(await store.entries(), {
        kmsKeys,
        ...(input.scopes ? { scopes: input.scopes } : {}),
        ...(input.failureAction ? { failureAction: input.failureAction } : {}),
        ...(input.name ? { name: input.name } : {}),
      });
    },
    'trust.exportNotation': async () => exportNotation(await store.entries(), await policies.notation()),
    'trust.evaluate': async (input) => {
      // The reviewer host names no path or URL on the host: saved registries and imported policies only.
      if (services.readOnly && (input.dir || input.lookaside || input.registriesD || input.policy || input.kbsDir))
        throw new SignetError(
          'READ_ONLY',
          'In read-only reviewer mode a policy is evaluated only for a saved registry’s image with an imported policy (no paths, lookasides or inline policies).',
        );
      // A Notation trust policy (imported, or given inline) decides as notation verify would, for Notation signatures.
      const notation = input.policyId
        ? await policies.notationById(input.policyId)
        : isNotationPolicyText(input.policy ?? '')
          ? { name: 'the given trust policy', policy: parseNotationPolicy(input.policy ?? '') }
          : undefined;
      if (notation) {
        if (!input.id || !input.repository || !input.reference)
          throw new SignetError('INVALID_INPUT', 'A Notation trust policy is evaluated for a registry or layout image, not a dir: path.');
        const result = await evaluateNotationPolicy(notation.policy, notation.name, await store.entries(), connections, {
          id: input.id,
          repository: input.repository,
          reference: input.reference,
        });
        await services.audit.append(
          'image.verified',
          `Notation policy ${result.allowed ? 'admits' : 'rejects'} ${result.identity.slice(0, 160)}`,
          { allowed: result.allowed, section: result.section.scope ?? result.section.kind },
        );
        return result;
      }
      if (input.policy !== undefined && isKubernetesPolicyText(input.policy)) {
        if (!input.id || !input.repository || !input.reference)
          throw new SignetError('INVALID_INPUT', 'A Kubernetes admission policy is dry-run for a registry image, not a dir: path.');
        // The controllers read the .sig tag whatever registries.d says.
        const image = await loadRegistryImage(connections, {
          id: input.id,
          repository: input.repository,
          reference: input.reference,
          sigstoreAttachments: true,
          ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
        });
        const result = await dryRunKubernetes(input.policy, image);
        await services.audit.append(
          'image.verified',
          `Admission dry run ${result.allowed ? 'admits' : 'denies'} ${result.identity.slice(0, 160)}`,
          { call: 'trust.evaluate', reference: result.identity.slice(0, 1024), digest: image.manifestDigest, allowed: result.allowed },
        );
        return result;
      }
      const policy = input.policyId ? (await policies.get(input.policyId)).policy : parsePolicy(input.policy ?? '');
      let image;
      if (input.dir) image = await loadDirImage(input.dir);
      else if (input.id && input.repository && input.reference) {
        image = await loadRegistryImage(connections, {
          id: input.id,
          repository: input.repository,
          reference: input.reference,
          ...(input.lookaside ? { lookaside: input.lookaside } : {}),
          ...(input.registriesD ? { registriesD: input.registriesD } : {}),
          ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
        });
      } else throw new SignetError('INVALID_INPUT', 'Give a registry image or a dir: path.');
      const files = kbsKeyFiles(deps.keyFiles ?? diskKeyFiles, input.kbsDir);
      const result = await evaluatePolicy(policy, image, services.options.host === 'electron' ? kbsKeysOnly(files) : files);
      await services.audit.append(
        'image.verified',
        `Policy ${result.allowed ? 'admits' : 'rejects'} ${result.transport}:${result.identity.slice(0, 120)}`,
        {
          call: 'trust.evaluate',
          reference: result.identity.slice(0, 1024),
          digest: image.manifestDigest,
          allowed: result.allowed,
          section: result.section.scope ?? result.section.kind,
        },
      );
      return result;
    },
  };
}

/**
 * Key paths as Confidential Containers' image-rs reads them: `kbs:///REPO/TYPE/TAG` is a KBS
 * resource, here read from the KBS resource directory given; other paths are files.
 */
/**
 * In the desktop app a policy comes from the page, which must not make Signet read a file it
 * names: a keyPath is refused there (kbs:/// paths still resolve under the KBS directory the person
 * chose in a dialog).
 */
function kbsKeysOnly(files: KeyFileReader): KeyFileReader {
  return {
    read: async (file) => {
      if (file.startsWith('kbs:')) return files.read(file);
      throw new SignetError(
        'INVALID_INPUT',
        `The policy reads the key file ${file.slice(0, 200)}; in the desktop app Signet reads no file a policy names. Put the key in keyData, or evaluate with signet policy evaluate.`,
      );
    },
  };
}

export function kbsKeyFiles(files: KeyFileReader, kbsDir: string | undefined): KeyFileReader {
  return {
    read: async (file) => {
      const resource = /^kbs:\/\/[^/]*\/([^/]+\/[^/]+\/[^/]+)$/.exec(file)?.[1];
      if (!file.startsWith('kbs:')) return files.read(file);
      if (!resource || resource.split('/').some((part) => part === '..' || part === '.' || part === ''))
        throw new SignetError('INVALID_INPUT', `${file.slice(0, 200)} is not a KBS resource URI (kbs:///REPOSITORY/TYPE/TAG).`);
      if (!kbsDir)
        throw new SignetError(
          'INVALID_INPUT',
          `The policy reads its key from the KBS resource ${file.slice(0, 200)}; give the KBS resource directory to read it from (CLI: --kbs-dir DIR, holding ${resource}).`,
        );
      return files.read(path.join(kbsDir, ...resource.split('/')));
    },
  };
}
