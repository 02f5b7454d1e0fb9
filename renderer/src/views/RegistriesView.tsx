import { memo, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { cleanRegistryHost, type ImageSummary, type SavedRegistry } from '../../../shared/models/registry';
import { isSignatureArtifactTag } from '../../../shared/formats';
import { Empty, ErrorBanner } from '../components/Banner';
import { CopyButton } from '../components/Copy';
import { Dialog } from '../components/Dialog';
import { choosesPaths, isChosenHandle, PathField } from '../components/PathField';
import { useOpeningSelection, VirtualList } from '../components/VirtualList';
import { useCall } from '../hooks/useCall';
import { useApp } from '../stores/app';
import { routeHash } from '../nav';
import { SignaturesPanel } from './SignaturesPanel';
import { CoverageMatrix } from './CoverageMatrix';
import { FirstRun } from './FirstRun';
import { useCan } from '../hooks/useCan';

/** Registries → repositories → tags → image: the reviewer's way into everything Signet signs. */
export function RegistriesView({ sub, path }: { sub?: string | undefined; path?: readonly string[] | undefined }) {
  const can = useCan();
  const api = useApp((s) => s.api);
  const navigate = useApp((s) => s.navigate);
  const confirm = useApp((s) => s.confirm);
  const registries = useCall(api ? () => api.registry.list({}) : undefined, [api]);
  const [adding, setAdding] = useState(false);
  // A link names a registry by its host (shareable) or by its local id; an unknown one opens the first registry.
  const named = sub
    ? (registries.data?.find((r) => r.id === sub) ?? registries.data?.find((r) => r.kind === 'distribution' && r.host === sub))
    : undefined;
  const selected = named ?? registries.data?.[0];

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Registries</h1>
        {can('registry.add') && (
          <button type="button" className="button" onClick={() => setAdding(true)}>
            Add registry
          </button>
        )}
      </header>
      <ErrorBanner message={registries.error} />
      {sub && registries.data && !named && (
        <p className="banner" role="note">
          No saved registry is called {sub}; add it to open that link.
        </p>
      )}
      <FirstRun registries={registries.data?.length} onAddRegistry={() => setAdding(true)} />
      {registries.data && registries.data.length === 0 ? (
        <Empty title="No registry yet.">
          <p>
            Add an OCI registry by its host name (for example registry.example.com or 127.0.0.1:5000) to browse its repositories, tags and
            images.
          </p>
        </Empty>
      ) : (
        <div className="registry-layout">
          <nav className="registry-list" aria-label="Saved registries">
            {registries.data?.map((r) => (
              <button
                key={r.id}
                type="button"
                className="registry-item"
                aria-current={r.id === selected?.id ? 'true' : undefined}
                onClick={() => navigate({ area: 'registries', sub: registrySegment(r) })}
              >
                <span className="registry-name">{r.name}</span>
                <span className="muted small">
                  {r.kind === 'oci-layout' ? r.path : r.host}
                  {r.credentials !== 'none' ? ` · ${r.username ?? 'signed in'}` : ''}
                </span>
              </button>
            ))}
          </nav>
          {selected && (
            <RegistryBrowser
              key={selected.id}
              registry={selected}
              place={named ? (path ?? []) : []}
              onRemoved={() => {
                registries.reload();
                confirm(`Forgot ${selected.name}.`);
                navigate({ area: 'registries' });
              }}
              onChanged={() => {
                registries.reload();
                confirm('Saved the changes.');
              }}
            />
          )}
        </div>
      )}
      <AddRegistryDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(r) => {
          setAdding(false);
          registries.reload();
          confirm(`Saved ${r.name}.`);
          navigate({ area: 'registries', sub: registrySegment(r) });
        }}
      />
    </section>
  );
}

