/**
 * Schema issues put into words for the person who filled the form: which field, and what is
 * wrong with it, never the internal call name or the schema's jargon. Values are never echoed
 * (they may be secrets).
 */

export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly origin?: unknown;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly values?: unknown;
  readonly expected?: unknown;
  readonly keys?: unknown;
}

const DEFAULT_MESSAGE = /^(Invalid|Too (big|small)|Unrecognized|Expected)/;

/** `lookasideUrl` → "lookaside URL"; array positions → "entry 2". */
export function fieldLabel(path: readonly PropertyKey[]): string {
  if (!path.length) return 'the request';
  return path
    .map((segment) =>
      typeof segment === 'number'
        ? `entry ${segment + 1}`
        : String(segment)
            .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
            .toLowerCase(),
    )
    .join(' › ')
    .replace(/\burl\b/g, 'URL')
    .replace(/\bid\b/g, 'ID')
    .replace(/\buri\b/g, 'URI');
}

function bound(issue: SchemaIssue, key: 'minimum' | 'maximum'): string {
  const value = issue[key];
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
}

/** What is wrong with one field, as the end of a sentence that starts with its label. */
export function issueWords(issue: SchemaIssue): string {
  if (!DEFAULT_MESSAGE.test(issue.message)) return issue.message.replace(/\.$/, '');
  const origin = issue.origin;
  switch (issue.code) {
    case 'too_small':
      if (origin === 'string')
        return bound(issue, 'minimum') === '1' ? 'is empty' : `is too short (at least ${bound(issue, 'minimum')} characters)`;
      if (origin === 'array' || origin === 'set') return `needs at least ${bound(issue, 'minimum')}`;
      return `must be at least ${bound(issue, 'minimum')}`;
    case 'too_big':
      if (origin === 'string') return `is too long (at most ${bound(issue, 'maximum')} characters)`;
      if (origin === 'array' || origin === 'set') return `has too many (at most ${bound(issue, 'maximum')})`;
      return `must be at most ${bound(issue, 'maximum')}`;
    case 'invalid_format':
      return 'is not in the expected form';
    case 'invalid_value': {
      const values = Array.isArray(issue.values) ? issue.values.map(String) : [];
      return values.length ? `must be one of: ${values.join(', ')}` : 'has a value that is not allowed';
    }
    case 'invalid_type':
      return /received undefined/.test(issue.message)
        ? 'is missing'
        : `must be ${typeof issue.expected === 'string' ? `a ${issue.expected}` : 'of another type'}`;
    case 'unrecognized_keys':
      return `has fields Signet does not know (${Array.isArray(issue.keys) ? issue.keys.map(String).join(', ') : ''})`;
    case 'invalid_union':
      return 'is not in any accepted form';
    default:
      return 'is not valid';
  }
}

/** One sentence for a refused request: up to five fields, then how many more. */
export function describeSchemaIssues(issues: readonly SchemaIssue[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const words = issueWords(issue);
    const label = fieldLabel(issue.path);
    return DEFAULT_MESSAGE.test(issue.message) || !issue.path.length ? `${label} ${words}` : `${label}: ${words}`;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  const text = `${parts.join('; ')}${more}.`;
  return `Please check the input: ${text}`;
}
