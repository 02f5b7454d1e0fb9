import type { ReactNode } from 'react';

/**
 * Read-only YAML or JSON with its keys, strings, literals and comments coloured. Tokens become
 * React text nodes (never HTML), so a key or value cannot inject markup.
 */
export function CodePreview({ text, label }: { text: string; label: string }) {
  return (
    <pre className="code wrap small" aria-label={label}>
      {text.split('\n').map((line, i) => (
        <span key={i}>
          {highlightLine(line)}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

const KEY = /^(\s*(?:-\s+)?)("(?:[^"\\]|\\.)*"|[A-Za-z0-9_./-]+)(\s*:)(?=\s|$)/;

export function highlightLine(line: string): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = line;
  const comment = /^\s*#/.test(rest);
  if (comment)
    return [
      <span key="c" className="tok-comment">
        {rest}
      </span>,
    ];
  const key = KEY.exec(rest);
  if (key) {
    out.push(
      key[1],
      <span key="k" className="tok-key">
        {key[2]}
      </span>,
      key[3],
    );
    rest = rest.slice(key[0].length);
  }
  const value = rest.trim();
  if (!value) return [...out, rest];
  const lead = rest.slice(0, rest.length - rest.trimStart().length);
  const trail = value.endsWith(',') ? ',' : '';
  const bare = trail ? value.slice(0, -1) : value;
  const kind = /^(?:"(?:[^"\\]|\\.)*"|'[^']*')$/.test(bare)
    ? 'tok-string'
    : /^(?:-?\d+(?:\.\d+)?|true|false|null)$/.test(bare)
      ? 'tok-literal'
      : undefined;
  return kind
    ? [
        ...out,
        lead,
        <span key="v" className={kind}>
          {bare}
        </span>,
        trail,
      ]
    : [...out, rest];
}
