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

export type Route = { area: string; sub?: string };

export function parseRoute(hash: string): Route {
  const [area, sub] = hash.replace(/^#\/?/, '').split('/');
  const known = AREAS.find((a) => a.id === area);
  if (!known) return { area: 'registries' };
  return sub ? { area: known.id, sub: decodeURIComponent(sub) } : { area: known.id };
}

export function routeHash(route: Route): string {
  return `#/${route.area}${route.sub ? `/${encodeURIComponent(route.sub)}` : ''}`;
}
