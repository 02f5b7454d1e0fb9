import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeSchemaIssues, fieldLabel } from './input-words';

function wordsFor(schema: z.ZodType, input: unknown): string {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a refusal');
  return describeSchemaIssues(parsed.error.issues);
}

describe('describeSchemaIssues', () => {
  it('names the field and says what is wrong, in words', () => {
    const schema = z.object({
      host: z.string().min(1),
      lookasideUrl: z.string().max(4),
      kind: z.enum(['basic', 'token']),
      port: z.number().int().min(1),
    });
    const text = wordsFor(schema, { host: '', lookasideUrl: 'https://x', kind: 'bearer', port: 0 });
    expect(text).toBe(
      'Please check the input: host is empty; lookaside URL is too long (at most 4 characters); kind must be one of: basic, token; port must be at least 1.',
    );
  });

  it("uses a schema's own message when it has one", () => {
    const schema = z.object({ name: z.string().regex(/^[a-z]+$/, 'Use lowercase letters only.') });
    expect(wordsFor(schema, { name: 'ABC' })).toBe('Please check the input: name: Use lowercase letters only.');
  });

  it('says which field is missing and never echoes a value', () => {
    const schema = z.object({ password: z.string().min(12), user: z.string() });
    const text = wordsFor(schema, { password: 'zq9-secret' });
    expect(text).toContain('user is missing');
    expect(text).not.toContain('zq9-secret');
  });

  it('counts what it leaves out past five fields', () => {
    const schema = z.object(Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, z.string()])));
    expect(wordsFor(schema, {})).toMatch(/\(and 2 more\)\.$/);
  });

  it('labels nested and array paths', () => {
    expect(fieldLabel(['entries', 1, 'keyId'])).toBe('entries › entry 2 › key ID');
    expect(fieldLabel([])).toBe('the request');
  });
});
