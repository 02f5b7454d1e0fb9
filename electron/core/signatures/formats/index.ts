import { ascFormat } from './asc';
import { bundleFormat } from './bundle';
import { cosignFormat } from './cosign';
import type { FormatId, SignatureFormat } from './format';
import { notationFormat } from './notation';
import { simpleFormat } from './simple';

/** Every signature format, in the order a report lists them. Adding one is a module and a line here. */
export const FORMATS: readonly SignatureFormat[] = [cosignFormat, bundleFormat, notationFormat, simpleFormat, ascFormat];

export function formatById(id: FormatId): SignatureFormat {
  const found = FORMATS.find((f) => f.id === id);
  if (!found) throw new Error(`unknown signature format ${id}`);
  return found;
}
