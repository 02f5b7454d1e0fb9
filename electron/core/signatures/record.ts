import { SignetError } from '../../../shared/errors';
import { canonicalJson, DESCRIPTION_KEY, MAX_DESCRIPTION_CHARS, MAX_METADATA_BYTES, METADATA_KEY } from '../../../shared/payloads/record';
import { parseStrictJson } from '../json/strict';

/**
 * The annotations to sign for a description and a metadata JSON object, merged into the signer's
 * own annotations. Refused (INVALID_INPUT, nothing signed): metadata that is not strict JSON, not
 * an object, or larger than the cap once compacted; a description too long or with control
 * characters; an annotation named description or metadata given as well.
 */
export function withSignedRecord(
  annotations: Readonly<Record<string, string>> | undefined,
  record: { description?: string | undefined; metadata?: string | undefined },
): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(annotations ?? {}) };
  if (record.description !== undefined) {
    if (DESCRIPTION_KEY in out)
      throw new SignetError(
        'INVALID_INPUT',
        'Give the description once: as --description, not also as an annotation named "description". Nothing was signed.',
      );
    const d = record.description.trim();
    if (!d) throw new SignetError('INVALID_INPUT', 'The description is empty. Nothing was signed.');
    if (d.length > MAX_DESCRIPTION_CHARS)
      throw new SignetError(
        'INVALID_INPUT',
        `The description has ${d.length} characters; at most ${MAX_DESCRIPTION_CHARS} are signed. Nothing was signed.`,
      );
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(d))
      throw new SignetError('INVALID_INPUT', 'The description holds control characters. Nothing was signed.');
    out[DESCRIPTION_KEY] = d;
  }
  if (record.metadata !== undefined) {
    if (METADATA_KEY in out)
      throw new SignetError(
        'INVALID_INPUT',
        'Give the metadata once: as --metadata, not also as an annotation named "metadata". Nothing was signed.',
      );
    let value: unknown;
    try {
      value = parseStrictJson(record.metadata, 'The metadata');
    } catch (error) {
      throw new SignetError('INVALID_INPUT', `${error instanceof Error ? error.message : 'The metadata is not JSON.'} Nothing was signed.`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new SignetError(
        'INVALID_INPUT',
        `The metadata must be a JSON object ({"key": "value", …}), not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}. Nothing was signed.`,
      );
    const text = canonicalJson(value);
    const size = Buffer.byteLength(text, 'utf8');
    if (size > MAX_METADATA_BYTES)
      throw new SignetError(
        'INVALID_INPUT',
        `The metadata is ${size} bytes as compact JSON; at most ${MAX_METADATA_BYTES} are signed. Nothing was signed.`,
      );
    out[METADATA_KEY] = text;
  }
  return Object.keys(out).length ? out : undefined;
}
