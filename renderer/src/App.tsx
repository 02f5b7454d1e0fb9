import { AREAS } from './nav';
import { useApp } from './stores/app';
import { AuditView } from './views/AuditView';
import { KeysView } from './views/KeysView';
import { NotBuiltView } from './views/NotBuiltView';
import { PayloadsView } from './views/PayloadsView';
import { TrustView } from './views/TrustView';
import { OfflineView } from './views/OfflineView';
import { RegistriesView } from './views/RegistriesView';
import { RulesView } from './views/RulesView';
import { SettingsView } from './views/SettingsView';

export function App() {
  const route = useApp((s) => s.route);
  const info = useApp((s) => s.info);
  const connectionError = useApp((s) => s.connectionError);
  const navigate = useApp((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  const offline = useApp((s) => s.settings?.offlineMode ?? false);
  const area = AREAS.find((a) => a.id === route.area) ?? AREAS[0];

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span>Signet</span>
        </div>
        {offline && (
          <a
            className="offline-badge"
            href="#/settings/environment"
            title="Signet makes no network connections"
            onClick={(event) => {
              event.preventDefault();
              navigate({ area: 'settings', sub: 'environment' });
            }}
          >
            ● Offline mode
          </a>
        )}
        <ul>
          {AREAS.map((a) => (
            <li key={a.id}>
              <a
                href={`#/${a.id}`}
                aria-current={a.id === area?.id ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  navigate({ area: a.id });
                }}
              >
                {a.label}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          {info ? (
            <>
              <span>v{info.version}</span>
              <span>{info.host === 'electron' ? 'Desktop' : info.host === 'web' ? 'Browser mode' : info.host}</span>
              {info.readOnly && <span className="badge badge-warn">Read-only</span>}
            </>
          ) : null}
        </div>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {connectionError && (
          <div className="banner banner-error" role="alert">
            {connectionError}
          </div>
        )}
        <AreaView id={area?.id ?? 'registries'} sub={route.sub} path={route.path} />
      </main>
      <div className="toast-region" aria-live="polite">
        {toast && (
          <div className="toast" data-testid="toast">
            {toast.message}
          </div>
        )}
      </div>
    </div>
  );
}

function AreaView({ id, sub, path }: { id: string; sub?: string | undefined; path?: readonly string[] | undefined }) {
  switch (id) {
    case 'settings':
      return <SettingsView sub={sub} />;
    case 'audit':
      return <AuditView />;
    case 'offline':
      return <OfflineView sub={sub} />;
    case 'trust':
      return <TrustView sub={sub} />;
    case 'payloads':
      return <PayloadsView />;
    case 'keys':
      return <KeysView sub={sub} />;
    case 'registries':
      return <RegistriesView sub={sub} path={path} />;
    case 'rules':
      return <RulesView />;
    default: {
      const area = AREAS.find((a) => a.id === id);
      return area ? <NotBuiltView area={area} /> : null;
    }
  }
}
