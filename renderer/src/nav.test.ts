import { describe, expect, it } from 'vitest';
import { AREAS, parseRoute, routeHash } from './nav';

describe('routes', () => {
  it('round-trips every area and falls back to Registries', () => {
    for (const area of AREAS) expect(parseRoute(routeHash({ area: area.id, sub: 'x y' }))).toEqual({ area: area.id, sub: 'x y' });
    expect(parseRoute('#/nowhere')).toEqual({ area: 'registries' });
    expect(parseRoute('')).toEqual({ area: 'registries' });
  });
});
