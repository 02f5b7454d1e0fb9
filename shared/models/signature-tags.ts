import { z } from 'zod';

/**
 * Tags on a signature, as OCIR keeps them: free-form `key=value`, and defined `namespace.key=value`.
 * Stored in the registry as an unsigned annotation on the signature's descriptor — the cosign
 * signature image's layer, or a referrer's entry in the `sha256-<hex>` referrers index — under
 * this key, as compact JSON of a string-to-string object with sorted keys. Nothing signs them:
 * anyone with push access can change them. cosign, containers/image and notation read only their
 * own annotation keys, so signatures keep verifying with them.
 */
export const SIGNATURE_TAGS_ANNOTATION = 'dev.signet.tags';
export const MAX_SIGNATURE_TAGS = 50;
export const MAX_SIGNATURE_TAGS_BYTES = 8192;
export const UNSIGNED_TAGS_NOTE = 'unsigned: anyone with push access can change these';

export const SignatureTagKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64})?$/, 'a tag key is key or namespace.key (letters, digits, _ and -)');
export const SignatureTagValue = z
  .string()
  .max(256)
  // eslint-disable-next-line no-control-regex -- control characters are what the rule refuses
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'a tag value is one line of text');
export const SignatureTags = z.record(SignatureTagKey, SignatureTagValue);
export type SignatureTags = z.infer<typeof SignatureTags>;

/** `defined` tags name a namespace (`namespace.key`); the others are free-form. */
export function tagKind(key: string): 'defined' | 'free-form' {
  return key.includes('.') ? 'defined' : 'free-form';
}

/** The annotation value for a set of tags: compact JSON, keys sorted. */
export function tagsAnnotation(tags: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(tags)
        .sort()
        .map((k) => [k, tags[k] as string]),
    ),
  );
}