function AddRegistryDialog({ open, onClose, onAdded }: { open: boolean; onClose(): void; onAdded(r: SavedRegistry): void }) {
  const api = useApp((s) => s.api);
  const [host, setHost] = useState('');
  const [kind, setKind] = useState<'distribution' | 'oci-layout'>('distribution');
  const [name, setName] = useState('');
  const [insecure, setInsecure] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [lookaside, setLookaside] = useState('');
  const [error, setError] = useState<string>();
  /** The registry did not answer or refused the sign-in, and nothing was saved: the user may save it anyway. */
  const [notSaved, setNotSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (saveAnyway = false) => {
    if (!api) return;
    setBusy(true);
    const named = name.trim() ? { name: name.trim() } : {};
    const result =
      kind === 'oci-layout'
        ? await api.registry.add({ layoutPath: host.trim(), ...named })
        : await api.registry.add({
            host: cleanRegistryHost(host),
            ...named,
            insecure,
            ...(username ? { username, password } : {}),
            ...(lookaside.trim() ? { lookaside: lookaside.trim() } : {}),
            ...(saveAnyway ? { saveAnyway: true } : {}),
          });
    setBusy(false);
    if (!result.ok) {
      setNotSaved(result.reason === 'not-saved');
      return setError(result.message);
    }
    setPassword('');
    setNotSaved(false);
    setError(undefined);
    setHost('');
    setName('');
    setUsername('');
    onAdded(result.value);
  };
  return (
    <Dialog
      title="Add a registry"
      open={open}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          {notSaved && (
            <button type="button" className="button secondary" disabled={busy} onClick={() => void submit(true)}>
              Save anyway
            </button>
          )}
          <button type="submit" form="add-registry" className="button" disabled={busy || !host.trim()}>
            {busy ? 'Checking…' : 'Add'}
          </button>
        </>
      }
    >
      <form
        id="add-registry"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="hint">Signet reaches the registry and signs in before saving it.</p>
        <ErrorBanner message={error} />
        <fieldset className="choice">
          <legend>Source</legend>
          <label>
            <input
              type="radio"
              name="reg-kind"
              checked={kind === 'distribution'}
              onChange={() => {
                setKind('distribution');
                // A layout chosen in the desktop app's dialog is a handle, not a host name.
                if (isChosenHandle(host)) setHost('');
              }}
            />{' '}
            OCI registry
          </label>
          <label>
            <input
              type="radio"
              name="reg-kind"
              checked={kind === 'oci-layout'}
              onChange={() => {
                setKind('oci-layout');
                // In the desktop app the layout is chosen in a dialog: a host name typed before is not a path.
                if (choosesPaths()) setHost('');
              }}
            />{' '}
            OCI image layout on disk (directory or .tar)
          </label>
        </fieldset>
        {kind === 'oci-layout' && choosesPaths() ? (
          <PathField
            id="reg-host"
            label="Layout path"
            purpose={{ call: 'registry.add', field: 'layoutPath' }}
            value={host}
            onChange={(value) => {
              setHost(value);
              setNotSaved(false);
            }}
            choices={['directory', 'file']}
            extensions={['tar']}
          />
        ) : (
          <div className="field">
            <label htmlFor="reg-host">{kind === 'oci-layout' ? 'Layout path' : 'Registry host'}</label>
            <input
              id="reg-host"
              value={host}
              onChange={(e) => {
                setHost(e.target.value);
                setNotSaved(false);
              }}
              placeholder={kind === 'oci-layout' ? '/media/usb/images or /media/usb/images.tar' : 'registry.example.com or 127.0.0.1:5000'}
              autoFocus
              spellCheck={false}
            />
            {kind === 'distribution' && host.trim() && cleanRegistryHost(host) !== host.trim() && (
              <span className="hint" role="status">
                Adds the registry {cleanRegistryHost(host)}.
              </span>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor="reg-name">Name (optional)</label>
          <input id="reg-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        {kind === 'distribution' && (
          <>
            <label className="switch">
              <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} />
              <span>Plain HTTP (only for a registry you trust on your network; loopback always uses HTTP)</span>
            </label>
            <p className="hint">
              Credentials are optional: without them Signet uses ~/.docker/config.json or containers auth.json. Entered here, they go to the
              OS keychain and never come back to this page.
            </p>
            <div className="field">
              <label htmlFor="reg-user">Username</label>
              <input id="reg-user" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor="reg-pass">Password or token</label>
              <input
                id="reg-pass"
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="off"
                disabled={!username}
              />
            </div>
            <LookasideField value={lookaside} onChange={setLookaside} call="registry.add" />
          </>
        )}
      </form>
    </Dialog>
  );
}

function LookasideField({
  value,
  onChange,
  call,
  saved,
}: {
  value: string;
  onChange(v: string): void;
  call: 'registry.add' | 'registry.edit';
  saved?: string | undefined;
}) {
  return (
    <PathField
      id="reg-lookaside"
      purpose={{ call, field: 'lookaside' }}
      saved={saved}
      label="Simple-signature lookaside (optional)"
      value={value}
      onChange={onChange}
      choices={['directory']}
      urls
      placeholder="https://sigs.example.com/lookaside or /srv/lookaside"
      hint="Where podman/skopeo simple signatures for this registry are read from. Empty: Signet reads registries.d as podman does."
    />
  );
}

export function EditRegistryDialog({
  registry,
  open,
  onClose,
  onSaved,
}: {
  registry: SavedRegistry;
  open: boolean;
  onClose(): void;
  onSaved(): void;
}) {
  const api = useApp((s) => s.api);
  const [name, setName] = useState(registry.name);
  const [lookaside, setLookaside] = useState(registry.lookaside ?? '');
  const [username, setUsername] = useState(registry.credentials === 'keychain' ? (registry.username ?? '') : '');
  const [password, setPassword] = useState('');
  const [ocir, setOcir] = useState({
    on: Boolean(registry.ocir),
    profile: registry.ocir?.profile ?? 'DEFAULT',
    compartmentId: registry.ocir?.compartmentId ?? '',
    region: registry.ocir?.region ?? '',
    namespace: registry.ocir?.namespace ?? '',
  });
  const [error, setError] = useState<string>();
  const [notSaved, setNotSaved] = useState(false);
  const submit = async (saveAnyway = false) => {
    if (!api) return;
    // New credentials go through the same check as adding: Signet signs in with them before they replace the saved ones.
    if (password) {
      const signedIn = await api.registry.add({
        host: registry.host,
        insecure: registry.insecure,
        username: username.trim(),
        password,
        ...(saveAnyway ? { saveAnyway: true } : {}),
      });
      if (!signedIn.ok) {
        setNotSaved(signedIn.reason === 'not-saved');
        return setError(signedIn.message);
      }
      setPassword('');
    }
    const ocirChange = ocir.on
      ? {
          ocir: {
            // The config file and endpoint are set from the CLI; an edit without a config file keeps the saved one.
            ...(registry.ocir?.endpoint ? { endpoint: registry.ocir.endpoint } : {}),
            profile: ocir.profile.trim(),
            compartmentId: ocir.compartmentId.trim(),
            ...(ocir.region.trim() ? { region: ocir.region.trim() } : {}),
            ...(ocir.namespace.trim() ? { namespace: ocir.namespace.trim() } : {}),
          },
        }
      : registry.ocir
        ? { ocir: null }
        : {};
    const result = await api.registry.edit({
      id: registry.id,
      ...(name.trim() && name.trim() !== registry.name ? { name: name.trim() } : {}),
      // Sent only when changed: in the desktop app a saved path is not sent back as typed text.
      ...(lookaside.trim() !== (registry.lookaside ?? '') ? { lookaside: lookaside.trim() ? lookaside.trim() : null } : {}),
      ...ocirChange,
    });
    if (!result.ok) return setError(result.message);
    setError(undefined);
    onSaved();
  };
  return (
    <Dialog
      title={`Edit ${registry.name}`}
      open={open}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          {notSaved && (
            <button type="button" className="button secondary" onClick={() => void submit(true)}>
              Save anyway
            </button>
          )}
          <button type="submit" form="edit-registry" className="button" disabled={Boolean(password) && !username.trim()}>
            Save
          </button>
        </>
      }
    >
      <form
        id="edit-registry"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <div className="field">
          <label htmlFor="edit-reg-name">Name</label>
          <input id="edit-reg-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <LookasideField value={lookaside} onChange={setLookaside} call="registry.edit" saved={registry.lookaside} />
        {registry.kind === 'distribution' && (
          <fieldset className="field">
            <legend>Credentials</legend>
            <p className="hint">
              {registry.credentials === 'keychain'
                ? `Signed in as ${registry.username ?? 'a saved user'}; the password stays in the OS keychain. Type a new password to replace it (Signet signs in with it first).`
                : 'None saved here (Signet uses ~/.docker/config.json or containers auth.json). Type a username and password to keep them in the OS keychain.'}
            </p>
            <div className="field">
              <label htmlFor="edit-reg-user">Username</label>
              <input id="edit-reg-user" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor="edit-reg-pass">New password or token</label>
              <input
                id="edit-reg-pass"
                type="password"
                value={password}
                onChange={(e) => {
                  setPassword(e.target.value);
                  setNotSaved(false);
                }}
                autoComplete="off"
              />
            </div>
          </fieldset>
        )}
        <div className="field inline">
          <input id="edit-reg-ocir" type="checkbox" checked={ocir.on} onChange={(e) => setOcir({ ...ocir, on: e.target.checked })} />
          <label htmlFor="edit-reg-ocir">Oracle OCIR: also list OCIR’s own image signatures (OCI Artifacts API)</label>
        </div>
        {ocir.on && (
          <>
            <div className="field">
              <label htmlFor="edit-reg-ocir-profile">OCI config profile</label>
              <input id="edit-reg-ocir-profile" value={ocir.profile} onChange={(e) => setOcir({ ...ocir, profile: e.target.value })} />
              <span className="hint">A profile of ~/.oci/config; its API key signs the requests and stays there.</span>
            </div>
            <div className="field">
              <label htmlFor="edit-reg-ocir-compartment">Compartment OCID</label>
              <input
                id="edit-reg-ocir-compartment"
                value={ocir.compartmentId}
                spellCheck={false}
                placeholder="ocid1.compartment.oc1..aaaa…"
                onChange={(e) => setOcir({ ...ocir, compartmentId: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="edit-reg-ocir-region">Region</label>
              <input
                id="edit-reg-ocir-region"
                value={ocir.region}
                placeholder="the profile’s region"
                onChange={(e) => setOcir({ ...ocir, region: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="edit-reg-ocir-namespace">Tenancy namespace</label>
              <input
                id="edit-reg-ocir-namespace"
                value={ocir.namespace}
                placeholder="the first path segment of image names"
                onChange={(e) => setOcir({ ...ocir, namespace: e.target.value })}
              />
            </div>
          </>
        )}
      </form>
    </Dialog>
  );
}

/** The URL segment naming a saved registry: its host, which means the same on another machine, or its id for a layout. */
function registrySegment(registry: SavedRegistry): string {
  return registry.kind === 'distribution' ? registry.host : registry.id;
}

function RegistryBrowser({
  registry,
  place,
  onRemoved,
  onChanged,
}: {
  registry: SavedRegistry;
  place: readonly string[];
  onRemoved(): void;
  onChanged(): void;
}) {
  const api = useApp((s) => s.api);
  const caps = useCall(api ? () => api.registry.probe({ id: registry.id }) : undefined, [api, registry.id]);
  const repos = useCall(api ? () => api.registry.repositories({ id: registry.id }) : undefined, [api, registry.id]);
  const [filter, setFilter] = useState('');
  const navigate = useApp((s) => s.navigate);
  const goTo = (path: string[], how: { replace: boolean } = { replace: false }) =>
    navigate({ area: 'registries', sub: registrySegment(registry), path }, how);
  const repository = place[0];
  const [typed, setTyped] = useState('');
  const shown = useMemo(
    () => (repos.data?.repositories ?? []).filter((r) => r.includes(filter.trim().toLowerCase())),
    [repos.data, filter],
  );
  const repoSelection = useOpeningSelection(shown, repository, (r, how) => goTo([r], how));
  const can = useCan();
  const [editing, setEditing] = useState(false);
  const [forgetting, setForgetting] = useState(false);
  const [removeError, setRemoveError] = useState<string>();
  const offline = useApp((s) => s.settings?.offlineMode ?? false);
  const remove = async () => {
    if (!api) return;
    const result = await api.registry.remove({ id: registry.id });
    if (!result.ok) return setRemoveError(result.message);
    setForgetting(false);
    onRemoved();
  };
  return (
    <div className="registry-browser">
      <div className="panel capability-line" aria-label="Capabilities">
        <strong>{registry.kind === 'oci-layout' ? `OCI layout ${registry.path ?? ''}` : registry.host}</strong>
        {caps.loading && <span className="muted">checking…</span>}
        {offline && registry.kind === 'distribution' ? (
          <span className="badge badge-warn" title="Offline mode is on: Signet contacts no registry">
            offline mode
          </span>
        ) : (
          caps.error && <span className="badge badge-bad">{caps.error}</span>
        )}
        {caps.data && !(offline && registry.kind === 'distribution') && (
          <>
            <span className={`badge ${caps.data.reachable ? 'badge-ok' : 'badge-bad'}`}>
              {caps.data.reachable ? 'reachable' : 'unreachable'}
            </span>
            <span className="badge">{caps.data.authScheme === 'none' ? 'no sign-in needed' : `sign-in: ${caps.data.authScheme}`}</span>
            <span className="badge" title="Whether the registry lists its repositories (/v2/_catalog)">
              {caps.data.catalog ? 'lists repositories' : 'no repository list'}
            </span>
            <span className="badge" title="OCI 1.1 referrers API; without it Signet reads and writes the sha256-<hex> tag schema">
              {caps.data.referrersApi ? 'referrers API' : 'no referrers API (tag schema)'}
            </span>
            {caps.data.rateLimitRemaining && <span className="badge badge-warn">rate limit left: {caps.data.rateLimitRemaining}</span>}
          </>
        )}
        {registry.ocir && (
          <span className="badge" title="OCIR’s own image signatures are listed through the OCI Artifacts API">
            OCIR: {registry.ocir.profile}
          </span>
        )}
        {registry.lookaside && (
          <span className="badge" title="Simple signatures are read from here">
            lookaside: {registry.lookaside}
          </span>
        )}
        {can('registry.edit') && registry.kind === 'distribution' && (
          <button type="button" className="link-button" onClick={() => setEditing(true)}>
            Edit…
          </button>
        )}
        {editing && (
          <EditRegistryDialog
            registry={registry}
            open={editing}
            onClose={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              onChanged();
            }}
          />
        )}
        {can('registry.remove') && (
          <button type="button" className="link-button" onClick={() => setForgetting(true)}>
            Forget this registry…
          </button>
        )}
        {forgetting && (
          <Dialog
            title={`Forget ${registry.name}?`}
            open
            onClose={() => setForgetting(false)}
            footer={
              <>
                <button type="button" className="button secondary" onClick={() => setForgetting(false)} autoFocus>
                  Keep it
                </button>
                <button type="button" className="button danger" onClick={() => void remove()}>
                  Forget
                </button>
              </>
            }
          >
            <ErrorBanner message={removeError} />
            <p>
              Signet forgets this registry
              {registry.credentials === 'keychain' ? ' and removes its saved credentials from the keychain' : ''}. Nothing in the registry
              changes: images and signatures stay where they are.
            </p>
          </Dialog>
        )}
      </div>
      <div className="browser-columns">
        <div className="column">
          <h2 className="column-title">
            Repositories{' '}
            {repos.data ? (
              <span className="muted">
                ({shown.length}
                {repos.data.complete ? '' : '+'})
              </span>
            ) : null}
          </h2>
          <input
            className="filter"
            aria-label="Filter repositories"
            placeholder="Filter…"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              repoSelection.reset();
            }}
          />
          <ErrorBanner message={repos.error} />
          {repos.error && (
            <form
              className="open-repo"
              onSubmit={(e) => {
                e.preventDefault();
                if (typed.trim()) goTo([typed.trim()]);
              }}
            >
              <input aria-label="Repository name" placeholder="team/app" value={typed} onChange={(e) => setTyped(e.target.value)} />
              <button type="submit" className="button secondary">
                Open
              </button>
            </form>
          )}
          <VirtualList
            label="Repositories"
            items={shown}
            height={460}
            selected={repoSelection.selected}
            onSelect={repoSelection.onSelect}
            keyOf={(r) => r}
            render={(r) => <span className="mono">{r}</span>}
          />
        </div>
        {repository ? (
          <TagColumn key={repository} registry={registry} repository={repository} place={place.slice(1)} goTo={goTo} />
        ) : (
          <div className="column muted pad">Choose a repository.</div>
        )}
      </div>
    </div>
  );
}

const TAG_ORDER = new Intl.Collator('en', { numeric: true });

type TagVerdict = 'unsigned' | 'signed-untrusted' | 'verified' | 'failed' | 'unknown';
const VERDICT_SHORT: Record<TagVerdict, string> = {
  unsigned: 'unsigned',
  'signed-untrusted': 'untrusted',
  verified: 'verified',
  failed: 'failing',
  unknown: 'unknown',
};
const VERDICT_BADGE: Record<TagVerdict, string> = {
  unsigned: '',
  'signed-untrusted': 'badge-warn',
  verified: 'badge-ok',
  failed: 'badge-bad',
  unknown: 'badge-warn',
};
let statusJobs = 0;
/** Tags checked at once without being asked; more wait for "Check all". */
const AUTO_CHECK = 1000;
/** Tags asked about per call: their verdicts fill in as each part lands, not all at the end of a long check. */
const CHECK_PART = 250;
/** Verdicts already known, per registry and repository, kept while the app runs (switching repositories keeps them). */
const verdictCache = new Map<string, Map<string, TagVerdict>>();
const cachedVerdicts = (key: string) => verdictCache.get(key) ?? verdictCache.set(key, new Map()).get(key)!;
/** Runs `f` before the next frame is drawn (in jsdom, soon). */
const beforeNextFrame = (f: () => void) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(f) : setTimeout(f, 16));

/** A line of text that changes often (progress): only its own component draws it again, at most once a frame. */
function createLine() {
  let text = '';
  let drawing = false;
  const listeners = new Set<() => void>();
  return {
    get: () => text,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(next: string) {
      text = next;
      if (drawing) return;
      drawing = true;
      beforeNextFrame(() => {
        drawing = false;
        listeners.forEach((listener) => listener());
      });
    },
  };
}
type Line = ReturnType<typeof createLine>;
function LineText({ line }: { line: Line }) {
  return useSyncExternalStore(line.subscribe, line.get);
}

/** How many listed tags have each verdict, kept up to date as verdicts land rather than counted over every tag again. */
class VerdictTally {
  readonly counts = new Map<TagVerdict, number>();
  checked = 0;
  constructor(
    private readonly listed: readonly string[],
    verdicts: ReadonlyMap<string, TagVerdict>,
  ) {
    if (!verdicts.size) return;
    for (const t of listed) {
      const v = verdicts.get(t);
      if (v) this.add(v, 1);
    }
  }
  /** A tag's verdict went from `before` (none: not checked yet) to `after`; `listed`: the tag is known to be one of the listed tags. */
  change(tag: string, before: TagVerdict | undefined, after: TagVerdict, listed: boolean) {
    if (!listed && !this.listed.includes(tag)) return;
    if (before) this.add(before, -1);
    this.add(after, 1);
  }
  private add(verdict: TagVerdict, n: number) {
    this.counts.set(verdict, (this.counts.get(verdict) ?? 0) + n);
    this.checked += n;
  }
}

/**
 * The signed / unsigned / failing state of many tags (`listed`: the tags that are images), checked in the background with
 * progress, cached per repository. Verdicts land in place a part at a time; `version` changes when they do.
 */
function useSignedStatus(registry: SavedRegistry, repository: string, listed: readonly string[]) {
  const api = useApp((s) => s.api);
  const cacheKey = `${registry.id}/${repository}`;
  const [verdicts, setVerdicts] = useState(() => cachedVerdicts(cacheKey));
  const [version, setVersion] = useState(0);
  const [running, setRunning] = useState(false);
  const [progress] = useState(createLine);
  const [error, setError] = useState<string>();
  const tally = useMemo(() => new VerdictTally(listed, verdicts), [listed, verdicts]);
  const latest = useRef({ verdicts, tally });
  latest.current = { verdicts, tally };
  // Leaving the repository stops a check between two parts: the registry is not asked about tags nobody looks at.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => void (mounted.current = false);
  }, []);
  useEffect(() => {
    setVerdicts(cachedVerdicts(cacheKey));
    setError(undefined);
  }, [cacheKey]);
  /** Checks these tags (`fromList`: all taken from `listed`; else each is looked for there before it is counted). */
  const check = async (tags: string[], fromList = false) => {
    if (!api || !tags.length) return;
    setRunning(true);
    progress.set('');
    // Progress comes for every tag; only the progress line is drawn again, at most once a frame.
    let jobId = '';
    let earlier = 0;
    const unsubscribe = api.events.subscribe((event) => {
      if (event.type === 'job.progress' && event.payload.jobId === jobId) progress.set(`${earlier + event.payload.done}/${tags.length}`);
    });
    try {
      for (let start = 0; start < tags.length && mounted.current; start += CHECK_PART) {
        const part = tags.slice(start, start + CHECK_PART);
        jobId = `status-${Date.now()}-${++statusJobs}`;
        const result = await api.signatures.status({ id: registry.id, repository, tags: part, jobId });
        if (!result.ok) return setError(result.message);
        setError(undefined);
        const { verdicts: known, tally: counted } = latest.current;
        for (const r of result.value.results) {
          counted.change(r.tag, known.get(r.tag), r.verdict, fromList);
          known.set(r.tag, r.verdict);
        }
        earlier += part.length;
        progress.set(`${earlier}/${tags.length}`);
        setVersion((v) => v + 1);
      }
    } finally {
      unsubscribe();
      setRunning(false);
    }
  };
  /** Forgets what is known of this repository, so the next listing checks every tag again. */
  const reset = () => {
    verdictCache.delete(cacheKey);
    setVerdicts(cachedVerdicts(cacheKey));
  };
  /** Up to `max` listed tags not checked yet, in list order. */
  const unchecked = (max: number) => {
    const out: string[] = [];
    for (const t of listed) {
      if (out.length >= max) break;
      if (!verdicts.has(t)) out.push(t);
    }
    return out;
  };
  const totals = tally.counts;
  return { verdicts, version, totals, uncheckedCount: listed.length - tally.checked, unchecked, running, progress, error, check, reset };
}

