import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { SignetError } from '../../../shared/errors';
import { buildAtomicPayload, COSIGN_PAYLOAD_MEDIA_TYPE } from '../../../shared/payloads/payloads';
import { ascObjectKey, buildAsc } from '../signatures/asc';
import type { DryRun, Rule, RuleFormat, RuleMatch, RuleRun, RunItem } from '../../../shared/models/rules';
import type { UnattendedKey } from '../../../shared/contract/rules';
import type { CallContext } from '../dispatch';
import { resolveSigner } from '../keys/resolve-signer';
import { looksLikeKeyUri } from '../kms/uri';
import type { RegistrySource } from '../registry/source';
import type { CoreServices } from '../services';
import { createSignatureHandlers } from '../signatures/handlers';
import { withFileLock } from '../storage/file-lock';
import { RunJournal } from './journal';
import { listCandidates, ruleMatcher, type Candidate } from './match';
import { cosignSignedBy, leafSha256, reportSignedBy, type KeyIdentity } from './signed';
import { verifyWithKey } from '../signatures/cosign';
import { RuleStore } from './store';

/** The cosign annotation that names the rule a signature was made by (shown per tag). */
export const RULE_ANNOTATION = 'dev.signet.rule';

const quiet: CallContext = { progress: () => undefined };

/** Errors after which the registry is gone for this run: stop, and leave the rest to a rerun. */
const REGISTRY_GONE = new Set(['UNAVAILABLE', 'OFFLINE', 'TIMEOUT']);

/**
 * Runs signing rules: lists what a rule matches, decides what its key has not signed yet, and
 * signs it through the one signing handler (`signatures.sign`: the tag checked against the digest
 * just before writing, every manifest audited), journaling each step (journal.ts).
 */
export class RulesEngine {
  readonly store: RuleStore;
  private readonly signatures: ReturnType<typeof createSignatureHandlers>;
  /** Runs in flight in this process: job id → its cancel flag. */
  private readonly jobs = new Map<string, { cancelled: boolean }>();
  private readonly runningRuns = new Set<string>();

  constructor(private readonly services: CoreServices) {
    this.store = new RuleStore(services.dataDir);
    this.signatures = createSignatureHandlers(services);
  }

  journal(rule: string, kind: 'manual' | 'event' = 'manual'): RunJournal {
    return new RunJournal(this.services.dataDir, rule, kind);
  }

  /** A renamed rule keeps its journals. */
  async renameJournals(from: string, to: string): Promise<void> {
    for (const kind of ['manual', 'event'] as const) await this.journal(from, kind).moveTo(this.journal(to, kind));
  }

