/**
 * A signature's description and metadata, as OCIR's `sign-upload --description --metadata` take
 * them, signed into the payload as two string members beside the signer's other annotations:
 * cosign and simple signing put them in `optional` (containers/image and cosign tolerate unknown
 * `optional` members), Notation in `targetArtifact.annotations` (its user metadata). The metadata
 * is a JSON object, stored as compact JSON text with sorted keys so every format can carry it as a
 * string (Notation's annotations are strings only).
 */
export const DESCRIPTION_KEY = 'description';
export const METADATA_KEY = 'metadata';
export const MAX_DESCRIPTION_CHARS = 1000;
export const MAX_METADATA_BYTES = 8192;

export interface SignedRecord {
  description?: string;
  /** Compact JSON text of an object. */
  metadata?: string;
}

/** The description and metadata a signed payload's string annotations carry. */
export function readSignedRecord(annotations: Readonly<Record<string, string>>): SignedRecord {
  const out: SignedRecord = {};
  const d = annotations[DESCRIPTION_KEY];
  const m = annotations[METADATA_KEY];
  if (typeof d === 'string') out.description = d.slice(0, MAX_DESCRIPTION_CHARS);
  if (typeof m === 'string') out.metadata = m.slice(0, MAX_METADATA_BYTES);
  return out;
}

/** Compact JSON with every object's keys sorted, for a value made of plain JSON types. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
