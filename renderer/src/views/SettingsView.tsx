import { useApp } from '../stores/app';
import { EnvironmentPage } from './EnvironmentPage';
import { StoragePage } from './StoragePage';

const TABS = [
  { id: 'environment', label: 'Environment' },
  { id: 'storage', label: 'Storage' },
] as const;

export function SettingsView({ sub }: { sub?: string | undefined }) {
  const navigate = useApp((s) => s.navigate);
  const current = TABS.find((t) => t.id === sub) ?? TABS[0];
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Settings</h1>
      </header>
      <div className="tabs" role="tablist" aria-label="Settings">
        {TABS.map((t) => (
          <button
            key={t.id}
            role="tab"
            type="button"
            aria-selected={t.id === current.id}
            onClick={() => navigate({ area: 'settings', sub: t.id })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={current.label}>
        {current.id === 'environment' && <EnvironmentPage />}
        {current.id === 'storage' && <StoragePage />}
      </div>
    </section>
  );
}
