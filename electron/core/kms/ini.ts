/** A minimal INI reader for the vendors' credential files: `[section]` and `key = value` lines. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      const name = (section[1] as string).trim().replace(/^profile\s+/, '');
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const at = line.indexOf('=');
    if (at > 0 && current) current.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return sections;
}
