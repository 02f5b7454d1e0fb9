/** The app's areas, in navigation order. `planned` says plainly what an unbuilt area will do. */
export interface Area {
  readonly id: string;
  readonly label: string;
  readonly planned?: string;
}

export const AREAS: readonly Area[] = [
  { id: 'registries', label: 'Registries' },
  { id: 'keys', label: 'Keys' },
  { id: 'trust', label: 'Trust' },
  { id: 'payloads', label: 'Payloads' },
  { id: 'offline', label: 'Offline' },
  { id: 'rules', label: 'Rules' },
  { id: 'audit', label: 'Audit' },
  { id: 'settings', label: 'Settings' },
];

/**
 * Where the user is: an area, then the place inside it, segment by segment (a registry's id, a
 * repository, a tag or digest, a platform's digest). Every place has a hash URL that can be
 * reloaded or shared; each segment is encoded on its own, so repository names keep their slashes.
 */
export type Route = { area: string; sub?: string; path?: readonly string[] };

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const [area, ...segments] = hash.replace(/^#\/?/, '').split('/');
  const known = AREAS.find((a) => a.id === area);
  if (!known) return { area: 'registries' };
  const decoded: string[] = [];
  for (const segment of segments) {
    const value = segment ? decodeSegment(segment) : undefined;
    if (value === undefined) break;
    decoded.push(value);
  }
  const [sub, ...path] = decoded;
  if (!sub) return { area: known.id };
  return path.length ? { area: known.id, sub, path } : { area: known.id, sub };
}

export function routeHash(route: Route): string {
  const segments = route.sub ? [route.sub, ...(route.path ?? [])] : [];
  return `#/${route.area}${segments.map((s) => `/${encodeURIComponent(s)}`).join('')}`;
}
