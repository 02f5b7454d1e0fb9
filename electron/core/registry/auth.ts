/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (and Basic). */
export interface Challenge {
  scheme: 'bearer' | 'basic' | 'other';
  params: Record<string, string>;
}

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(match[2] ?? '')) !== null) params[(m[1] ?? '').toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: scheme === 'bearer' ? 'bearer' : scheme === 'basic' ? 'basic' : 'other', params };
}

export interface Credentials {
  username: string;
  password: string;
}

/** A bearer token per scope, refreshed when it expires (or 60 s before when the registry says). */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  get(scope: string): string | undefined {
    const entry = this.tokens.get(scope);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.tokens.delete(scope);
      return undefined;
    }
    return entry.token;
  }

  set(scope: string, token: string, expiresInSeconds: number | undefined): void {
    const lifetime = Math.max(10, (expiresInSeconds ?? 60) - 10) * 1000;
    this.tokens.set(scope, { token, expires: this.now() + lifetime });
  }
}
