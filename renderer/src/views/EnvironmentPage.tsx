import { useEffect, type ReactNode } from 'react';
import type { DoctorReport } from '../../../shared/model';
import { useApp } from '../stores/app';
import { useCan } from '../hooks/useCan';

/** Settings → Environment: what `signet doctor` reports, checked live. */
export function EnvironmentPage() {
  const doctor = useApp((s) => s.doctor);
  const api = useApp((s) => s.api);
  const runDoctor = useApp((s) => s.runDoctor);

  useEffect(() => {
    if (api && !doctor.report && !doctor.running && !doctor.error) void runDoctor();
  }, [api, doctor.report, doctor.running, doctor.error, runDoctor]);

  return (
    <div className="environment">
      <div className="toolbar">
        <p className="muted">
          What Signet found on this machine. The same check runs as <code>signet doctor</code>.
        </p>
        <button type="button" className="button" onClick={() => void runDoctor()} disabled={doctor.running}>
          {doctor.running ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {doctor.running && (
        <div className="progress" role="status" aria-live="polite">
          <progress max={doctor.progress?.total ?? 1} value={doctor.progress?.done ?? 0} />
          <span>{doctor.progress?.message ?? 'Starting…'}</span>
        </div>
      )}
      {doctor.error && (
        <div className="banner banner-error" role="alert">
          {doctor.error}
        </div>
      )}
      {doctor.report && <Report report={doctor.report} />}
    </div>
  );
}

function Report({ report }: { report: DoctorReport }) {
  const { dataDir, keychain } = report;
  return (
    <dl className="facts" aria-label="Environment">
      <Fact label="App version">
        Signet {report.appVersion} · Node {report.nodeVersion} · {report.platform}
      </Fact>
      <Fact label="Data directory">
        <code>{dataDir.path}</code>{' '}
        <Status good={dataDir.writable} text={dataDir.exists ? (dataDir.writable ? 'writable' : 'not writable') : 'not created yet'} />
        {dataDir.reason && <div className="reason">{dataDir.reason}</div>}
      </Fact>
      <Fact label="OS keychain">
        {keychain.backend} <Status good={keychain.reachable} text={keychain.reachable ? 'reachable' : 'unreachable'} />
        {keychain.reason && <div className="reason">{keychain.reason}</div>}
      </Fact>
      <Fact label="PKCS#11 modules">
        {report.pkcs11Modules.length === 0 ? (
          <span className="muted">None found on the usual paths.</span>
        ) : (
          <ul className="plain">
            {report.pkcs11Modules.map((m) => (
              <li key={m.path}>
                {m.name} <code>{m.path}</code>
              </li>
            ))}
          </ul>
        )}
      </Fact>
      <Fact label="Tools">
        <ul className="plain">
          {report.tools.map((t) => (
            <li key={t.name}>
              {t.name} <Status good={t.present} text={t.present ? (t.version ?? 'present') : 'not found'} />
              {t.path && <code> {t.path}</code>}
              {t.reason && <div className="reason">{t.reason}</div>}
            </li>
          ))}
        </ul>
      </Fact>
      <Fact label="Offline mode">
        <OfflineSwitch />
      </Fact>
      <Fact label="Checked">{new Date(report.checkedAt).toLocaleString()}</Fact>
    </dl>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Status({ good, text }: { good: boolean; text: string }) {
  return <span className={`badge ${good ? 'badge-ok' : 'badge-bad'}`}>{text}</span>;
}

function OfflineSwitch() {
  const on = useApp((s) => s.settings?.offlineMode ?? false);
  const error = useApp((s) => s.settingsError);
  const setOfflineMode = useApp((s) => s.setOfflineMode);
  const can = useCan();
  return (
    <div>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={on}
          disabled={!can('settings.set')}
          onChange={(event) => void setOfflineMode(event.target.checked)}
        />
        <span>{on ? 'On: Signet makes no network connections at all.' : 'Off: Signet may reach registries, KMS and storage.'}</span>
      </label>
      {error && <div className="reason">{error}</div>}
    </div>
  );
}
