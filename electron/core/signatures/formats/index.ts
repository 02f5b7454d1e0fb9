import type { FormatId } from '../../../../shared/formats';
import { ascFormat } from './asc';
import { bundleFormat } from './bundle';
import { cosignFormat } from './cosign';
import type { SignatureFormat } from './format';
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
