import { FORMAT_TABLE, type FormatId } from '../../../../shared/formats';
import { SignetError } from '../../../../shared/errors';
import { ascFormat } from './asc';
import { bundleFormat } from './bundle';
import { cosignFormat } from './cosign';
import type { OfflineWay, SignatureFormat } from './format';
import { notationFormat } from './notation';
import { simpleFormat } from './simple';

/** One module per id of shared/formats.ts: the type makes a missing or extra module a compile error. */
const BY_ID: Readonly<Record<FormatId, SignatureFormat>> = {
  cosign: cosignFormat,
  'sigstore-bundle': bundleFormat,
  notation: notationFormat,
  simplesigning: simpleFormat,
  asc: ascFormat,
};

/** Every signature format, in the order a report lists them. Adding one is a module, a line here and a row in shared/formats.ts. */
export const FORMATS: readonly SignatureFormat[] = Object.values(BY_ID);

export function formatById(id: FormatId): SignatureFormat {
  return BY_ID[id];
}

/** The air-gapped part of a format that travels in requests (shared/formats.ts `offline`). */
export function offlineWay(id: FormatId): OfflineWay {
  const way = BY_ID[id].offline;
  if (!way) throw new SignetError('INVALID_INPUT', `${FORMAT_TABLE[id].label} signatures do not travel in air-gapped requests.`);
  return way;
}