  /** Each rule's latest runs, by hand and for pushes, newest first. */
  async recentRuns(rules: readonly Rule[]): Promise<RuleRun[]> {
    const all = await Promise.all(
      rules.flatMap((r) => (['manual', 'event'] as const).map((kind) => this.journal(r.name, kind).recent(r.name, this.runningRuns))),
    );
    return all.flat().sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** Signatures the rule's runs made (what deleting the rule keeps). */
  async signaturesMade(rule: string): Promise<number> {
    const runs = await Promise.all((['manual', 'event'] as const).map((kind) => this.journal(rule, kind).runs(rule)));
    return runs.flat().reduce((n, r) => n + r.counts.signed, 0);
  }

  /**
   * Deletes the cosign signatures a rule made: on each image its runs signed, the signatures that
   * verify with the rule's key and whose payload names the rule (the other formats carry no such
   * name: they stay, and are counted as kept). Each through signatures.delete, audited there.
   */
  async deleteSignatures(rule: Rule): Promise<{ deleted: number; kept: number; problems: string[] }> {
    const runs = (await Promise.all((['manual', 'event'] as const).map((kind) => this.journal(rule.name, kind).runs(rule.name)))).flat();
    const images = new Map<string, { repository: string; digest: string }>();
    let kept = 0;
    // Every image a run looked at, not only those it journaled as signed: a signature the registry took
    // just before a crash is journaled as already signed by the run that resumed. The payload's rule name decides.
    for (const item of runs.flatMap((r) => r.items)) {
      if (item.format !== 'cosign') kept += item.outcome === 'signed' ? 1 : 0;
      else if (item.outcome !== 'cancelled')
        images.set(`${item.repository}@${item.digest}`, { repository: item.repository, digest: item.digest });
    }
    const problems: string[] = [];
    let deleted = 0;
    const pem = images.size ? (await this.identity({ ...rule, formats: ['cosign'] })).pem : undefined;
    for (const image of images.values()) {
      try {
        const report = await this.signatures['signatures.verify'](
          { id: rule.registry, repository: image.repository, digest: image.digest },
          quiet,
        );
        const mine = report.signatures.filter(
          (s) =>
            s.format === 'cosign' &&
            s.id &&
            s.annotations[RULE_ANNOTATION] === rule.name &&
            pem &&
            verifyWithKey(pem, Buffer.from(s.payload, 'utf8'), Buffer.from(s.signature, 'base64')),
        );
        for (const s of mine) {
          await this.signatures['signatures.delete'](
            { id: rule.registry, repository: image.repository, digest: image.digest, signature: s.id as string },
            quiet,
          );
          deleted++;
        }
      } catch (error) {
        problems.push(
          `${image.repository}@${image.digest.slice(0, 19)}…: ${error instanceof SignetError ? error.message : 'could not be read or changed'}`,
        );
      }
    }
    return { deleted, kept, problems };
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    job.cancelled = true;
    return true;
  }

  /** Which keys can sign with nobody at the keyboard, and why. */
  async unattendedKeys(): Promise<UnattendedKey[]> {
    const keys = await this.services.keys.list();
    const vaultUnlocked = this.services.keys.vault?.unlocked ?? false;
    return keys
      .filter((k) => !k.retired)
      .map((k) => {
        if (k.kind === 'kms')
          return { key: k.id, name: k.name, unattended: true, reason: 'A KMS key signs through its provider with no one present.' };
        if (k.store === 'vault')
          return vaultUnlocked
            ? { key: k.id, name: k.name, unattended: true, reason: 'In the vault, unlocked now: it signs until the vault locks again.' }
            : {
                key: k.id,
                name: k.name,
                unattended: false,
                reason: 'In the vault, which is locked: it signs on push only while the vault is unlocked for the session.',
              };
        return {
          key: k.id,
          name: k.name,
          unattended: true,
          reason: 'In the OS keychain, which hands it to Signet while you are logged in.',
        };
      });
  }

  /** Whether the rule's key can sign unattended; a sentence when it cannot. */
  async unattendedProblem(rule: Pick<Rule, 'key' | 'trigger'>): Promise<string | undefined> {
    if (rule.trigger !== 'event+manual') return undefined;
    if (rule.key.startsWith('pkcs11:'))
      return /pin-source=/i.test(rule.key)
        ? undefined
        : 'A token key signs on push only with its PIN at hand: add ?pin-source=FILE to the pkcs11: URI, or keep the token logged in for the rule’s session.';
    if (looksLikeKeyUri(rule.key)) return undefined;
    const listed = (await this.unattendedKeys()).find((k) => k.key === rule.key || k.name === rule.key);
    if (!listed) return `There is no key named "${rule.key}" in Signet's key list.`;
    return listed.unattended ? undefined : `"${listed.name}": ${listed.reason}`;
  }

  /** The key as its signatures show it, read once per run (a locked vault key's public half needs no passphrase). */
  private async identity(rule: Rule): Promise<KeyIdentity> {
    const identity: KeyIdentity = {};
    const uri = rule.key.startsWith('pkcs11:') || looksLikeKeyUri(rule.key);
    const info = uri ? undefined : await this.services.keys.get(rule.key);
    if (info) identity.keyId = info.id;
    if (rule.formats.includes('cosign') || rule.formats.includes('notation')) {
      identity.pem = info
        ? (await this.services.keys.publicExports(info.id)).pem
        : await (await resolveSigner(this.services, rule.key)).publicKeyPem();
      if (!identity.pem)
        throw new SignetError('INVALID_INPUT', `The key "${rule.key}" has no public key Signet can check signatures with.`);
    }
    if (info?.certificateChain) {
      const leaf = leafSha256(info.certificateChain);
      if (leaf) identity.leafSha256 = leaf;
    }
    if (info?.pgpFingerprint) identity.pgp = [info.pgpFingerprint, ...(info.pgpSigningSubkey ? [info.pgpSigningSubkey] : [])];
    return identity;
  }

  /** The formats the rule's key has signed this image in already, read from the registry now, and the rules its cosign signatures name. */
  private async signedState(
    source: RegistrySource,
    rule: Rule,
    key: KeyIdentity,
    c: Candidate,
    formats: readonly RuleFormat[] = rule.formats,
  ): Promise<{ signed: RuleFormat[]; byRules: string[] }> {
    const signed: RuleFormat[] = [];
    let byRules: string[] = [];
    if (formats.includes('cosign') && key.pem) {
      const cosign = await cosignSignedBy(source, c.repository, c.digest, key.pem, RULE_ANNOTATION);
      if (cosign.signed) signed.push('cosign');
      byRules = cosign.rules;
    }
    const others = formats.filter((f) => f !== 'cosign');
    if (others.length) {
      const report = await this.signatures['signatures.verify'](
        {
          id: rule.registry,
          repository: c.repository,
          digest: c.digest,
          ...(c.tag ? { tag: c.tag } : {}),
          ...(others.includes('asc') && rule.asc ? { asc: rule.asc } : {}),
        },
        quiet,
      );
      for (const f of others) if (reportSignedBy(report.signatures, f, key)) signed.push(f);
    }
    return { signed, byRules };
  }

  async dryRun(rule: Rule, ctx: CallContext): Promise<DryRun> {
    const source = await this.services.registries.source(rule.registry);
    const listed = await listCandidates(source, rule, ctx.progress);
    const key = await this.identity(rule);
    const matches: RuleMatch[] = [];
    for (const [i, c] of listed.candidates.entries()) {
      ctx.progress(i, listed.candidates.length, `Checking ${c.repository}:${c.tag}`);
      const { signed, byRules } = await this.signedState(source, rule, key, c);
      matches.push({
        ...c,
        signed,
        wouldSign: rule.formats.filter((f) => !signed.includes(f)),
        ...(byRules.length ? { signedBy: byRules } : {}),
      });
    }
    ctx.progress(
      listed.candidates.length,
      listed.candidates.length,
      `${matches.length} image(s) match; ${matches.filter((m) => m.wouldSign.length).length} would be signed`,
    );
    const notes = [...listed.notes, ...(rule.enabled ? [] : ['The rule is disabled: it signs nothing until it is enabled.'])];
    const fully = matches.filter((m) => !m.wouldSign.length).length;
    return {
      rule: rule.name,
      matches,
      repositories: listed.repositories,
      complete: listed.complete,
      notes,
      namespace: { name: rule.namespace, images: matches.length, signed: fully, unsigned: matches.length - fully },
    };
  }

  /** The one image a push names, read again from the registry: a digest it does not hold is refused, never signed. */
  private async pushed(
    source: RegistrySource,
    rule: Rule,
    image: { repository: string; reference: string },
  ): Promise<Candidate | undefined> {
    const match = ruleMatcher(rule);
    if (!match.repository(image.repository)) return undefined;
    const byDigest = /^sha(?:256|512):/.test(image.reference);
    // A push named only by digest matches a rule only when the rule takes every tag.
    if (byDigest ? rule.tags !== '**' : !match.tag(image.reference)) return undefined;
    const manifest = await source.manifest(image.repository, image.reference);
    // A signature, SBOM or attestation pushed for another image (a referrer, or cosign's signature image) is never signed: signing it would
    // push another.
    if (manifest.parsed.subject || manifest.parsed.layers.some((l) => l.mediaType === COSIGN_PAYLOAD_MEDIA_TYPE)) return undefined;
    return { repository: image.repository, tag: byDigest ? '' : image.reference, digest: manifest.digest };
  }

  async run(rule: Rule, input: { jobId?: string; image?: { repository: string; reference: string } }, ctx: CallContext): Promise<RuleRun> {
    if (!rule.enabled) throw new SignetError('CONFLICT', `The rule "${rule.name}" is disabled; enable it to run it.`);
    if (input.image && rule.trigger !== 'event+manual')
      throw new SignetError('CONFLICT', `The rule "${rule.name}" runs by hand only; it does not sign on push.`);
    const source = await this.services.registries.source(rule.registry);
    const journal = this.journal(rule.name, input.image ? 'event' : 'manual');
    const runId = `r-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const job = { cancelled: false };
    const jobId = input.jobId ?? runId;
    this.jobs.set(jobId, job);
    this.runningRuns.add(runId);
    try {
      // A push: only its image, and only if the registry holds it now.
      const pushed = input.image ? await this.pushed(source, rule, input.image) : undefined;
      if (input.image && !pushed) {
        return {
          id: runId,
          rule: rule.name,
          trigger: 'event',
          startedAt: new Date().toISOString(),
          finishedAt: new Date().toISOString(),
          status: 'completed',
          counts: { signed: 0, alreadySigned: 0, failed: 0, cancelled: 0 },
          items: [],
        };
      }
      // A manual run takes over the last manual run that did not complete.
      const earlier = input.image
        ? undefined
        : (await journal.runs(rule.name, this.runningRuns)).filter((r) => r.trigger === 'manual' && !r.image).at(-1);
      const resumes = earlier && earlier.status !== 'completed' && earlier.status !== 'running' ? earlier : undefined;
      const done = new Set(
        (resumes?.items ?? [])
          .filter((i) => i.outcome === 'signed' || i.outcome === 'already-signed')
          .map((i) => `${i.digest}|${i.format}`),
      );
      const startedAt = new Date().toISOString();
      await journal.append({
        t: 'start',
        run: runId,
        at: startedAt,
        trigger: input.image ? 'event' : 'manual',
        ...(resumes ? { resumes: resumes.id } : {}),
        ...(pushed ? { image: `${pushed.repository}@${pushed.digest}` } : {}),
      });
      const run: RuleRun = {
        id: runId,
        rule: rule.name,
        trigger: input.image ? 'event' : 'manual',
        startedAt,
        status: 'running',
        ...(resumes ? { resumed: resumes.id } : {}),
        counts: { signed: 0, alreadySigned: 0, failed: 0, cancelled: 0 },
        items: [],
      };
      const record = async (item: RunItem) => {
        run.items.push(item);
        const key = item.outcome === 'already-signed' ? 'alreadySigned' : item.outcome;
        run.counts[key]++;
        await journal.append({ t: 'item', run: runId, item });
      };
      let status: RuleRun['status'] = 'completed';
      try {
        const candidates = pushed
          ? [pushed]
          : (
              await listCandidates(
                source,
                rule,
                (d, t, m) => ctx.progress(0, 0, `${m} (${d + 1} of ${t})`),
                () => job.cancelled,
              )
            ).candidates;
        const key = await this.identity(rule);
        const total = candidates.length * rule.formats.length;
        let step = 0;
        outer: for (const c of candidates) {
          for (const format of rule.formats) {
            const base = { repository: c.repository, tag: c.tag, digest: c.digest, format };
            if (job.cancelled) {
              status = 'cancelled';
              await record({ ...base, outcome: 'cancelled' });
              continue;
            }
            ctx.progress(step++, total, `${format}: ${c.repository}${c.tag ? `:${c.tag}` : `@${c.digest.slice(0, 19)}…`}`);
            if (done.has(`${c.digest}|${format}`)) {
              await record({ ...base, outcome: 'already-signed', message: `Signed by the run this one resumes (${resumes?.id ?? ''}).` });
              continue;
            }
            try {
              await record(await this.signOne(source, rule, key, c, format, runId, journal));
            } catch (error) {
              const message = error instanceof SignetError ? error.message : 'Something unexpected went wrong; the details are in the log.';
              if (!(error instanceof SignetError))
                this.services.log(
                  `rule ${rule.name}: signing ${c.repository}@${c.digest} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
                );
              await record({ ...base, outcome: 'failed', message });
              await this.services.audit
                .append(
                  'image.signed',
                  `Rule "${rule.name}" could not sign ${c.repository}@${c.digest.slice(0, 19)}… in ${format} format: ${message}`,
                  { rule: rule.name, repository: c.repository, digest: c.digest, format, key: rule.key.slice(0, 1024) },
                  { outcome: 'failed' },
                )
                .catch(() => undefined);
              if (error instanceof SignetError && REGISTRY_GONE.has(error.code)) {
                status = 'failed';
                break outer;
              }
            }
          }
        }
        if (status === 'completed' && run.counts.failed) status = 'failed';
        ctx.progress(total, total, `Signed ${run.counts.signed}, already signed ${run.counts.alreadySigned}, failed ${run.counts.failed}`);
      } catch (error) {
        status = 'failed';
        await journal.append({ t: 'end', run: runId, at: new Date().toISOString(), status });
        throw error;
      }
      run.status = status;
      run.finishedAt = new Date().toISOString();
      await journal.append({ t: 'end', run: runId, at: run.finishedAt, status });
      return run;
    } finally {
      this.jobs.delete(jobId);
      this.runningRuns.delete(runId);
    }
  }

  /**
   * Looks in the registry, then signs if the key has not: one decision at a time per image, format
   * and key, across every Signet process on the data directory (the desktop app, `rules serve`, a
   * CLI run), so that two of them never both find it unsigned and both sign. The claim is a file
   * lock held across the registry calls of one signature, on purpose: it guards that decision only.
   */
  private signOne(
    source: RegistrySource,
    rule: Rule,
    key: KeyIdentity,
    c: Candidate,
    format: RuleFormat,
    runId: string,
    journal: RunJournal,
  ): Promise<RunItem> {
    const claim = path.join(
      this.services.dataDir,
      'rules',
      'claims',
      createHash('sha256').update(`${rule.registry}|${c.repository}@${c.digest}|${format}|${rule.key}`).digest('hex').slice(0, 40),
    );
    const work = async (): Promise<RunItem> => {
      const base = { repository: c.repository, tag: c.tag, digest: c.digest, format };
      if ((await this.signedState(source, rule, key, c, [format])).signed.includes(format)) return { ...base, outcome: 'already-signed' };
      await journal.append({ t: 'intent', run: runId, digest: c.digest, format });
      if (format === 'asc') return { ...base, outcome: 'signed', message: `Stored at ${await this.signAsc(rule, c)}.` };
      const signed = await this.signatures['signatures.sign'](
        {
          id: rule.registry,
          repository: c.repository,
          digest: c.digest,
          key: rule.key,
          format,
          ...(c.tag ? { expectedTag: c.tag } : {}),
          ...(format === 'cosign' ? { annotations: { [RULE_ANNOTATION]: rule.name } } : {}),
        },
        quiet,
      );
      return { ...base, outcome: 'signed', message: `Stored at ${signed.signed[0]?.where ?? signed.tag}.` };
    };
    return withFileLock(claim, work);
  }

  /**
   * `.asc` (Huawei SWR): the atomic payload for this tag signed into an OpenPGP message, kept as
   * `{namespace}/{repo}/{sha256}.asc` in the rule's storage (uploads read back and never overwrite),
   * audited as a signature. Returns where it went.
   */
  private async signAsc(rule: Rule, c: Candidate): Promise<string> {
    if (!rule.asc) throw new SignetError('INVALID_INPUT', `The rule "${rule.name}" makes .asc files but names no storage for them.`);
    const saved = await this.services.registries.saved.get(rule.registry);
    const identity = `${saved.host}/${c.repository}${c.tag ? `:${c.tag}` : ''}`;
    const payload = buildAtomicPayload({
      dockerReference: identity,
      manifestDigest: c.digest,
      creator: `Signet rule ${rule.name}`,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const pgp = await this.services.keys.pgpSigner(rule.key);
    const { text } = await buildAsc(pgp, Buffer.from(payload, 'utf8'));
    const objectKey = ascObjectKey(c.repository, c.digest);
    const store = await this.services.storage.open(rule.asc);
    const put = await store.put(objectKey, Buffer.from(text, 'utf8'), { contentType: 'application/json' });
    await this.services.audit.append(
      'image.signed',
      `Signed ${c.repository}@${c.digest.slice(0, 19)}… into ${objectKey} (.asc) by rule "${rule.name}" with "${rule.key}"`,
      {
        rule: rule.name,
        repository: c.repository,
        digest: c.digest,
        format: 'asc',
        key: rule.key,
        fingerprint: pgp.fingerprint,
        url: put.url,
      },
    );
    return put.url;
  }
}
