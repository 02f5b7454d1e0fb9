import type { Area } from '../nav';

/** An area that is not built yet says so, and what it will do; it never pretends. */
export function NotBuiltView({ area }: { area: Area }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{area.label}</h1>
      </header>
      <div className="empty-state">
        <p className="empty-title">Not built yet.</p>
        <p>{area.planned}</p>
      </div>
    </section>
  );
}
