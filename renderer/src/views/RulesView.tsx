import { useEffect, useMemo, useRef, useState } from 'react';
import type { UnattendedKey } from '../../../shared/contract/rules';
import { FORMAT_TABLE } from '../../../shared/formats';
import {
  RuleFields,
  RuleFormat as RuleFormatSchema,
  type DryRun,
  type Rule,
  type RuleFormat,
  type RuleRun,
} from '../../../shared/models/rules';

const RULE_FORMATS: readonly RuleFormat[] = RuleFormatSchema.options;
import type { SavedRegistry } from '../../../shared/models/registry';
import { Empty, ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { useCall } from '../hooks/useCall';
import { useCan } from '../hooks/useCan';
import { useApp } from '../stores/app';

type Panel =
  | { kind: 'dry'; rule: string; data?: DryRun; error?: string }
  | { kind: 'run'; rule: string; jobId: string; progress?: string; run?: RuleRun; error?: string; cancelling?: boolean };

const OUTCOME_BADGE: Record<string, string> = {
  signed: 'badge-ok',
  'already-signed': 'badge',
  failed: 'badge-bad',
  cancelled: 'badge-warn',
};
const STATUS_BADGE: Record<string, string> = {
  completed: 'badge-ok',
  running: 'badge',
  cancelled: 'badge-warn',
  failed: 'badge-bad',
  interrupted: 'badge-warn',
};
let jobCounter = 0;

/** Signing rules (issue #17): which images of a namespace a key signs, by hand or on every push; dry runs, runs and their results. */
export function RulesView() {
  const api = useApp((s) => s.api);
  const can = useCan();
  const confirm = useApp((s) => s.confirm);
  const rules = useCall(api ? () => api.rules.list({}) : undefined, [api]);
  const [editing, setEditing] = useState<Rule | 'new'>();
  const [panel, setPanel] = useState<Panel>();
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();

  const dryRun = async (rule: Rule) => {
    if (!api) return;
    setPanel({ kind: 'dry', rule: rule.name });
    const result = await api.rules.dryRun({ name: rule.name });
    setPanel(result.ok ? { kind: 'dry', rule: rule.name, data: result.value } : { kind: 'dry', rule: rule.name, error: result.message });
  };
  const run = async (rule: Rule) => {
    if (!api) return;
    const jobId = `rules-ui-${Date.now()}-${++jobCounter}`;
    setPanel({ kind: 'run', rule: rule.name, jobId, progress: 'Listing the images the rule matches…' });
    const unsubscribe = api.events.subscribe((event) => {
      if (event.type === 'job.progress' && event.payload.jobId === jobId)
        setPanel((p) =>
          p?.kind === 'run' && p.jobId === jobId && !p.run
            ? {
                ...p,
                progress: `${event.payload.total ? `${event.payload.done} of ${event.payload.total}: ` : ''}${event.payload.message}`,
              }
            : p,
        );
    });
    const result = await api.rules.run({ name: rule.name, jobId });
    unsubscribe();
    setPanel((p) =>
      p?.kind === 'run' && p.jobId === jobId
        ? result.ok
          ? { ...p, run: result.value, progress: undefined }
          : { ...p, error: result.message, progress: undefined }
        : p,
    );
    rules.reload();
  };
  const cancel = async (jobId: string) => {
    if (!api) return;
    setPanel((p) => (p?.kind === 'run' ? { ...p, cancelling: true } : p));
    const result = await api.rules.cancel({ jobId });
    if (!result.ok) setError(result.message);
  };
  const [removing, setRemoving] = useState<Rule>();
  const removed = (r: { removed: string; signaturesKept: number; signaturesDeleted: number; problems: string[] }) => {
    setRemoving(undefined);
    setNote(
      `Deleted “${r.removed}”.${r.signaturesDeleted ? ` Deleted ${r.signaturesDeleted} signature(s) it made.` : ''} ${r.signaturesKept} signature(s) it made stay in the registry.${r.problems.length ? ` Not deleted: ${r.problems.join('; ')}` : ''}`,
    );
    if (panel?.rule === r.removed) setPanel(undefined);
    rules.reload();
  };
  const running = panel?.kind === 'run' && !panel.run && !panel.error;
  const runsOf = (name: string) => rules.data?.runs.filter((r) => r.rule === name) ?? [];

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Rules</h1>
        <div className="actions">
          {can('rules.add') && (
            <button type="button" className="button" onClick={() => setEditing('new')}>
              Add rule
            </button>
          )}
        </div>
      </header>
      <ErrorBanner message={error ?? rules.error} />
      {note && (
        <div className="banner" role="status">
          {note}
        </div>
      )}
      {rules.data?.rules.length === 0 ? (
        <Empty title="No signing rules yet.">
          <p>
            A rule signs every image of a namespace whose repository and tag match its patterns, with one key, in the formats you choose —
            when you run it, or on every push the registry reports to <code>signet rules serve</code>.
          </p>
        </Empty>
      ) : (
        <table className="table" aria-label="Signing rules">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Matches</th>
              <th scope="col">Key</th>
              <th scope="col">Formats</th>
              <th scope="col">Trigger</th>
              <th scope="col">Last run</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.data?.rules.map((r) => {
              const last = runsOf(r.name)[0];
              return (
                <tr key={r.name} className={panel?.rule === r.name ? 'selected' : undefined}>
                  <td>
                    {r.name}
                    {r.description ? <div className="muted small">{r.description}</div> : null}
                  </td>
                  <td className="mono small">
                    {r.registry}: {r.namespace}/{r.repositories} : {r.tags}
                  </td>
                  <td className="mono small">{r.key}</td>
                  <td>{r.formats.map((f) => FORMAT_TABLE[f].label).join(', ')}</td>
                  <td>
                    {r.enabled ? (
                      r.trigger === 'event+manual' ? (
                        'on push and by hand'
                      ) : (
                        'by hand'
                      )
                    ) : (
                      <span className="badge badge-warn">disabled</span>
                    )}
                    {r.exclusive ? <div className="muted small">only rule of its namespace</div> : null}
                  </td>
                  <td className="small">
                    {last ? (
                      <>
                        <span className={`badge ${STATUS_BADGE[last.status] ?? ''}`}>{last.status}</span> signed {last.counts.signed}
                        <div className="muted">{new Date(last.startedAt).toLocaleString()}</div>
                      </>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>
                    <div className="actions">
                      <button
                        type="button"
                        className="button secondary small"
                        onClick={() => void dryRun(r)}
                        aria-label={`Dry run ${r.name}`}
                      >
                        Dry run
                      </button>
                      {can('rules.run') && (
                        <button
                          type="button"
                          className="button small"
                          disabled={running || !r.enabled}
                          onClick={() => void run(r)}
                          aria-label={`Run ${r.name}`}
                        >
                          Run
                        </button>
                      )}
                      {can('rules.edit') && (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => setEditing(r)}
                          aria-label={`Edit ${r.name}`}
                        >
                          Edit
                        </button>
                      )}
                      {can('rules.remove') && (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => setRemoving(r)}
                          aria-label={`Delete ${r.name}`}
                        >
                          Delete
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {panel?.kind === 'dry' && <DryRunPanel panel={panel} />}
      {panel?.kind === 'run' && <RunPanel panel={panel} onCancel={() => void cancel(panel.jobId)} />}
      {panel && <RecentRuns runs={runsOf(panel.rule)} rule={panel.rule} />}
      {removing && <RemoveRuleDialog rule={removing} onClose={() => setRemoving(undefined)} onRemoved={removed} />}
      {editing && (
        <RuleDialog
          rule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(name, warnings) => {
            setEditing(undefined);
            setNote(warnings.length ? warnings.join(' ') : undefined);
            confirm(`Saved the rule “${name}”.`);
            rules.reload();
          }}
        />
      )}
    </section>
  );
}

/** Deleting a rule keeps its signatures, with their count shown; deleting them too (as TCR does) is a choice. */
function RemoveRuleDialog({
  rule,
  onClose,
  onRemoved,
}: {
  rule: Rule;
  onClose(): void;
  onRemoved(r: { removed: string; signaturesKept: number; signaturesDeleted: number; problems: string[] }): void;
}) {
  const api = useApp((s) => s.api);
  const made = useCall(api ? () => api.rules.signatures({ name: rule.name }) : undefined, [api, rule.name]);
  const [withSignatures, setWithSignatures] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    if (!api) return;
    setBusy(true);
    const result = await api.rules.remove({ name: rule.name, ...(withSignatures ? { deleteSignatures: true } : {}) });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    onRemoved(result.value);
  };
  return (
    <Dialog
      title={`Delete rule “${rule.name}”`}
      open
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="rule-remove" className="button danger" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete rule'}
          </button>
        </>
      }
    >
      <form
        id="rule-remove"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error ?? made.error} />
        <p role="status">
          {made.data
            ? `Its runs made ${made.data.made} signature(s). They stay in the registry unless you choose otherwise.`
            : 'Counting the signatures it made…'}
        </p>
        <label className="check">
          <input type="checkbox" checked={withSignatures} onChange={(e) => setWithSignatures(e.target.checked)} /> Also delete the
          signatures this rule made (cosign signatures that name the rule; other formats stay)
        </label>
      </form>
    </Dialog>
  );
}

function DryRunPanel({ panel }: { panel: Extract<Panel, { kind: 'dry' }> }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), [panel.data]);
  return (
    <div className="panel section-title" aria-live="polite">
      <h2 className="column-title" tabIndex={-1} ref={ref}>
        Dry run of “{panel.rule}”
      </h2>
      <ErrorBanner message={panel.error} />
      {!panel.data && !panel.error && (
        <p className="progress" role="status">
          Listing what the rule matches…
        </p>
      )}
      {panel.data && (
        <>
          <p role="status">
            {panel.data.matches.length} image(s) match in {panel.data.repositories} repositories; a run would sign{' '}
            {panel.data.matches.filter((m) => m.wouldSign.length).length}.
          </p>
          <p aria-label="Namespace status">
            Namespace <strong>{panel.data.namespace.name}</strong>: covered by this rule; {panel.data.namespace.signed} signed,{' '}
            {panel.data.namespace.unsigned} unsigned.
          </p>
          {panel.data.notes.map((n) => (
            <p key={n} className="hint">
              {n}
            </p>
          ))}
          {panel.data.matches.length > 0 && (
            <table className="table" aria-label="Images the rule matches">
              <thead>
                <tr>
                  <th scope="col">Image</th>
                  <th scope="col">Digest</th>
                  <th scope="col">Signed by this key</th>
                  <th scope="col">Signed by rule</th>
                  <th scope="col">A run would sign</th>
                </tr>
              </thead>
              <tbody>
                {panel.data.matches.map((m) => (
                  <tr key={`${m.repository}@${m.digest}`}>
                    <td className="mono small">
                      {m.repository}:{m.tag}
                    </td>
                    <td className="mono small">{m.digest.slice(0, 19)}…</td>
                    <td>{m.signed.map((f) => FORMAT_TABLE[f].label).join(', ') || <span className="muted">not yet</span>}</td>
                    <td className="small">{m.signedBy?.join(', ') ?? <span className="muted">—</span>}</td>
                    <td>
                      {m.wouldSign.length ? (
                        m.wouldSign.map((f) => FORMAT_TABLE[f].label).join(', ')
                      ) : (
                        <span className="muted">nothing</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

function RunItems({ run }: { run: RuleRun }) {
  if (!run.items.length) return null;
  return (
    <table className="table" aria-label="Per-image results">
      <thead>
        <tr>
          <th scope="col">Image</th>
          <th scope="col">Format</th>
          <th scope="col">Result</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {run.items.map((i, n) => (
          <tr key={`${i.digest}-${i.format}-${n}`}>
            <td className="mono small">
              {i.repository}
              {i.tag ? `:${i.tag}` : ''}@{i.digest.slice(0, 19)}…
            </td>
            <td>{FORMAT_TABLE[i.format].label}</td>
            <td>
              <span className={`badge ${OUTCOME_BADGE[i.outcome] ?? ''}`}>{i.outcome}</span>
            </td>
            <td className="small">{i.message ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunPanel({ panel, onCancel }: { panel: Extract<Panel, { kind: 'run' }>; onCancel(): void }) {
  const r = panel.run;
  return (
    <div className="panel section-title" aria-live="polite">
      <h2 className="column-title">Run of “{panel.rule}”</h2>
      <ErrorBanner message={panel.error} />
      {!r && !panel.error && (
        <div className="progress" role="status">
          <span>{panel.progress}</span>
          <button type="button" className="button secondary small" onClick={onCancel} disabled={panel.cancelling}>
            {panel.cancelling ? 'Stopping after this image…' : 'Cancel'}
          </button>
        </div>
      )}
      {r && (
        <>
          <p role="status">
            <span className={`badge ${STATUS_BADGE[r.status] ?? ''}`}>{r.status}</span> Signed {r.counts.signed}, already signed{' '}
            {r.counts.alreadySigned}, failed {r.counts.failed}
            {r.counts.cancelled ? `, cancelled ${r.counts.cancelled}` : ''}.
            {r.resumed ? ` It resumed the run ${r.resumed}, which was cut short.` : ''}
          </p>
          <RunItems run={r} />
        </>
      )}
    </div>
  );
}

function RecentRuns({ runs, rule }: { runs: RuleRun[]; rule: string }) {
  const [open, setOpen] = useState<string>();
  if (!runs.length) return null;
  return (
    <div className="section-title">
      <h2 className="column-title">Recent runs of “{rule}”</h2>
      <table className="table" aria-label={`Recent runs of ${rule}`}>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Trigger</th>
            <th scope="col">Status</th>
            <th scope="col">Signed</th>
            <th scope="col">Already signed</th>
            <th scope="col">Failed</th>
            <th scope="col">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.slice(0, 10).map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.startedAt).toLocaleString()}</td>
              <td>{r.trigger === 'event' ? 'push' : 'by hand'}</td>
              <td>
                <span className={`badge ${STATUS_BADGE[r.status] ?? ''}`}>{r.status}</span>
              </td>
              <td className="num">{r.counts.signed}</td>
              <td className="num">{r.counts.alreadySigned}</td>
              <td className="num">{r.counts.failed}</td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  aria-expanded={open === r.id}
                  onClick={() => setOpen(open === r.id ? undefined : r.id)}
                >
                  {open === r.id ? 'Hide images' : 'Images'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && runs.find((r) => r.id === open) && <RunItems run={runs.find((r) => r.id === open) as RuleRun} />}
    </div>
  );
}

interface Form {
  name: string;
  description: string;
  registry: string;
  namespace: string;
  repositories: string;
  tags: string;
  key: string;
  formats: RuleFormat[];
  /** `.asc` files: the storage profile they go to. */
  asc?: { profile: string };
  trigger: 'manual' | 'event+manual';
  enabled: boolean;
  exclusive: boolean;
}

const blank: Form = {
  name: '',
  description: '',
  registry: '',
  namespace: '',
  repositories: '**',
  tags: '**',
  key: '',
  formats: ['cosign'],
  trigger: 'manual',
  enabled: true,
  exclusive: false,
};

/** Field → what is wrong with it, in words, from the same schema the host checks. */
export function fieldErrors(form: Form): Partial<Record<keyof Form, string>> {
  const parsed = RuleFields.safeParse(form);
  const out: Partial<Record<keyof Form, string>> = {};
  if (!form.registry) out.registry = 'Choose the registry the rule signs in.';
  if (form.formats.includes('asc') && !form.asc?.profile) out.asc = 'Choose the storage profile the .asc files go to.';
  if (parsed.success) return out;
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as keyof Form | undefined;
    if (field && !out[field]) out[field] = field === 'registry' && !form.registry ? out.registry : issue.message;
  }
  return out;
}

function RuleDialog({ rule, onClose, onSaved }: { rule?: Rule; onClose(): void; onSaved(name: string, warnings: string[]): void }) {
  const api = useApp((s) => s.api);
  const registries = useCall(api ? () => api.registry.list({}) : undefined, [api]);
  const keys = useCall(api ? () => api.rules.keys({}) : undefined, [api]);
  const storage = useCall(api ? () => api.storage.list({}) : undefined, [api]);
  const [form, setForm] = useState<Form>(() =>
    rule
      ? {
          name: rule.name,
          description: rule.description,
          registry: rule.registry,
          namespace: rule.namespace,
          repositories: rule.repositories,
          tags: rule.tags,
          key: rule.key,
          formats: rule.formats,
          ...(rule.asc?.profile ? { asc: { profile: rule.asc.profile } } : {}),
          trigger: rule.trigger,
          enabled: rule.enabled,
          exclusive: rule.exclusive,
        }
      : blank,
  );
  const [touched, setTouched] = useState<Partial<Record<keyof Form, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string>();
  const errors = useMemo(() => fieldErrors(form), [form]);
  const distribution = (registries.data ?? []).filter((r: SavedRegistry) => r.kind === 'distribution');
  useEffect(() => {
    if (!rule && !form.registry && distribution[0]) setForm((f) => ({ ...f, registry: distribution[0]!.id }));
  }, [distribution.length]);
  const chosenKey = keys.data?.keys.find((k: UnattendedKey) => k.key === form.key || k.name === form.key);
  const set = <K extends keyof Form>(field: K, value: Form[K]) => setForm((f) => ({ ...f, [field]: value }));
  const shown = (field: keyof Form) => (submitted || touched[field] ? errors[field] : undefined);
  const submit = async () => {
    setSubmitted(true);
    if (!api || Object.keys(errors).length) return;
    const result = rule ? await api.rules.edit({ name: rule.name, changes: form }) : await api.rules.add(form);
    if (!result.ok) return setError(result.message);
    onSaved(result.value.rule.name, result.value.warnings);
  };
  const field = (name: keyof Form, label: string, input: React.ReactNode, hint?: string) => (
    <div className="field">
      <label htmlFor={`rule-${name}`}>{label}</label>
      {input}
      {hint && (
        <span className="hint" id={`rule-${name}-hint`}>
          {hint}
        </span>
      )}
      {shown(name) && (
        <span className="field-error" id={`rule-${name}-error`} role="alert">
          {shown(name)}
        </span>
      )}
    </div>
  );
  const HINTED: ReadonlySet<keyof Form> = new Set([
    'name',
    'repositories',
    'tags',
    ...(form.trigger === 'event+manual' ? (['key'] as const) : []),
  ]);
  const aria = (name: keyof Form) => {
    const described = [shown(name) ? `rule-${name}-error` : '', HINTED.has(name) ? `rule-${name}-hint` : ''].filter(Boolean).join(' ');
    return {
      id: `rule-${name}`,
      'aria-invalid': Boolean(shown(name)),
      ...(described ? { 'aria-describedby': described } : {}),
      onBlur: () => setTouched((t) => ({ ...t, [name]: true })),
    };
  };
  return (
    <Dialog
      title={rule ? `Edit rule “${rule.name}”` : 'Add a signing rule'}
      open
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="rule-form" className="button">
            {rule ? 'Save' : 'Add rule'}
          </button>
        </>
      }
    >
      <form
        id="rule-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        {field(
          'name',
          'Name',
          <input
            {...aria('name')}
            value={form.name}
            onChange={(e) => set('name', e.target.value)}
            autoFocus
            spellCheck={false}
            placeholder="team/release"
          />,
          '2–50 lowercase letters and digits; . _ - / only between them.',
        )}
        {field(
          'description',
          'Description',
          <input
            {...aria('description')}
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
            placeholder="Every release tag of the team’s images"
          />,
        )}
        {field(
          'registry',
          'Registry',
          <select {...aria('registry')} value={form.registry} onChange={(e) => set('registry', e.target.value)}>
            <option value="">Choose…</option>
            {distribution.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.host})
              </option>
            ))}
          </select>,
        )}
        {field(
          'namespace',
          'Namespace or organisation',
          <input
            {...aria('namespace')}
            value={form.namespace}
            onChange={(e) => set('namespace', e.target.value)}
            spellCheck={false}
            placeholder="team"
          />,
        )}
        {field(
          'repositories',
          'Repositories (below the namespace)',
          <input
            {...aria('repositories')}
            value={form.repositories}
            onChange={(e) => set('repositories', e.target.value)}
            spellCheck={false}
          />,
          '* matches within one path segment, ** across segments, {a,b} either one: app-*, **, {api,web}.',
        )}
        {field(
          'tags',
          'Tags',
          <input {...aria('tags')} value={form.tags} onChange={(e) => set('tags', e.target.value)} spellCheck={false} />,
          'For example v*, release-*, v{1,2}.*, or ** for every tag. Signature tags are never signed.',
        )}
        {field(
          'key',
          'Key',
          <>
            <input
              {...aria('key')}
              list="rule-keys"
              value={form.key}
              onChange={(e) => set('key', e.target.value)}
              spellCheck={false}
              placeholder="a key name, awskms:///…, or pkcs11:…"
            />
            <datalist id="rule-keys">
              {keys.data?.keys.map((k) => (
                <option key={k.key} value={k.name}>
                  {k.unattended ? 'signs unattended' : 'needs a person'}
                </option>
              ))}
            </datalist>
          </>,
          form.trigger === 'event+manual'
            ? chosenKey
              ? `${chosenKey.unattended ? 'Signs unattended' : 'Cannot sign unattended'}: ${chosenKey.reason}`
              : 'On push, a KMS key or an OS-keychain key signs unattended; a vault key only while the vault is unlocked; a token key only with ?pin-source=FILE.'
            : undefined,
        )}
        <fieldset className="field">
          <legend>Formats</legend>
          {RULE_FORMATS.map((f) => (
            <label key={f} className="check">
              <input
                type="checkbox"
                checked={form.formats.includes(f)}
                onChange={(e) => set('formats', e.target.checked ? [...form.formats, f] : form.formats.filter((x) => x !== f))}
              />{' '}
              {FORMAT_TABLE[f].long}
            </label>
          ))}
          {shown('formats') && (
            <span className="field-error" role="alert">
              {shown('formats')}
            </span>
          )}
        </fieldset>
        {form.formats.includes('asc') && (
          <div className="field">
            <label htmlFor="rule-asc">Storage for the .asc files</label>
            <select
              id="rule-asc"
              value={form.asc?.profile ?? ''}
              aria-invalid={Boolean(shown('asc'))}
              onChange={(e) => set('asc', e.target.value ? { profile: e.target.value } : undefined)}
              onBlur={() => setTouched((t) => ({ ...t, asc: true }))}
            >
              <option value="">{storage.data?.length ? 'a storage profile…' : 'No storage profile: add one in Settings → Storage'}</option>
              {storage.data?.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} ({p.kind})
                </option>
              ))}
            </select>
            {shown('asc') && (
              <span className="field-error" role="alert">
                {shown('asc')}
              </span>
            )}
            <span className="hint">Each file is kept as {'{namespace}/{repo}/{sha256}.asc'}, as Huawei SWR reads it.</span>
          </div>
        )}
        <fieldset className="field">
          <legend>Trigger</legend>
          <label className="check">
            <input type="radio" name="rule-trigger" checked={form.trigger === 'manual'} onChange={() => set('trigger', 'manual')} /> By hand
            (Run, or <code>signet rule run</code>)
          </label>
          <label className="check">
            <input
              type="radio"
              name="rule-trigger"
              checked={form.trigger === 'event+manual'}
              onChange={() => set('trigger', 'event+manual')}
            />{' '}
            On every push, and by hand (<code>signet rules serve</code> receives the registry’s events)
          </label>
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
        </label>
        <label className="check">
          <input type="checkbox" checked={form.exclusive} onChange={(e) => set('exclusive', e.target.checked)} /> The only rule of this
          namespace (TCR semantics)
        </label>
      </form>
    </Dialog>
  );
}
