import { describe, expect, it } from 'vitest';
import { AREAS, parseRoute, routeHash } from './nav';

describe('routes', () => {
  it('round-trips every area and falls back to Registries', () => {
    for (const area of AREAS) expect(parseRoute(routeHash({ area: area.id, sub: 'x y' }))).toEqual({ area: area.id, sub: 'x y' });
    expect(parseRoute('#/nowhere')).toEqual({ area: 'registries' });
    expect(parseRoute('')).toEqual({ area: 'registries' });
  });

  it('round-trips deep places whose names hold slashes, colons and @', () => {
    const route = { area: 'registries', sub: 'r-1', path: ['team/app/api', 'sha256:' + 'ab'.repeat(32), 'v1.2%'] };
    const hash = routeHash(route);
    expect(hash.split('/')).toHaveLength(6);
    expect(parseRoute(hash)).toEqual(route);
  });

  it('stops at a segment that cannot be decoded instead of failing', () => {
    expect(parseRoute('#/registries/r-1/team%2Fapp/%E0%A4%A')).toEqual({ area: 'registries', sub: 'r-1', path: ['team/app'] });
    expect(parseRoute('#/registries/r-1//x')).toEqual({ area: 'registries', sub: 'r-1' });
  });
});