/** One tag's row: drawn again only when its verdict lands, not when another tag's does. */
const TagRow = memo(function TagRow({ tag, verdict }: { tag: string; verdict: TagVerdict | undefined }) {
  return (
    <span className="tag-row">
      <span className="mono">{tag}</span>
      {verdict && (
        <span className={`badge ${VERDICT_BADGE[verdict]}`} aria-label={`${tag}: ${verdict}`}>
          {VERDICT_SHORT[verdict]}
        </span>
      )}
    </span>
  );
});

/** The path segment before a signature's id in a registry URL (…/TAG/signature/ID). */
const SIGNATURE_SEGMENT = 'signature';

function TagColumn({
  registry,
  repository,
  place,
  goTo,
}: {
  registry: SavedRegistry;
  repository: string;
  /** Below the repository: a tag or digest, then a platform's digest, then `signature` and a signature's id. */
  place: readonly string[];
  goTo(path: string[], how?: { replace: boolean }): void;
}) {
  const [reference, ...below] = place;
  const platform = below[0] !== undefined && below[0] !== SIGNATURE_SEGMENT ? below[0] : undefined;
  const signatureAt = below.indexOf(SIGNATURE_SEGMENT);
  const signatureId = signatureAt >= 0 ? below[signatureAt + 1] : undefined;
  const imagePath = reference ? [repository, reference, ...(platform ? [platform] : [])] : [];
  const openSignature = (id: string | undefined) =>
    goTo(id ? [...imagePath, SIGNATURE_SEGMENT, id] : imagePath, { replace: Boolean(id && signatureId) });
  const api = useApp((s) => s.api);
  const tags = useCall(api ? () => api.registry.tags({ id: registry.id, repository }) : undefined, [api, registry.id, repository]);
  const [filter, setFilter] = useState('');
  const [showArtifacts, setShowArtifacts] = useState(false);
  const [stateFilter, setStateFilter] = useState<TagVerdict | ''>('');
  const sorted = useMemo(() => [...(tags.data?.tags ?? [])].sort(TAG_ORDER.compare), [tags.data]);
  /** The tags that are images (signature artifacts aside): the ones whose signed state is checked. */
  const listed = useMemo(() => sorted.filter((t) => !isSignatureArtifactTag(t)), [sorted]);
  const artifacts = sorted.length - listed.length;
  const images = showArtifacts ? sorted : listed;
  const status = useSignedStatus(registry, repository, listed);
  const named = useMemo(() => (filter.trim() ? images.filter((t) => t.includes(filter.trim())) : images), [images, filter]);
  const shown = useMemo(
    () => (stateFilter ? named.filter((t) => status.verdicts.get(t) === stateFilter) : named),
    [named, stateFilter, status.verdicts, status.version],
  );
  const tagSelection = useOpeningSelection(shown, reference, (t, how) => goTo([repository, t], how));
  const checkable = registry.kind === 'distribution';
  // The signed state of the first tags is worked out without a click; the rest on "Check all".
  useEffect(() => {
    if (!checkable || status.running || !tags.data) return;
    const first = listed.slice(0, AUTO_CHECK).filter((t) => !status.verdicts.has(t));
    if (first.length) void status.check(first, true);
    // Runs once per tag list; status.check is stable enough for that.
  }, [checkable, tags.data, listed]);
  const totals = status.totals;
  return (
    <>
      <div className="column">
        <h2 className="column-title">Tags {tags.data ? <span className="muted">({shown.length})</span> : null}</h2>
        <input
          className="filter"
          aria-label="Filter tags"
          placeholder="Filter…"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            tagSelection.reset();
          }}
        />
        <ErrorBanner message={tags.error} />
        {tags.loading && <p className="muted">Listing tags…</p>}
        {artifacts > 0 && (
          <label className="check small">
            <input
              type="checkbox"
              checked={showArtifacts}
              onChange={(e) => {
                setShowArtifacts(e.target.checked);
                tagSelection.reset();
              }}
            />{' '}
            Show signature artifacts ({artifacts})
          </label>
        )}
        {checkable && images.length > 0 && (
          <div className="field inline small" aria-label="Signed state">
            {status.running ? (
              <span className="muted" role="status">
                Checking signatures… <LineText line={status.progress} />
              </span>
            ) : status.uncheckedCount > 0 ? (
              <button type="button" className="button secondary small" onClick={() => void status.check(status.unchecked(10_000), true)}>
                Check {Math.min(status.uncheckedCount, 10_000)} more
              </button>
            ) : (
              <button
                type="button"
                className="link-button"
                title="List the tags again and check their signatures again"
                onClick={() => {
                  status.reset();
                  tags.reload();
                }}
              >
                Re-check
              </button>
            )}
            <span className="muted" aria-label="Signed state totals">
              {(['verified', 'signed-untrusted', 'failed', 'unknown', 'unsigned'] as const)
                .filter((v) => totals.get(v))
                .map((v) => `${totals.get(v)} ${VERDICT_SHORT[v]}`)
                .join(' · ') || 'not checked yet'}
            </span>
            <select
              aria-label="Show tags"
              value={stateFilter}
              onChange={(e) => {
                setStateFilter(e.target.value as TagVerdict | '');
                tagSelection.reset();
              }}
            >
              <option value="">all states</option>
              <option value="unsigned">unsigned</option>
              <option value="signed-untrusted">signed, untrusted key</option>
              <option value="failed">failing</option>
              <option value="unknown">unknown</option>
              <option value="verified">verified</option>
            </select>
          </div>
        )}
        <ErrorBanner message={status.error} />
        <VirtualList
          label="Tags"
          items={shown}
          height={460}
          selected={tagSelection.selected}
          onSelect={tagSelection.onSelect}
          keyOf={(t) => t}
          render={(t) => <TagRow tag={t} verdict={status.verdicts.get(t)} />}
        />
      </div>
      <div className="column image-column">
        {reference && platform ? (
          <ImagePanel
            key={`${reference}/${platform}`}
            registry={registry}
            repository={repository}
            reference={platform}
            index={{
              reference,
              href: routeHash({ area: 'registries', sub: registrySegment(registry), path: [repository, reference] }),
              open: () => goTo([repository, reference]),
            }}
            onOpen={(d) => goTo([repository, reference, d])}
            onSigned={() => {
              if (checkable && !isSignatureArtifactTag(reference)) void status.check([reference]);
            }}
            signatureId={signatureId}
            onSignature={openSignature}
          />
        ) : reference ? (
          <ImagePanel
            key={reference}
            registry={registry}
            repository={repository}
            reference={reference}
            onOpen={(d) => goTo([repository, reference, d])}
            onSigned={() => {
              if (checkable && !isSignatureArtifactTag(reference)) void status.check([reference]);
            }}
            signatureId={signatureId}
            onSignature={openSignature}
          />
        ) : (
          <p className="muted pad">Choose a tag.</p>
        )}
      </div>
    </>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One image: a tag or digest, or (`index` given) one platform of a multi-platform index, with a way back to it. */
