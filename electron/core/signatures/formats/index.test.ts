import { describe, expect, it } from 'vitest';
import { FORMAT_IDS, FORMAT_TABLE, OFFLINE_FORMAT_IDS } from '../../../../shared/formats';
import { formatById, offlineWay } from './index';

describe('the table of format modules', () => {
  it('has one module per format id, each answering to its id', () => {
    for (const id of FORMAT_IDS) expect(formatById(id).id).toBe(id);
  });

  it('gives an air-gapped way to exactly the formats shared/formats.ts lets travel, signed by the key kind it names', () => {
    for (const id of FORMAT_IDS) expect(Boolean(formatById(id).offline)).toBe(FORMAT_TABLE[id].offline);
    expect(OFFLINE_FORMAT_IDS.map((id) => [id, offlineWay(id).key])).toEqual(
      OFFLINE_FORMAT_IDS.map((id) => [id, FORMAT_TABLE[id].signs === 'signer' ? 'signer' : 'openpgp']),
    );
    expect(() => offlineWay('sigstore-bundle')).toThrow(/do not travel/);
  });
});
