import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/models/audit';
import { EMPTY_FILTER, imageOf, keyOf, KIND_CHOICES, toFilter } from './audit-filter';

const entry = (details: AuditEntry['details']): AuditEntry => ({
  seq: 1,
  time: '2026-11-30T10:00:00Z',
  type: 'image.signed',
  summary: 's',
  details,
  prev: '0'.repeat(64),
  hash: '1'.repeat(64),
});

describe('the Audit view filter', () => {
  it('sends only what was filled in; dates cover whole days', () => {
    expect(toFilter(EMPTY_FILTER)).toEqual({});
    const f = toFilter({ ...EMPTY_FILTER, since: '2026-11-01', until: '2026-11-30', key: ' release ', outcome: 'refused', origin: 'cli' });
    expect(f).toMatchObject({ key: 'release', outcome: 'refused', origin: 'cli' });
    // The last millisecond of the 30th, the first of the 1st, in the viewer's zone (a DST change moves it by an hour).
    expect(Math.abs(Date.parse(f.until ?? '') - Date.parse(f.since ?? '') - (30 * 24 * 3600_000 - 1))).toBeLessThanOrEqual(3600_000);
  });

  it('offers areas and kinds', () => {
    expect(KIND_CHOICES).toEqual(expect.arrayContaining(['key', 'image', 'image.signed', 'vault.changed']));
  });

  it('names keys and images as a person knows them, never by an internal id alone', () => {
    expect(keyOf(entry({ keyId: 'k-0123456789abcdef', key: 'k-0123456789abcdef', keyName: 'release', fingerprint: 'ab'.repeat(32) }))).toBe(
      'release (abababababab…)',
    );
    expect(keyOf(entry({ key: 'k-0123456789abcdef' }))).toBeUndefined();
    expect(keyOf(entry({ uri: 'hashivault://release' }))).toBe('hashivault://release');
    expect(imageOf(entry({ repository: 'team/app', digest: `sha256:${'c'.repeat(64)}` }))).toBe('team/app@sha256:cccccccccccc…');
  });
});