function ImagePanel({
  registry,
  repository,
  reference,
  index,
  onOpen,
  onSigned,
  signatureId,
  onSignature,
}: {
  registry: SavedRegistry;
  repository: string;
  reference: string;
  index?: { reference: string; href: string; open(): void };
  onOpen(reference: string): void;
  onSigned?: () => void;
  signatureId?: string | undefined;
  onSignature?(id: string | undefined): void;
}) {
  const api = useApp((s) => s.api);
  const image = useCall(api ? () => api.registry.image({ id: registry.id, repository, reference }) : undefined, [
    api,
    registry.id,
    repository,
    reference,
  ]);
  const [manifestOpen, setManifestOpen] = useState(false);
  // Bumped when either panel signs, so the other one reads the registry again.
  const [signedVersion, setSignedVersion] = useState(0);
  /**
   * A cosign signature image (`sha256-<hex>.sig`/`.att`) or a referrers tag-schema index: signatures for another manifest, not an image.
   */
  const artifactTag = /^(sha256-[0-9a-f]{64})(\.(sig|att|sbom))?$/.exec(reference)?.[1];
  if (image.loading && !image.data) return <p className="muted pad">Loading {reference}…</p>;
  if (image.error) return <ErrorBanner message={image.error} />;
  const data = image.data as ImageSummary;
  return (
    <div className="image-panel" aria-label="Image">
      <h2 className="column-title mono">
        {repository}:{reference.startsWith('sha') ? reference.slice(0, 19) : reference}
      </h2>
      {index && (
        <p className="small">
          A platform of the index{' '}
          <a
            className="mono"
            href={index.href}
            onClick={(e) => {
              e.preventDefault();
              index.open();
            }}
          >
            {repository}:{index.reference.startsWith('sha') ? index.reference.slice(0, 19) : index.reference}
          </a>
        </p>
      )}
      <dl className="facts compact">
        <div className="fact">
          <dt>Digest</dt>
          <dd>
            <code className="wrap">{data.digest}</code>{' '}
            <CopyButton text={`${registry.host}/${repository}@${data.digest}`} label="Copy reference" />
          </dd>
        </div>
        <div className="fact">
          <dt>Type</dt>
          <dd>
            {data.kind === 'index' ? 'Multi-platform index' : 'Image manifest'} <span className="muted small">{data.mediaType}</span>
          </dd>
        </div>
        {data.config && (
          <div className="fact">
            <dt>Config</dt>
            <dd>
              {data.config.os}/{data.config.architecture}
              {data.config.created ? ` · created ${new Date(data.config.created).toLocaleString()}` : ''}
            </dd>
          </div>
        )}
        {data.kind === 'manifest' && (
          <div className="fact">
            <dt>Size</dt>
            <dd>
              {formatSize(data.totalSize)} in {data.layers.length} layer(s)
            </dd>
          </div>
        )}
      </dl>
      {data.platforms.length > 0 && (
        <table className="table" aria-label="Platforms">
          <thead>
            <tr>
              <th scope="col">Platform</th>
              <th scope="col">Digest</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            {data.platforms.map((p) => (
              <tr key={p.digest}>
                <td>{p.platform}</td>
                <td>
                  <button type="button" className="link-button mono" onClick={() => onOpen(p.digest)}>
                    {p.digest.slice(0, 19)}…
                  </button>
                </td>
                <td>{formatSize(p.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.layers.length > 0 && (
        <table className="table" aria-label="Layers">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Media type</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            {data.layers.map((l) => (
              <tr key={l.digest}>
                <td className="mono">{l.digest.slice(0, 19)}…</td>
                <td className="small">{l.mediaType}</td>
                <td>{formatSize(l.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.config && Object.keys(data.config.labels).length > 0 && (
        <dl className="facts compact" aria-label="Labels">
          {Object.entries(data.config.labels).map(([k, v]) => (
            <div className="fact" key={k}>
              <dt className="mono small">{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {artifactTag ? (
        <p className="banner" role="note">
          The tag {reference} holds signatures or attestations for the manifest {artifactTag.replace('-', ':')} (
          {/\.(sig|att|sbom)$/.test(reference)
            ? 'a cosign signature image'
            : 'the referrers tag schema: Notation signatures, Sigstore bundles'}
          ); it is not an image to sign. Open that manifest to read its signatures.
        </p>
      ) : (
        <>
          {data.kind === 'index' && data.platforms.length > 0 && (
            <CoverageMatrix
              key={`coverage-${signedVersion}`}
              registry={registry}
              repository={repository}
              image={data}
              onSigned={() => {
                setSignedVersion((v) => v + 1);
                onSigned?.();
              }}
            />
          )}
          <SignaturesPanel
            key={`signatures-${signedVersion}`}
            registry={registry}
            repository={repository}
            digest={data.digest}
            tag={reference}
            isIndex={data.kind === 'index'}
            onSigned={() => {
              setSignedVersion((v) => v + 1);
              onSigned?.();
            }}
            openId={signatureId}
            onOpenId={onSignature}
          />
        </>
      )}
      <button type="button" className="button secondary" onClick={() => setManifestOpen(true)}>
        Show manifest
      </button>
      <ManifestDialog
        open={manifestOpen}
        onClose={() => setManifestOpen(false)}
        registry={registry}
        repository={repository}
        digest={data.digest}
      />
    </div>
  );
}

function ManifestDialog({
  open,
  onClose,
  registry,
  repository,
  digest,
}: {
  open: boolean;
  onClose(): void;
  registry: SavedRegistry;
  repository: string;
  digest: string;
}) {
  const api = useApp((s) => s.api);
  const [text, setText] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!open || !api || text) return;
    void api.registry
      .manifest({ id: registry.id, repository, digest })
      .then((r) => (r.ok ? setText(JSON.stringify(JSON.parse(r.value.text), null, 2)) : setError(r.message)));
  }, [open, api, registry.id, repository, digest, text]);
  return (
    <Dialog title={`Manifest ${digest.slice(0, 19)}…`} open={open} onClose={onClose} wide>
      <ErrorBanner message={error} />
      {text ? <pre className="code">{text}</pre> : !error && <p className="muted">Loading…</p>}
    </Dialog>
  );
}
