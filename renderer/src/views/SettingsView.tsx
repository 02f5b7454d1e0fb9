import { useState } from 'react';
import { useApp } from '../stores/app';
import { applyTheme, savedTheme, type ThemeChoice } from '../theme';
import { EnvironmentPage } from './EnvironmentPage';
import { StoragePage } from './StoragePage';

const TABS = [
  { id: 'environment', label: 'Environment' },
  { id: 'storage', label: 'Storage' },
  { id: 'appearance', label: 'Appearance' },
] as const;

/** Light, dark, or whatever the OS uses; kept for this window. */
function AppearancePage() {
  const [choice, setChoice] = useState<ThemeChoice>(savedTheme);
  const choose = (next: ThemeChoice) => {
    setChoice(next);
    applyTheme(next, true);
  };
  return (
    <fieldset className="choice">
      <legend>Theme</legend>
      {(['system', 'light', 'dark'] as const).map((t) => (
        <label key={t}>
          <input type="radio" name="theme" checked={choice === t} onChange={() => choose(t)} />{' '}
          {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
        </label>
      ))}
    </fieldset>
  );
}

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
        {current.id === 'appearance' && <AppearancePage />}
      </div>
    </section>
  );
}
