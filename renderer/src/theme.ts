/** The appearance chosen in Settings, kept in this window's storage: the OS's choice, or light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'signet.theme';

export function savedTheme(): ThemeChoice {
  const value = globalThis.localStorage?.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Sets html[data-theme] (the stylesheet follows prefers-color-scheme when it is absent) and remembers the choice. */
export function applyTheme(choice: ThemeChoice, remember = false): void {
  const root = globalThis.document?.documentElement;
  if (root) {
    if (choice === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', choice);
  }
  if (remember) globalThis.localStorage?.setItem(KEY, choice);
}
